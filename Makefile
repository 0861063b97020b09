# Mach_R top-level makefile.  Plain GNU make: `make` builds the kernel,
# `make run` boots it, `make check` runs every test.  Each part lives in
# its own mk/*.mk; everything built goes under build/.

BUILD     ?= build
ARCH      := x86_64
CC        ?= gcc
HOSTCC    ?= gcc
PYTHON    ?= python3
V         ?= 0
Q         := $(if $(filter 1,$(V)),,@)

# Sources of the machine-independent core: built into the kernel and, with
# arch/host, into the host library the unit tests link.
CORE_SRCS := $(sort $(wildcard kernel/kern/*.c kernel/ipc/*.c kernel/vm/*.c))
# Debian's gnumach-dev headers (mach/message.h, mach/port.h, ...) are the
# ABI: the kernel, the host build and user programs all compile against
# them.  tools/fetch-reference unpacks them (pinned) under build/ref.
REF_DIR   := $(BUILD)/ref
REF_STAMP := $(REF_DIR)/stamp
MACH_INC  := $(REF_DIR)/root/usr/include/x86_64-linux-gnu

# Freestanding routines shared by the kernel and the user runtime.
LIB_SRCS  := lib/format.c lib/string.c

.PHONY: reference all kernel run check unit system coverage iso clean deps format help all-tests
all: kernel

# Everything the tests need; mk/host.mk and mk/user.mk add their parts.
all-tests: kernel

reference: $(REF_STAMP)
$(REF_STAMP): tools/fetch-reference
	$(Q)tools/fetch-reference $(REF_DIR)
	$(Q)touch $@

# The kernel RPC servers (kernel/server and MIG's server stubs) are part
# of the core in every build.
include mk/server.mk
CORE_SRCS += $(SERVER_SRCS)

include mk/kernel.mk
-include mk/host.mk
-include mk/fuzz.mk
-include mk/user.mk
-include mk/bench.mk
include mk/servers.mk

deps:
	$(Q)tools/install-deps

run: deps kernel
	$(Q)tools/machr-run --accel auto --interactive

check: deps
	$(Q)$(MAKE) --no-print-directory all-tests
	$(Q)tests/run-all $(BUILD)

format:
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

help:
	@echo "make          build the kernel ($(BUILD)/kernel/machr)"
	@echo "make run      install what is missing, build, boot Mach_R in QEMU"
	@echo "make check    build and run every test (unit and system)"
	@echo "make coverage line coverage of the core per kernel folder"
	@echo "make fuzz     run the libFuzzer targets for FUZZ_SECONDS (600)"
	@echo "make bench    Mach_R against GNU Mach: $(BUILD)/bench/bench.{json,svg}"
	@echo "make bench-host  the host IPC micro-benchmark"
	@echo "make iso      a GRUB ISO ($(BUILD)/machr.iso)"
	@echo "make clean    remove $(BUILD)/"
