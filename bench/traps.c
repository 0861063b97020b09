/*
 * bench/traps.c — the metrics of one kernel entry: the emulator's speed
 * on a user loop (the yardstick of the others), the cheapest traps, a
 * full RPC to the kernel, and mach_reply_port (which allocates a name
 * per call, so machbench.c runs it last).
 */
#include <stdio.h>

#include "machbench.h"

#define T machr_task

/* An unused slot of both kernels' trap tables (kern_invalid). */
#define TRAP_UNUSED (-1)

static unsigned op_user_loop(void *ctx, unsigned n)
{
	unsigned long count = n;

	(void)ctx;
	__asm__ volatile("1: dec %0; jnz 1b" : "+r"(count)::"cc");
	return 0;
}

static unsigned op_task_self(void *ctx, unsigned n)
{
	unsigned bad = 0;

	(void)ctx;
	for (unsigned i = 0; i < n; i++)
		bad += mach_task_self() != T;
	return bad;
}

static unsigned op_invalid_trap(void *ctx, unsigned n)
{
	unsigned bad = 0;

	(void)ctx;
	for (unsigned i = 0; i < n; i++)
		bad += machr_raw_trap(TRAP_UNUSED, 0, 0, 0, 0, 0) !=
		       KERN_INVALID_ARGUMENT;
	return bad;
}

static unsigned op_swtch_pri(void *ctx, unsigned n)
{
	(void)ctx;
	/* Its boolean says whether another thread ran: nothing to check. */
	for (unsigned i = 0; i < n; i++)
		(void)swtch_pri(0);
	return 0;
}

static unsigned op_port_type(void *ctx, unsigned n)
{
	mach_port_type_t type;
	unsigned bad = 0;

	(void)ctx;
	for (unsigned i = 0; i < n; i++) {
		kern_return_t kr = mach_port_type(T, T, &type);

		if (kr != KERN_SUCCESS || !(type & MACH_PORT_TYPE_SEND)) {
			if (!bad++)
				printf("# mach_port_type: %#x (%s), type %#x\n",
				       kr, bench_kr_name(kr), type);
		}
	}
	return bad;
}

static unsigned op_reply_port(void *ctx, unsigned n)
{
	unsigned bad = 0;

	(void)ctx;
	for (unsigned i = 0; i < n; i++)
		bad += mach_reply_port() == MACH_PORT_NULL;
	return bad;
}

/* Time FN at N (scaled) ops per default batch count and report NAME. */
static void simple_metric(const char *name, bench_op_fn fn, void *ctx,
                          unsigned n)
{
	struct bench_result r;
	unsigned bad;

	if (!bench_selected(name))
		return;
	bad = bench_batches(fn, ctx, bench_ops(n),
	                    bench_batch_count(BATCHES_DEFAULT), &r);
	bench_check(bad == 0, name, "%u calls failed", bad);
	bench_report(name, &r);
}

void bench_traps(void)
{
	mach_port_urefs_t refs = 0, after = 0;
	kern_return_t kr;

	simple_metric("calib_user_loop_iter", op_user_loop, NULL, 500000);

	/* mach_task_self() adds a user reference each time; give back
	 * what the metric added, so the name ends as it began. */
	kr = mach_port_get_refs(T, T, MACH_PORT_RIGHT_SEND, &refs);
	bench_check(kr == KERN_SUCCESS, "null_trap", "mach_port_get_refs: %#x",
	            kr);
	simple_metric("null_trap", op_task_self, NULL, 2000);
	kr = mach_port_get_refs(T, T, MACH_PORT_RIGHT_SEND, &after);
	if (kr == KERN_SUCCESS && after > refs)
		kr = mach_port_mod_refs(T, T, MACH_PORT_RIGHT_SEND,
		                        -(mach_port_delta_t)(after - refs));
	bench_check(kr == KERN_SUCCESS, "null_trap references",
	            "giving back the task port's references: %#x", kr);

	simple_metric("null_trap_invalid", op_invalid_trap, NULL, 5000);
	simple_metric("null_trap_swtch_pri", op_swtch_pri, NULL, 1000);
	simple_metric("kernel_rpc_mach_port_type", op_port_type, NULL, 500);
}

void bench_reply_port_alloc(void)
{
	simple_metric("trap_mach_reply_port_alloc", op_reply_port, NULL, 500);
}
