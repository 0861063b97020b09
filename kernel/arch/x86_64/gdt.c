/*
 * The GDT and TSS of each CPU.  The TSS supplies the kernel stack for
 * entries from user mode (rsp0, set per thread later) and separate
 * interrupt stacks (IST) for double faults, NMIs and machine checks, so
 * that a fault on a bad kernel stack still gets reported.
 */
#include "kern/compiler.h"
#include "kern/page_alloc.h"
#include "kern/panic.h"
#include "kern/percpu.h"
#include "kern/string.h"
#include "machine/memlayout.h"
#include "machine/segments.h"
#include "x86.h"

#define IST_STACK_SIZE 8192

/* One CPU's descriptor tables and IST stacks. */
struct cpu_tables {
	uint64_t gdt[8] __aligned(16);
	struct tss tss __aligned(16);
	uint8_t ist_stack[3][IST_STACK_SIZE] __aligned(16);
};

/* The boot CPU's tables are static; the others' come from the page
 * allocator when smp.c starts those CPUs, and are never freed.  Each
 * CPU's TSS is gdt_tss[cpu]: the one in its tables, but for the boot
 * CPU a TSS of its own, beside the other data every switch writes
 * (kernel.ld's hot data group: its rsp0 is stored at each switch). */
static struct cpu_tables boot_cpu_tables;
static struct tss boot_tss __aligned(16);
static struct cpu_tables *cpu_tables[MAX_CPUS] = {&boot_cpu_tables};
struct tss *gdt_tss[MAX_CPUS] = {&boot_tss};

bool gdt_alloc_cpu(unsigned cpu)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < sizeof(struct cpu_tables))
		order++;
	if (cpu_tables[cpu] == NULL) {
		cpu_tables[cpu] = page_alloc_va(order);
		if (cpu_tables[cpu] != NULL)
			gdt_tss[cpu] = &cpu_tables[cpu]->tss;
	}
	return cpu_tables[cpu] != NULL;
}

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

void gdt_init_cpu(unsigned cpu)
{
	struct cpu_tables *t = cpu_tables[cpu];
	struct tss *ts = gdt_tss[cpu];
	uint64_t tss, limit = sizeof(*ts) - 1;
	struct desc_ptr ptr;

	if (!t || !ts)
		panic("gdt_init_cpu: no descriptor tables for cpu %u", cpu);
	tss = (uint64_t)ts;
	ptr = (struct desc_ptr){sizeof(t->gdt) - 1, (uint64_t)t->gdt};

	memset(t->gdt, 0, sizeof(t->gdt));
	t->gdt[SEL_KERNEL_CODE >> 3] = 0x00af9a000000ffffULL;
	t->gdt[SEL_KERNEL_DATA >> 3] = 0x00cf92000000ffffULL;
	t->gdt[SEL_USER_CODE32 >> 3] = 0x00cffa000000ffffULL;
	t->gdt[SEL_USER_DATA >> 3] = 0x00cff2000000ffffULL;
	t->gdt[SEL_USER_CODE >> 3] = 0x00affa000000ffffULL;
	/* A 16-byte available 64-bit TSS descriptor (type 9). */
	t->gdt[SEL_TSS >> 3] = (limit & 0xffff) | ((tss & 0xffffff) << 16) |
	                       (0x89ULL << 40) | ((limit >> 16) << 48) |
	                       (((tss >> 24) & 0xff) << 56);
	t->gdt[(SEL_TSS >> 3) + 1] = tss >> 32;

	memset(ts, 0, sizeof(*ts));
	ts->iomap_base = sizeof(*ts); /* no I/O bitmap */
	for (int i = 0; i < 3; i++)
		ts->ist[i] = (uint64_t)&t->ist_stack[i][IST_STACK_SIZE];

	__asm__ volatile("lgdt %0\n\t"
	                 "pushq %1\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movl %2, %%eax\n\t"
	                 "movl %%eax, %%ds\n\t"
	                 "movl %%eax, %%es\n\t"
	                 "movl %%eax, %%ss\n\t"
	                 "ltr %w3"
	                 :
	                 : "m"(ptr), "i"(SEL_KERNEL_CODE), "i"(SEL_KERNEL_DATA),
	                   "r"(SEL_TSS)
	                 : "rax", "memory");
}
