/*
 * bench/machbench.c — the benchmark module of `make bench`: booted as
 * the bootstrap task on Mach_R or GNU Mach by tools/machr-bench, it
 * measures every metric of /work/shared/BENCH.md (and the scaling ones
 * of scale.c) and prints one "bench KERNEL NAME VALUE UNIT" line each,
 * with TAP lines for its own checks.  It cannot tell the kernels or the
 * QEMU passes apart, so the runner says which in the arguments:
 *
 *   machbench HOST DEVICE kernel=NAME unit=cycles|insns [scale=PCT]
 *             [batches=B] [names=N] [threads=N] [only=traps|ipc|vm]
 *             [metric=NAME]
 *
 * scale= runs PCT percent of the default operations per batch (tiny
 * runs: scale=1 batches=3); names= and threads= size the scaling
 * metrics (100000 and 1000); only= runs one group of metrics alone (to
 * profile a kernel path: tools/machr-profile); metric= one metric alone
 * (with its group's setup; a scaling metric with the others of its
 * kind), and at the end a "# machbench: N operations timed" line (the
 * warm-ups included), so that what a run makes the host do can be
 * divided by operations (tools/machr-qemu-events).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machbench.h"

struct bench_opts bench_opts = {
    .kernel = "unknown",
    .unit = "ticks",
    .scale = 100,
    .names = 100000,
    .threads = 1000,
};

/* Parse one KEY=VALUE argument into bench_opts; 0 if it is not one. */
static int parse_arg(const char *arg)
{
	static const struct {
		const char *key;
		unsigned *value;
		unsigned min, max;
	} numbers[] = {
	    {"scale", &bench_opts.scale, 1, 10000},
	    {"batches", &bench_opts.batches, 1, BATCHES_MAX},
	    {"names", &bench_opts.names, 1, 1000000},
	    {"threads", &bench_opts.threads, 1, 4096},
	};
	const char *eq = strchr(arg, '=');
	size_t len;

	if (eq == NULL || eq == arg)
		return 0;
	len = (size_t)(eq - arg);
	if (len == 6 && strncmp(arg, "kernel", 6) == 0) {
		bench_opts.kernel = eq + 1;
		return 1;
	}
	if (len == 4 && strncmp(arg, "unit", 4) == 0) {
		bench_opts.unit = eq + 1;
		return 1;
	}
	if (len == 4 && strncmp(arg, "only", 4) == 0) {
		bench_opts.only = eq + 1;
		return 1;
	}
	if (len == 6 && strncmp(arg, "metric", 6) == 0) {
		bench_opts.metric = eq + 1;
		return 1;
	}
	for (unsigned i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
		char *end;
		unsigned long v;

		if (strlen(numbers[i].key) != len ||
		    strncmp(arg, numbers[i].key, len) != 0)
			continue;
		v = strtoul(eq + 1, &end, 10);
		if (*end || end == eq + 1 || v < numbers[i].min ||
		    v > numbers[i].max)
			return 0;
		*numbers[i].value = (unsigned)v;
		return 1;
	}
	return 0;
}

int bench_selected(const char *name)
{
	return bench_opts.metric == NULL ||
	       strcmp(bench_opts.metric, name) == 0;
}

/* Whether the group GROUP runs (every group unless only= names one). */
static int wanted(const char *group)
{
	return bench_opts.only == NULL || strcmp(bench_opts.only, group) == 0;
}

int main(int argc, char **argv)
{
	mach_port_t device_master;

	if (machr_boot_ports(argc, argv, &bench_host_priv, &device_master) !=
	        0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("machbench: no console\n");
	printf("# machbench:");
	for (int i = 3; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	for (int i = 3; i < argc; i++)
		bench_check(parse_arg(argv[i]), "arguments",
		            "bad argument '%s' (kernel=, unit=, scale=, "
		            "batches=, names=, threads=, only=, metric=)",
		            argv[i]);

	if (wanted("traps"))
		bench_traps();
	if (wanted("ipc"))
		bench_ipc();
	if (wanted("vm"))
		bench_vm();
	if (wanted("traps"))
		bench_reply_port_alloc(); /* last: it leaves names behind */
	bench_finish();
}
