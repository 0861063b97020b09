/*
 * VM objects (docs/VM.md): sparse arrays of resident pages by offset,
 * each possibly backed by a shadow object that supplies the pages it does
 * not hold, so that copy-on-write copies a page only when it is written.
 * Map entries (vm/map.c) reference objects; the fault path (vm/fault.c)
 * resolves pages through them.
 */
#ifndef VM_OBJECT_H
#define VM_OBJECT_H

#include <mach/kern_return.h>
#include <mach/vm_prot.h>
#include <stdbool.h>
#include <stdint.h>

#include "kern/avl.h"
#include "kern/list.h"
#include "kern/spinlock.h"
#include "kern/types.h"

struct page;

/* The most pages of one object that may be asked of its pager at once:
 * a fault beyond waits for an answer before it asks, so that a pager that
 * never answers, or a task whose faults are aborted one after the other,
 * cannot make the kernel keep records and requests without end.  GNU
 * Mach keeps the same number outstanding (vm-pager-misbehave). */
#define VM_OBJECT_ABSENT_MAX 51

/*
 * A memory object's kernel side.
 * Owned by: its references (map entries, the objects it backs, copies
 *   in flight); the last vm_object_release destroys it.
 * Guarded by: lock; `size` is fixed at creation.
 * Lock order: map->lock, then object locks from the top of a chain down
 *   to its bottom, then pmap locks, then the page allocator and slabs.
 */
struct vm_object {
	spinlock_t lock;
	unsigned refs;            /* references; 0 only while being freed */
	uint64_t size;            /* bytes, page aligned */
	struct avl_tree pages;    /* struct vm_object_page, by offset */
	unsigned resident;        /* pages in `pages` */
	unsigned absent;          /* records of `pages` in VM_PAGE_ABSENT: pages
	                             asked of the pager and not answered yet,
	                             at most VM_OBJECT_ABSENT_MAX */
	struct port *name;        /* the name port vm_region reports for an
	                             object without a pager (task/
	                             object_name_rpc.c): made on first use under
	                             our lock, destroyed with us or moved to
	                             the object we are merged into */
	struct vm_object *shadow; /* backs the offsets we hold no page for;
	                             we hold one reference on it */
	uint64_t shadow_offset;   /* our offset 0 is this offset in shadow */
	struct list shadowers;    /* objects whose shadow we are, by their
	                             shadow_link (guarded by our lock) */
	struct list shadow_link;  /* in shadow->shadowers (guarded by the
	                             shadow's lock) */
	struct vm_pager *pager;   /* the memory object behind it (vm/pager.h),
	                             fixed at creation; NULL: anonymous */
	struct list mappers;      /* map entries mapping it directly, by
	                             their mapper_link (guarded by our lock) */
	bool shared_in_place;     /* mapped VM_INHERIT_SHARE (eager copies
	                             read resident pages) or the kernel's own
	                             (the clock page): never paged out */
	struct list all_link;     /* on the list of every object (pageout;
	                             guarded by the list's lock) */
	uint64_t pageout_cursor;  /* where pageout looks next (our lock) */
};

/*
 * One resident page of an object.  The object owns both the record and
 * the page: removing the record frees the page.
 * Owned by: the object whose tree holds it.
 * Guarded by: that object's lock.
 */
struct vm_object_page {
	struct avl_node node; /* in object->pages */
	uint64_t offset;      /* page aligned, < object->size */
	struct page *page;    /* order 0, from page_alloc; NULL unless
	                         state is VM_PAGE_RESIDENT */
	uint8_t state;        /* VM_PAGE_* */
	bool dirty;           /* written since its pager last had it */
	bool precious;        /* the pager wants it back even clean */
	uint8_t lock;         /* access the pager withholds (VM_PROT_*) */
	kern_return_t error;  /* VM_PAGE_ERROR: the pager's code */
};

/* The states of a page record (only objects with a pager have the
 * others: anonymous pages are always resident). */
enum {
	VM_PAGE_RESIDENT = 0, /* the data is in `page` */
	VM_PAGE_ABSENT,       /* asked of the pager; faults wait for it */
	VM_PAGE_UNLOCKING,    /* resident, a data_unlock is outstanding */
	VM_PAGE_ERROR,        /* the pager answered data_error */
	VM_PAGE_PAGING_OUT,   /* resident, its data_return being sent:
	                         faults wait */
	VM_PAGE_PAGED_OUT,    /* its pager has it (pageout): a fault asks */
};

struct vm_pager;

/* Counters, for leak checks (updated atomically, read as snapshots). */
struct vm_object_stats {
	uint64_t objects; /* objects alive */
	uint64_t pages;   /* resident pages in all objects */
};
extern struct vm_object_stats vm_object_stats;

/* Called as an object whose `name` is set is destroyed (unreferenced,
 * no lock held), to destroy the port; set by whoever sets names. */
extern void (*vm_object_name_destroy)(struct vm_object *obj);

/* vm_object_init: create the slab caches.  Once, before any other call. */
void vm_object_init(void);

/*
 * vm_object_create: an empty anonymous object of SIZE bytes (rounded up
 * to pages; 0 is allowed) with one reference, no shadow, no pages.
 * Locks: none needed.
 * Returns the object, or NULL when memory is exhausted.
 */
struct vm_object *vm_object_create(uint64_t size);

/* vm_object_reference: one more reference on OBJ (which has one). */
void vm_object_reference(struct vm_object *obj);

/*
 * vm_object_release: drop one reference on OBJ.  The last one frees OBJ
 * and its pages, then drops OBJ's reference on its shadow, and so on
 * down the chain (a loop: long chains cannot overflow the stack).  When
 * the one reference left is the only object shadowing OBJ, OBJ is
 * merged into it at once if its lock is free (the copy-on-write sharer
 * went away: the pages it hid are freed now, not at the next fault).
 * Locks: OBJ's and the chain's not held by the caller.
 */
void vm_object_release(struct vm_object *obj);

/*
 * vm_object_page_lookup: OBJ's own page at OFFSET (page aligned), not
 * looking at the shadow.
 * Locks: OBJ's lock not held (taken and released).
 * Returns the page, or NULL.  The page stays OBJ's: it is valid as long
 * as the caller keeps a reference and nobody removes it.
 */
struct page *vm_object_page_lookup(struct vm_object *obj, uint64_t offset);

/*
 * vm_object_page_insert: give page PG (order 0, from page_alloc, in no
 * other object) to OBJ at OFFSET.  On success OBJ owns PG.
 * Locks: OBJ's lock not held.
 * Returns:
 *   KERN_SUCCESS
 *   KERN_INVALID_ARGUMENT   OFFSET is not page aligned or not below size.
 *   KERN_MEMORY_PRESENT     OBJ already holds a page at OFFSET.
 *   KERN_RESOURCE_SHORTAGE  no memory for the record.
 *   (On failure PG stays the caller's.)
 */
kern_return_t vm_object_page_insert(struct vm_object *obj, uint64_t offset,
                                    struct page *pg);

/*
 * vm_object_page_alloc: allocate a page, zero-filled when ZERO, and
 * insert it in OBJ at OFFSET.
 * Returns vm_object_page_insert's codes, KERN_RESOURCE_SHORTAGE also
 *   when no page is free; *PG is the page on success.
 */
kern_return_t vm_object_page_alloc(struct vm_object *obj, uint64_t offset,
                                   bool zero, struct page **pg);

/*
 * vm_object_page_remove: take OBJ's own page at OFFSET out and free it.
 * The caller has removed every translation of it first.
 * Returns true if there was one.
 */
bool vm_object_page_remove(struct vm_object *obj, uint64_t offset);

/*
 * vm_object_shadow: a new object of SIZE bytes (rounded up to pages)
 * whose offset 0 is OFFSET (page aligned) of BACKING: the copy-on-write
 * constructor.  On success the caller's reference on BACKING becomes the
 * new object's, and the caller holds the new object's one reference.
 * Returns the new object, or NULL when memory is exhausted (the caller
 *   then still holds its reference on BACKING).
 */
struct vm_object *vm_object_shadow(struct vm_object *backing, uint64_t offset,
                                   uint64_t size);

/*
 * vm_object_chain_lookup: the page at OFFSET of OBJ, looking in OBJ then
 * down its shadow chain.  *HOLDER and *HOLDER_OFFSET (either may be NULL)
 * receive the object that holds it and the page's offset there.
 * Locks: none held on entry or return; each object is locked hand over
 *   hand.  The answer holds while the caller keeps OBJ referenced and the
 *   chain is not changed (until the fault path uses objects, callers are
 *   single threaded; step 2 returns with the holder locked).
 * Returns the page, or NULL when no object of the chain holds one
 *   (OFFSET beyond an object's size ends the walk too).
 */
struct page *vm_object_chain_lookup(struct vm_object *obj, uint64_t offset,
                                    struct vm_object **holder,
                                    uint64_t *holder_offset);

/* How vm_object_fault_page_apply came by the page it hands over. */
enum vm_object_fault_how {
	VM_OBJECT_PAGE_OWN,    /* the object's own page, as it was */
	VM_OBJECT_PAGE_BELOW,  /* a page of an object deeper in the chain
	                          (a read: map it read-only) */
	VM_OBJECT_PAGE_COPIED, /* copied up from below (copy-on-write) */
	VM_OBJECT_PAGE_ZEROED, /* found nowhere: a new zero-filled page */
};

/* What vm_object_fault_page_apply calls with the page, and the access
 * the mapping must not give (a pager's lock, or write until the page is
 * written): may take pmap locks and the page allocator's, nothing else. */
typedef kern_return_t (*vm_object_page_fn)(void *ctx, struct page *pg,
                                           enum vm_object_fault_how how,
                                           vm_prot_t withhold);

/* What a fault asks a pager for before it waits (vm_object_wait.ask). */
enum { VM_ASK_NOTHING, VM_ASK_DATA, VM_ASK_UNLOCK };

/*
 * A fault that must wait for a pager (VM_OBJECT_MUST_WAIT): send ASK
 * for OFFSET of OBJECT with ACCESS (after dropping every lock), then
 * vm_object_wait_end.
 * Owned by: the faulting thread (on its stack).
 */
struct vm_object_wait {
	bool overwrite;           /* in: the access will overwrite the whole
	                             page (a pager is asked for WRITE only) */
	struct vm_object *object; /* referenced until vm_object_wait_end */
	uint64_t offset;          /* in OBJECT */
	int ask;                  /* VM_ASK_* */
	vm_prot_t access;         /* for data_request / data_unlock */
	uint64_t gen;             /* the pager's wake generation then */
	int result;               /* vm_object_wait_end: waitq_wait's */
};

/* vm_object_fault_page_apply's answer when the fault must wait. */
#define VM_OBJECT_MUST_WAIT ((kern_return_t)-1)

/*
 * vm_object_fault_page_apply: resolve a fault at OFFSET (page aligned,
 * below size) of OBJ and call FN(CTX, page, how, withhold) while the
 * page is sure to stay: a page of OBJ itself is handed over as it is; a
 * page found deeper in the chain is handed over for a read
 * (VM_OBJECT_PAGE_BELOW, with its holder locked) and copied into OBJ for
 * a write (copy-on-write), and so is a pager's page below OBJ even for a
 * read; a page found nowhere is zero-filled into OBJ, unless the bottom
 * object has a pager: then it is asked for (WAIT filled in).  A race with
 * another thread inserting at the same offset is retried here.
 * Locks: none of the chain's held on entry (the caller holds OBJ's map
 *   locked and a reference on OBJ); held during FN as said above.
 * Returns:
 *   what FN returns, or
 *   VM_OBJECT_MUST_WAIT     *WAIT says what to ask and where to wait.
 *   KERN_MEMORY_ERROR       the pager answered data_error, or is gone.
 *   KERN_INVALID_ARGUMENT   OFFSET is unaligned or not below OBJ's size.
 *   KERN_RESOURCE_SHORTAGE  no free page or record.
 */
kern_return_t vm_object_fault_page_apply(struct vm_object *obj, uint64_t offset,
                                         bool write, vm_object_page_fn fn,
                                         void *ctx,
                                         struct vm_object_wait *wait);

/*
 * vm_object_wait_end: after VM_OBJECT_MUST_WAIT (and the request, if
 * any), wait until the pager's object changes (SLEEP; WAIT->result gets
 * waitq_wait_unless's answer, WAITQ_INTERRUPTED when the thread was
 * aborted), and drop the reference WAIT held.
 * Locks: none held.
 */
void vm_object_wait_end(struct vm_object_wait *wait, bool sleep);

/*
 * vm_object_fault_page: vm_object_fault_page_apply returning the page in
 * *PG and whether OBJ owns it in *IN_TOP (if not NULL).  The page is only
 * sure to stay while nothing else changes the chain: for tests and
 * single-threaded callers.
 * Returns vm_object_fault_page_apply's codes.
 */
kern_return_t vm_object_fault_page(struct vm_object *obj, uint64_t offset,
                                   bool write, struct page **pg, bool *in_top);

/*
 * The page records of an object with a pager, for its pager code
 * (task/pager_rpc.c).  Locks: OBJ's lock held for all of them.
 * vm_object_record: OBJ's record at OFFSET; with MAKE a new absent one
 *   when there is none (NULL when no memory is left, or OFFSET is not
 *   page aligned).
 * vm_object_record_fill: give the absent or failed record R of OBJ the
 *   page PG.
 * vm_object_record_set_state: R's state becomes STATE (VM_PAGE_*); every
 *   change of a linked record's state goes through here, which keeps
 *   OBJ->absent true.
 * vm_object_record_ceil / _next: the first record at or above OFFSET,
 *   the one after R (NULL at the end).
 * vm_object_record_remove: take R out of OBJ and free it and its page
 *   (its translations are gone: vm_map_object_protect).
 */
struct vm_object_page *vm_object_record(struct vm_object *obj, uint64_t offset,
                                        bool make);
void vm_object_record_fill(struct vm_object *obj, struct vm_object_page *r,
                           struct page *pg);
void vm_object_record_set_state(struct vm_object *obj, struct vm_object_page *r,
                                uint8_t state);
struct vm_object_page *vm_object_record_ceil(struct vm_object *obj,
                                             uint64_t offset);
struct vm_object_page *vm_object_record_next(struct vm_object_page *r);
void vm_object_record_remove(struct vm_object *obj, struct vm_object_page *r);

/*
 * Pageout (vm/pageout.c drives it): one page of OBJ leaves memory.
 * vm_object_pageout_pick: with OBJ's lock taken and released, choose the
 *   next resident page at or after OBJ's cursor that can go (not locked by
 *   its pager), remove its translations from every map that maps OBJ,
 *   and copy it to BUF (PAGE_SIZE bytes) if the pager must get it (*GIVE:
 *   dirty, or precious).  The page is then PAGING_OUT: faults on it
 *   wait.  Returns true, its offset in *OFFSET and whether it is dirty
 *   in *DIRTY; false when OBJ has no page to give (the cursor starts
 *   over).
 * vm_object_pageout_done: the data_return was sent (SENT: free the page,
 *   PAGED_OUT) or could not be (the page stays, RESIDENT and dirty);
 *   waiting faults are woken.
 * Locks: none held; OBJ referenced by the caller and with a pager.
 */
bool vm_object_pageout_pick(struct vm_object *obj, void *buf, uint64_t *offset,
                            bool *dirty, bool *give);
void vm_object_pageout_done(struct vm_object *obj, uint64_t offset, bool sent);

/*
 * vm_object_rotate: the first object alive (in a round robin over all of
 * them: each one looked at goes to the back) that ACCEPT(OBJ, ARG)
 * accepts (called with OBJ's lock held: it only reads OBJ), with a
 * reference for the caller; NULL when none is, after one round.
 * Locks: none held.
 */
struct vm_object *
vm_object_rotate(bool (*accept)(struct vm_object *obj, void *arg), void *arg);

/* vm_object_try_reference: a reference on OBJ unless it is already being
 * destroyed (no reference left).  Returns whether one was taken. */
bool vm_object_try_reference(struct vm_object *obj);

/*
 * vm_object_page_remove_range: free OBJ's own pages at offsets in
 * [START, END) (its shadow's are not touched).  The caller has removed
 * every translation of them and knows nobody else maps them (OBJ has a
 * single reference, the caller's).
 * Locks: OBJ's not held.
 * Returns the number of pages freed.
 */
unsigned vm_object_page_remove_range(struct vm_object *obj, uint64_t start,
                                     uint64_t end);

/*
 * vm_object_copy_now: a new object of SIZE bytes holding a copy of every
 * page SRC shows (through its chain) in [OFFSET, OFFSET + SIZE): the
 * eager copy, for memory that other maps write in place (shared regions).
 * Pages nobody holds stay absent (zero-filled on touch).
 * Locks: none held; the caller holds a reference on SRC.
 * Returns the copy with one reference, or NULL when memory is exhausted.
 */
struct vm_object *vm_object_copy_now(struct vm_object *src, uint64_t offset,
                                     uint64_t size);

/*
 * vm_object_collapse: while OBJ's shadow is referenced by OBJ alone and
 * has no pager, merge it into OBJ: its pages that OBJ can see and does
 * not hide move up, the others are freed, and OBJ takes over its shadow.
 * What OBJ reads at every offset is unchanged.
 * Locks: none held (takes OBJ's, then each shadow's).
 * Returns the number of objects merged away.
 */
unsigned vm_object_collapse(struct vm_object *obj);

/* vm_object_chain_length: objects in OBJ's chain, OBJ included. */
unsigned vm_object_chain_length(struct vm_object *obj);

/*
 * vm_object_check: OBJ's invariants, and those of its chain: references
 * positive, the page tree balanced and sorted with `resident` records,
 * each offset page aligned and below size with a page, the chain no
 * longer than the objects alive (so acyclic).  For tests: O(pages).
 * Returns true when every invariant holds.
 */
bool vm_object_check(struct vm_object *obj);

#endif
