/*
 * servers/pager/pager.h — the default pager's shared declarations: the
 * backing store (store.c), the object table and its page maps
 * (object.c), the routines MIG's server stubs call (memory_object.c,
 * default_pager.c) and the little the serving loop (main.c) exports.
 *
 * The pager is one thread: every structure here is touched only by it,
 * between two mach_msg receives, so none has a lock.  Everything it uses
 * is allocated at startup and wired (or at least touched), so that
 * answering the kernel never needs memory the kernel would have to page
 * out first.
 */
#ifndef PAGER_H
#define PAGER_H

#include <mach.h>
#include <stdint.h>

#define PAGER_PAGE 4096u /* the pager's page; vm_page_size on x86_64 */

/* Printed on the console with a "pager: " prefix (never "ok"). */
void pager_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Set by --trace: every request the pager gets is logged ("pager: trace
 * ..."), to see what a kernel asks and in which order. */
extern int pager_trace;
#define PAGER_TRACE(...)                                                       \
	do {                                                                   \
		if (pager_trace)                                               \
			pager_log("trace " __VA_ARGS__);                       \
	} while (0)

/* --- the backing store (store.c) ------------------------------------------ */

#define STORE_NO_BLOCK UINT32_MAX

/*
 * store_init_memory: a store of SIZE bytes (rounded down to pages) in the
 * pager's own memory, touched page by page so that it is resident.
 * store_init_disk: the disk "vd0" opened on DEVICE_MASTER, all of it.
 * Either may be called once.  Returns KERN_SUCCESS or the failing call's
 * code (nothing is kept on failure).
 */
kern_return_t store_init_memory(vm_size_t size);
kern_return_t store_init_disk(mach_port_t device_master);
/* "memory" or "vd0". */
const char *store_kind(void);
/* Number of page-sized blocks, and how many are free. */
uint32_t store_blocks(void);
uint32_t store_free_blocks(void);
/* A free block, now marked used, or STORE_NO_BLOCK when the store is
 * full. */
uint32_t store_alloc(void);
/* Mark BLOCK (from store_alloc, not yet freed) free again. */
void store_free(uint32_t block);
/* Copy one page between BLOCK and BUF.  Returns KERN_SUCCESS or the
 * device's error; BUF is left untouched (read) on error. */
kern_return_t store_read(uint32_t block, void *buf);
kern_return_t store_write(uint32_t block, const void *buf);

/* --- objects and their pages (object.c) ----------------------------------- */

/* Where an object came from, which decides when it dies. */
enum object_origin {
	/* memory_object_create: the kernel's temporary memory.  Dies at
	 * memory_object_terminate. */
	ORIGIN_KERNEL,
	/* default_pager_object_create: a task holds send rights and may
	 * map it again after the kernel terminated it (GNU Mach returns
	 * the dirty pages before memory_object_terminate), so its pages
	 * stay until the last send right goes (no-senders). */
	ORIGIN_TASK,
};

/*
 * One memory object the pager backs.
 * Owned by: the object table (object.c); the port is the pager's receive
 *   right, a member of the serving port set.
 * Guarded by: nothing (single-threaded pager).
 */
struct pager_object {
	mach_port_t port;    /* the memory object (receive right) */
	mach_port_t control; /* the kernel's control port, or NULL */
	mach_port_t name;    /* the kernel's name port, or NULL */
	uint64_t id;         /* dpo_object for default_pager_objects */
	vm_size_t size;      /* bytes; pages at or past it are refused */
	enum object_origin origin;
	uint32_t first_page; /* head of this object's page list */
	uint32_t pages;      /* page records, lost ones included */
	uint32_t blocks;     /* store blocks held */
	int damaged;         /* a page was dropped for want of room */
	int in_use;
};

#define OBJECT_MAX 512u

/*
 * object_table_init: room for the page records of BLOCKS store blocks
 * (plus a margin for pages lost when the store is full).  Call after the
 * store is up.  Returns KERN_SUCCESS or vm_allocate's error.
 */
kern_return_t object_table_init(uint32_t blocks);
/* A new object for PORT (a receive right already in the port set), or
 * NULL when OBJECT_MAX objects exist. */
struct pager_object *object_new(mach_port_t port, vm_size_t size,
                                enum object_origin origin);
/* The object whose port is PORT, or NULL. */
struct pager_object *object_lookup(mach_port_t port);
/* The object whose kernel name port is NAME, or NULL. */
struct pager_object *object_lookup_name(mach_port_t name);
/* Free every block of OBJ and forget its pages; OBJ stays. */
void object_drop_pages(struct pager_object *obj);
/* Drop OBJ's pages and its slot.  Its ports are the caller's business. */
void object_delete(struct pager_object *obj);
/* Call FN(obj, arg) for every live object. */
void object_each(void (*fn)(struct pager_object *, void *), void *arg);
unsigned object_count(void);

/* What the store holds for page PAGE (byte offset / PAGER_PAGE) of OBJ:
 * PAGE_ABSENT (never written), PAGE_LOST (written but dropped: the store
 * was full) or the block. */
#define PAGE_ABSENT STORE_NO_BLOCK
#define PAGE_LOST   (STORE_NO_BLOCK - 1)
uint32_t object_page_block(struct pager_object *obj, uint32_t page);
/*
 * object_page_store: the block page PAGE of OBJ is to be written to,
 * allocated if the page had none.  Returns PAGE_LOST when the store (or
 * the record pool) is full; the page is then remembered as lost (or OBJ
 * marked damaged), so that reading it back is an error, never stale
 * data.
 */
uint32_t object_page_store(struct pager_object *obj, uint32_t page);
/* Page PAGE of OBJ could not be written: free its block, keep it lost. */
void object_page_lose(struct pager_object *obj, uint32_t page);
/* Offsets (bytes) of OBJ's pages held in the store, at most MAX of them,
 * into OUT; returns how many were written. */
uint32_t object_page_offsets(struct pager_object *obj, vm_offset_t *out,
                             uint32_t max);

/* --- the self-test (selftest.c) ------------------------------------------- */

/* Check the store (which must be of kind WANT_KIND) and the object table
 * in place, printing TAP; leaves both as it found them, empty. */
void pager_selftest(const char *want_kind);

/* --- the serving loop (main.c) ---------------------------------------------
 */

/* The default pager port (receive right) and the port set served. */
extern mach_port_t pager_default_port;
extern mach_port_t pager_port_set;

/* Make PORT (a receive right of ours) one the pager serves. */
kern_return_t pager_serve_port(mach_port_t port);
/* Drop every send right we hold on our own PORT (the kernel moves one to
 * us with memory_object_create and memory_object_terminate). */
void pager_drop_own_sends(mach_port_t port);

#endif
