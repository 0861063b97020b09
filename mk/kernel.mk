# The kernel: the core (CORE_SRCS) plus kernel/arch/x86_64, freestanding,
# higher half, no red zone, no SSE/x87, every warning an error.

KBUILD      := $(BUILD)/kernel
KERNEL      := $(KBUILD)/machr
KARCH       := kernel/arch/$(ARCH)
KARCH_SRCS  := $(sort $(wildcard $(KARCH)/*.c $(KARCH)/*.S))
# kernel/task (tasks, threads, scheduler, traps, boot of the modules)
# needs the machine's context switch: kernel only, for now.
TASK_SRCS   := $(sort $(wildcard kernel/task/*.c))
KSRCS       := $(CORE_SRCS) $(TASK_SRCS) $(LIB_SRCS) $(KARCH_SRCS)
# The kernel RPCs of kernel/task (*_rpc.c) are MIG server routines: they
# see the types of the generated stubs (mk/server.mk).
TASK_RPC_OBJS := $(patsubst %.c,$(KBUILD)/%.o,$(wildcard kernel/task/*_rpc.c))
$(TASK_RPC_OBJS): KCFLAGS += $(KSERVER_CFLAGS)
$(TASK_RPC_OBJS): | $(SMIG_HDRS)
KOBJS       := $(patsubst %,$(KBUILD)/%.o,$(basename $(KSRCS)))
MACHR_VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0)
GIT_REV     := $(shell git rev-parse --short HEAD 2>/dev/null || echo none)

KCFLAGS := -std=gnu11 -ffreestanding -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-fno-pic -fno-pie -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-mno-mmx -mno-sse -mno-sse2 -fno-stack-protector -fno-omit-frame-pointer \
	-fno-strict-aliasing -fno-common -O2 -g -ffunction-sections -fdata-sections \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes \
	-I. -Ikernel -I$(KARCH)/include -isystem $(MACH_INC) \
	-DMACHR_VERSION='"$(MACHR_VERSION)"' -DMACHR_GIT_REV='"$(GIT_REV)"' \
	-MMD -MP
KASFLAGS := $(filter-out -Wstrict-prototypes,$(KCFLAGS)) -D__ASSEMBLER__
KLDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
	-Wl,-T,$(KARCH)/kernel.ld -Wl,--no-warn-rwx-segments -Wl,-z,noexecstack

kernel: $(KERNEL)

$(KERNEL): $(KOBJS) $(KARCH)/kernel.ld tools/check-multiboot
	$(Q)echo "  LD      $@"
	$(Q)$(CC) $(KCFLAGS) $(KLDFLAGS) -o $@ $(KOBJS) -lgcc
	$(Q)tools/check-multiboot $@

$(KBUILD)/%.o: %.c | $(REF_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c -o $@ $<

$(KBUILD)/%.o: %.S
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  AS      $<"
	$(Q)$(CC) $(KASFLAGS) -c -o $@ $<

# The string routines must not be turned back into calls to themselves.
$(KBUILD)/lib/string.o: KCFLAGS += -fno-tree-loop-distribute-patterns

# The banner carries the git revision: rebuild the file that prints it.
$(KBUILD)/$(KARCH)/boot_main.o: $(wildcard .git/HEAD .git/refs/heads/main)

# A GRUB rescue ISO whose menu boots Mach_R (and can take modules the
# same way GNU Mach's entries do).
ISO := $(BUILD)/machr.iso
iso: $(ISO)
$(ISO): $(KERNEL) tools/make-iso
	$(Q)tools/make-iso $(KERNEL) $@

-include $(KOBJS:.o=.d)
