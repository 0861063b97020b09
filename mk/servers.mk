# mk/servers.mk — the servers that run as user tasks (servers/*), built
# like any Mach_R program (tools/machr-cc, the runtime of mk/user.mk), and
# the test programs booted with them.
#
# servers/pager: the default pager -> $(BUILD)/servers/pager/pager.  It
# serves default_pager.defs, whose server stubs are made here (the
# runtime only has its user side); memory_object.defs,
# memory_object_default.defs and notify.defs come from the runtime.
# tests/system/pager-modules/*.c -> $(BUILD)/servers/pager/modules/NAME,
# booted with the pager by tests/system/pager.sh; they link the user side
# of memory_object.defs and memory_object_default.defs (made here too),
# to play the kernel's part towards the pager.
#
# Targets: pager, pager-modules; all-tests depends on both.

PAGER_OUT     := $(BUILD)/servers/pager
PAGER_MIGDIR  := $(PAGER_OUT)/mig
PAGER         := $(PAGER_OUT)/pager
PAGER_SRCS    := $(sort $(wildcard servers/pager/*.c))
PAGER_HDRS    := $(wildcard servers/pager/*.h)
PAGER_OBJS    := $(patsubst servers/pager/%.c,$(PAGER_OUT)/%.o,$(PAGER_SRCS)) \
	$(PAGER_MIGDIR)/default_pager_server.o
PAGER_MODDIR  := $(PAGER_OUT)/modules
PAGER_MODULES := $(patsubst tests/system/pager-modules/%.c,$(PAGER_MODDIR)/%,\
	$(wildcard tests/system/pager-modules/*.c))

# The memory-pressure program (tests/system/machr-pressure.sh).
PRESSURE := $(PAGER_OUT)/pressure

.PHONY: pager pager-modules all-tests
pager: $(PAGER)
pager-modules: $(PAGER_MODULES) $(PRESSURE)
all-tests: pager pager-modules

# The user side goes to unused/: the runtime already has it.
$(PAGER_MIGDIR)/default_pager_server.c $(PAGER_MIGDIR)/default_pager_server.h &: $(USER_STAMP)
	@mkdir -p $(PAGER_MIGDIR)/unused
	@echo "  MIG     mach/default_pager.defs (server)"
	$(Q)cd $(PAGER_MIGDIR) && $(abspath $(USER_MIG)) -I$(abspath $(USER_INC)) \
		-server default_pager_server.c -sheader default_pager_server.h \
		-user unused/default_pager_user.c -header unused/default_pager.h \
		$(abspath $(USER_INC))/mach/default_pager.defs

# MIG output is not warning-clean under -Wextra (unused parameters).
$(PAGER_MIGDIR)/default_pager_server.o: $(PAGER_MIGDIR)/default_pager_server.c $(USER_MIG_HDRS) tools/machr-cc
	@echo "  CC      $<"
	$(Q)$(MACHR_CC) -c -Wno-unused-parameter -o $@ $<

$(PAGER_OUT)/%.o: servers/pager/%.c $(PAGER_HDRS) $(PAGER_MIGDIR)/default_pager_server.h $(USER_MIG_HDRS) $(USER_RT_HDRS) tools/machr-cc
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(MACHR_CC) -c -I$(PAGER_MIGDIR) -o $@ $<

$(PAGER): $(PAGER_OBJS) $(USER_RT_LIB) $(USER_CRT0)
	@echo "  LD      $@"
	$(Q)$(MACHR_CC) -o $@ $(PAGER_OBJS)

# The kernel's side of the pager protocol, as user stubs.
PAGER_USER_STUBS := memory_object memory_object_default
PAGER_USER_OBJS  := $(patsubst %,$(PAGER_MIGDIR)/user/%_user.o,$(PAGER_USER_STUBS))
PAGER_USER_HDRS  := $(patsubst %,$(PAGER_MIGDIR)/user/%_user.h,$(PAGER_USER_STUBS))

$(PAGER_MIGDIR)/user/%_user.c $(PAGER_MIGDIR)/user/%_user.h &: $(USER_STAMP)
	@mkdir -p $(PAGER_MIGDIR)/user/unused
	@echo "  MIG     mach/$*.defs (user)"
	$(Q)cd $(PAGER_MIGDIR)/user && $(abspath $(USER_MIG)) -I$(abspath $(USER_INC)) \
		-user $*_user.c -header $*_user.h \
		-server unused/$*_server.c -sheader unused/$*_server.h \
		$(abspath $(USER_INC))/mach/$*.defs

$(PAGER_MIGDIR)/user/%_user.o: $(PAGER_MIGDIR)/user/%_user.c $(USER_MIG_HDRS) tools/machr-cc
	@echo "  CC      $<"
	$(Q)$(MACHR_CC) -c -Wno-unused-parameter -iquote $(PAGER_MIGDIR)/user -o $@ $<

$(PAGER_MODDIR)/%: tests/system/pager-modules/%.c $(wildcard tests/system/pager-modules/*.h) $(PAGER_USER_OBJS) $(PAGER_USER_HDRS) $(USER_RT_LIB) $(USER_CRT0) $(USER_RT_HDRS)
	@mkdir -p $(@D)
	@echo "  MODULE  $@"
	$(Q)$(MACHR_CC) -I$(PAGER_MIGDIR)/user -o $@ $< $(PAGER_USER_OBJS)

$(PRESSURE): tests/system/pressure/pressure.c $(USER_RT_LIB) $(USER_CRT0) $(USER_RT_HDRS)
	@mkdir -p $(@D)
	@echo "  MODULE  $@"
	$(Q)$(MACHR_CC) -o $@ $<

# Kept: make would remove them as intermediates and rebuild every time.
.SECONDARY: $(PAGER_USER_OBJS) $(PAGER_USER_OBJS:.o=.c) $(PAGER_USER_HDRS)
