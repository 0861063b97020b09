/*
 * tools/pages-plugin.c — a QEMU TCG plugin for tools/machr-pages: the
 * distinct 4 KiB pages (by virtual address: instruction fetches, loads
 * and stores) a guest touches between two writes to CR3.  QEMU flushes
 * its whole software TLB at each such write, so every page in that set
 * costs a refill (a page walk, and for code a translation-block lookup).
 *
 * Arguments (-plugin pages.so,from=N,n=K): dump the pages of epochs N to
 * N+K-1 (an epoch ends at a CR3 write), each page with its kind (x, r,
 * w), its access count and a 64-bit mask of the 64-byte lines touched.
 * At exit: the number of epochs and the most common epoch sizes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* The current epoch's pages: an open-addressing set, emptied at each
 * CR3 write by walking the slots it used. */
#define SLOTS     65536u
#define SIZES_MAX 1024u

struct slot {
	uint64_t page; /* page number + 1; 0: empty */
	uint64_t lines;
	uint32_t hits;
	uint8_t kind;
};

static struct slot slots[SLOTS];
static uint32_t used[SLOTS], nused;
static uint64_t epoch, dump_from = UINT64_MAX, dump_n = 4;
static uint64_t sizes[SIZES_MAX];

enum { KIND_EXEC = 1, KIND_READ = 2, KIND_WRITE = 4 };

static void touch(uint64_t va, uint8_t kind)
{
	uint64_t page = (va >> 12) + 1;
	uint32_t h = (uint32_t)((page * 0x9E3779B97F4A7C15ULL) >> 48);

	while (slots[h].page != 0 && slots[h].page != page)
		h = (h + 1) & (SLOTS - 1);
	if (slots[h].page == 0) {
		if (nused == SLOTS - 1)
			return; /* full: count no more pages this epoch */
		slots[h] = (struct slot){.page = page};
		used[nused++] = h;
	}
	slots[h].hits++;
	slots[h].kind |= kind;
	slots[h].lines |= 1ULL << ((va >> 6) & 63);
}

static void on_exec(unsigned int vcpu, void *va)
{
	touch((uint64_t)(uintptr_t)va, KIND_EXEC);
}

static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info,
                   uint64_t va, void *unused)
{
	touch(va, qemu_plugin_mem_is_store(info) ? KIND_WRITE : KIND_READ);
}

static void on_cr3_write(unsigned int vcpu, void *unused)
{
	if (epoch >= dump_from && epoch - dump_from < dump_n) {
		printf("epoch %" PRIu64 ": %u pages\n", epoch, nused);
		for (uint32_t i = 0; i < nused; i++) {
			const struct slot *s = &slots[used[i]];

			printf("  %016" PRIx64 " %c%c%c %u %016" PRIx64 "\n",
			       (s->page - 1) << 12,
			       s->kind & KIND_EXEC ? 'x' : '-',
			       s->kind & KIND_READ ? 'r' : '-',
			       s->kind & KIND_WRITE ? 'w' : '-', s->hits,
			       s->lines);
		}
	}
	sizes[nused < SIZES_MAX - 1 ? nused : SIZES_MAX - 1]++;
	for (uint32_t i = 0; i < nused; i++)
		slots[used[i]].page = 0;
	nused = 0;
	epoch++;
}

/* Whether the instruction bytes B (LEN of them) are a move to CR3:
 * optional REX prefixes, then 0F 22 with ModRM.reg = 3. */
static int is_cr3_write(const uint8_t *b, size_t len)
{
	size_t i = 0;

	while (i < len && (b[i] & 0xf0) == 0x40)
		i++;
	return i + 2 < len && b[i] == 0x0f && b[i + 1] == 0x22 &&
	       ((b[i + 2] >> 3) & 7) == 3;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t va = qemu_plugin_insn_vaddr(insn);

		qemu_plugin_register_vcpu_insn_exec_cb(
		    insn, on_exec, QEMU_PLUGIN_CB_NO_REGS,
		    (void *)(uintptr_t)va);
		qemu_plugin_register_vcpu_mem_cb(insn, on_mem,
		                                 QEMU_PLUGIN_CB_NO_REGS,
		                                 QEMU_PLUGIN_MEM_RW, NULL);
		if (is_cr3_write(qemu_plugin_insn_data(insn),
		                 qemu_plugin_insn_size(insn)))
			qemu_plugin_register_vcpu_insn_exec_cb(
			    insn, on_cr3_write, QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

static void at_exit(qemu_plugin_id_t id, void *unused)
{
	uint64_t total = 0, sum = 0;

	for (uint32_t i = 0; i < SIZES_MAX; i++) {
		total += sizes[i];
		sum += sizes[i] * i;
	}
	printf("cr3 writes: %" PRIu64 ", mean pages/epoch %.1f\n", total,
	       total ? (double)sum / (double)total : 0.0);
	for (uint32_t i = 0; i < SIZES_MAX; i++)
		if (sizes[i] > 0 && sizes[i] * 50 >= total)
			printf("  %u pages: %" PRIu64 " epochs\n", i, sizes[i]);
	fflush(stdout);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info, int argc,
                                           char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "from=", 5) == 0)
			dump_from = strtoull(argv[i] + 5, NULL, 0);
		else if (strncmp(argv[i], "n=", 2) == 0)
			dump_n = strtoull(argv[i] + 2, NULL, 0);
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
