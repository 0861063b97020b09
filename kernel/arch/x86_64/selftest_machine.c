/*
 * Self-tests of the x86_64 machine layer: deliberate CPU exceptions that
 * a trap catch must report with the right vector, error code and
 * address (and the kernel must survive), and timer interrupts arriving.
 */
#include "kern/clock.h"
#include "kern/percpu.h"
#include "kern/selftest.h"
#include "machine/cpu.h"
#include "machine/trap_catch.h"
#include "x86.h"

/* Run FN under a catch; return the vector caught, or -1 if none. */
static int catch_vector(void (*fn)(void), struct trap_catch *c)
{
	if (trap_catch_begin(c) == 0) {
		fn();
		trap_catch_end(c);
		return -1;
	}
	return (int)c->vector;
}

static void do_divide_error(void)
{
	__asm__ volatile("xorl %%ecx, %%ecx; movl $1, %%eax; cltd; idivl %%ecx"
	                 :
	                 :
	                 : "eax", "ecx", "edx");
}

static void do_invalid_opcode(void)
{
	__asm__ volatile("ud2");
}

static void do_breakpoint(void)
{
	__asm__ volatile("int3");
}

#define UNMAPPED_ADDR 0x1000UL /* the lower half is empty in the kernel */

static void do_page_fault(void)
{
	(void)*(volatile uint64_t *)UNMAPPED_ADDR;
}

static void do_general_protection(void)
{
	(void)*(volatile uint64_t *)0x8000000000000000UL; /* non-canonical */
}

static void test_divide_error(struct selftest_ctx *ctx)
{
	struct trap_catch c;
	int v = catch_vector(do_divide_error, &c);

	selftest_check(ctx, v == 0, "caught vector %d, expected 0", v);
}

static void test_invalid_opcode(struct selftest_ctx *ctx)
{
	struct trap_catch c;
	int v = catch_vector(do_invalid_opcode, &c);

	selftest_check(ctx, v == 6, "caught vector %d, expected 6", v);
}

static void test_breakpoint(struct selftest_ctx *ctx)
{
	struct trap_catch c;
	int v = catch_vector(do_breakpoint, &c);

	selftest_check(ctx, v == 3, "caught vector %d, expected 3", v);
}

static void test_page_fault(struct selftest_ctx *ctx)
{
	struct trap_catch c;
	int v = catch_vector(do_page_fault, &c);

	selftest_check(ctx, v == 14, "caught vector %d, expected 14", v);
	selftest_check(ctx, c.addr == UNMAPPED_ADDR, "cr2 %#llx",
	               (unsigned long long)c.addr);
	/* Error code: a read (bit 1 clear) of a non-present page (bit 0
	 * clear) in kernel mode (bit 2 clear). */
	selftest_check(ctx, (c.error & 7) == 0, "error code %#llx",
	               (unsigned long long)c.error);
}

static void test_general_protection(struct selftest_ctx *ctx)
{
	struct trap_catch c;
	int v = catch_vector(do_general_protection, &c);

	selftest_check(ctx, v == 13, "caught vector %d, expected 13", v);
}

static void test_nested_catch(struct selftest_ctx *ctx)
{
	struct trap_catch outer, inner;
	volatile int stage = 0;

	if (trap_catch_begin(&outer) == 0) {
		if (trap_catch_begin(&inner) == 0) {
			do_invalid_opcode();
			stage = 1;
		} else {
			stage = 2; /* the inner catch got it */
		}
		do_page_fault(); /* now the outer one must */
		stage = 3;
	}
	selftest_check(ctx, stage == 2, "stage %d, expected 2", stage);
	selftest_check(ctx, outer.vector == 14 && inner.vector == 6,
	               "outer caught %u, inner %u", outer.vector, inner.vector);
	selftest_check(ctx, percpu_self()->catch == NULL,
	               "a catch is still armed");
}

static void test_timer_interrupts_arrive(struct selftest_ctx *ctx)
{
	uint64_t before = percpu_self()->ticks;

	for (int i = 0; i < 5; i++)
		machine_idle(); /* each hlt ends with an interrupt */
	selftest_check(ctx, percpu_self()->ticks > before,
	               "no timer interrupt in five halts");
	selftest_check(ctx, intr_enabled(), "interrupts off after idling");
}

/* selftest_copyio.c */
void selftest_copyio(struct selftest_ctx *ctx);
void selftest_waitq_deadline(struct selftest_ctx *ctx);
/* selftest_ipc.c */
void selftest_ipc_self_send(struct selftest_ctx *ctx);

/* selftest_pmap.c */
void selftest_pmap_access(struct selftest_ctx *ctx);
void selftest_pmap_remove_frees_tables(struct selftest_ctx *ctx);
void selftest_pmap_nx(struct selftest_ctx *ctx);

/* selftest_smp.c */
void selftest_smp_cpus_online(struct selftest_ctx *ctx);
void selftest_smp_threads_everywhere(struct selftest_ctx *ctx);
void selftest_smp_shootdown(struct selftest_ctx *ctx);
void selftest_smp_shootdown_crossfire(struct selftest_ctx *ctx);
void selftest_smp_block_wake(struct selftest_ctx *ctx);
void selftest_sched_handoff_claim(struct selftest_ctx *ctx);
void selftest_pci_host_bridge(struct selftest_ctx *ctx);
void selftest_vblk_write_read(struct selftest_ctx *ctx);

const struct selftest machine_selftests[] = {
    {"exception: divide error caught as vector 0", test_divide_error},
    {"exception: invalid opcode caught as vector 6", test_invalid_opcode},
    {"exception: breakpoint caught as vector 3", test_breakpoint},
    {"exception: page fault caught with CR2 and error code", test_page_fault},
    {"exception: general protection caught as vector 13",
     test_general_protection},
    {"exception: nested catches unwind in order", test_nested_catch},
    {"timer: interrupts arrive on the boot CPU", test_timer_interrupts_arrive},
    {"copyio: bad user ranges fail with -1", selftest_copyio},
    {"waitq: a deadline ends a wait on the boot thread",
     selftest_waitq_deadline},
    {"pmap: a user page is reachable, protected and removed",
     selftest_pmap_access},
    {"pmap: remove frees emptied page tables, destroy frees the rest",
     selftest_pmap_remove_frees_tables},
    {"pmap: pages without execute permission are not executable",
     selftest_pmap_nx},
    {"ipc: mach_msg to one's own port through a user page",
     selftest_ipc_self_send},
    {"smp: every CPU the MADT and smp= allow is online and ticking",
     selftest_smp_cpus_online},
    {"smp: kernel threads run on every CPU", selftest_smp_threads_everywhere},
    {"smp: a TLB shootdown reaches the CPU that has the pmap loaded",
     selftest_smp_shootdown},
    {"smp: two CPUs shooting at each other with interrupts masked finish",
     selftest_smp_shootdown_crossfire},
    {"smp: threads on different CPUs block and wake without losing a wake",
     selftest_smp_block_wake},
    {"sched: a handoff's thread is claimed: no timeout runs it, the waker "
     "does, or lets it go when it blocks",
     selftest_sched_handoff_claim},
    {"pci: the walk finds the host bridge at 0:0.0", selftest_pci_host_bridge},
    {"vblk: sectors written to vd0 read back (needs a disk)",
     selftest_vblk_write_read},
};
const unsigned machine_nselftests = ARRAY_SIZE(machine_selftests);
