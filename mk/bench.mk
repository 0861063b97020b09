# mk/bench.mk — the benchmark module (bench/*.c but the host benchmark
# -> $(BUILD)/bench/machbench), built like any Mach_R program, and
# `make bench`: tools/machr-bench runs it on Mach_R and on GNU Mach,
# timed and counted, and writes $(BUILD)/bench/bench.{json,svg}.
# BENCH_SCALE (percent of the default operations per batch, 100) makes
# quicker, noisier runs.  Not part of `make check`, which only builds the
# module and runs it once at a tiny scale (tests/system/bench.sh).

MACHBENCH_SRCS := $(filter-out bench/ipc_host_bench.c,$(wildcard bench/*.c))
MACHBENCH      := $(BUILD)/bench/machbench
BENCH_SCALE    ?= 100

.PHONY: bench bench-module
bench-module: user-runtime $(MACHBENCH)
all-tests: bench-module

$(MACHBENCH): $(MACHBENCH_SRCS) bench/machbench.h $(USER_RT_LIB) $(USER_CRT0) $(USER_RT_HDRS)
	@mkdir -p $(@D)
	@echo "  MODULE  $@"
	$(Q)$(MACHR_CC) -o $@ $(MACHBENCH_SRCS)

bench: kernel bench-module
	$(Q)tools/install-deps gnuplot:gnuplot-nox
	$(Q)tools/machr-bench --scale $(BENCH_SCALE)
