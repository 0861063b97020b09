/*
 * machine/pmap.h in the host build: each pmap is a chained hash of its
 * translations, allocated with the C library.  Argument checks and
 * panics follow the x86_64 pmap (arch/x86_64/pmap.c), so that VM code
 * that passes here makes the same calls the kernel accepts.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "kern/panic.h"
#include "kern/spinlock.h"
#include "machine/pmap.h"

#define BUCKETS 256

/* One translation.  Guarded by its pmap's lock. */
struct pmap_node {
	struct pmap_node *next;
	vaddr_t va;
	paddr_t pa;
	vm_prot_t prot;
	int wired;
};

/*
 * A software physical map.
 * Owned by: its creator; pmap_destroy ends it (the kernel pmap lives
 *   forever).
 * Guarded by: pmap->lock.
 */
struct pmap {
	spinlock_t lock;
	struct pmap_node **bucket; /* BUCKETS chains; NULL: kernel pmap */
	struct pmap_stats stats;
};

static struct pmap kernel_pmap = {.lock = SPINLOCK_INIT("pmap.kernel")};
static struct pmap *_Atomic current = &kernel_pmap;
static atomic_int fail_next;
static atomic_long live;

void pmap_init(void)
{
}

struct pmap *pmap_kernel(void)
{
	return &kernel_pmap;
}

static unsigned hash(vaddr_t va)
{
	return (unsigned)((va >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ULL >> 56) %
	       BUCKETS;
}

struct pmap *pmap_create(void)
{
	struct pmap *pmap = calloc(1, sizeof(*pmap));

	if (!pmap)
		return NULL;
	pmap->bucket = calloc(BUCKETS, sizeof(*pmap->bucket));
	if (!pmap->bucket) {
		free(pmap);
		return NULL;
	}
	spin_init(&pmap->lock, "pmap");
	pmap->stats.tables = 1;
	atomic_fetch_add(&live, 1);
	return pmap;
}

void pmap_destroy(struct pmap *pmap)
{
	if (pmap == &kernel_pmap)
		panic("pmap_destroy: the kernel pmap");
	if (atomic_load(&current) == pmap)
		panic("pmap_destroy: pmap %p is active", (void *)pmap);
	for (unsigned i = 0; i < BUCKETS; i++) {
		struct pmap_node *n = pmap->bucket[i], *next;

		for (; n; n = next) {
			next = n->next;
			free(n);
		}
	}
	free(pmap->bucket);
	free(pmap);
	atomic_fetch_sub(&live, 1);
}

static void check_range(const char *who, vaddr_t start, vaddr_t end)
{
	if ((start & (PAGE_SIZE - 1)) || (end & (PAGE_SIZE - 1)) ||
	    start > end || end > PMAP_USER_MAX)
		panic("%s: bad range %#llx-%#llx", who,
		      (unsigned long long)start, (unsigned long long)end);
}

/* The link that points at VA's node (or the chain's terminating NULL). */
static struct pmap_node **find(struct pmap *pmap, vaddr_t va)
{
	struct pmap_node **l = &pmap->bucket[hash(va)];

	while (*l && (*l)->va != va)
		l = &(*l)->next;
	return l;
}

kern_return_t pmap_enter(struct pmap *pmap, vaddr_t va, paddr_t pa,
                         vm_prot_t prot, unsigned flags)
{
	struct pmap_node **l, *n;
	unsigned long f;

	if ((va & (PAGE_SIZE - 1)) || va >= PMAP_USER_MAX ||
	    (pa & (PAGE_SIZE - 1)))
		panic("pmap_enter: bad address va %#llx pa %#llx",
		      (unsigned long long)va, (unsigned long long)pa);
	if (!(prot & VM_PROT_ALL))
		panic("pmap_enter: no access in prot %#x", (unsigned)prot);
	if (pmap == &kernel_pmap)
		panic("pmap_enter: the kernel pmap");

	f = spin_lock(&pmap->lock);
	l = find(pmap, va);
	n = *l;
	if (!n) {
		if (atomic_exchange(&fail_next, 0) ||
		    !(n = calloc(1, sizeof(*n)))) {
			spin_unlock(&pmap->lock, f);
			return KERN_RESOURCE_SHORTAGE;
		}
		n->va = va;
		*l = n;
		pmap->stats.resident++;
		pmap->stats.tables++;
	} else if (n->wired) {
		pmap->stats.wired--;
	}
	n->pa = pa;
	n->prot = prot & VM_PROT_ALL;
	n->wired = (flags & PMAP_WIRED) != 0;
	if (n->wired)
		pmap->stats.wired++;
	spin_unlock(&pmap->lock, f);
	return KERN_SUCCESS;
}

void pmap_remove(struct pmap *pmap, vaddr_t start, vaddr_t end)
{
	pmap_remove_release(pmap, start, end, NULL);
}

void pmap_remove_release(struct pmap *pmap, vaddr_t start, vaddr_t end,
                         pmap_release_fn release)
{
	unsigned long f;

	check_range("pmap_remove", start, end);
	if (!pmap->bucket)
		return; /* the kernel pmap has no user translations */
	f = spin_lock(&pmap->lock);
	for (unsigned i = 0; i < BUCKETS; i++) {
		struct pmap_node **l = &pmap->bucket[i];

		while (*l) {
			struct pmap_node *n = *l;

			if (n->va < start || n->va >= end) {
				l = &n->next;
				continue;
			}
			*l = n->next;
			pmap->stats.resident--;
			pmap->stats.tables--;
			if (n->wired)
				pmap->stats.wired--;
			if (release)
				release(n->pa);
			free(n);
		}
	}
	spin_unlock(&pmap->lock, f);
}

void pmap_protect(struct pmap *pmap, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	unsigned long f;

	check_range("pmap_protect", start, end);
	if (!(prot & VM_PROT_ALL)) {
		pmap_remove(pmap, start, end);
		return;
	}
	if (!pmap->bucket)
		return;
	f = spin_lock(&pmap->lock);
	for (unsigned i = 0; i < BUCKETS; i++)
		for (struct pmap_node *n = pmap->bucket[i]; n; n = n->next)
			if (n->va >= start && n->va < end)
				n->prot = prot & VM_PROT_ALL;
	spin_unlock(&pmap->lock, f);
}

int host_pmap_lookup(struct pmap *pmap, vaddr_t va, paddr_t *pa,
                     vm_prot_t *prot, int *wired)
{
	struct pmap_node *n;
	unsigned long f;

	if (va >= PMAP_USER_MAX || !pmap->bucket)
		return 0;
	f = spin_lock(&pmap->lock);
	n = *find(pmap, va & ~(PAGE_SIZE - 1));
	if (n) {
		if (pa)
			*pa = n->pa;
		if (prot)
			*prot = n->prot;
		if (wired)
			*wired = n->wired;
	}
	spin_unlock(&pmap->lock, f);
	return n != NULL;
}

unsigned pmap_present(struct pmap *pmap, vaddr_t start, vaddr_t end,
                      vaddr_t *vas, paddr_t *pas, unsigned max, vaddr_t *next)
{
	unsigned n = 0;
	unsigned long f;

	check_range("pmap_present", start, end);
	*next = end;
	if (!pmap->bucket || start == end || max == 0)
		return 0;
	/* The table is a hash: take the lowest addresses in range one at a
	 * time (the unit tests map few pages). */
	f = spin_lock(&pmap->lock);
	for (vaddr_t from = start;;) {
		vaddr_t low = end;
		paddr_t pa = 0;

		for (unsigned i = 0; i < BUCKETS; i++)
			for (struct pmap_node *x = pmap->bucket[i]; x;
			     x = x->next)
				if (x->va >= from && x->va < low) {
					low = x->va;
					pa = x->pa;
				}
		if (low == end)
			break;
		if (n == max) {
			*next = low;
			break;
		}
		vas[n] = low;
		pas[n] = pa;
		n++;
		from = low + PAGE_SIZE;
	}
	spin_unlock(&pmap->lock, f);
	return n;
}

int pmap_extract(struct pmap *pmap, vaddr_t va, paddr_t *pa)
{
	paddr_t page;

	if (!host_pmap_lookup(pmap, va, &page, NULL, NULL))
		return 0;
	*pa = page | (va & (PAGE_SIZE - 1));
	return 1;
}

void pmap_activate(struct pmap *pmap)
{
	atomic_store(&current, pmap ? pmap : &kernel_pmap);
}

struct pmap *host_pmap_current(void)
{
	return atomic_load(&current);
}

void host_pmap_fail_next_enter(void)
{
	atomic_store(&fail_next, 1);
}

long host_pmap_live(void)
{
	return atomic_load(&live);
}

void pmap_get_stats(struct pmap *pmap, struct pmap_stats *st)
{
	unsigned long f = spin_lock(&pmap->lock);

	*st = pmap->stats;
	spin_unlock(&pmap->lock, f);
}

bool pmap_copy_user(struct pmap *dst_pmap, vaddr_t dst, struct pmap *src_pmap,
                    vaddr_t src, size_t size)
{
	/* Host translations lead to no memory: the caller copies twice. */
	(void)dst_pmap, (void)dst, (void)src_pmap, (void)src, (void)size;
	return false;
}
