/*
 * The physical map on x86_64 (machine/pmap.h): four-level page tables
 * whose user half (PML4 entries 0-255) belongs to one pmap and whose
 * kernel half (entries 256-511) points at the kernel's own tables from
 * kmap.c, copied once at creation (kmap.c never adds upper PML4 entries
 * after boot).  Page-table pages come zeroed from kern/page_alloc and go
 * back to it when they empty or the pmap is destroyed.
 *
 * TLB: a translation that changes or disappears is invalidated by
 * pmap_tlb_shootdown on every CPU that has the pmap loaded (invlpg here,
 * an IPI to the others) before the pmap lock is dropped.
 */
#include <stdatomic.h>

#include "kern/page_alloc.h"
#include "kern/panic.h"
#include "kern/percpu.h"
#include "kern/slab.h"
#include "kern/spinlock.h"
#include "kern/string.h"
#include "machine/io.h"
#include "machine/pmap.h"
#include "x86.h"

#define PTE_P     0x001ULL
#define PTE_W     0x002ULL
#define PTE_U     0x004ULL
#define PTE_PS    0x080ULL
#define PTE_WIRED 0x200ULL /* software bit (ignored by the CPU) */
#define PTE_NX    (1ULL << 63)
#define PTE_ADDR  0x000ffffffffff000ULL

#define PML4_USER_ENTRIES 256 /* entries 0-255 map the user half */
#define PT_ENTRIES        512

/* The bits each level covers: PML4 39, PDPT 30, PD 21, PT 12. */
#define LEVEL_SHIFT(l) (12 + 9 * (l)) /* l: 0 = PT ... 3 = PML4 */
#define LEVEL_SIZE(l)  (1ULL << LEVEL_SHIFT(l))
#define INDEX(va, l)   (((va) >> LEVEL_SHIFT(l)) & 511)

/*
 * A physical map.
 * Owned by: its creator (a VM map, later); pmap_destroy ends it.  The
 *   kernel pmap is static and lives forever.
 * Guarded by: pmap->lock for the tables and counters; `active` is an
 *   atomic CPU mask written by pmap_activate on the CPU concerned.
 */
struct pmap {
	spinlock_t lock;
	uint64_t *pml4;       /* top table, direct-map address */
	paddr_t pml4_pa;      /* what goes into CR3 */
	atomic_ullong active; /* bit N: CPU N has this pmap loaded */
	struct pmap_stats stats;
};

static struct pmap kernel_pmap;
static struct slab_cache pmap_cache;
/* The pmap each CPU has loaded; touched only by that CPU with
 * interrupts masked. */
static struct pmap *cpu_pmap[MAX_CPUS];

STATIC_ASSERT(MAX_CPUS <= 64, "pmap->active is a 64-bit CPU mask");

void pmap_init(void)
{
	spin_init(&kernel_pmap.lock, "pmap.kernel");
	kernel_pmap.pml4 = kmap_pml4();
	kernel_pmap.pml4_pa = virt_to_phys(kernel_pmap.pml4);
	atomic_init(&kernel_pmap.active, 1ULL << cpu_id());
	cpu_pmap[cpu_id()] = &kernel_pmap;
	slab_cache_init(&pmap_cache, "pmap", sizeof(struct pmap), 0);
}

struct pmap *pmap_kernel(void)
{
	return &kernel_pmap;
}

static uint64_t *table_va(uint64_t e)
{
	return phys_to_virt(e & PTE_ADDR);
}

/*
 * How many entries of table T are present: kept in its page's `entries`
 * by every change of presence (pmap_enter, walk's removals), so that a
 * table is known empty without a look at its 512 entries.
 */
static uint16_t *table_entries(uint64_t *t)
{
	return &virt_to_page(t)->entries;
}

/* A zeroed page-table page, or NULL.  Called with pmap->lock held. */
static uint64_t *table_alloc(struct pmap *pmap)
{
	uint64_t *t = page_alloc_va(0);

	if (!t)
		return NULL;
	memset(t, 0, PAGE_SIZE);
	*table_entries(t) = 0;
	pmap->stats.tables++;
	return t;
}

static void table_free(struct pmap *pmap, uint64_t *t)
{
	page_free_va(t, 0);
	pmap->stats.tables--;
}

struct pmap *pmap_create(void)
{
	struct pmap *pmap = slab_zalloc(&pmap_cache);
	unsigned long f;

	if (!pmap)
		return NULL;
	spin_init(&pmap->lock, "pmap");
	atomic_init(&pmap->active, 0);
	f = spin_lock(&pmap->lock);
	pmap->pml4 = table_alloc(pmap);
	spin_unlock(&pmap->lock, f);
	if (!pmap->pml4) {
		slab_free(&pmap_cache, pmap);
		return NULL;
	}
	pmap->pml4_pa = virt_to_phys(pmap->pml4);
	memcpy(pmap->pml4 + PML4_USER_ENTRIES,
	       kernel_pmap.pml4 + PML4_USER_ENTRIES,
	       (PT_ENTRIES - PML4_USER_ENTRIES) * sizeof(uint64_t));
	return pmap;
}

/* Free table T of level L (1 = PT ... 3 = PDPT) and everything under it. */
static void free_tree(struct pmap *pmap, uint64_t *t, int level)
{
	if (level > 1)
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			if (t[i] & PTE_P)
				free_tree(pmap, table_va(t[i]), level - 1);
	table_free(pmap, t);
}

void pmap_destroy(struct pmap *pmap)
{
	unsigned long f;

	if (pmap == &kernel_pmap)
		panic("pmap_destroy: the kernel pmap");
	if (atomic_load(&pmap->active))
		panic("pmap_destroy: pmap %p is active (cpus %#llx)",
		      (void *)pmap, (unsigned long long)pmap->active);
	f = spin_lock(&pmap->lock);
	for (unsigned i = 0; i < PML4_USER_ENTRIES; i++)
		if (pmap->pml4[i] & PTE_P)
			free_tree(pmap, table_va(pmap->pml4[i]), 3);
	table_free(pmap, pmap->pml4);
	assert(pmap->stats.tables == 0);
	spin_unlock(&pmap->lock, f);
	slab_free(&pmap_cache, pmap);
}

/*
 * Invalidate the TLB entries for VA of PMAP on every CPU that has PMAP
 * loaded, this one with invlpg and the others by IPI (smp.c), and return
 * once they all have: the caller may then free what the stale entries
 * pointed to.  invlpg also drops the CPU's cached upper-level entries,
 * so this is enough after freeing page-table pages too (Intel SDM vol.
 * 3, 4.10.4.1).
 *
 * The fence orders the caller's store to the page table before the read
 * of `active`: a CPU that sets its bit later (pmap_activate) reloads CR3
 * after that and walks the new tables; one that set it earlier is seen.
 * Locks: PMAP->lock held (interrupts masked).
 */
static void pmap_tlb_shootdown(struct pmap *pmap, vaddr_t va)
{
	uint64_t me = 1ULL << cpu_id();
	uint64_t active;

	atomic_thread_fence(memory_order_seq_cst);
	active = atomic_load(&pmap->active);
	if (active & me)
		__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	if (active & ~me)
		smp_tlb_shootdown(active & ~me, va);
}

/*
 * A shootdown gathered over one pmap_remove or pmap_protect: each page
 * is invalidated here at once, the other CPUs get one IPI at the end
 * (one page, or their whole TLB for more), before the pmap lock is
 * dropped.  The pages stay the caller's until then, so the late
 * invalidation there is safe; page-table pages freed on the way are shot
 * down at once (walk).
 */
struct tlb_batch {
	unsigned n;      /* pages changed */
	vaddr_t va;      /* the last of them */
	uint64_t remote; /* other CPUs that had the pmap loaded */
};

static void batch_add(struct pmap *pmap, struct tlb_batch *b, vaddr_t va)
{
	uint64_t me = 1ULL << cpu_id();
	uint64_t active;

	atomic_thread_fence(memory_order_seq_cst);
	active = atomic_load(&pmap->active);
	if (active & me)
		__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	b->remote |= active & ~me;
	b->n++;
	b->va = va;
}

static void batch_flush(struct tlb_batch *b)
{
	if (b->n && b->remote)
		smp_tlb_shootdown(b->remote, b->n == 1 ? b->va : SMP_SHOOT_ALL);
	*b = (struct tlb_batch){0, 0, 0};
}

static int user_page_ok(vaddr_t va)
{
	return (va & (PAGE_SIZE - 1)) == 0 && va < PMAP_USER_MAX;
}

static void check_range(const char *who, vaddr_t start, vaddr_t end)
{
	if ((start & (PAGE_SIZE - 1)) || (end & (PAGE_SIZE - 1)) ||
	    start > end || end > PMAP_USER_MAX)
		panic("%s: bad range %#llx-%#llx", who,
		      (unsigned long long)start, (unsigned long long)end);
}

static uint64_t prot_bits(vm_prot_t prot)
{
	uint64_t b = PTE_P | PTE_U;

	if (prot & VM_PROT_WRITE)
		b |= PTE_W;
	if (!(prot & VM_PROT_EXECUTE) && cpu_features.has_nx)
		b |= PTE_NX;
	return b;
}

/* The leaf entry for VA, or NULL when a table on the way is absent. */
static uint64_t *pte_find(struct pmap *pmap, vaddr_t va)
{
	uint64_t *t = pmap->pml4;

	for (int l = 3; l > 0; l--) {
		uint64_t e = t[INDEX(va, l)];

		if (!(e & PTE_P))
			return NULL;
		t = table_va(e);
	}
	return &t[INDEX(va, 0)];
}

kern_return_t pmap_enter(struct pmap *pmap, vaddr_t va, paddr_t pa,
                         vm_prot_t prot, unsigned flags)
{
	uint64_t *t, *made[3] = {NULL, NULL, NULL};
	uint64_t *pte, old;
	unsigned long f;

	if (!user_page_ok(va) || (pa & ~PTE_ADDR))
		panic("pmap_enter: bad address va %#llx pa %#llx",
		      (unsigned long long)va, (unsigned long long)pa);
	if (!(prot & VM_PROT_ALL))
		panic("pmap_enter: no access in prot %#x", (unsigned)prot);
	assert(pmap != &kernel_pmap);

	f = spin_lock(&pmap->lock);
	t = pmap->pml4;
	for (int l = 3; l > 0; l--) {
		uint64_t *e = &t[INDEX(va, l)];

		if (!(*e & PTE_P)) {
			uint64_t *n = table_alloc(pmap);

			if (!n)
				goto short_of_memory;
			made[3 - l] = e;
			*e = virt_to_phys(n) | PTE_P | PTE_W | PTE_U;
			(*table_entries(t))++;
		}
		t = table_va(*e);
	}
	pte = &t[INDEX(va, 0)];
	old = *pte;
	*pte = pa | prot_bits(prot) | (flags & PMAP_WIRED ? PTE_WIRED : 0);
	if (old & PTE_P) {
		if (old & PTE_WIRED)
			pmap->stats.wired--;
		pmap_tlb_shootdown(pmap, va);
	} else {
		pmap->stats.resident++;
		(*table_entries(t))++;
	}
	if (flags & PMAP_WIRED)
		pmap->stats.wired++;
	spin_unlock(&pmap->lock, f);
	return KERN_SUCCESS;

short_of_memory:
	/* Unlink and free the (empty) tables this call made, deepest
	 * first, so that a failed enter leaves the pmap as it was. */
	for (int i = 2; i >= 0; i--) {
		if (made[i]) {
			uint64_t *n = table_va(*made[i]);
			uint64_t *parent =
			    (uint64_t *)((uintptr_t)made[i] & ~(PAGE_SIZE - 1));

			*made[i] = 0;
			(*table_entries(parent))--;
			/* Another CPU running the pmap may have cached the
			 * link meanwhile. */
			pmap_tlb_shootdown(pmap, va);
			table_free(pmap, n);
		}
	}
	spin_unlock(&pmap->lock, f);
	return KERN_RESOURCE_SHORTAGE;
}

/*
 * Apply FN to every present leaf entry in [START, END) of table T at
 * level L (which maps from BASE), skipping absent tables; when REAP (FN
 * then clears every entry it is given), free the tables below T that
 * are empty afterwards.  The top table is never freed here (pmap_destroy
 * does).  Called with pmap->lock held.
 * Returns: when REAP, how many of T's entries it cleared (leaves, or
 *   tables freed), for T's count.
 */
typedef void (*pte_fn)(struct pmap *, uint64_t *pte, vaddr_t va, void *arg);
static void remove_one(struct pmap *pmap, uint64_t *pte, vaddr_t va, void *arg);

static unsigned walk(struct pmap *pmap, uint64_t *t, int l, vaddr_t base,
                     vaddr_t start, vaddr_t end, pte_fn fn, void *arg, int reap)
{
	unsigned cleared = 0;

	if (l == 0) {
		/* The leaves, START..END within this table: a tight loop,
		 * most of a large range being absent or already done. */
		unsigned last = end - base >= LEVEL_SIZE(1) ? PT_ENTRIES - 1
		                                            : INDEX(end - 1, 0);

		for (unsigned i = INDEX(start, 0); i <= last; i++) {
			if (t[i] & PTE_P) {
				fn(pmap, &t[i], base + i * PAGE_SIZE, arg);
				cleared++;
			}
		}
		return cleared;
	}
	for (unsigned i = INDEX(start, l); i < PT_ENTRIES; i++) {
		vaddr_t lo = base + i * LEVEL_SIZE(l);
		vaddr_t s = MAX(start, lo), e = MIN(end, lo + LEVEL_SIZE(l));
		uint64_t *n;

		if (lo >= end)
			break;
		if (!(t[i] & PTE_P))
			continue;
		n = table_va(t[i]);
		if (!reap) {
			(void)walk(pmap, n, l - 1, lo, s, e, fn, arg, reap);
			continue;
		}
		*table_entries(n) -=
		    walk(pmap, n, l - 1, lo, s, e, fn, arg, reap);
		if (*table_entries(n) == 0) {
			/* SMP: no CPU may still walk (or set accessed and
			 * dirty bits) through the table when it is freed:
			 * unlink, drop gathered leaf entries and cached upper
			 * levels everywhere, only then free. */
			t[i] = 0;
			cleared++;
			if (fn == remove_one && arg)
				batch_flush(arg);
			pmap_tlb_shootdown(pmap, lo);
			table_free(pmap, n);
		}
	}
	return cleared;
}

/* ARG: a struct tlb_batch to gather the shootdown in, or NULL to shoot
 * the page down at once. */
static void remove_one(struct pmap *pmap, uint64_t *pte, vaddr_t va, void *arg)
{
	uint64_t old = *pte;

	*pte = 0;
	pmap->stats.resident--;
	if (old & PTE_WIRED)
		pmap->stats.wired--;
	if (arg)
		batch_add(pmap, arg, va);
	else
		pmap_tlb_shootdown(pmap, va);
}

static void remove_release_one(struct pmap *pmap, uint64_t *pte, vaddr_t va,
                               void *arg)
{
	paddr_t pa = *pte & PTE_ADDR;

	remove_one(pmap, pte, va, NULL);
	((pmap_release_fn)arg)(pa);
}

struct protect_arg {
	uint64_t bits; /* the new PTE_W and PTE_NX */
	struct tlb_batch batch;
};

static void protect_one(struct pmap *pmap, uint64_t *pte, vaddr_t va, void *arg)
{
	struct protect_arg *a = arg;
	uint64_t old = *pte;
	uint64_t new = (old & ~(PTE_W | PTE_NX)) | a->bits;

	if (new != old) {
		*pte = new;
		batch_add(pmap, &a->batch, va);
	}
}

void pmap_remove(struct pmap *pmap, vaddr_t start, vaddr_t end)
{
	struct tlb_batch batch = {0, 0, 0};
	unsigned long f;

	check_range("pmap_remove", start, end);
	if (start == end)
		return;
	f = spin_lock(&pmap->lock);
	*table_entries(pmap->pml4) -=
	    walk(pmap, pmap->pml4, 3, 0, start, end, remove_one, &batch, 1);
	batch_flush(&batch);
	spin_unlock(&pmap->lock, f);
}

void pmap_remove_release(struct pmap *pmap, vaddr_t start, vaddr_t end,
                         pmap_release_fn release)
{
	unsigned long f;

	check_range("pmap_remove_release", start, end);
	if (start == end)
		return;
	f = spin_lock(&pmap->lock);
	*table_entries(pmap->pml4) -=
	    walk(pmap, pmap->pml4, 3, 0, start, end, remove_release_one,
	         (void *)release, 1);
	spin_unlock(&pmap->lock, f);
}

void pmap_protect(struct pmap *pmap, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	struct protect_arg a = {0, {0, 0, 0}};
	unsigned long f;

	check_range("pmap_protect", start, end);
	if (!(prot & VM_PROT_ALL)) {
		pmap_remove(pmap, start, end);
		return;
	}
	if (start == end)
		return;
	a.bits = prot_bits(prot) & (PTE_W | PTE_NX);
	f = spin_lock(&pmap->lock);
	walk(pmap, pmap->pml4, 3, 0, start, end, protect_one, &a, 0);
	batch_flush(&a.batch);
	spin_unlock(&pmap->lock, f);
}

/* What pmap_present collects (present_one's ARG). */
struct present {
	vaddr_t *vas;
	paddr_t *pas;
	unsigned n, max;
	vaddr_t next; /* first address not looked at yet, once full */
	bool full;
};

static void present_one(struct pmap *pmap, uint64_t *pte, vaddr_t va, void *arg)
{
	struct present *p = arg;

	(void)pmap;
	if (p->full)
		return;
	if (p->n == p->max) {
		p->full = true;
		p->next = va;
		return;
	}
	p->vas[p->n] = va;
	p->pas[p->n] = *pte & PTE_ADDR;
	p->n++;
}

unsigned pmap_present(struct pmap *pmap, vaddr_t start, vaddr_t end,
                      vaddr_t *vas, paddr_t *pas, unsigned max, vaddr_t *next)
{
	struct present p = {vas, pas, 0, max, end, false};
	unsigned long f;

	check_range("pmap_present", start, end);
	*next = end;
	if (start == end || max == 0)
		return 0;
	f = spin_lock(&pmap->lock);
	walk(pmap, pmap->pml4, 3, 0, start, end, present_one, &p, 0);
	spin_unlock(&pmap->lock, f);
	*next = p.full ? p.next : end;
	return p.n;
}

int pmap_extract(struct pmap *pmap, vaddr_t va, paddr_t *pa)
{
	uint64_t *pte;
	unsigned long f;
	int found = 0;

	if (va >= PMAP_USER_MAX)
		return 0;
	f = spin_lock(&pmap->lock);
	pte = pte_find(pmap, va);
	if (pte && (*pte & PTE_P)) {
		*pa = (*pte & PTE_ADDR) | (va & (PAGE_SIZE - 1));
		found = 1;
	}
	spin_unlock(&pmap->lock, f);
	return found;
}

void pmap_activate_masked(struct pmap *pmap)
{
	unsigned cpu = cpu_id();
	struct pmap *old = cpu_pmap[cpu];

	if (pmap == old)
		return;
	/* In the mask before CR3 holds it: a shootdown of PMAP's entries
	 * reaches this CPU from now on (and the old one's until it left). */
	atomic_fetch_or_explicit(&pmap->active, 1ULL << cpu,
	                         memory_order_seq_cst);
	write_cr3(pmap->pml4_pa);
	if (old)
		atomic_fetch_and_explicit(&old->active, ~(1ULL << cpu),
		                          memory_order_seq_cst);
	cpu_pmap[cpu] = pmap;
}

void pmap_activate(struct pmap *pmap)
{
	unsigned long f = intr_save();

	pmap_activate_masked(pmap ? pmap : &kernel_pmap);
	intr_restore(f);
}

void pmap_get_stats(struct pmap *pmap, struct pmap_stats *st)
{
	unsigned long f = spin_lock(&pmap->lock);

	*st = pmap->stats;
	spin_unlock(&pmap->lock, f);
}

/* Pages a pmap_copy_user range spans at most (unaligned at both ends). */
#define COPY_PAGES (PMAP_COPY_MAX / PAGE_SIZE + 1)

/*
 * The physical pages of [VA, VA + SIZE) in PMAP, each mapped with all of
 * the PTE bits NEED, into PAS; false if one is not.  The tables above a
 * page table are walked once per page table.
 * Locks: PMAP locked.
 */
static bool copy_pages(struct pmap *pmap, vaddr_t va, size_t size,
                       uint64_t need, paddr_t *pas)
{
	vaddr_t page = va & ~(vaddr_t)(PAGE_SIZE - 1);
	uint64_t *pt = NULL;

	for (unsigned i = 0; page < va + size; page += PAGE_SIZE, i++) {
		uint64_t e;

		if (pt == NULL || INDEX(page, 0) == 0) {
			pt = pte_find(pmap, page);
			if (pt == NULL)
				return false;
			pt -= INDEX(page, 0); /* the page table itself */
		}
		e = pt[INDEX(page, 0)];
		if ((e & need) != need)
			return false;
		pas[i] = e & PTE_ADDR;
	}
	return true;
}

/* How many pages [VA, VA + SIZE) touches (SIZE > 0). */
static unsigned page_count(vaddr_t va, size_t size)
{
	return (unsigned)(((va + size - 1) >> PAGE_SHIFT) - (va >> PAGE_SHIFT) +
	                  1);
}

/* Whether a page of A (NA of them) is also one of B's: a copy between
 * them could read what it already wrote. */
static bool pages_shared(const paddr_t *a, unsigned na, const paddr_t *b,
                         unsigned nb)
{
	for (unsigned i = 0; i < na; i++)
		for (unsigned j = 0; j < nb; j++)
			if (a[i] == b[j])
				return true;
	return false;
}

bool pmap_copy_user(struct pmap *dst_pmap, vaddr_t dst, struct pmap *src_pmap,
                    vaddr_t src, size_t size)
{
	paddr_t dpas[COPY_PAGES], spas[COPY_PAGES];
	struct pmap *first = dst_pmap < src_pmap ? dst_pmap : src_pmap;
	struct pmap *second = dst_pmap < src_pmap ? src_pmap : dst_pmap;
	unsigned long f;
	bool ok;

	if (size == 0)
		return true;
	if (size > PMAP_COPY_MAX || dst >= PMAP_USER_MAX ||
	    src >= PMAP_USER_MAX || PMAP_USER_MAX - dst < size ||
	    PMAP_USER_MAX - src < size)
		return false;
	f = spin_lock(&first->lock);
	if (second != first)
		spin_lock_masked(&second->lock);
	ok = copy_pages(dst_pmap, dst, size, PTE_P | PTE_U | PTE_W, dpas) &&
	     copy_pages(src_pmap, src, size, PTE_P | PTE_U, spas) &&
	     !pages_shared(dpas, page_count(dst, size), spas,
	                   page_count(src, size));
	/* In pieces that end where the destination or the source crosses
	 * into its next page (DI, SI: the pages the pieces are in). */
	for (vaddr_t d = dst, s = src, end = dst + size, di = 0, si = 0;
	     ok && d < end;) {
		vaddr_t doff = d & (PAGE_SIZE - 1), soff = s & (PAGE_SIZE - 1);
		size_t n = MIN(PAGE_SIZE - MAX(doff, soff), end - d);

		memcpy(phys_to_virt(dpas[di] + doff),
		       phys_to_virt(spas[si] + soff), n);
		d += n;
		s += n;
		di += (d & (PAGE_SIZE - 1)) == 0;
		si += (s & (PAGE_SIZE - 1)) == 0;
	}
	if (second != first)
		spin_unlock_masked(&second->lock);
	spin_unlock(&first->lock, f);
	return ok;
}
