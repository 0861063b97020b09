# mk/server.mk — the kernel RPC servers (kernel/server, docs/ARCHITECTURE.md):
# MIG's kernel-server output for gnumach-dev's interfaces, generated into
# $(SMIG_DIR), and kernel/server/*.c.  The Makefile adds SERVER_SRCS to the
# core, so they go into the kernel and into every host build (unit tests,
# coverage, fuzzers, benchmark).  Included before mk/kernel.mk.
#
# Only these files are compiled with KSERVER_CFLAGS: under -DKERNEL
# gnumach-dev's mach_port_t is the 8-byte slot of the kernel message form,
# and kernel/server/mig/ stands in for the GNU Mach headers the generated
# files include.

SMIG_DIR := $(BUILD)/server-mig
SMIG     := $(REF_DIR)/root/usr/bin/x86_64-gnu-mig

# stem:defs-path.  Server routines are called kserver_NAME (SERVERPREFIX,
# honoured by mach_types.defs) so that they never collide with the
# kernel's own functions of the same Mach name; device.defs has its own
# prefix, ds_.
SMIG_IFACES := \
	mach:mach/mach.defs \
	mach_port:mach/mach_port.defs \
	mach_host:mach/mach_host.defs \
	gnumach:mach/gnumach.defs \
	mach4:mach/mach4.defs \
	mach_debug:mach_debug/mach_debug.defs \
	device:device/device.defs \
	memory_object:mach/memory_object.defs
SMIG_FLAGS := -DKERNEL -DKERNEL_SERVER -DSERVERPREFIX=kserver_

smig_stem = $(word 1,$(subst :, ,$(1)))
smig_defs = $(word 2,$(subst :, ,$(1)))

# $(1) = one SMIG_IFACES entry: STEM_server.c and its STEM_server.h
# (routine table, prototypes); -n: no other output.
define SMIG_RULE
$(SMIG_DIR)/$(call smig_stem,$(1))_server.c $(SMIG_DIR)/$(call smig_stem,$(1))_server.h &: $(REF_STAMP) mk/server.mk
	@mkdir -p $(SMIG_DIR)
	@echo "  MIG     $(call smig_defs,$(1)) (kernel server)"
	$(Q)$(SMIG) -n $(SMIG_FLAGS) -I$(MACH_INC) \
		-server $(SMIG_DIR)/$(call smig_stem,$(1))_server.c \
		-sheader $(SMIG_DIR)/$(call smig_stem,$(1))_server.h \
		$(MACH_INC)/$(call smig_defs,$(1))
endef
$(foreach i,$(SMIG_IFACES),$(eval $(call SMIG_RULE,$(i))))

SMIG_SRCS   := $(foreach i,$(SMIG_IFACES),$(SMIG_DIR)/$(call smig_stem,$(i))_server.c)
SMIG_HDRS   := $(SMIG_SRCS:.c=.h)

# The largest reply of each routine, by message id: STEM_reply_sizes.c
# (tools/mig-reply-sizes, kernel/server/reply_sizes.h), from MIG's own
# Reply structures, so that each kernel RPC's reply is allocated at its
# routine's size.
define SMIG_SIZES_RULE
$(SMIG_DIR)/$(call smig_stem,$(1))_reply_sizes.c: $(SMIG_DIR)/$(call smig_stem,$(1))_server.c tools/mig-reply-sizes
	@echo "  SIZES   $(call smig_stem,$(1))"
	$(Q)tools/mig-reply-sizes $(call smig_stem,$(1)) \
		$(SMIG_DIR)/$(call smig_stem,$(1))_server.c \
		$(SMIG_DIR)/$(call smig_stem,$(1))_server.h $$@
endef
$(foreach i,$(SMIG_IFACES),$(eval $(call SMIG_SIZES_RULE,$(i))))
SMIG_SRCS += $(foreach i,$(SMIG_IFACES),$(SMIG_DIR)/$(call smig_stem,$(i))_reply_sizes.c)

# The kernel as a client: MIG's kernel-user stubs (KernelUser in the
# .defs) for the messages the kernel sends to pagers; they hand each
# message to mach_msg_send_from_kernel (kernel/server/kclient.c).
KMIG_IFACES := memory_object:mach/memory_object.defs \
	memory_object_default:mach/memory_object_default.defs

define KMIG_RULE
$(SMIG_DIR)/$(call smig_stem,$(1))_user.c $(SMIG_DIR)/$(call smig_stem,$(1))_user.h &: $(REF_STAMP) mk/server.mk
	@mkdir -p $(SMIG_DIR)
	@echo "  MIG     $(call smig_defs,$(1)) (kernel client)"
	$(Q)$(SMIG) -n -DKERNEL -DKERNEL_USER -I$(MACH_INC) \
		-user $(SMIG_DIR)/$(call smig_stem,$(1))_user.c \
		-header $(SMIG_DIR)/$(call smig_stem,$(1))_user.h \
		$(MACH_INC)/$(call smig_defs,$(1))
endef
$(foreach i,$(KMIG_IFACES),$(eval $(call KMIG_RULE,$(i))))

KMIG_SRCS := $(foreach i,$(KMIG_IFACES),$(SMIG_DIR)/$(call smig_stem,$(i))_user.c)
SMIG_HDRS += $(KMIG_SRCS:.c=.h)
SMIG_SRCS += $(KMIG_SRCS)
SERVER_SRCS := $(sort $(wildcard kernel/server/*.c)) $(SMIG_SRCS)

# Server routines take the whole MIG argument list, used or not.
# <mach/machine.h> declares machine_slot[NCPUS] under MACH_KERNEL (unused).
KSERVER_CFLAGS := -DKERNEL -DMACH_KERNEL -DKERNEL_SERVER -DNCPUS=1 \
	-Ikernel/server/mig -I$(SMIG_DIR) -Wno-unused-parameter

# The object directories of every build of the core, and per build the
# flags variable its compile rule reads.
SERVER_OBJDIRS := $(BUILD)/kernel $(BUILD)/host/obj $(BUILD)/cov/obj \
	$(BUILD)/fuzz/obj $(BUILD)/bench/obj
SERVER_OBJS := $(foreach d,$(SERVER_OBJDIRS),$(patsubst %.c,$(d)/%.o,$(SERVER_SRCS)))

# Server routines implemented in their own subsystem (kernel/task/
# task_rpc.c ...) are named NAME_rpc.c and see the same types.
KSERVER_RPC_SRCS := $(sort $(wildcard kernel/*/*_rpc.c))
SERVER_OBJS += $(patsubst %.c,$(BUILD)/kernel/%.o,$(KSERVER_RPC_SRCS))

$(patsubst %.c,$(BUILD)/kernel/%.o,$(SERVER_SRCS) $(KSERVER_RPC_SRCS)): \
	KCFLAGS += $(KSERVER_CFLAGS)
$(patsubst %.c,$(BUILD)/host/obj/%.o,$(SERVER_SRCS)) \
$(patsubst %.c,$(BUILD)/cov/obj/%.o,$(SERVER_SRCS)): HOST_OBJ_CFLAGS += $(KSERVER_CFLAGS)
$(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(SERVER_SRCS)): FUZZ_CFLAGS += $(KSERVER_CFLAGS)
$(patsubst %.c,$(BUILD)/bench/obj/%.o,$(SERVER_SRCS)): BENCH_CFLAGS += $(KSERVER_CFLAGS)

# kernel/server/*.c include the generated headers (prototypes, tables).
$(SERVER_OBJS): | $(SMIG_HDRS)

.PHONY: server-mig
server-mig: $(SMIG_SRCS) $(SMIG_HDRS)

# --- the unit tests' clients --------------------------------------------
# tests/unit/test_kserver*.c call the kernel servers through MIG's own
# user stubs (prefixed u_, so that they do not collide with the kernel's
# functions of the same Mach names), generated here and included by the
# tests; tests/unit/mig/ gives them <mach/mig_support.h>.
SMIG_USER_IFACES := mach:mach/mach.defs mach_port:mach/mach_port.defs \
	mach_host:mach/mach_host.defs device:device/device.defs

define SMIG_USER_RULE
$(SMIG_DIR)/user/$(call smig_stem,$(1))_user.c $(SMIG_DIR)/user/$(call smig_stem,$(1)).h &: $(REF_STAMP) mk/server.mk
	@mkdir -p $(SMIG_DIR)/user
	@echo "  MIG     $(call smig_defs,$(1)) (unit-test client)"
	$(Q)$(SMIG) -n -DUSERPREFIX=u_ -I$(MACH_INC) \
		-user $(SMIG_DIR)/user/$(call smig_stem,$(1))_user.c \
		-header $(SMIG_DIR)/user/$(call smig_stem,$(1)).h \
		$(MACH_INC)/$(call smig_defs,$(1))
endef
$(foreach i,$(SMIG_USER_IFACES),$(eval $(call SMIG_USER_RULE,$(i))))

SMIG_USER_SRCS := $(foreach i,$(SMIG_USER_IFACES),$(SMIG_DIR)/user/$(call smig_stem,$(i))_user.c)
KSERVER_TEST_SRCS := $(wildcard tests/unit/test_kserver*.c)
KSERVER_TEST_OBJS := $(foreach d,$(BUILD)/host/obj $(BUILD)/cov/obj,\
	$(patsubst %.c,$(d)/%.o,$(KSERVER_TEST_SRCS)))

$(KSERVER_TEST_OBJS): HOST_OBJ_CFLAGS += -I$(SMIG_DIR)/user -Itests/unit/mig
$(KSERVER_TEST_OBJS): | $(SMIG_USER_SRCS)

# tests/unit/test_kserver_unimplemented.c: every routine of the served
# interfaces, read from the generated tables (tools/kserver-routines.sh),
# with whether unimplemented.c's weak default serves it in the host build.
KSERVER_ROUTINES := $(SMIG_DIR)/user/kserver_routines.h
$(KSERVER_ROUTINES): $(SMIG_SRCS) $(SMIG_HDRS) kernel/server/unimplemented.c \
		tools/kserver-routines.sh
	@mkdir -p $(dir $@)
	$(Q)tools/kserver-routines.sh $(SMIG_DIR) kernel/server/unimplemented.c \
		$(foreach i,$(SMIG_IFACES),$(call smig_stem,$(i))) >$@.tmp
	$(Q)mv $@.tmp $@
$(KSERVER_TEST_OBJS): | $(KSERVER_ROUTINES)
