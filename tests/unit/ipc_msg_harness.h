/*
 * Shared fixture of the message-layer unit tests (test_ipc_msg*.c): a
 * fresh page allocator and IPC for each test, two spaces (the "sender"
 * and the "receiver" task) with a fake VM for out-of-line memory, user
 * message buffers, and the leak check every test ends with: each slab
 * cache's live count back where it was after ipc_rights_init, and every
 * region the fake VM handed out given back.
 */
#ifndef IPC_MSG_HARNESS_H
#define IPC_MSG_HARNESS_H

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <mach/notify.h>

#include "ipc/kmsg.h"
#include "ipc/msg.h"
#include "ipc/port.h"
#include "ipc/port_interface.h"
#include "ipc/pset.h"
#include "ipc/right.h"
#include "ipc/space.h"
#include "kern/clock.h"
#include "kern/memmap.h"
#include "kern/page_alloc.h"
#include "kern/slab.h"
#include "machine/copyio.h"
#include "machine/host_test.h"
#include "machine/host_thread.h"

#if __has_include("ipc/invariants.h")
#include "ipc/invariants.h"
#define HAVE_IPC_INVARIANTS 1
#endif

/* Not every test file uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

#define MiB        (1024UL * 1024)
#define MEM_SIZE   (64 * MiB)
#define MEM_ALIGN  (4 * MiB)
#define MAX_CACHES 64
#define MS         1000000ULL

/* ---- the fake VM: page-aligned heap regions, tracked ---- */

#define VM_REGIONS 256

struct fake_vm {
	pthread_mutex_t lock;
	struct {
		uint64_t addr, size;
	} region[VM_REGIONS];
	unsigned allocs, deallocs, failing;
	uint64_t last_dealloc_addr, last_dealloc_size;
	atomic_uint direct_copies; /* bodies copy_direct wrote in here */
	atomic_bool refuse_direct; /* copy_direct says no */
};

static struct fake_vm vm_a, vm_b;

static kern_return_t fake_allocate(void *ctx, uint64_t size, uint64_t *addr)
{
	struct fake_vm *vm = ctx;
	kern_return_t kr = KERN_NO_SPACE;

	pthread_mutex_lock(&vm->lock);
	if (vm->failing) {
		vm->failing--;
		goto out;
	}
	for (unsigned i = 0; i < VM_REGIONS; i++) {
		if (vm->region[i].addr == 0) {
			void *p =
			    aligned_alloc(PAGE_SIZE, ALIGN_UP(size, PAGE_SIZE));

			if (p == NULL)
				goto out;
			memset(p, 0xa5, size);
			vm->region[i].addr = (uint64_t)(uintptr_t)p;
			vm->region[i].size = size;
			vm->allocs++;
			*addr = vm->region[i].addr;
			kr = KERN_SUCCESS;
			goto out;
		}
	}
out:
	pthread_mutex_unlock(&vm->lock);
	return kr;
}

/* Frees the region containing ADDR (regions are whole: tests deallocate
 * what they were given). */
static void fake_deallocate(void *ctx, uint64_t addr, uint64_t size)
{
	struct fake_vm *vm = ctx;

	pthread_mutex_lock(&vm->lock);
	vm->deallocs++;
	vm->last_dealloc_addr = addr;
	vm->last_dealloc_size = size;
	for (unsigned i = 0; i < VM_REGIONS; i++) {
		uint64_t a = vm->region[i].addr;

		if (a != 0 && addr >= a && addr < a + vm->region[i].size) {
			free((void *)(uintptr_t)a);
			vm->region[i].addr = 0;
			break;
		}
	}
	pthread_mutex_unlock(&vm->lock);
}

/* The fast path's one copy between two "address spaces": this process
 * (spinlocks may be held: no mutex). */
static bool fake_copy_direct(void *ctx, uint64_t dst, void *src_ctx,
                             uint64_t src, uint64_t size)
{
	struct fake_vm *vm = ctx;

	(void)src_ctx;
	if (atomic_load(&vm->refuse_direct))
		return false;
	memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, size);
	atomic_fetch_add(&vm->direct_copies, 1);
	return true;
}

static const struct space_vm_ops fake_vm_ops = {
    .allocate = fake_allocate,
    .deallocate = fake_deallocate,
    .copy_direct = fake_copy_direct,
};

/* A region of the fake VM, for a test's own out-of-line data. */
static void *vm_region(struct fake_vm *vm, uint64_t size)
{
	uint64_t addr = 0;

	assert_int_equal(fake_allocate(vm, size, &addr), KERN_SUCCESS);
	return (void *)(uintptr_t)addr;
}

static unsigned vm_live(struct fake_vm *vm)
{
	unsigned n = 0;

	for (unsigned i = 0; i < VM_REGIONS; i++)
		n += vm->region[i].addr != 0;
	return n;
}

static void vm_reset(struct fake_vm *vm)
{
	for (unsigned i = 0; i < VM_REGIONS; i++)
		if (vm->region[i].addr != 0)
			free((void *)(uintptr_t)vm->region[i].addr);
	memset(vm, 0, sizeof(*vm));
	pthread_mutex_init(&vm->lock, NULL);
}

/* ---- the fixture ---- */

static char *mem;
static struct memmap map;
static struct space *sa, *sb; /* sender and receiver */

static struct {
	struct slab_cache *cache;
	uint64_t live;
} base[MAX_CACHES];
static unsigned nbase;

static void snapshot(struct slab_cache *cache, void *arg)
{
	(void)arg;
	if (nbase < MAX_CACHES) {
		base[nbase].cache = cache;
		base[nbase].live = cache->live;
		nbase++;
	}
}

static int setup(void **state)
{
	(void)state;
	mem = aligned_alloc(MEM_ALIGN, MEM_SIZE);
	if (mem == NULL)
		return -1;
	page_alloc_reset_for_tests();
	slab_reset_for_tests();
	memmap_init(&map);
	memmap_add(&map, virt_to_phys(mem), MEM_SIZE, MEMMAP_USABLE);
	memmap_finish(&map);
	page_alloc_init(&map);
	ipc_rights_init();
	host_copyio_reset();
	vm_reset(&vm_a);
	vm_reset(&vm_b);
	nbase = 0;
	slab_cache_foreach(snapshot, NULL);
	if (space_create(&sa) != KERN_SUCCESS ||
	    space_create(&sb) != KERN_SUCCESS)
		return -1;
	space_set_vm(sa, &fake_vm_ops, &vm_a);
	space_set_vm(sb, &fake_vm_ops, &vm_b);
	return 0;
}

static void reap(struct slab_cache *cache, void *arg)
{
	(void)arg;
	slab_cache_reap(cache);
}

/* The leak check (reports rather than asserts, so that it always frees
 * everything and a failed test cannot spoil the next). */
static int teardown(void **state)
{
	bool ok = true;

	(void)state;
	host_copyio_reset();
	if (!intr_enabled()) {
		/* A lock released out of order left "interrupts" masked. */
		print_error("interrupts left masked\n");
		intr_enable();
		ok = false;
	}
#ifdef HAVE_IPC_INVARIANTS
	/* The right layer's invariants, with both spaces still alive. */
	ok &= ipc_check_invariants() == 0;
#endif
	if (sa != NULL) {
		space_terminate(sa);
		space_release(sa);
	}
	if (sb != NULL) {
		space_terminate(sb);
		space_release(sb);
	}
	sa = sb = NULL;
	kmsg_spares_drain(); /* kept for reuse: not leaked */
	slab_cache_foreach(reap, NULL);
	for (unsigned i = 0; i < nbase; i++) {
		if (base[i].cache->live != base[i].live) {
			print_error("cache %s: %ld objects leaked\n",
			            base[i].cache->name,
			            (long)(base[i].cache->live - base[i].live));
			ok = false;
		}
	}
	if (vm_live(&vm_a) + vm_live(&vm_b) != 0) {
		print_error("%u fake VM regions not given back\n",
		            vm_live(&vm_a) + vm_live(&vm_b));
		ok = false;
	}
	vm_reset(&vm_a);
	vm_reset(&vm_b);
	slab_reset_for_tests();
	page_alloc_reset_for_tests();
	free(mem);
	return ok ? 0 : -1;
}

/* ---- user messages ---- */

/* A message with up to eight typed items, and room to spare. */
struct umsg {
	mach_msg_header_t h;
	uint64_t body[62];
};

/* Append an item (descriptor + data words) to M at word *AT. */
static void add_item(struct umsg *m, unsigned *at, mach_msg_type_t t,
                     const void *data, size_t bytes)
{
	memcpy(&m->body[*at], &t, sizeof(t));
	(*at)++;
	if (bytes != 0)
		memcpy(&m->body[*at], data, bytes);
	*at += (unsigned)((bytes + 7) / 8);
}

static mach_msg_type_t type_of(unsigned name, unsigned size, unsigned number,
                               bool is_inline)
{
	mach_msg_type_t t;

	memset(&t, 0, sizeof(t));
	t.msgt_name = name;
	t.msgt_size = size;
	t.msgt_number = number;
	t.msgt_inline = is_inline;
	t.msgt_longform = !is_inline;
	return t;
}

static mach_msg_type_t *item_at(struct umsg *m, unsigned word)
{
	return (mach_msg_type_t *)&m->body[word];
}

static void header(struct umsg *m, mach_port_name_t remote, unsigned rbits,
                   mach_port_name_t local, unsigned lbits, mach_msg_size_t size)
{
	memset(m, 0, sizeof(*m));
	m->h.msgh_bits = MACH_MSGH_BITS(rbits, lbits);
	m->h.msgh_size = size;
	m->h.msgh_remote_port = remote;
	m->h.msgh_local_port = local;
	m->h.msgh_id = 777;
}

static mach_msg_size_t body_size(unsigned words)
{
	return (mach_msg_size_t)(sizeof(mach_msg_header_t) + 8 * words);
}

static mach_msg_return_t send_opts(struct space *s, struct umsg *m,
                                   mach_msg_option_t extra,
                                   mach_msg_timeout_t timeout)
{
	return ipc_mach_msg(s, (uint64_t)(uintptr_t)m, MACH_SEND_MSG | extra,
	                    m->h.msgh_size, 0, MACH_PORT_NULL, timeout,
	                    MACH_PORT_NULL);
}

/* Send with timeout 0 (never blocks). */
static mach_msg_return_t msend(struct space *s, struct umsg *m)
{
	return send_opts(s, m, MACH_SEND_TIMEOUT, 0);
}

static mach_msg_return_t recv_opts(struct space *s, struct umsg *m,
                                   mach_port_name_t from, mach_msg_size_t size,
                                   mach_msg_option_t extra,
                                   mach_msg_timeout_t timeout)
{
	return ipc_mach_msg(s, (uint64_t)(uintptr_t)m, MACH_RCV_MSG | extra, 0,
	                    size, from, timeout, MACH_PORT_NULL);
}

/* Receive with timeout 0 into a full-size buffer. */
static mach_msg_return_t mrecv(struct space *s, struct umsg *m,
                               mach_port_name_t from)
{
	memset(m, 0, sizeof(*m));
	return recv_opts(s, m, from, sizeof(*m), MACH_RCV_TIMEOUT, 0);
}

/* ---- rights ---- */

static mach_port_name_t new_port(struct space *s)
{
	mach_port_name_t n = MACH_PORT_NULL;

	assert_int_equal(mach_port_allocate(s, MACH_PORT_RIGHT_RECEIVE, &n),
	                 KERN_SUCCESS);
	return n;
}

static mach_port_name_t new_set(struct space *s)
{
	mach_port_name_t n = MACH_PORT_NULL;

	assert_int_equal(mach_port_allocate(s, MACH_PORT_RIGHT_PORT_SET, &n),
	                 KERN_SUCCESS);
	return n;
}

static mach_port_type_t type_of_name(struct space *s, mach_port_name_t n)
{
	mach_port_type_t t = 0;

	if (mach_port_type(s, n, &t) != KERN_SUCCESS)
		return 0;
	return t & ~MACH_PORT_TYPE_DNREQUEST;
}

static mach_port_urefs_t refs(struct space *s, mach_port_name_t n,
                              mach_port_right_t r)
{
	mach_port_urefs_t u = 0;

	if (mach_port_get_refs(s, n, r, &u) != KERN_SUCCESS)
		return (mach_port_urefs_t)-1;
	return u;
}

static mach_port_status_t status(struct space *s, mach_port_name_t n)
{
	mach_port_status_t st;

	memset(&st, 0, sizeof(st));
	assert_int_equal(mach_port_get_receive_status(s, n, &st), KERN_SUCCESS);
	return st;
}

/* Give space TO a right of DISPOSITION to the port NAME names in FROM,
 * under the name it chooses (the way a message would). */
static mach_port_name_t give_right(struct space *from, mach_port_name_t name,
                                   mach_msg_type_name_t disposition,
                                   struct space *to)
{
	struct ipc_object *o;
	mach_msg_type_name_t t;
	mach_port_name_t n;

	assert_int_equal(right_copyin(from, name, disposition, false, &o, &t),
	                 KERN_SUCCESS);
	assert_int_equal(right_copyout(to, o, t, &n), KERN_SUCCESS);
	return n;
}

/* The port a name denotes, for white-box checks. */
static struct port *port_of(struct space *s, mach_port_name_t n)
{
	unsigned long f = space_lock(s);
	struct space_entry *e = space_lookup(s, n);
	struct port *p = e != NULL ? port_from_object(e->object) : NULL;

	space_unlock(s, f);
	return p;
}

/* A message to P with a MAKE_SEND_ONCE reply to R and a send right to Q
 * in its body: 32 + 16 bytes. */
static inline void loaded_message(struct umsg *m, mach_port_name_t p,
                                  mach_port_name_t r, mach_port_name_t q)
{
	unsigned at = 0;
	uint64_t slot = q;

	header(m, p, MACH_MSG_TYPE_MAKE_SEND, r, MACH_MSG_TYPE_MAKE_SEND_ONCE,
	       body_size(2));
	m->h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	add_item(m, &at, type_of(MACH_MSG_TYPE_MAKE_SEND, 64, 1, true), &slot,
	         8);
}

#endif
