/*
 * libFuzzer target for the ELF checks and the initial stack
 * (kernel/kern/elf.c).  The first input byte picks a mode:
 *   even: the rest is the file itself (a corpus of real binaries helps);
 *   odd:  the rest describes an image built here from a sound template
 *         (header fields, then program headers whose numbers are mostly
 *         near the valid ones, sometimes extreme), so that even a run
 *         without a corpus gets past the header checks.
 * Either way the image is parsed from a heap block of exactly its size.
 * Nothing may crash or trip a sanitizer; an accepted image must satisfy
 * every promise of kern/elf.h, and a refusal must come with a one-line
 * reason.  Accepted images also get an initial stack built from argv
 * strings cut from the input, checked byte for byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/elf.h"

#define check(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "check failed: %s (line %d)\n", #c,    \
			        __LINE__);                                     \
			abort();                                               \
		}                                                              \
	} while (0)

/* ---- input ---- */

static const uint8_t *in;
static size_t in_left;

static uint8_t byte(void)
{
	if (in_left == 0)
		return 0;
	in_left--;
	return *in++;
}

static uint64_t u64(void)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)byte() << (8 * i);
	return v;
}

/* A number near BASE: mostly small moves, sometimes anything. */
static uint64_t near(uint64_t base)
{
	uint8_t how = byte();

	switch (how & 7) {
	case 0:
	case 1:
	case 2:
		return base;
	case 3:
		return base + (uint64_t)(how >> 3) * 0x10;
	case 4:
		return base - (uint64_t)(how >> 3);
	case 5:
		return base + ((uint64_t)byte() << 12);
	case 6:
		return u64();
	default:
		return (uint64_t)-1 - (how >> 3);
	}
}

/* ---- building an image from a description ---- */

struct f_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct f_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define BUILT_MAX 0x4000

static size_t build_image(uint8_t *file)
{
	static const uint32_t types[] = {
	    1, 1, 1, 1,           0,           2,          3,
	    4, 6, 7, 0x6474e551u, 0x6474e552u, 0x70000000u};
	struct f_ehdr eh = {0};
	uint8_t ctl = byte();
	unsigned nph = 1 + (byte() % 20);
	size_t size = 0x1000 + (size_t)byte() * 0x20;
	uint64_t vaddr = 0x400000, off = 0;

	memcpy(eh.ident,
	       "\x7f"
	       "ELF",
	       4);
	eh.ident[4] = 2;
	eh.ident[5] = 1;
	eh.ident[6] = 1;
	eh.type = 2;
	eh.machine = 62;
	eh.version = 1;
	eh.phoff = 64;
	eh.ehsize = 64;
	eh.phentsize = 56;
	/* Now and then, one header field goes wrong. */
	if (ctl & 1) {
		switch (byte() % 8) {
		case 0:
			eh.ident[byte() % 16] = byte();
			break;
		case 1:
			eh.type = (uint16_t)(byte() % 5);
			break;
		case 2:
			eh.machine = byte();
			break;
		case 3:
			eh.phoff = near(64);
			break;
		case 4:
			eh.phentsize = (uint16_t)near(56);
			break;
		case 5:
			eh.ehsize = byte();
			break;
		case 6:
			eh.version = byte();
			break;
		default:
			nph = byte();
			break;
		}
	}
	eh.phnum = (uint16_t)nph;
	eh.entry = near(0x400100);
	if (size > BUILT_MAX)
		size = BUILT_MAX;
	for (size_t i = 0; i < size; i++)
		file[i] = (uint8_t)(i * 13);
	memcpy(file, &eh, sizeof(eh));
	for (unsigned i = 0; i < nph && 64 + (i + 1) * 56 <= size; i++) {
		struct f_phdr ph = {0};
		uint8_t flags = byte();

		ph.type = types[byte() % (sizeof(types) / sizeof(types[0]))];
		ph.flags = flags & 7;
		ph.filesz = near((uint64_t)(byte() + 1) * 0x10);
		ph.memsz = near(ph.filesz + (uint64_t)byte() * 0x10);
		ph.offset = near(off);
		ph.vaddr = near(vaddr + (off & 0xfff));
		ph.paddr = ph.vaddr;
		ph.align = near((flags & 8) ? 0x1000 : 0x10);
		memcpy(file + 64 + i * 56, &ph, sizeof(ph));
		off += ph.filesz & 0xfff;
		vaddr = (ph.vaddr + ph.memsz + 0x1fff) & ~0xfffULL;
	}
	return size;
}

/* ---- what an accepted image must satisfy ---- */

static void check_image(const struct elf_image *img, size_t size)
{
	bool entry_ok = false;

	check(img->nseg >= 1 && img->nseg <= ELF_MAX_SEGMENTS);
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];

		check(s->filesz <= s->memsz);
		check(s->memsz > 0);
		check(s->filesz == 0 ||
		      (s->offset <= size && size - s->offset >= s->filesz));
		check(s->vaddr <= ELF_USER_LIMIT &&
		      ELF_USER_LIMIT - s->vaddr >= s->memsz);
		check((s->prot & ~7u) == 0);
		if (i > 0) {
			const struct elf_segment *p = &img->seg[i - 1];
			uint64_t pend =
			    (p->vaddr + p->memsz + ELF_PAGE_SIZE - 1) &
			    ~(ELF_PAGE_SIZE - 1);

			check((s->vaddr & ~(ELF_PAGE_SIZE - 1)) >= pend);
		}
		if ((s->prot & ELF_PROT_EXEC) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	check(entry_ok);
	check(img->end % ELF_PAGE_SIZE == 0);
	check(img->end >=
	      img->seg[img->nseg - 1].vaddr + img->seg[img->nseg - 1].memsz);
	check(img->end - (img->seg[img->nseg - 1].vaddr +
	                  img->seg[img->nseg - 1].memsz) <
	      ELF_PAGE_SIZE);
	check(img->has_gnu_stack || img->stack_prot == 7);
}

/* Build a stack from up to 8 strings cut from the remaining input. */
static void fuzz_stack(void)
{
	static uint8_t buf[1024];
	char strings[8][64];
	const char *argv[9], *envp[9];
	unsigned argc = byte() % 9, envc = byte() % 9;
	uint64_t top = ELF_USER_LIMIT - ((uint64_t)byte() % 64);
	size_t bufsize = (size_t)byte() * 4 + byte() % 4;
	uint64_t rsp, total = 8 + 8 * (argc + 1) + 8 * (envc + 1);

	for (unsigned i = 0; i < 8; i++) {
		size_t len = byte() % sizeof(strings[i]);

		for (size_t j = 0; j < len; j++)
			strings[i][j] = (char)(byte() | 1);
		strings[i][len] = '\0';
	}
	for (unsigned i = 0; i < argc; i++) {
		argv[i] = strings[i];
		total += strlen(strings[i]) + 1;
	}
	argv[argc] = NULL;
	for (unsigned i = 0; i < envc; i++) {
		envp[i] = strings[7 - i];
		total += strlen(strings[7 - i]) + 1;
	}
	envp[envc] = NULL;
	if (bufsize > sizeof(buf))
		bufsize = sizeof(buf);
	memset(buf, 0xcc, sizeof(buf));
	if (elf_build_stack(buf, bufsize, top, argv, envp, &rsp) != ELF_OK) {
		check(((top - total) & ~15ULL) < top - bufsize);
		return;
	}
	check(rsp % 16 == 0 && rsp <= top - total && top - total - rsp < 16);
	check(top - rsp <= bufsize);
	{
		uint8_t *at = buf + bufsize - (top - rsp);
		uint64_t v;

		memcpy(&v, at, 8);
		check(v == argc);
		for (unsigned i = 0; i < argc + envc; i++) {
			const char *s = i < argc ? argv[i] : envp[i - argc];
			unsigned slot = i < argc ? 1 + i : 2 + i;

			memcpy(&v, at + 8 * slot, 8);
			check(v > rsp && v < top);
			check(strcmp((const char *)buf + bufsize - (top - v),
			             s) == 0);
		}
		memcpy(&v, at + 8 * (1 + argc), 8);
		check(v == 0);
		memcpy(&v, at + 8 * (2 + argc + envc), 8);
		check(v == 0);
		/* Nothing written below rsp. */
		for (uint8_t *p = buf; p < at; p++)
			check(*p == 0xcc);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t built[BUILT_MAX];
	struct elf_image img;
	char err[160];
	uint8_t *file;
	size_t fsize;
	int rc;

	if (size == 0)
		return 0;
	in = data + 1;
	in_left = size - 1;
	if (data[0] & 1) {
		fsize = build_image(built);
		file = malloc(fsize);
		if (!file)
			return 0;
		memcpy(file, built, fsize);
	} else {
		fsize = size - 1;
		file = malloc(fsize ? fsize : 1);
		if (!file)
			return 0;
		memcpy(file, data + 1, fsize);
		in_left = 0;
	}
	err[0] = '\0';
	rc = elf_parse(file, fsize, &img, err, sizeof(err));
	if (rc == ELF_OK) {
		check_image(&img, fsize);
		fuzz_stack();
	} else {
		check(rc > ELF_OK && rc <= ELF_EENTRY);
		check(err[0] != '\0' && strchr(err, '\n') == NULL);
	}
	/* A short error buffer and none at all give the same answer. */
	check(elf_parse(file, fsize, &img, NULL, 0) == rc);
	check(elf_parse(file, fsize, &img, err, 4) == rc);
	free(file);
	return 0;
}
