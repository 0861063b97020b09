/*
 * CPU identification and per-CPU setup: what the processor is and can do
 * (printed in the boot banner), and pointing GS at the CPU's struct
 * percpu so that cpu_id() and percpu_self() work.
 */
#include "kern/printf.h"
#include "kern/string.h"
#include "machine/io.h"
#include "x86.h"

struct cpu_features cpu_features;

void cpu_features_detect(void)
{
	struct cpu_features *f = &cpu_features;
	uint32_t a, b, c, d, max, maxext;

	cpuid(0, 0, &max, &b, &c, &d);
	memcpy(f->vendor, &b, 4);
	memcpy(f->vendor + 4, &d, 4);
	memcpy(f->vendor + 8, &c, 4);
	f->vendor[12] = '\0';

	cpuid(1, 0, &a, &b, &f->leaf1_ecx, &f->leaf1_edx);
	f->stepping = a & 0xf;
	f->model = (a >> 4) & 0xf;
	f->family = (a >> 8) & 0xf;
	if (f->family == 0xf)
		f->family += (a >> 20) & 0xff;
	if (f->family >= 6)
		f->model |= ((a >> 16) & 0xf) << 4;
	if (max >= 7)
		cpuid(7, 0, &a, &f->leaf7_ebx, &c, &d);

	cpuid(0x80000000, 0, &maxext, &b, &c, &d);
	if (maxext >= 0x80000001)
		cpuid(0x80000001, 0, &a, &b, &f->ext_ecx, &f->ext_edx);
	if (maxext >= 0x80000004) {
		uint32_t *p = (uint32_t *)f->brand;

		for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; leaf++) {
			cpuid(leaf, 0, &p[0], &p[1], &p[2], &p[3]);
			p += 4;
		}
		f->brand[48] = '\0';
	}
	if (maxext >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		f->has_invariant_tsc = (d >> 8) & 1;
	}
	f->has_nx = (f->ext_edx >> 20) & 1;
	f->has_1g_pages = (f->ext_edx >> 26) & 1;
	f->has_apic = (f->leaf1_edx >> 9) & 1;
	f->has_x2apic = (f->leaf1_ecx >> 21) & 1;
}

struct feature_name {
	const uint32_t *reg;
	int bit;
	const char *name;
};

void cpu_features_print(void)
{
	const struct cpu_features *f = &cpu_features;
	const struct feature_name names[] = {
	    {&f->leaf1_edx, 0, "fpu"},
	    {&f->leaf1_edx, 4, "tsc"},
	    {&f->leaf1_edx, 5, "msr"},
	    {&f->leaf1_edx, 6, "pae"},
	    {&f->leaf1_edx, 9, "apic"},
	    {&f->leaf1_edx, 13, "pge"},
	    {&f->leaf1_edx, 15, "cmov"},
	    {&f->leaf1_edx, 16, "pat"},
	    {&f->leaf1_edx, 24, "fxsr"},
	    {&f->leaf1_edx, 25, "sse"},
	    {&f->leaf1_edx, 26, "sse2"},
	    {&f->leaf1_ecx, 0, "sse3"},
	    {&f->leaf1_ecx, 9, "ssse3"},
	    {&f->leaf1_ecx, 19, "sse4.1"},
	    {&f->leaf1_ecx, 20, "sse4.2"},
	    {&f->leaf1_ecx, 21, "x2apic"},
	    {&f->leaf1_ecx, 24, "tsc-deadline"},
	    {&f->leaf1_ecx, 26, "xsave"},
	    {&f->leaf1_ecx, 28, "avx"},
	    {&f->leaf1_ecx, 31, "hypervisor"},
	    {&f->leaf7_ebx, 0, "fsgsbase"},
	    {&f->leaf7_ebx, 7, "smep"},
	    {&f->leaf7_ebx, 20, "smap"},
	    {&f->ext_edx, 11, "syscall"},
	    {&f->ext_edx, 20, "nx"},
	    {&f->ext_edx, 26, "pdpe1gb"},
	    {&f->ext_edx, 27, "rdtscp"},
	    {&f->ext_edx, 29, "lm"},
	};

	kprintf("cpu: %s family %u model %u stepping %u\n",
	        f->brand[0] ? f->brand : f->vendor, f->family, f->model,
	        f->stepping);
	kprintf("cpu features:");
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if ((*names[i].reg >> names[i].bit) & 1)
			kprintf(" %s", names[i].name);
	if (f->has_invariant_tsc)
		kprintf(" invariant-tsc");
	kprintf("\n");
}

void percpu_init(unsigned cpu, uint32_t hw_id)
{
	struct percpu *p = &percpu_area[cpu];

	p->self = p;
	p->id = cpu;
	p->hw_id = hw_id;
	p->catch = NULL;
	wrmsr(MSR_GS_BASE, (uint64_t)p);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}
