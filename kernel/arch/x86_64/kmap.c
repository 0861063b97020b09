/*
 * The kernel's own page tables, built once at boot to replace the boot
 * tables of boot.S: a direct map of all physical RAM at DIRECT_MAP_BASE
 * (2 MiB or 1 GiB pages, not executable), the kernel image at -2 GiB,
 * and a small window at -1 GiB for device registers (uncached 4 KiB
 * pages).  User space (the lower half) is left empty; tasks get their
 * own lower halves later and share these upper-half tables.
 *
 * Every top-level (PML4) entry of the upper half is made here, in
 * kmap_init, and never later: pmap_create (pmap.c) copies the upper half
 * of the PML4 once, so a kernel PML4 entry added afterwards would be
 * missing from every existing pmap.  Lower-level tables may change
 * (kmap_mmio), since all pmaps share them.
 */
#include "kern/memmap.h"
#include "kern/panic.h"
#include "kern/string.h"
#include "machine/io.h"
#include "machine/memlayout.h"
#include "x86.h"

#define PTE_P    0x001ULL
#define PTE_W    0x002ULL
#define PTE_PWT  0x008ULL
#define PTE_PCD  0x010ULL
#define PTE_PS   0x080ULL
#define PTE_G    0x100ULL
#define PTE_NX   (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

#define GIB        (1ULL << 30)
#define MIB2       (2ULL << 20)
#define MMIO_BASE  0xffffffffc0000000ULL
#define MMIO_PAGES 512

extern char _kernel_start[], _end[];

static struct memmap *steal_map;
static uint64_t *pml4;
static uint64_t *mmio_pt;  /* the window's page table */
static unsigned mmio_used; /* pages of the window handed out */
static paddr_t direct_top;

/* A zeroed page for a page table, taken from the boot memory map below
 * 1 GiB (the part the boot tables map). */
static uint64_t *table_alloc(void)
{
	paddr_t pa = memmap_steal(steal_map, PAGE_SIZE, PAGE_SIZE, GIB);
	uint64_t *t;

	if (!pa)
		panic("out of memory for the kernel page tables");
	t = phys_to_virt(pa);
	memset(t, 0, PAGE_SIZE);
	return t;
}

/* The table that entry E of table T points to, made if absent. */
static uint64_t *table_next(uint64_t *t, unsigned e)
{
	if (!(t[e] & PTE_P))
		t[e] = virt_to_phys(table_alloc()) | PTE_P | PTE_W;
	return phys_to_virt(t[e] & PTE_ADDR);
}

static void map_large(uint64_t va, paddr_t pa, uint64_t size, uint64_t flags,
                      int use_1g)
{
	while (size) {
		uint64_t *pdpt = table_next(pml4, (va >> 39) & 511);

		if (use_1g && (va & (GIB - 1)) == 0 && (pa & (GIB - 1)) == 0 &&
		    size >= GIB) {
			pdpt[(va >> 30) & 511] = pa | flags | PTE_PS;
			va += GIB, pa += GIB, size -= GIB;
		} else {
			uint64_t *pd = table_next(pdpt, (va >> 30) & 511);

			pd[(va >> 21) & 511] = pa | flags | PTE_PS;
			va += MIB2, pa += MIB2;
			size = size > MIB2 ? size - MIB2 : 0;
		}
	}
}

void kmap_init(struct memmap *map, paddr_t ram_top)
{
	uint64_t nx = cpu_features.has_nx ? PTE_NX : 0;
	paddr_t kend = ALIGN_UP(virt_to_phys(_end), MIB2);
	uint64_t *pdpt, *pd;

	steal_map = map;
	pml4 = table_alloc();
	direct_top = ALIGN_UP(MIN(ram_top, DIRECT_MAP_MAX), MIB2);
	map_large(DIRECT_MAP_BASE, 0, direct_top, PTE_P | PTE_W | nx,
	          cpu_features.has_1g_pages);
	map_large(KERNEL_VMA, 0, kend, PTE_P | PTE_W, 0);

	pdpt = table_next(pml4, (MMIO_BASE >> 39) & 511);
	pd = table_next(pdpt, (MMIO_BASE >> 30) & 511);
	mmio_pt = table_next(pd, (MMIO_BASE >> 21) & 511);

	write_cr3(virt_to_phys(pml4));
	steal_map = NULL;
}

/* kmap_pml4: the kernel's top-level table (direct-map address), for
 * pmap.c.  Its upper half is final once kmap_init has returned. */
uint64_t *kmap_pml4(void)
{
	return pml4;
}

paddr_t kmap_direct_top(void)
{
	return direct_top;
}

/*
 * kmap_mmio: map SIZE bytes of device registers at PA, uncached, and
 * return their kernel address.  The window is small and never freed:
 * it is for the few devices the kernel itself drives.  Panics when full.
 */
void *kmap_mmio(paddr_t pa, uint64_t size)
{
	paddr_t first = ALIGN_DOWN(pa, PAGE_SIZE);
	unsigned n =
	    (unsigned)((ALIGN_UP(pa + size, PAGE_SIZE) - first) / PAGE_SIZE);
	uint64_t va = MMIO_BASE + (uint64_t)mmio_used * PAGE_SIZE;

	if (mmio_used + n > MMIO_PAGES)
		panic("kmap_mmio: the device window is full");
	for (unsigned i = 0; i < n; i++)
		mmio_pt[mmio_used + i] = (first + i * PAGE_SIZE) | PTE_P |
		                         PTE_W | PTE_PCD | PTE_PWT |
		                         (cpu_features.has_nx ? PTE_NX : 0);
	mmio_used += n;
	return (void *)(va + (pa - first));
}
