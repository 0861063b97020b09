# mk/fuzz.mk — libFuzzer targets: the core (HOST_SRCS: kernel/kern,
# kernel/ipc, kernel/arch/host) built with clang and
# -fsanitize=fuzzer,address,undefined, one binary per tests/fuzz/fuzz_*.c.
#   make fuzz             run every target for FUZZ_SECONDS (default 600),
#                         keeping a corpus in $(BUILD)/fuzz/corpus/NAME
#   make fuzz-smoke       a short fixed-seed run of each (what make check
#                         runs, through tests/fuzz/smoke.sh)
# Also `make bench-host`: the host IPC micro-benchmark (bench/).

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_RUNS    ?= 20000
FUZZ_OUT     := $(BUILD)/fuzz
FUZZ_SRCS    := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_OUT)/%,$(FUZZ_SRCS))
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -fno-strict-aliasing \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra $(HOST_INC)
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined -pthread
FUZZ_OBJS    := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(HOST_SRCS))
HAVE_FUZZ_CC := $(shell command -v $(FUZZ_CC) >/dev/null 2>&1 && echo yes)

.PHONY: fuzz fuzz-smoke bench-host

$(FUZZ_OUT)/obj/%.o: %.c mk/fuzz.mk | $(REF_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_OUT)/%: $(FUZZ_OUT)/obj/tests/fuzz/%.o $(FUZZ_OBJS)
	$(Q)echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^

-include $(patsubst %.c,$(FUZZ_OUT)/obj/%.d,$(HOST_SRCS) $(FUZZ_SRCS))

.SECONDARY: $(patsubst tests/fuzz/%.c,$(FUZZ_OUT)/obj/tests/fuzz/%.o,$(FUZZ_SRCS))

# make check runs the smoke test: build the targets when clang can.
ifeq ($(HAVE_FUZZ_CC),yes)
all-tests: $(FUZZ_BINS)
endif

fuzz: $(FUZZ_BINS)
	$(Q)for f in $(FUZZ_BINS); do \
		c=$(FUZZ_OUT)/corpus/$$(basename $$f); mkdir -p $$c; \
		echo "# $$f for $(FUZZ_SECONDS) s (corpus $$c)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$c \
			|| exit 1; \
	done

fuzz-smoke: $(FUZZ_BINS)
	$(Q)BUILD=$(BUILD) FUZZ_RUNS=$(FUZZ_RUNS) tests/fuzz/smoke.sh

# --- the host IPC benchmark -------------------------------------------------
BENCH_HOST := $(BUILD)/bench/ipc_host_bench
BENCH_CFLAGS := -std=gnu11 -g -O2 -fno-strict-aliasing -Wall -Wextra \
	-DNDEBUG $(HOST_INC)
BENCH_OBJS := $(patsubst %.c,$(BUILD)/bench/obj/%.o,$(HOST_SRCS))

$(BUILD)/bench/obj/%.o: %.c mk/fuzz.mk | $(REF_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  BENCHCC $<"
	$(Q)$(HOSTCC) $(BENCH_CFLAGS) -MMD -MP -c -o $@ $<

$(BENCH_HOST): $(BUILD)/bench/obj/bench/ipc_host_bench.o $(BENCH_OBJS)
	$(Q)echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) -o $@ $^ -pthread

-include $(patsubst %.c,$(BUILD)/bench/obj/%.d,$(HOST_SRCS) bench/ipc_host_bench.c)

bench-host: $(BENCH_HOST)
	$(Q)$(BENCH_HOST)
