/*
 * The interrupt descriptor table, shared by all CPUs.  Every vector gets
 * an interrupt gate to its stub in trap_entry.S; the breakpoint is open
 * to user mode, and double faults, NMIs and machine checks run on their
 * own IST stacks.
 */
#include "kern/compiler.h"
#include "machine/segments.h"

#include <stdint.h>

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __packed;

static struct idt_gate idt[256] __aligned(16);
extern const uint64_t trap_vector_table[256];

static void set_gate(unsigned v, unsigned dpl, unsigned ist)
{
	uint64_t addr = trap_vector_table[v];

	idt[v] = (struct idt_gate){
	    .offset_low = addr & 0xffff,
	    .selector = SEL_KERNEL_CODE,
	    .ist = (uint8_t)ist,
	    .type_attr = (uint8_t)(0x8e | (dpl << 5)), /* interrupt gate */
	    .offset_mid = (addr >> 16) & 0xffff,
	    .offset_high = (uint32_t)(addr >> 32),
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, 0, 0);
	set_gate(3, 3, 0); /* int3 from user mode */
	set_gate(2, 0, IST_NMI);
	set_gate(8, 0, IST_DOUBLE_FAULT);
	set_gate(18, 0, IST_MACHINE_CHECK);
	idt_load();
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = {sizeof(idt) - 1, (uint64_t)idt};

	__asm__ volatile("lidt %0" : : "m"(ptr));
}
