/*
 * libFuzzer target for the message layer (kernel/ipc): each input is a
 * little program run against two fresh spaces holding ports, a port
 * set, send, send-once and dead names.  Its operations build user
 * messages from the input's bytes (header dispositions and names, typed
 * items short and long, inline and out of line, rights with every
 * disposition, port arrays, out-of-line regions good and bad, sizes
 * right and wrong) and push them through mach_msg's copyin, queueing,
 * receive and copyout; others destroy ports, move them into sets, change
 * queue limits and payloads, or send kernel messages.  Nothing may
 * crash or trip a sanitizer, and after the spaces are gone every slab
 * counter must be back where it started.
 *
 * User memory is one arena (host_copyio_set_user_range): the message
 * buffers and out-of-line sources live in its lower half, and a page
 * allocator over its upper half is the spaces' VM.  Every receive and
 * every send uses timeout 0, so nothing blocks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/copyin.h"
#include "ipc/fastpath.h"
#include "ipc/invariants.h"
#include "ipc/kmsg.h"
#include "ipc/mqueue.h"
#include "ipc/msg.h"
#include "ipc/port_interface.h"
#include "ipc/right.h"
#include "ipc/space.h"
#include "kern/memmap.h"
#include "kern/page_alloc.h"
#include "kern/slab.h"
#include "machine/copyio.h"
#include "machine/memlayout.h"

#define MEM_SIZE   (64UL << 20)
#define ARENA_SIZE (1UL << 20)
#define POOL_PAGES 128 /* the upper half of the arena */
#define MSG_AREA   0x40000UL
#define MSG_MAX    4096
#define RCV_AREA   0x60000UL
#define MAX_OPS    48

static unsigned char *arena;
static bool trace; /* FUZZ_TRACE=1: print each operation (to debug) */

#define TRACE(...)                                                             \
	do {                                                                   \
		if (trace)                                                     \
			fprintf(stderr, __VA_ARGS__);                          \
	} while (0)

/* ---- input ---- */

static const uint8_t *in;
static size_t in_left;

static uint8_t byte(void)
{
	if (in_left == 0)
		return 0;
	in_left--;
	return *in++;
}

static uint32_t u32(void)
{
	uint32_t v = byte();

	v |= (uint32_t)byte() << 8;
	v |= (uint32_t)byte() << 16;
	return v | (uint32_t)byte() << 24;
}

/* ---- the VM: pages of the arena's upper half ---- */

static uint8_t pool_used[POOL_PAGES];

static uintptr_t pool_base(void)
{
	return (uintptr_t)arena + ARENA_SIZE / 2;
}

static kern_return_t pool_allocate(void *ctx, uint64_t size, uint64_t *addr)
{
	uint64_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;

	(void)ctx;
	if (pages == 0 || pages > POOL_PAGES)
		return KERN_NO_SPACE;
	for (uint64_t i = 0; i + pages <= POOL_PAGES; i++) {
		uint64_t j = 0;

		while (j < pages && !pool_used[i + j])
			j++;
		if (j == pages) {
			memset(&pool_used[i], 1, pages);
			*addr = pool_base() + i * PAGE_SIZE;
			return KERN_SUCCESS;
		}
	}
	return KERN_NO_SPACE;
}

static void pool_deallocate(void *ctx, uint64_t addr, uint64_t size)
{
	uintptr_t b = pool_base();

	(void)ctx;
	if (addr < b || addr >= b + POOL_PAGES * PAGE_SIZE || size == 0)
		return; /* not pool memory: nothing to give back */
	for (uint64_t a = addr & ~(PAGE_SIZE - 1);
	     a < addr + size && a < b + POOL_PAGES * PAGE_SIZE; a += PAGE_SIZE)
		pool_used[(a - b) / PAGE_SIZE] = 0;
}

static const struct space_vm_ops pool_ops = {
    .allocate = pool_allocate,
    .deallocate = pool_deallocate,
};

/* ---- the world of one input ---- */

#define NAMES 16

static struct space *spaces[2];
static mach_port_name_t names[2][NAMES];

static mach_port_name_t pick_name(int s)
{
	uint8_t b = byte();

	if (b < 200)
		return names[s][b % NAMES];
	if (b < 230)
		return b & 1 ? MACH_PORT_DEAD : MACH_PORT_NULL;
	return u32();
}

static mach_port_name_t give(int from, mach_port_name_t n,
                             mach_msg_type_name_t disp, int to)
{
	struct ipc_object *o;
	mach_msg_type_name_t t;
	mach_port_name_t out = MACH_PORT_NULL;

	if (right_copyin(spaces[from], n, disp, false, &o, &t) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	if (right_copyout(spaces[to], o, t, &out) != KERN_SUCCESS)
		right_release(o, t);
	return out;
}

static int build_world(void)
{
	for (int s = 0; s < 2; s++) {
		if (space_create(&spaces[s]) != KERN_SUCCESS)
			return -1;
		space_set_vm(spaces[s], &pool_ops, NULL);
		memset(names[s], 0, sizeof(names[s]));
		for (int i = 0; i < 5; i++)
			(void)mach_port_allocate(
			    spaces[s], MACH_PORT_RIGHT_RECEIVE, &names[s][i]);
		(void)mach_port_allocate(spaces[s], MACH_PORT_RIGHT_PORT_SET,
		                         &names[s][5]);
		(void)mach_port_move_member(spaces[s], names[s][1],
		                            names[s][5]);
		(void)mach_port_allocate(spaces[s], MACH_PORT_RIGHT_DEAD_NAME,
		                         &names[s][6]);
	}
	for (int s = 0; s < 2; s++) {
		int o = !s;

		names[s][7] = give(o, names[o][0], MACH_MSG_TYPE_MAKE_SEND, s);
		names[s][8] = give(o, names[o][1], MACH_MSG_TYPE_MAKE_SEND, s);
		names[s][9] =
		    give(o, names[o][2], MACH_MSG_TYPE_MAKE_SEND_ONCE, s);
		names[s][10] = give(o, names[o][3], MACH_MSG_TYPE_MAKE_SEND, s);
		names[s][11] = give(s, names[s][4], MACH_MSG_TYPE_MAKE_SEND, s);
		names[s][12] =
		    give(s, names[s][0], MACH_MSG_TYPE_MAKE_SEND_ONCE, s);
		names[s][13] = 0x4321;
		names[s][14] = names[s][0] + 1;
		names[s][15] = MACH_PORT_NULL;
	}
	/* Port 3 of each space dies: the other's name 10 is a dead one. */
	for (int s = 0; s < 2; s++)
		(void)mach_port_destroy(spaces[s], names[s][3]);
	return 0;
}

/* ---- operations ---- */

static const unsigned dispositions[] = {
    0,
    MACH_MSG_TYPE_MOVE_RECEIVE,
    MACH_MSG_TYPE_MOVE_SEND,
    MACH_MSG_TYPE_MOVE_SEND_ONCE,
    MACH_MSG_TYPE_COPY_SEND,
    MACH_MSG_TYPE_MAKE_SEND,
    MACH_MSG_TYPE_MAKE_SEND_ONCE,
    MACH_MSG_TYPE_PORT_NAME,
};

static unsigned pick_disposition(void)
{
	uint8_t b = byte();

	if (b >= 240)
		return b; /* anything */
	return dispositions[b % ARRAY_SIZE(dispositions)];
}

static const unsigned data_types[] = {
    MACH_MSG_TYPE_BIT,        MACH_MSG_TYPE_INTEGER_16,
    MACH_MSG_TYPE_INTEGER_32, MACH_MSG_TYPE_CHAR,
    MACH_MSG_TYPE_INTEGER_64, MACH_MSG_TYPE_STRING,
    MACH_MSG_TYPE_PORT_NAME,  MACH_MSG_TYPE_PROTECTED_PAYLOAD,
};

/* Write one item at M + *OFF (bounded by MSG_MAX). */
static void build_item(int s, unsigned char *m, size_t *off)
{
	mach_msg_type_t t;
	uint8_t how = byte(), b;
	bool port = how & 1, is_inline = !(how & 2);
	uint64_t bytes;

	memset(&t, 0, sizeof(t));
	t.msgt_inline = is_inline;
	t.msgt_longform = (how & 4) ? 1 : !is_inline;
	t.msgt_deallocate = (how & 0x18) == 0x18;
	if ((how & 0xe0) == 0xe0)
		t.msgt_unused = byte();
	if (port) {
		t.msgt_name = pick_disposition();
		t.msgt_size = is_inline ? 64 : 32;
		if ((how & 0x60) == 0x40)
			t.msgt_size = byte();
		t.msgt_number = byte() % 5;
	} else {
		b = byte();
		t.msgt_name =
		    b < 250 ? data_types[b % ARRAY_SIZE(data_types)] : byte();
		t.msgt_size = (b & 0x40) ? byte() : 8u << (b % 4);
		t.msgt_number = byte();
		if (b > 252)
			t.msgt_number = u32();
	}
	if (*off + sizeof(t) > MSG_MAX)
		return;
	memcpy(m + *off, &t, sizeof(t));
	*off += sizeof(t);

	if (!is_inline) {
		uint64_t ptr;

		b = byte();
		if (port) {
			/* An array of names somewhere in the data area. */
			uint32_t *arr =
			    (uint32_t *)(arena + 0x20000 + (b % 16) * 256);

			for (unsigned i = 0; i < t.msgt_number && i < 64; i++)
				arr[i] = pick_name(s);
			ptr = (uint64_t)(uintptr_t)arr;
		} else {
			ptr = (uint64_t)(uintptr_t)arena + u32() % MSG_AREA;
		}
		if (b >= 240) /* a pointer out of user space, or 0 */
			ptr = b & 1 ? u32() : 0;
		if (*off + 8 > MSG_MAX)
			return;
		memcpy(m + *off, &ptr, 8);
		*off += 8;
		return;
	}
	bytes = ((uint64_t)t.msgt_number * t.msgt_size + 7) / 8;
	if (bytes > MSG_MAX - *off)
		bytes = MSG_MAX - *off;
	if (port) {
		for (uint64_t i = 0; i + 8 <= bytes; i += 8) {
			uint64_t slot = pick_name(s);

			if (byte() > 250)
				slot |= (uint64_t)u32() << 32;
			memcpy(m + *off + i, &slot, 8);
		}
	} else {
		for (uint64_t i = 0; i < bytes; i++)
			m[*off + i] = byte();
	}
	*off += (size_t)((bytes + 7) & ~7ULL);
	if (*off > MSG_MAX)
		*off = MSG_MAX;
}

/*
 * The fast path's message to oneself (ipc_fast_rpc with the destination
 * as the receive name, to_self): the SIZE bytes at M sent to their own
 * remote name and received from it into RSIZE bytes.  It cannot wait:
 * to_self queues nothing it does not take back, what it leaves to the
 * general path is sent with a timeout, and the receive has none to wait
 * for either.
 */
static void op_send_to_self(int s, unsigned char *m, mach_msg_size_t size,
                            mach_msg_size_t rsize)
{
	mach_msg_header_t *h = (mach_msg_header_t *)m;
	mach_port_name_t p = h->msgh_remote_port;
	mach_msg_return_t mr = MACH_MSG_SUCCESS;
	uint8_t b = byte();
	struct kmsg *k;
	unsigned long f;

	/* Mostly the shape it takes: no reply right, room to receive. */
	if (b & 1) {
		h->msgh_bits &= ~MACH_MSGH_BITS_LOCAL_MASK;
		h->msgh_local_port = MACH_PORT_NULL;
	}
	if ((b & 2) && rsize < size)
		rsize = size;
	if (kmsg_get(m, size, &k) != MACH_MSG_SUCCESS)
		return;
	switch (ipc_fast_rpc(spaces[s], k, m, rsize, p, &mr, &f)) {
	case IPC_FAST_DONE:
		TRACE("  to self -> %#x\n", mr);
		return;
	case IPC_FAST_COPIED:
		if (mqueue_send_locked(k, f, MACH_SEND_TIMEOUT, 0, NULL) !=
		    MACH_MSG_SUCCESS)
			kmsg_destroy(k);
		break;
	default:
		kmsg_free(k);
		(void)ipc_mach_msg(spaces[s], (uint64_t)(uintptr_t)m,
		                   MACH_SEND_MSG | MACH_SEND_TIMEOUT, size, 0,
		                   MACH_PORT_NULL, 0, MACH_PORT_NULL);
		break;
	}
	mr = ipc_mach_msg(spaces[s], (uint64_t)(uintptr_t)m,
	                  MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, rsize, p, 0,
	                  MACH_PORT_NULL);
	TRACE("  to self, the general way -> %#x\n", mr);
}

static void op_send(int s)
{
	unsigned char *m = arena + MSG_AREA;
	mach_msg_header_t h;
	size_t off = sizeof(h);
	mach_msg_option_t option = MACH_SEND_MSG | MACH_SEND_TIMEOUT;
	mach_msg_size_t size;
	mach_port_name_t notify = MACH_PORT_NULL;
	uint8_t b = byte();

	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(pick_disposition(), pick_disposition());
	if (b & 1)
		h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	if ((b & 0x6) == 0x6)
		h.msgh_bits |= u32() & ~MACH_MSGH_BITS_PORTS_MASK;
	h.msgh_remote_port = pick_name(s);
	h.msgh_local_port = pick_name(s);
	h.msgh_id = (mach_msg_id_t)u32();
	for (unsigned n = (b >> 3) % 5; n > 0; n--)
		build_item(s, m, &off);
	memcpy(m, &h, sizeof(h));
	size = (mach_msg_size_t)off;
	if ((b & 0xc0) == 0xc0)
		size = byte() < 128 ? size + (byte() % 16) - 8 : u32();
	if (b & 0x20) {
		option |= MACH_SEND_CANCEL;
		notify = pick_name(s);
	}
	if ((b & 0x30) == 0x30)
		option |= MACH_RCV_MSG | MACH_RCV_TIMEOUT;
	{
		mach_msg_size_t rsize = (mach_msg_size_t)(byte() * 16);
		mach_port_name_t rname = pick_name(s);
		mach_msg_return_t mr;

		TRACE("send s%d bits %#x remote %#x local %#x size %u "
		      "opt %#x notify %#x\n",
		      s, h.msgh_bits, h.msgh_remote_port, h.msgh_local_port,
		      size, option, notify);
		for (size_t o = sizeof(h); o + 8 <= off; o += 8)
			TRACE("  %02zx: %016llx\n", o,
			      (unsigned long long)*(uint64_t *)(m + o));
		if ((b & 0x30) == 0x30 && (byte() & 3) == 0) {
			op_send_to_self(s, m, size, rsize);
			return;
		}
		mr = ipc_mach_msg(spaces[s], (uint64_t)(uintptr_t)m, option,
		                  size, rsize, rname, 0, notify);
		TRACE("  -> %#x\n", mr);
	}
}

static void op_receive(int s)
{
	unsigned char *m = arena + RCV_AREA;
	mach_msg_option_t option = MACH_RCV_MSG | MACH_RCV_TIMEOUT;
	mach_port_name_t notify = MACH_PORT_NULL;
	mach_msg_size_t size;
	uint8_t b = byte();

	if (b & 1)
		option |= MACH_RCV_LARGE;
	if (b & 2) {
		option |= MACH_RCV_NOTIFY;
		notify = pick_name(s);
	}
	size = (b & 4) ? (mach_msg_size_t)byte() * 8 : MSG_MAX;
	if ((b & 0x18) == 0x18)
		m = arena + ARENA_SIZE - 16; /* the buffer runs off the end */
	{
		mach_port_name_t from = pick_name(s);
		mach_msg_return_t mr =
		    ipc_mach_msg(spaces[s], (uint64_t)(uintptr_t)m, option, 0,
		                 size, from, 0, notify);

		TRACE("receive s%d from %#x size %u opt %#x -> %#x\n", s, from,
		      size, option, mr);
	}
}

static void op_port(int s)
{
	struct space *sp = spaces[s];
	mach_port_name_t n = pick_name(s), tmp;
	uint8_t what = byte();

	TRACE("port op %u s%d name %#x\n", what % 10, s, n);
	switch (what % 10) {
	case 0:
		(void)mach_port_destroy(sp, n);
		break;
	case 1:
		(void)mach_port_move_member(sp, n, pick_name(s));
		break;
	case 2:
		(void)mach_port_set_qlimit(sp, n, byte() % 7);
		break;
	case 3:
		(void)mach_port_set_protected_payload(sp, n, u32());
		break;
	case 4:
		(void)mach_port_deallocate(sp, n);
		break;
	case 5:
		if (mach_port_allocate(sp, MACH_PORT_RIGHT_RECEIVE, &tmp) ==
		    KERN_SUCCESS)
			names[s][byte() % NAMES] = tmp;
		break;
	case 6:
		tmp = give(s, n, pick_disposition(), !s);
		if (tmp != MACH_PORT_NULL)
			names[!s][byte() % NAMES] = tmp;
		break;
	case 7:
		(void)mach_port_set_seqno(sp, n, u32());
		break;
	case 8:
		(void)mach_port_mod_refs(sp, n, MACH_PORT_RIGHT_SEND,
		                         (int)(byte() % 3) - 1);
		break;
	default:
		(void)mach_port_clear_protected_payload(sp, n);
	}
}

static void op_kernel_send(int s)
{
	struct kmsg *k =
	    kmsg_alloc(sizeof(struct kmsg_header) + 8 * (byte() % 4));
	mach_msg_type_name_t t;

	if (k == NULL)
		return;
	if (right_copyin(spaces[s], pick_name(s), pick_disposition(), true,
	                 &k->hdr.remote, &t) != KERN_SUCCESS) {
		kmsg_free(k);
		return;
	}
	k->hdr.bits = MACH_MSGH_BITS(t, 0);
	k->hdr.id = (mach_msg_id_t)u32();
	TRACE("kernel send s%d type %u\n", s, t);
	(void)ipc_send_kernel(k);
}

/* ---- libFuzzer ---- */

static char *mem;
static struct ipc_baseline baseline;

static void init_once(void)
{
	static struct memmap map;

	mem = aligned_alloc(4UL << 20, MEM_SIZE);
	arena = aligned_alloc(PAGE_SIZE, ARENA_SIZE);
	if (mem == NULL || arena == NULL)
		abort();
	page_alloc_reset_for_tests();
	slab_reset_for_tests();
	memmap_init(&map);
	memmap_add(&map, virt_to_phys(mem), MEM_SIZE, MEMMAP_USABLE);
	memmap_finish(&map);
	page_alloc_init(&map);
	ipc_rights_init();
	ipc_baseline_take(&baseline);
	trace = getenv("FUZZ_TRACE") != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct ipc_check check = {0};

	if (!ready) {
		init_once();
		ready = true;
	}
	in = data;
	in_left = size;
	memset(pool_used, 0, sizeof(pool_used));
	memset(arena, 0, ARENA_SIZE / 2);
	host_copyio_reset();
	host_copyio_set_user_range(arena, ARENA_SIZE);
	if (build_world() != 0)
		abort();
	for (int sp = 0; sp < 2; sp++)
		for (int i = 0; i < NAMES; i++)
			TRACE("s%d name[%d] = %#x\n", sp, i, names[sp][i]);

	for (int ops = 0; ops < MAX_OPS && in_left > 0; ops++) {
		uint8_t op = byte();
		int s = op & 1;

		switch ((op >> 1) % 8) {
		case 0:
		case 1:
		case 2:
			op_send(s);
			break;
		case 3:
		case 4:
			op_receive(s);
			break;
		case 5:
		case 6:
			op_port(s);
			break;
		default:
			op_kernel_send(s);
		}
	}

	if (ipc_check_rights(spaces, 2, false, &check) != 0) {
		fprintf(stderr, "fuzz_ipc_msg: invariant: %s\n", check.first);
		abort();
	}
	for (int s = 0; s < 2; s++) {
		space_terminate(spaces[s]);
		space_release(spaces[s]);
	}
	host_copyio_reset();
	if (ipc_check_baseline(&baseline, &check) != 0) {
		fprintf(stderr, "fuzz_ipc_msg: leak: %s\n", check.first);
		abort();
	}
	return 0;
}
