/*
 * bench/timing.c — how the benchmark module measures and reports: a
 * warm-up batch, then timed batches of N operations between two
 * `lfence; rdtsc`, the median of the per-batch means with min and max
 * beside it, and the TAP lines of the module's own checks.  The runtime
 * has no floating point in printf, so means are kept in hundredths of a
 * tick.
 */
#include <machr/tap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "machbench.h"

mach_port_t bench_host_priv;
static int checks; /* TAP lines printed by bench_check() */

unsigned bench_ops(unsigned n)
{
	uint64_t scaled = (uint64_t)n * bench_opts.scale / 100;

	return scaled ? (unsigned)scaled : 1;
}

unsigned bench_batch_count(unsigned batches)
{
	if (bench_opts.batches)
		return bench_opts.batches;
	return batches;
}

uint64_t bench_mean(uint64_t ticks, uint64_t n)
{
	return (ticks * 100 + n / 2) / n;
}

/* Operations bench_batches ran, warm-ups included (metric= prints it). */
static uint64_t ops_timed;

unsigned bench_batches(bench_op_fn fn, void *ctx, unsigned n, unsigned batches,
                       struct bench_result *r)
{
	unsigned failed = fn(ctx, n); /* warm-up: caches, TLB, lazy state */

	ops_timed += (uint64_t)n * (batches + 1);
	r->batches = batches;
	for (unsigned b = 0; b < batches; b++) {
		uint64_t t0 = bench_tsc();

		failed += fn(ctx, n);
		r->mean[b] = bench_mean(bench_tsc() - t0, n);
	}
	return failed;
}

/* Hundredths V as text: whole ticks from 100 up, two decimals below. */
static void format_value(char *buf, size_t size, uint64_t v)
{
	if (v >= 10000)
		snprintf(buf, size, "%lu", (unsigned long)((v + 50) / 100));
	else
		snprintf(buf, size, "%lu.%02lu", (unsigned long)(v / 100),
		         (unsigned long)(v % 100));
}

void bench_report(const char *name, struct bench_result *r)
{
	char med[32], lo[32], hi[32];
	unsigned n = r->batches;

	/* Insertion sort: at most 21 values. */
	for (unsigned i = 1; i < n; i++) {
		uint64_t v = r->mean[i];
		unsigned j = i;

		for (; j > 0 && r->mean[j - 1] > v; j--)
			r->mean[j] = r->mean[j - 1];
		r->mean[j] = v;
	}
	format_value(med, sizeof med, r->mean[n / 2]);
	format_value(lo, sizeof lo, r->mean[0]);
	format_value(hi, sizeof hi, r->mean[n - 1]);
	printf("bench %s %s %s %s (min %s, max %s)\n", bench_opts.kernel, name,
	       med, bench_opts.unit, lo, hi);
}

void bench_not_measured(const char *name, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	printf("# bench %s %s not measured: %s\n", bench_opts.kernel, name,
	       why);
}

void bench_check(int ok, const char *name, const char *why, ...)
{
	char text[200];
	va_list ap;

	checks++;
	if (ok) {
		tap_ok(1, "%s: checks passed", name);
		return;
	}
	va_start(ap, why);
	vsnprintf(text, sizeof text, why, ap);
	va_end(ap);
	tap_ok(0, "%s: %s", name, text);
	printf("machbench: FAILED on %s: %s; the run stops here\n",
	       bench_opts.kernel, text);
	bench_finish();
}

_Noreturn void bench_finish(void)
{
	if (bench_opts.metric != NULL)
		printf("# machbench: %lu operations timed\n",
		       (unsigned long)ops_timed);
	tap_plan(checks);
	tap_finish(bench_host_priv);
	exit(1); /* host_reboot failed (tap_finish said so) */
}

const char *bench_kr_name(kern_return_t kr)
{
	switch (kr) {
	case KERN_SUCCESS:
		return "KERN_SUCCESS";
	case KERN_INVALID_ADDRESS:
		return "KERN_INVALID_ADDRESS";
	case KERN_NO_SPACE:
		return "KERN_NO_SPACE";
	case KERN_INVALID_ARGUMENT:
		return "KERN_INVALID_ARGUMENT";
	case KERN_RESOURCE_SHORTAGE:
		return "KERN_RESOURCE_SHORTAGE";
	case KERN_INVALID_NAME:
		return "KERN_INVALID_NAME";
	case KERN_INVALID_RIGHT:
		return "KERN_INVALID_RIGHT";
	case MACH_SEND_INVALID_DEST:
		return "MACH_SEND_INVALID_DEST";
	case MACH_SEND_INVALID_REPLY:
		return "MACH_SEND_INVALID_REPLY";
	case MACH_SEND_NO_BUFFER:
		return "MACH_SEND_NO_BUFFER";
	case MACH_RCV_TOO_LARGE:
		return "MACH_RCV_TOO_LARGE";
	case MACH_RCV_TIMED_OUT:
		return "MACH_RCV_TIMED_OUT";
	default:
		return "?";
	}
}
