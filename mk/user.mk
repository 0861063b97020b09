# mk/user.mk — user space: the reference packages (tools/fetch-reference),
# MIG stubs generated from gnumach-dev's .defs, the runtime library
# (user/runtime) and the system-test modules (tests/system/modules/*.c ->
# $(BUILD)/user/modules/NAME).  Compiler and linker flags live in
# tools/machr-cc, which every rule here goes through.
#
# Targets: user-runtime (headers, MIG stubs, runtime), user-modules,
# reference (fetch build/ref); all-tests depends on the modules.

USER_REF    := $(REF_DIR)
USER_STAMP  := $(REF_STAMP)
USER_MIG    := $(USER_REF)/root/usr/bin/x86_64-gnu-mig
USER_INC    := $(USER_REF)/root/usr/include/x86_64-linux-gnu
USER_OUT    := $(BUILD)/user
USER_MIGDIR := $(USER_OUT)/mig
USER_RTDIR  := $(USER_OUT)/runtime
USER_MODDIR := $(USER_OUT)/modules
MACHR_CC    := BUILD=$(BUILD) tools/machr-cc

.PHONY: user-runtime user-modules all-tests
all-tests: user-modules

# --- MIG stubs -------------------------------------------------------------
# One line per interface: C-file-stem:defs-path:side:header.  The header
# names follow the usual Hurd/glibc ones; the user side of an interface is
# what a program calls, the server side what it implements.
USER_MIG_IFACES := \
	mach:mach/mach.defs:user:mach/mach_interface.h \
	mach_host:mach/mach_host.defs:user:mach/mach_host.h \
	mach_port:mach/mach_port.defs:user:mach/mach_port.h \
	gnumach:mach/gnumach.defs:user:mach/gnumach.h \
	mach4:mach/mach4.defs:user:mach/mach4.h \
	mach_i386:mach/machine/mach_i386.defs:user:mach/mach_i386.h \
	experimental:mach/experimental.defs:user:mach/experimental.h \
	mach_debug:mach_debug/mach_debug.defs:user:mach_debug/mach_debug.h \
	default_pager:mach/default_pager.defs:user:mach/default_pager.h \
	device:device/device.defs:user:device/device.h \
	exc_server:mach/exc.defs:server:mach/exc_server.h \
	notify_server:mach/notify.defs:server:mach/notify_server.h \
	memory_object_server:mach/memory_object.defs:server:mach/memory_object_server.h \
	memory_object_default_server:mach/memory_object_default.defs:server:mach/memory_object_default_server.h \
	task_notify_server:mach/task_notify.defs:server:mach/task_notify_server.h \
	device_reply_server:device/device_reply.defs:server:device/device_reply_server.h

user_mig_field = $(word $(2),$(subst :, ,$(1)))

# $(1) = one USER_MIG_IFACES entry.  A generated user-side C file
# includes its header by base name, hence the -iquote.  The other side's
# files go to unused/ (not /dev/null: MIG would happily fill a clobbered
# /dev/null).
define USER_MIG_RULE
$(USER_MIGDIR)/$(call user_mig_field,$(1),1).o: USER_EXTRA_CFLAGS := \
	-iquote $(USER_MIGDIR)/include/$(dir $(call user_mig_field,$(1),4))
$(USER_MIGDIR)/$(call user_mig_field,$(1),1).c $(USER_MIGDIR)/include/$(call user_mig_field,$(1),4) &: $(USER_STAMP)
	@mkdir -p $(USER_MIGDIR)/include/$(dir $(call user_mig_field,$(1),4)) $(USER_MIGDIR)/unused
	@echo "  MIG     $(call user_mig_field,$(1),2) ($(call user_mig_field,$(1),3))"
	$(Q)cd $(USER_MIGDIR) && $(abspath $(USER_MIG)) -I$(abspath $(USER_INC)) \
		$(if $(filter user,$(call user_mig_field,$(1),3)),\
		-user $(call user_mig_field,$(1),1).c -server unused/$(call user_mig_field,$(1),1)S.c \
		-header include/$(call user_mig_field,$(1),4),\
		-server $(call user_mig_field,$(1),1).c -user unused/$(call user_mig_field,$(1),1)U.c \
		-header unused/$(call user_mig_field,$(1),1).h -sheader include/$(call user_mig_field,$(1),4)) \
		$(abspath $(USER_INC))/$(call user_mig_field,$(1),2)
endef
$(foreach i,$(USER_MIG_IFACES),$(eval $(call USER_MIG_RULE,$(i))))

USER_MIG_SRCS := $(foreach i,$(USER_MIG_IFACES),$(USER_MIGDIR)/$(call user_mig_field,$(i),1).c)
USER_MIG_HDRS := $(foreach i,$(USER_MIG_IFACES),$(USER_MIGDIR)/include/$(call user_mig_field,$(i),4))
USER_MIG_OBJS := $(USER_MIG_SRCS:.c=.o)

# --- runtime ---------------------------------------------------------------
USER_RT_SRCS := $(filter-out user/runtime/crt0.S,$(wildcard user/runtime/*.c user/runtime/*.S))
USER_RT_OBJS := $(patsubst user/runtime/%,$(USER_RTDIR)/%.o,$(basename $(USER_RT_SRCS))) \
	$(patsubst lib/%.c,$(USER_RTDIR)/lib/%.o,$(LIB_SRCS))
USER_RT_HDRS := $(shell find user/runtime -name '*.h' 2>/dev/null) $(wildcard lib/*.h)
USER_RT_LIB  := $(USER_RTDIR)/libmachr.a
USER_CRT0    := $(USER_RTDIR)/crt0.o

# The compiler must not turn the string functions' loops into calls to
# themselves.
$(USER_RTDIR)/lib/string.o: USER_EXTRA_CFLAGS := -fno-builtin -fno-tree-loop-distribute-patterns

$(USER_RTDIR)/lib/%.o: lib/%.c lib/%.h tools/machr-cc
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(MACHR_CC) -c $(USER_EXTRA_CFLAGS) -o $@ $<

$(USER_RTDIR)/%.o: user/runtime/%.c $(USER_MIG_HDRS) $(USER_RT_HDRS) tools/machr-cc
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(MACHR_CC) -c $(USER_EXTRA_CFLAGS) -o $@ $<

$(USER_RTDIR)/%.o: user/runtime/%.S $(USER_MIG_HDRS) tools/machr-cc
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(MACHR_CC) -c -o $@ $<

# MIG output is not warning-clean under -Wextra (unused parameters).
$(USER_MIGDIR)/%.o: $(USER_MIGDIR)/%.c $(USER_MIG_HDRS) $(USER_RT_HDRS) tools/machr-cc
	@echo "  CC      $<"
	$(Q)$(MACHR_CC) -c -Wno-unused-parameter $(USER_EXTRA_CFLAGS) -o $@ $<

# The trap table in traps.S must list exactly the traps (name and number)
# of gnumach-dev's <mach/syscall_sw.h>, outside its UNIXOID_TRAPS block.
$(USER_RTDIR)/traps.checked: user/runtime/traps.S $(USER_STAMP)
	@mkdir -p $(@D)
	$(Q)awk '/^#if.*UNIXOID_TRAPS/ {skip = 1} /^#endif/ {skip = 0} \
		!skip && /^kernel_trap\(/ {sub(/^kernel_trap\(/, ""); split($$0, a, ","); print a[1], a[2]}' \
		$(USER_INC)/mach/syscall_sw.h | sort >$@.want
	$(Q)awk '/^TRAP / {gsub(",", ""); print $$2, $$3}' user/runtime/traps.S | sort >$@.have
	$(Q)diff -u $@.want $@.have || { echo "traps.S disagrees with mach/syscall_sw.h" >&2; exit 1; }
	$(Q)touch $@

$(USER_RT_LIB): $(USER_RT_OBJS) $(USER_MIG_OBJS) $(USER_RTDIR)/traps.checked
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $(USER_RT_OBJS) $(USER_MIG_OBJS)

user-runtime: $(USER_RT_LIB) $(USER_CRT0)

# --- test modules ----------------------------------------------------------
USER_MODULE_SRCS := $(wildcard tests/system/modules/*.c)
USER_MODULES     := $(patsubst tests/system/modules/%.c,$(USER_MODDIR)/%,$(USER_MODULE_SRCS))

# A module may include headers of its directory (parts of itself, or a
# library shared by several, such as pager-lib.h); any of them changing
# rebuilds every module.
$(USER_MODDIR)/%: tests/system/modules/%.c $(wildcard tests/system/modules/*.h) $(USER_RT_LIB) $(USER_CRT0) $(USER_RT_HDRS)
	@mkdir -p $(@D)
	@echo "  MODULE  $@"
	$(Q)$(MACHR_CC) -o $@ $<

# Mach_R-only modules (tests/system/machr-modules/): what GNU Mach has
# no driver for (the virtio-blk disk vd0); run by their own scripts, not
# by modules.sh.
# Built apart from $(USER_MODDIR), whose every file is a module for both
# kernels (tests/unit/test_elf.c reads them all).
MACHR_MODDIR      := $(USER_OUT)/machr-modules
MACHR_MODULE_SRCS := $(wildcard tests/system/machr-modules/*.c)
MACHR_MODULES     := $(patsubst tests/system/machr-modules/%.c,$(MACHR_MODDIR)/%,$(MACHR_MODULE_SRCS))

$(MACHR_MODDIR)/%: tests/system/machr-modules/%.c $(USER_RT_LIB) $(USER_CRT0) $(USER_RT_HDRS)
	@mkdir -p $(@D)
	@echo "  MODULE  $@"
	$(Q)$(MACHR_CC) -o $@ $<

user-modules: user-runtime $(USER_MODULES) $(MACHR_MODULES)

# --- examples (examples/*/): programs a user would write --------------------
# examples/echo: MIG makes the client and server stubs from echo.defs, and
# tools/machr-cc links them with the program, as README.md shows.
EXAMPLE_DIR := $(BUILD)/examples/echo

$(EXAMPLE_DIR)/echo_user.c $(EXAMPLE_DIR)/echo_server.c $(EXAMPLE_DIR)/echo.h $(EXAMPLE_DIR)/echo_server.h &: examples/echo/echo.defs $(USER_STAMP)
	@mkdir -p $(EXAMPLE_DIR)
	@echo "  MIG     examples/echo/echo.defs"
	$(Q)cd $(EXAMPLE_DIR) && $(abspath $(USER_MIG)) -I$(abspath $(USER_INC)) \
		-user echo_user.c -server echo_server.c -header echo.h \
		-sheader echo_server.h $(abspath examples/echo/echo.defs)

$(EXAMPLE_DIR)/echo: examples/echo/echo.c $(EXAMPLE_DIR)/echo_user.c $(EXAMPLE_DIR)/echo_server.c user-runtime
	@echo "  CC      $@"
	$(Q)$(MACHR_CC) -o $@ examples/echo/echo.c $(EXAMPLE_DIR)/echo_user.c \
		$(EXAMPLE_DIR)/echo_server.c -I$(EXAMPLE_DIR) -Iexamples/echo \
		-include $(EXAMPLE_DIR)/echo_server.h

.PHONY: examples
examples: $(EXAMPLE_DIR)/echo
all-tests: examples
