/*
 * bench/machbench.h — the pieces of the Mach benchmark module
 * (`make bench`, /work/shared/BENCH.md): timing and statistics
 * (timing.c), the trap and kernel-RPC metrics (traps.c), IPC (ipc.c),
 * the scaling metrics (scale.c) and virtual memory (vm.c), driven by
 * machbench.c.  Every metric prints one line
 *   bench KERNEL NAME VALUE UNIT (min X, max Y)
 * and its checks as TAP; the first failed call ends the run.
 */
#ifndef MACHBENCH_H
#define MACHBENCH_H

#include <machr/runtime.h>
#include <stdint.h>

#define PAGE 4096ul
#define MIB  (1ul << 20)

/* Batch counts of BENCH.md: most metrics, the 1 MiB and the 16 MiB ones. */
#define BATCHES_DEFAULT 21
#define BATCHES_1MIB    11
#define BATCHES_16MIB   9
#define BATCHES_MAX     21

/*
 * How this run measures, from the module's arguments.
 * Owned by: machbench.c (one static instance, filled once in main and
 *   read-only afterwards; child tasks get a copy with their memory).
 */
struct bench_opts {
	const char *kernel; /* "machr" or "gnumach": printed, not used */
	const char *unit;   /* "cycles" or "insns": what a TSC tick is */
	unsigned scale;     /* percent of the default ops per batch */
	unsigned batches;   /* if non-zero: batches of every metric */
	unsigned names;     /* extra names of the names scaling metric */
	unsigned threads;   /* blocked threads of the threads metric */
	const char *only;   /* if set: the one group to run (traps, ipc,
	                       vm), for profiling */
	const char *metric; /* if set: the one metric to run (with its
	                       group's setup), for counting what one
	                       operation makes QEMU do */
};

extern struct bench_opts bench_opts;

/* --- timing.c ----------------------------------------------------------- */

/* The TSC after the instructions before it have completed (lfence). */
static inline uint64_t bench_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
}

/*
 * A batch of N operations of one metric: returns the number of failed
 * operations (0 when every call returned what it should).  CTX is the
 * metric's own state.
 */
typedef unsigned (*bench_op_fn)(void *ctx, unsigned n);

/*
 * Per-batch means of one metric, in hundredths of a TSC tick per
 * operation.
 * Owned by: the caller (on its stack); filled by bench_batches() or
 *   by hand (the 16 MiB metrics time three phases of one batch).
 */
struct bench_result {
	unsigned batches;
	uint64_t mean[BATCHES_MAX]; /* hundredths of a tick per operation */
};

/* Whether metric NAME runs: every one unless metric= names one. */
int bench_selected(const char *name);

/* N scaled by bench_opts.scale, at least 1. */
unsigned bench_ops(unsigned n);
/* BATCHES unless bench_opts.batches overrides it. */
unsigned bench_batch_count(unsigned batches);

/*
 * bench_batches: run FN(CTX, N) once to warm up, then BATCHES times
 * timed, filling R with the per-batch means.  Returns the failed
 * operations summed over every batch (warm-up included).
 */
unsigned bench_batches(bench_op_fn fn, void *ctx, unsigned n, unsigned batches,
                       struct bench_result *r);

/* The mean of TICKS spent on N operations, in hundredths of a tick. */
uint64_t bench_mean(uint64_t ticks, uint64_t n);

/*
 * bench_report: print NAME's line (median of R's batch means, min and
 * max beside it) for this kernel and unit.
 */
void bench_report(const char *name, struct bench_result *r);

/* Say that NAME was not measured on this kernel, and why (a "#" line
 * the runner records). */
void bench_not_measured(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * bench_check: a TAP line for NAME's own checks.  On failure the run
 * ends here (after a diagnostic WHY...): a figure measured over failing
 * calls is worthless.  Returns only if OK.
 */
void bench_check(int ok, const char *name, const char *why, ...)
    __attribute__((format(printf, 3, 4)));

/* Boot's host port, for bench_finish() and bench_check()'s failures. */
extern mach_port_t bench_host_priv;

/* Close the TAP plan and power the machine off. */
_Noreturn void bench_finish(void);

/* --- the metrics ---------------------------------------------------------- */

/* traps.c: calib_user_loop_iter, null_trap, null_trap_invalid,
 * null_trap_swtch_pri, kernel_rpc_mach_port_type. */
void bench_traps(void);
/* traps.c: trap_mach_reply_port_alloc (allocates names: run last). */
void bench_reply_port_alloc(void);
/* ipc.c: ipc_self_send_recv and the ipc_rpc_{thread,task}_* metrics;
 * then the scaling metrics of scale.c against the task server. */
void bench_ipc(void);
/* vm.c: the vm_* metrics. */
void bench_vm(void);

/* --- ipc.c: the RPC server and client, shared with scale.c ------------- */

enum bench_rpc_kind { RPC_NULL, RPC_INLINE4K, RPC_OOL1M };

/*
 * What an RPC server has seen, as its STATS request returns it.
 * Owned by: the server thread (its own copy); the client gets a copy.
 */
struct bench_server_stats {
	uint64_t requests;     /* requests served, STATS excluded */
	uint64_t errors;       /* failed mach_msg, bad sizes or types */
	uint64_t inline_bytes; /* inline data received */
	uint64_t ool_bytes;    /* out-of-line data received and freed */
	int64_t last_error;    /* the last failing return code, or 0 */
};

/*
 * A client's side of RPCs to one server: the port it sends to, its
 * reply port, and the out-of-line buffer (resident).
 * Owned by: the thread making the calls.
 */
struct bench_client {
	mach_port_t server; /* send right (COPY_SEND) to the server */
	mach_port_t reply;  /* receive right (MAKE_SEND_ONCE) */
	enum bench_rpc_kind kind;
	void *ool;              /* MIB bytes, touched, for RPC_OOL1M */
	uint64_t calls;         /* requests sent by this client */
	uint64_t bytes;         /* their inline plus out-of-line data */
	mach_msg_return_t last; /* the last failing return code, or 0 */
};

/* One batch of N RPCs of CTX (a struct bench_client)'s kind. */
unsigned bench_rpc_op(void *ctx, unsigned n);

/* Ask SERVER for its counters with a STATS call through C. */
mach_msg_return_t bench_server_stats(struct bench_client *c,
                                     struct bench_server_stats *s);

/*
 * Check that the server of C saw exactly C's calls and bytes and no
 * error; a TAP line for NAME.  Ends the run on a mismatch.
 */
void bench_check_server(struct bench_client *c, const char *name);

/*
 * scale.c: ipc_rpc_task_null_{0,60k,100k}_names and _1k_threads: C's
 * null RPC to the task server with many names in the client's space, and
 * with many threads blocked elsewhere.  Calls made for it (also by
 * another client task) are added to C's counts.
 */
void bench_scaling(struct bench_client *c);

/* Name of a kern_return_t / mach_msg_return_t for diagnostics. */
const char *bench_kr_name(kern_return_t kr);

#endif
