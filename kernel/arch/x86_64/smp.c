/*
 * Several processors: starting the application processors (APs) the
 * ACPI MADT lists, and the inter-processor interrupts the kernel needs
 * once they run: the reschedule IPI the scheduler sends when it queues
 * work for another CPU, and TLB shootdowns for pmap.c.
 *
 * Bring-up, one AP at a time (Intel SDM vol. 3, 9.4.4): the boot CPU
 * makes the AP's idle thread and descriptor tables, leaves the kernel
 * CR3, the idle thread's stack and the CPU number in ap_boot_args, sends
 * INIT, STARTUP, STARTUP to the trampoline (ap_boot.S) and waits until
 * the AP says it is online.  The AP runs on its idle thread's own kernel
 * stack from its first C instruction (ap_main), so nothing is left to
 * free after boot.
 */
#include "kern/clock.h"
#include "kern/cmdline.h"
#include "kern/panic.h"
#include "kern/percpu.h"
#include "kern/printf.h"
#include "kern/startup.h"
#include "kern/string.h"
#include "machine/cpu.h"
#include "machine/intr.h"
#include "machine/io.h"
#include "machine/memlayout.h"
#include "machine/pmap.h"
#include "machine/segments.h"
#include "machine/thread.h"
#include "task/sched.h"
#include "task/thread.h"
#include "x86.h"

#define EFER_LME (1u << 8)
#define EFER_NXE (1u << 11)
#define PTE_P    0x001ULL
#define PTE_W    0x002ULL
#define PTE_PS   0x080ULL

/* What an AP starting now reads in ap_entry64 (ap_boot.S reads the
 * fields at offsets 0, 8 and 16).  Written by the boot CPU before the
 * STARTUP IPI, one AP at a time. */
struct ap_boot_args {
	uint64_t cr3;   /* the kernel's PML4, physical */
	uint64_t stack; /* top of the AP's first stack */
	uint32_t cpu;   /* its CPU number */
};
struct ap_boot_args ap_boot_args;

STATIC_ASSERT(__builtin_offsetof(struct ap_boot_args, stack) == 8,
              "ap_boot.S reads the stack at offset 8");
STATIC_ASSERT(__builtin_offsetof(struct ap_boot_args, cpu) == 16,
              "ap_boot.S reads the cpu at offset 16");

extern const char ap_trampoline[], ap_trampoline_end[];
extern const uint32_t ap_trampoline_pml4[], ap_trampoline_efer[];
void ap_main(unsigned cpu);

int smp_trampoline_clobbers_boot_data;
static unsigned ncpus = 1; /* CPUs online; written by the boot CPU only */
static unsigned ncpus_expected = 1; /* what the MADT and smp= allow */

unsigned smp_cpus_expected(void)
{
	return ncpus_expected;
}

unsigned machine_cpu_count(void)
{
	return __atomic_load_n(&ncpus, __ATOMIC_ACQUIRE);
}

static void delay_us(uint64_t us)
{
	uint64_t end = machine_clock_ns() + us * 1000;

	while (machine_clock_ns() < end)
		cpu_relax();
}

/*
 * Copy the trampoline to SMP_TRAMPOLINE_PA and build its page tables in
 * the three pages after it: PML4, PDPT and PD mapping physical 0-2 MiB
 * at 0 (for the instructions that turn paging on), and the kernel's
 * upper half, so that ap_entry64 runs in the kernel image.
 */
static void trampoline_install(void)
{
	uint8_t *base = phys_to_virt(SMP_TRAMPOLINE_PA);
	size_t size = (size_t)(ap_trampoline_end - ap_trampoline);
	uint64_t *pml4 = (uint64_t *)(base + PAGE_SIZE);
	uint64_t *pdpt = (uint64_t *)(base + 2 * PAGE_SIZE);
	uint64_t *pd = (uint64_t *)(base + 3 * PAGE_SIZE);
	paddr_t pml4_pa = SMP_TRAMPOLINE_PA + PAGE_SIZE;
	uint32_t efer = EFER_LME | (cpu_features.has_nx ? EFER_NXE : 0);

	if (size > PAGE_SIZE)
		panic("smp: the AP trampoline is larger than a page");
	memset(base, 0, SMP_TRAMPOLINE_PAGES * PAGE_SIZE);
	memcpy(base, ap_trampoline, size);
	memcpy(base + ((const char *)ap_trampoline_pml4 - ap_trampoline),
	       &(uint32_t){(uint32_t)pml4_pa}, 4);
	memcpy(base + ((const char *)ap_trampoline_efer - ap_trampoline), &efer,
	       4);
	memcpy(pml4 + 256, kmap_pml4() + 256, 256 * sizeof(uint64_t));
	pml4[0] = (pml4_pa + PAGE_SIZE) | PTE_P | PTE_W;
	pdpt[0] = (pml4_pa + 2 * PAGE_SIZE) | PTE_P | PTE_W;
	pd[0] = 0 | PTE_P | PTE_W | PTE_PS;
}

/* The number of CPUs the command line allows: `nosmp` is 1, `smp=N`
 * caps the count at N; MAX_CPUS otherwise. */
static unsigned cpus_wanted(void)
{
	uint64_t n;
	char err[96];

	if (cmdline_has(&boot_cmdline, "nosmp"))
		return 1;
	if (cmdline_get_uint(&boot_cmdline, "smp", MAX_CPUS, 1, MAX_CPUS, &n,
	                     err, sizeof(err)) < 0) {
		kprintf("smp: %s; starting every CPU\n", err);
		return MAX_CPUS;
	}
	return (unsigned)n;
}

/* Start the AP with local APIC id HW_ID, which was sent INIT at least
 * 10 ms ago, as CPU number CPU.  Returns whether it came online within
 * a second. */
static bool start_ap(unsigned cpu, uint32_t hw_id)
{
	struct thread *idle;
	uint64_t deadline;

	if (!gdt_alloc_cpu(cpu) || (idle = thread_create_idle(cpu)) == NULL) {
		kprintf("smp: no memory to start cpu %u\n", cpu);
		return false;
	}
	percpu_area[cpu].current = idle;
	ap_boot_args = (struct ap_boot_args){
	    .cr3 = virt_to_phys(kmap_pml4()),
	    .stack = (uint64_t)idle->machine.frame, /* below its user frame */
	    .cpu = cpu,
	};
	percpu_area[cpu].hw_id = hw_id;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	for (int i = 0; i < 2; i++) {
		lapic_send_startup(hw_id, SMP_TRAMPOLINE_PA);
		delay_us(200);
		if (__atomic_load_n(&percpu_area[cpu].online, __ATOMIC_ACQUIRE))
			return true;
	}
	deadline = machine_clock_ns() + 1000000000ULL;
	while (machine_clock_ns() < deadline)
		if (__atomic_load_n(&percpu_area[cpu].online, __ATOMIC_ACQUIRE))
			return true;
	/* A late AP would find args meant for no one: it must not come. */
	lapic_send_init(hw_id);
	return false;
}

/* Send INIT to the first WANT - 1 processors of IDS but the boot CPU,
 * then wait the 10 ms the SDM asks for (9.4.4.1) once for them all. */
static void init_aps(const uint32_t *ids, unsigned n, unsigned want)
{
	unsigned sent = 0;

	for (unsigned i = 0; i < n && sent + 1 < want; i++)
		if (ids[i] != percpu_area[0].hw_id) {
			lapic_send_init(ids[i]);
			sent++;
		}
	if (sent)
		delay_us(10000);
}

void machine_smp_start(void)
{
	uint32_t ids[MAX_CPUS];
	unsigned n, want = cpus_wanted();
	uint64_t t0 = machine_clock_ns();

	n = acpi_cpu_apic_ids(ids, MAX_CPUS);
	if (n == 0) {
		kprintf("smp: no ACPI MADT; using the boot CPU only\n");
	} else if (want > 1 && smp_trampoline_clobbers_boot_data) {
		kprintf("smp: boot data at %#x; using the boot CPU only\n",
		        SMP_TRAMPOLINE_PA);
	} else if (want > 1) {
		ncpus_expected = n < want ? n : want;
		trampoline_install();
		init_aps(ids, n, want);
		for (unsigned i = 0; i < n && ncpus < want; i++) {
			if (ids[i] == percpu_area[0].hw_id)
				continue;
			if (!start_ap(ncpus, ids[i])) {
				kprintf("smp: cpu with APIC id %u did not "
				        "start\n",
				        ids[i]);
				break;
			}
			__atomic_store_n(&ncpus, ncpus + 1, __ATOMIC_RELEASE);
		}
	}
	kprintf("Mach_R: %u CPU%s online (%u in the MADT), started in %llu "
	        "us\n",
	        ncpus, ncpus == 1 ? "" : "s", n,
	        (unsigned long long)((machine_clock_ns() - t0) / 1000));
}

/*
 * ap_main: an AP's first C code, on its idle thread's stack with
 * interrupts masked.  Set the CPU up as the boot CPU was (per-CPU area,
 * descriptor tables, local APIC and timer, SSE, SYSCALL), say it is
 * online and become a scheduler CPU running its idle thread.
 */
void ap_main(unsigned cpu)
{
	struct percpu *p = &percpu_area[cpu];
	struct thread *idle = p->current;

	percpu_init(cpu, p->hw_id);
	gdt_init_cpu(cpu);
	idt_load();
	pmap_activate(NULL); /* the kernel pmap, as its idle thread's */
	lapic_init();
	machine_fpu_init();
	machine_syscall_init();
	p->kstack_top = idle->kstack_top;
	gdt_set_kernel_stack(cpu, p->kstack_top);
	lapic_timer_start_calibrated(boot_options.hz);
	__atomic_store_n(&p->online, 1, __ATOMIC_RELEASE);
	sched_idle_loop();
}

/* --- reschedule IPIs --- */

void machine_cpu_kick(unsigned cpu)
{
	if (cpu >= MAX_CPUS || cpu == cpu_id() ||
	    !__atomic_load_n(&percpu_area[cpu].online, __ATOMIC_ACQUIRE))
		return;
	lapic_send_ipi(percpu_area[cpu].hw_id, VEC_IPI_RESCHED);
}

/* --- TLB shootdowns --- */

/*
 * The one shootdown in flight.  A shooter takes shoot_lock, fills in the
 * request, sets the targets' bits in smp_tlb_pending and sends them
 * VEC_IPI_TLB; each target invalidates and clears its bit; the shooter
 * spins until every bit is clear.  Every spin loop in the kernel runs
 * cpu_relax(), which answers a pending request, so a target spinning
 * with interrupts masked (on shoot_lock itself, on a lock the shooter
 * holds, in sched_block) still acknowledges.
 * Guarded by: shoot_lock for the request; smp_tlb_pending is atomic.
 */
static spinlock_t shoot_lock = SPINLOCK_INIT("smp.shootdown");
static struct {
	vaddr_t va; /* the page to invalidate, or SMP_SHOOT_ALL */
} shoot_req;
volatile uint64_t smp_tlb_pending;
static uint64_t shootdowns_sent; /* statistics, under shoot_lock */

void smp_tlb_service(void)
{
	uint64_t me = 1ULL << cpu_id();

	if (!(__atomic_load_n(&smp_tlb_pending, __ATOMIC_ACQUIRE) & me))
		return;
	/* The target may no longer run the pmap: invalidating a page of
	 * another address space is harmless, so do not look. */
	if (shoot_req.va == SMP_SHOOT_ALL)
		write_cr3(read_cr3());
	else
		__asm__ volatile("invlpg (%0)"
		                 :
		                 : "r"(shoot_req.va)
		                 : "memory");
	__atomic_fetch_and(&smp_tlb_pending, ~me, __ATOMIC_RELEASE);
}

void smp_tlb_shootdown(uint64_t cpus, vaddr_t va)
{
	unsigned long f;

	cpus &= ~(1ULL << cpu_id());
	if (cpus == 0)
		return;
	f = spin_lock(&shoot_lock);
	shoot_req.va = va;
	shootdowns_sent++;
	__atomic_store_n(&smp_tlb_pending, cpus, __ATOMIC_RELEASE);
	for (unsigned c = 0; c < MAX_CPUS; c++)
		if (cpus & (1ULL << c))
			lapic_send_ipi(percpu_area[c].hw_id, VEC_IPI_TLB);
	while (__atomic_load_n(&smp_tlb_pending, __ATOMIC_ACQUIRE) & cpus)
		__asm__ volatile("pause");
	spin_unlock(&shoot_lock, f);
}

uint64_t smp_shootdowns_sent(void)
{
	return __atomic_load_n(&shootdowns_sent, __ATOMIC_RELAXED);
}
