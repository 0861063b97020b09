/*
 * IPC spaces: one per task, mapping the task's 32-bit port names to the
 * rights it holds.  A name is index | generation << 24 (docs/IPC.md);
 * entries live in a three-level radix table so lookup is three loads,
 * and a per-space hash (the reverse map) finds the one name a space has
 * for a port's send and receive rights.  The kernel space holds the
 * receive rights of kernel-object ports.  right.c and port_interface.c
 * work on entries; space.c only manages names and the table.
 */
#ifndef IPC_SPACE_H
#define IPC_SPACE_H

#include <mach/kern_return.h>
#include <mach/port.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/object.h"
#include "kern/list.h"
#include "kern/spinlock.h"

struct dnrequest;

/* Names: index | gen << 24; index 0 and 0xffffff are never used. */
#define SPACE_GEN_SHIFT     24
#define SPACE_INDEX_MASK    0xffffffu
#define SPACE_INDEX_MAX     0xfffffeu
#define SPACE_NAME_INDEX(n) ((n)&SPACE_INDEX_MASK)
#define SPACE_NAME_GEN(n)   ((uint8_t)((n) >> SPACE_GEN_SHIFT))
#define SPACE_NAME(index, gen)                                                 \
	((mach_port_name_t)(index) | (mach_port_name_t)(gen) << SPACE_GEN_SHIFT)

/* The radix table: L1 (in the space) -> L2 nodes -> leaves of entries. */
#define SPACE_LEAF_SHIFT 7 /* 128 entries of 32 bytes: one 4 KiB leaf */
#define SPACE_L2_SHIFT   9 /* 512 leaf pointers: one 4 KiB node */
#define SPACE_L1_SIZE    (1u << (24 - SPACE_LEAF_SHIFT - SPACE_L2_SHIFT))
#define SPACE_LEAF_SIZE  (1u << SPACE_LEAF_SHIFT)
#define SPACE_L2_SIZE    (1u << SPACE_L2_SHIFT)
/* The first leaves are also pointed to from the space itself (`near`):
 * a lookup of one of the first 2048 names, which most tasks never pass,
 * reads no L2 node (one page less to touch; docs/IPC.md). */
#define SPACE_NEAR_LEAVES 16u

/* Default limit on the names of a task's space, and the hard maximum. */
#define SPACE_NAMES_DEFAULT 131072u
#define SPACE_NAMES_MAX     SPACE_INDEX_MAX

/* GNU Mach's MACH_PORT_UREFS_MAX (kernel-internal; not in gnumach-dev).
 * Observed on GNU Mach (tests/system/modules/ipc-edges.c): a send
 * right's count tops out at 0xfffe (an increment that would make it
 * 0xffff fails with KERN_UREFS_OVERFLOW), while a dead name's count may
 * reach 0xffff, by mod_refs or by a fired dead-name request. */
#define SPACE_UREFS_MAX 0xffffu

/*
 * One name of a space.
 * Owned by: its space.
 * Guarded by: space->lock.  `request` is only dereferenced with the
 *   port's lock held and the port active (the port owns the request).
 */
struct space_entry {
	struct ipc_object *object; /* port or set; NULL: dead name or free */
	struct dnrequest *request; /* dead-name request, or NULL */
	mach_port_type_t type;     /* MACH_PORT_TYPE_* rights; 0 when free */
	uint32_t next;  /* in use: reverse-map chain; free: free list */
	uint32_t prev;  /* free: free list */
	uint16_t urefs; /* user references (send or dead-name count) */
	uint8_t gen;    /* generation of the name (of the next one if free) */
	uint8_t pad;
};

struct vm_map_copy;

/*
 * How the message layer reaches the address space of the task owning a
 * space for out-of-line memory (the task layer provides it; the kernel's
 * and the unit tests' spaces may leave any member NULL).
 */
struct space_vm_ops {
	/* Fresh memory for copied bytes. */
	kern_return_t (*allocate)(void *ctx, uint64_t size, uint64_t *addr);
	void (*deallocate)(void *ctx, uint64_t addr, uint64_t size);
	/* Virtual copies (vm/copy.h: vm_map_copyin, vm_map_copyout). */
	kern_return_t (*copyin)(void *ctx, uint64_t addr, uint64_t size,
	                        bool dealloc, struct vm_map_copy **out);
	kern_return_t (*copyout)(void *ctx, struct vm_map_copy *copy,
	                         uint64_t *addr);
	/* SIZE bytes from SRC in the address space of SRC_CTX (another
	 * space's vm_ctx) to DST in this one, only if no page is missing
	 * or protected on either side: nothing faults, nothing sleeps, so
	 * spinlocks may be held (pmap_copy_user).  False: nothing copied. */
	bool (*copy_direct)(void *ctx, uint64_t dst, void *src_ctx,
	                    uint64_t src, uint64_t size);
};

/*
 * A task's IPC space.
 * Owned by: its references (refs): the task, plus temporary ones.
 * Guarded by: lock, for everything but `refs` (atomic) and the VM hook
 *   (set once before the space is shared).
 * Lock order: a space's lock comes before any set or port lock; a
 *   thread holds at most one space lock.
 */
struct space {
	spinlock_t lock;
	atomic_uint refs;
	bool active;          /* false once terminated */
	bool is_kernel;       /* the kernel space */
	uint32_t count;       /* names in use */
	uint32_t limit;       /* at most this many names */
	uint32_t nodes;       /* L2 nodes and leaves allocated */
	uint32_t node_budget; /* at most this many (sparse names cost more) */
	uint32_t free_head, free_tail; /* free indices of adopted leaves */
	uint32_t fresh_leaf;           /* leaves below are adopted (space.c) */
	uint32_t *rbuckets;            /* reverse map: chains of indices */
	uint32_t rmask;                /* buckets - 1 */
	uint32_t rcount;               /* entries in the reverse map */
	const struct space_vm_ops *vm_ops;
	void *vm_ctx;
	struct list all_link; /* on the list of every space (registry lock) */
	struct space_entry *near[SPACE_NEAR_LEAVES]; /* = l1[0][0..], or NULL */
	struct space_entry **l1[SPACE_L1_SIZE];      /* L2 nodes */
};

static inline unsigned long space_lock(struct space *s)
{
	return spin_lock(&s->lock);
}

static inline void space_unlock(struct space *s, unsigned long flags)
{
	spin_unlock(&s->lock, flags);
}

/*
 * space_lock_active: lock SPACE if it is alive; *FLAGS gets what
 * space_unlock needs.
 * Locks: none of SPACE's held; SPACE locked on success only.
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK (NULL or terminated).
 */
kern_return_t space_lock_active(struct space *space, unsigned long *flags);

/* space_init: set up the space cache and the kernel space.  Called by
 * ipc_rights_init(). */
void space_init(void);

/* The kernel space (holds the receive rights of kernel-object ports). */
extern struct space *space_kernel;

/*
 * space_create: a new, empty, active space with SPACE_NAMES_DEFAULT as
 * its limit and one reference for the caller.
 * Returns: KERN_SUCCESS or KERN_RESOURCE_SHORTAGE.  Locks: any.
 */
kern_return_t space_create(struct space **space);

void space_ref(struct space *space);

/* space_release: drop a reference; the last frees a terminated space
 * (an active one is terminated first).  Locks: no IPC lock held. */
void space_release(struct space *space);

/*
 * space_terminate: destroy every right SPACE holds, as if the task
 * called mach_port_destroy on each name (receive rights die or go to
 * their port-destroyed notify port, send rights may trigger
 * no-senders, send-once rights send send-once notifications, dead-name
 * requests send port-deleted notifications), and mark it dead: every
 * later call on it returns KERN_INVALID_TASK.  Idempotent.
 * Locks: no IPC lock held.
 */
void space_terminate(struct space *space);

/*
 * space_set_limit: allow at most NAMES names (1..SPACE_NAMES_MAX).
 * Names already in use above a lower limit stay.  Locks: none held.
 */
void space_set_limit(struct space *space, uint32_t names);

/* space_set_vm: record the VM hook the message layer uses for
 * out-of-line memory in this space's task.  Locks: none held. */
void space_set_vm(struct space *space, const struct space_vm_ops *ops,
                  void *ctx);

/* --- For the right layer (right.c, port_interface.c, notify.c) --- */

/*
 * space_lookup: the entry NAME denotes in SPACE, or NULL (free, stale
 * generation, out of range, MACH_PORT_NULL or MACH_PORT_DEAD).  Entries
 * whose port died are returned as they are: see right_check_dead().
 * Locks: SPACE locked and active.
 */
static inline struct space_entry *space_lookup(struct space *space,
                                               mach_port_name_t name);

/*
 * space_alloc_entry_name: the entry for the caller-chosen NAME, which
 * must not be in use.
 * Locks: SPACE locked and active.
 * Returns: KERN_SUCCESS, KERN_NAME_EXISTS (NAME is in use: *entry is
 *   that entry, for callers that may join it), KERN_INVALID_VALUE (NAME
 *   is MACH_PORT_NULL, MACH_PORT_DEAD or has index 0xffffff),
 *   KERN_NO_SPACE (limit, budget or memory).
 */
kern_return_t space_alloc_entry_name(struct space *space, mach_port_name_t name,
                                     struct space_entry **entry);

/*
 * Reverse map: the entry holding the send and/or receive rights of a
 * port.  An entry is in it exactly when its type has SEND or RECEIVE.
 * space_rmap_insert may grow the table; if that fails the chains just
 * get longer.  Locks: SPACE locked.
 */
struct space_entry *space_rmap_lookup(struct space *space,
                                      struct ipc_object *object,
                                      mach_port_name_t *name);
void space_rmap_insert(struct space *space, mach_port_name_t name,
                       struct space_entry *entry);
void space_rmap_remove(struct space *space, mach_port_name_t name,
                       struct space_entry *entry);

/*
 * space_foreach_entry: call FN on every entry in use, in index order.
 * FN may change the entry, and free it, but not allocate names.
 * Locks: SPACE locked (or terminated and owned by the caller).
 */
void space_foreach_entry(struct space *space,
                         void (*fn)(struct space *, mach_port_name_t,
                                    struct space_entry *, void *),
                         void *arg);

/* For the invariant checker: the entry at INDEX (free or not), or NULL
 * when its leaf was never allocated.  Locks: SPACE locked. */
struct space_entry *space_entry_at(struct space *space, uint32_t index);

/*
 * space_collect: a reference on each of up to MAX spaces that exist
 * (the kernel space first), for checkers that walk every space; the
 * caller releases them.  Locks: takes the space registry's lock, which
 * is taken alone.
 * Returns: how many spaces exist (may exceed MAX; only MAX are given).
 */
unsigned space_collect(struct space **out, unsigned max);

/* Pages the buffers below hold from the page allocator (leak checks). */
extern uint64_t ipc_buffer_pages;

/*
 * Buffers for array out-parameters (mach_port_names,
 * mach_port_get_set_status): from kmalloc when small, from the page
 * allocator above kmalloc's largest size.  ipc_buffer_free(NULL) does
 * nothing.  Returns NULL on exhaustion or size 0.  Locks: any.
 */
void *ipc_buffer_alloc(size_t size);
void ipc_buffer_free(void *buf);

/* --- Inline lookups: the table walk every IPC path takes --- */

/* The entry slot of INDEX (at most SPACE_INDEX_MASK), or NULL when its
 * leaf does not exist.  Leaves live as long as their space.
 * Locks: SPACE locked. */
static inline struct space_entry *space_slot(struct space *space,
                                             uint32_t index)
{
	uint32_t leaf = index >> SPACE_LEAF_SHIFT;
	struct space_entry **l2, *entries;

	if (leaf < SPACE_NEAR_LEAVES) {
		entries = space->near[leaf];
	} else {
		l2 = space->l1[leaf >> SPACE_L2_SHIFT];
		if (l2 == NULL)
			return NULL;
		entries = l2[leaf & (SPACE_L2_SIZE - 1)];
	}
	return entries == NULL ? NULL : &entries[index & (SPACE_LEAF_SIZE - 1)];
}

static inline struct space_entry *space_lookup(struct space *space,
                                               mach_port_name_t name)
{
	uint32_t index = SPACE_NAME_INDEX(name);
	struct space_entry *e;

	assert_locked(&space->lock);
	if (index == 0 || index > SPACE_INDEX_MAX)
		return NULL;
	e = space_slot(space, index);
	if (e == NULL || e->type == MACH_PORT_TYPE_NONE ||
	    e->gen != SPACE_NAME_GEN(name))
		return NULL;
	return e;
}

/* --- Inline: the names an RPC's reply right takes and gives back --- */

/* space_adopt_leaf: the free list's next leaf of free names (space.c).
 * False when the table can grow no more.  Locks: SPACE locked. */
bool space_adopt_leaf(struct space *space);

/* Whether INDEX is in an adopted leaf (its free entry is on the list). */
static inline bool space_adopted(const struct space *space, uint32_t index)
{
	return (index >> SPACE_LEAF_SHIFT) < space->fresh_leaf;
}

/* Append E, the free entry of INDEX, to the free list. */
static inline void space_free_list_append(struct space *space, uint32_t index,
                                          struct space_entry *e)
{
	e->next = 0;
	e->prev = space->free_tail;
	if (space->free_tail != 0)
		space_slot(space, space->free_tail)->next = index;
	else
		space->free_head = index;
	space->free_tail = index;
}

/* Take E, a free entry on the free list, off it. */
static inline void space_free_list_unlink(struct space *space,
                                          struct space_entry *e)
{
	if (e->prev != 0)
		space_slot(space, e->prev)->next = e->next;
	else
		space->free_head = e->next;
	if (e->next != 0)
		space_slot(space, e->next)->prev = e->prev;
	else
		space->free_tail = e->prev;
	e->next = e->prev = 0;
}

/* E, a free entry, in use now (with nothing in it yet). */
static inline void space_entry_take(struct space *space, struct space_entry *e)
{
	e->object = NULL;
	e->request = NULL;
	e->urefs = 0;
	e->type = MACH_PORT_TYPE_NONE;
	space->count++;
}

/*
 * space_alloc_entry: a free entry for a new name the space chooses.  The
 * entry is in use (type must be set by the caller before unlocking; its
 * object and urefs are cleared).
 * Locks: SPACE locked and active.
 * Returns: KERN_SUCCESS (*name, *entry set), KERN_NO_SPACE (the limit
 *   or the table's memory budget is reached, or no memory).
 */
static __always_inline kern_return_t space_alloc_entry(
    struct space *space, mach_port_name_t *name, struct space_entry **entry)
{
	struct space_entry *e;
	uint32_t index;

	assert_locked(&space->lock);
	assert(space->active);
	if (space->count >= space->limit)
		return KERN_NO_SPACE;
	while (space->free_head == 0)
		if (!space_adopt_leaf(space))
			return KERN_NO_SPACE;
	index = space->free_head;
	e = space_slot(space, index);
	space_free_list_unlink(space, e);
	space_entry_take(space, e);
	*name = SPACE_NAME(index, e->gen);
	*entry = e;
	return KERN_SUCCESS;
}

/*
 * space_free_entry: give NAME back (its generation advances, so the old
 * name is stale).  The entry must hold nothing: no object, no request,
 * not in the reverse map.  Locks: SPACE locked.
 */
static inline void space_free_entry(struct space *space, mach_port_name_t name,
                                    struct space_entry *entry)
{
	uint32_t index = SPACE_NAME_INDEX(name);

	assert_locked(&space->lock);
	assert(entry->type != MACH_PORT_TYPE_NONE);
	assert(entry->gen == SPACE_NAME_GEN(name));
	assert(entry->request == NULL);
	entry->object = NULL;
	entry->type = MACH_PORT_TYPE_NONE;
	entry->urefs = 0;
	entry->gen++;
	if (space_adopted(space, index))
		space_free_list_append(space, index, entry);
	space->count--;
}

#endif
