# The host build: the machine-independent core (CORE_SRCS) with
# kernel/arch/host as an ordinary static library, and one cmocka binary per
# tests/unit/test_*.c linked against it.  Two variants:
#   $(BUILD)/host  AddressSanitizer + UndefinedBehaviorSanitizer (make unit)
#   $(BUILD)/cov   gcov instrumentation, no sanitizers (make coverage)
# lib/string.c is left out: in a process, libc provides those routines.

HOST_SRCS := $(CORE_SRCS) $(filter-out lib/string.c,$(LIB_SRCS)) \
	$(sort $(wildcard kernel/arch/host/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
HOST_WARN := -Wall -Wextra -Werror
HOST_INC  := -I. -Ikernel -Ikernel/arch/host/include -isystem $(MACH_INC)
HOST_LIBS := -lcmocka -pthread

HOST_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer \
	$(HOST_WARN) $(HOST_INC)
COV_CFLAGS  := -std=gnu11 -g -O0 --coverage -fprofile-update=atomic $(HOST_WARN) $(HOST_INC)

UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/host/tests/%,$(UNIT_SRCS))
COV_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/cov/tests/%,$(UNIT_SRCS))

# The kernel folders `make coverage` reports on, one line each.
COV_DIRS := kernel/kern kernel/ipc kernel/vm kernel/server lib

# $(call host_variant,DIR,CFLAGS): the library DIR/libmachr-core.a and
# the test binaries DIR/tests/test_*, each object with its .d file.
define host_variant
$(1)/obj/%.o: %.c mk/host.mk | $(REF_STAMP)
	$$(Q)mkdir -p $$(dir $$@)
	$$(Q)echo "  HOSTCC  $$<"
	$$(Q)$$(HOSTCC) $(2) $$(HOST_OBJ_CFLAGS) -MMD -MP -c -o $$@ $$<

$(1)/libmachr-core.a: $$(patsubst %.c,$(1)/obj/%.o,$$(HOST_SRCS))
	$$(Q)echo "  AR      $$@"
	$$(Q)rm -f $$@
	$$(Q)ar rcs $$@ $$^

$(1)/tests/%: $(1)/obj/tests/unit/%.o $(1)/libmachr-core.a
	$$(Q)mkdir -p $$(dir $$@)
	$$(Q)echo "  HOSTLD  $$@"
	$$(Q)$$(HOSTCC) $(2) -o $$@ $$< $(1)/libmachr-core.a $$(HOST_LIBS)

-include $$(patsubst %.c,$(1)/obj/%.d,$$(HOST_SRCS) $$(UNIT_SRCS))
endef

$(eval $(call host_variant,$(BUILD)/host,$(HOST_CFLAGS)))
$(eval $(call host_variant,$(BUILD)/cov,$(COV_CFLAGS)))

# Keep test objects around: they carry the dependency information.
.SECONDARY: $(patsubst tests/unit/%.c,$(BUILD)/host/obj/tests/unit/%.o,$(UNIT_SRCS)) \
	$(patsubst tests/unit/%.c,$(BUILD)/cov/obj/tests/unit/%.o,$(UNIT_SRCS))

all-tests: $(UNIT_BINS)

# Run every unit test binary (TAP on stdout), all of them even after a
# failure; fail if any failed.
unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do \
		echo "# $$t"; \
		CMOCKA_MESSAGE_OUTPUT=TAP $$t || fail=1; \
	done; exit $$fail

# Line coverage of the core by the unit tests, per kernel folder.  Stale
# counters are removed first so that the numbers are this run's only.
coverage: $(COV_BINS)
	$(Q)find $(BUILD)/cov -name '*.gcda' -delete
	$(Q)fail=0; for t in $(COV_BINS); do \
		CMOCKA_MESSAGE_OUTPUT=TAP $$t >$$t.log 2>&1 || \
			{ echo "coverage: $$t failed (see $$t.log)"; fail=1; }; \
	done; \
	for d in $(COV_DIRS); do \
		gcovr -r . --object-directory $(BUILD)/cov --filter "$$d/" \
			--print-summary -o $(BUILD)/cov/summary.txt $(BUILD)/cov | \
			sed -n -e "s|^lines: .*(0 out of 0)|$$d: no code yet|p" \
			-e "t" -e "s|^lines: *\(.*\)|$$d: lines \1|p"; \
	done; \
	gcovr -r . --object-directory $(BUILD)/cov \
		$(foreach d,$(COV_DIRS),--filter "$(d)/") \
		--print-summary -o $(BUILD)/cov/summary.txt $(BUILD)/cov | \
		sed -n "s|^lines: *\(.*\)|total: lines \1|p"; \
	exit $$fail

.PHONY: all-tests
