/*
 * libFuzzer target for the kernel RPC servers (kernel/server, through
 * mach_msg): each input is a run of requests from one task to kernel
 * ports (its own task port, the host, host-priv, device master and
 * console ports, the processor set), with msgh_ids mostly from the
 * served interfaces' ranges, a reply port or none, and bodies of typed
 * items shaped like MIG's (integers, names, strings, rights with every
 * disposition, out-of-line data) with sizes and descriptors right and
 * wrong.  Nothing may crash, hang or trip a sanitizer; every reply is
 * received or dropped; afterwards every task reference the converters
 * took is back and every IPC counter where it started.
 *
 * Console reads never wait: input is queued before each request.
 * host_reboot (id 2635) would end the process, so it is skipped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/invariants.h"
#include "ipc/msg.h"
#include "ipc/port.h"
#include "ipc/port_interface.h"
#include "ipc/right.h"
#include "ipc/space.h"
#include "kern/memmap.h"
#include "kern/page_alloc.h"
#include "kern/slab.h"
#include "machine/copyio.h"
#include "machine/host_test.h"
#include "machine/memlayout.h"
#include "server/kserver.h"
#include "task/task.h"

#define MEM_SIZE     (64UL << 20)
#define MSG_MAX      1024
#define MAX_REQUESTS 24
#define HOST_REBOOT  2635

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

/* ---- the fake task (kernel/task is not in the host build) ---- */

static struct task task;
static struct port *task_port;
static int task_refs;

struct task *task_from_port(struct port *port)
{
	struct task *t = NULL;
	unsigned long f = port_lock(port);

	if (port_active(port) && port->kotype == KOBJECT_TASK) {
		t = port->kobject;
		task_refs++;
	}
	port_unlock(port, f);
	return t;
}

void task_release(struct task *t)
{
	(void)t;
	task_refs--;
}

/* ---- the VM: heap pages, all given back at the end ---- */

#define VM_REGIONS 64

static void *regions[VM_REGIONS];

static kern_return_t vm_allocate_fake(void *ctx, uint64_t size, uint64_t *addr)
{
	(void)ctx;
	if (size == 0 || size > (1u << 20))
		return KERN_NO_SPACE;
	for (unsigned i = 0; i < VM_REGIONS; i++) {
		if (regions[i] == NULL) {
			regions[i] =
			    aligned_alloc(PAGE_SIZE, ALIGN_UP(size, PAGE_SIZE));
			if (regions[i] == NULL)
				return KERN_NO_SPACE;
			*addr = (uint64_t)(uintptr_t)regions[i];
			return KERN_SUCCESS;
		}
	}
	return KERN_NO_SPACE;
}

static void vm_deallocate_fake(void *ctx, uint64_t addr, uint64_t size)
{
	(void)ctx;
	(void)size;
	for (unsigned i = 0; i < VM_REGIONS; i++) {
		if (regions[i] == (void *)(uintptr_t)addr) {
			free(regions[i]);
			regions[i] = NULL;
		}
	}
}

static const struct space_vm_ops vm_ops = {
    .allocate = vm_allocate_fake,
    .deallocate = vm_deallocate_fake,
};

/* ---- the world of one input ---- */

#define NAMES 10

static struct space *space;
static mach_port_name_t names[NAMES]; /* kernel ports first, then own */

static mach_port_name_t send_right(struct port *p)
{
	mach_port_name_t n = MACH_PORT_NULL;

	port_make_send(p);
	if (right_copyout(space, port_object(p), MACH_MSG_TYPE_PORT_SEND, &n) !=
	    KERN_SUCCESS)
		abort();
	return n;
}

static void build_world(void)
{
	if (space_create(&space) != KERN_SUCCESS)
		abort();
	space_set_vm(space, &vm_ops, NULL);
	memset(&task, 0, sizeof(task));
	spin_init(&task.lock, "fuzz.task");
	task.space = space;
	if (port_alloc_kobject(KOBJECT_TASK, &task, &task_port) != KERN_SUCCESS)
		abort();
	names[0] = send_right(task_port);
	names[1] = send_right(host_name_port());
	names[2] = send_right(host_priv_port());
	names[3] = send_right(device_master_port());
	for (int i = 4; i < 7; i++)
		(void)mach_port_allocate(space, MACH_PORT_RIGHT_RECEIVE,
		                         &names[i]);
	(void)mach_port_allocate(space, MACH_PORT_RIGHT_PORT_SET, &names[7]);
	names[8] = MACH_PORT_NULL;
	names[9] = 0x4321;
}

static mach_port_name_t pick_name(void)
{
	uint8_t b = byte();

	return b < 240 ? names[b % NAMES] : u32();
}

/* ---- requests ---- */

/* Subsystem bases of the served interfaces and how many ids each has. */
static const struct {
	mach_msg_id_t base, count;
} ranges[] = {
    {2000, 101}, {3200, 23}, {2600, 48}, {4200, 15}, {4000, 12}, {2800, 15},
};

static mach_msg_id_t pick_id(void)
{
	uint8_t b = byte();

	if (b >= 240)
		return (mach_msg_id_t)u32();
	return ranges[b % ARRAY_SIZE(ranges)].base +
	       byte() % ranges[b % ARRAY_SIZE(ranges)].count;
}

/* One typed item at M + *OFF, shaped like MIG's most of the time. */
static void build_item(unsigned char *m, size_t *off)
{
	static const struct {
		uint8_t name, size;
	} kinds[] = {
	    {MACH_MSG_TYPE_INTEGER_32, 32},
	    {MACH_MSG_TYPE_PORT_NAME, 32},
	    {MACH_MSG_TYPE_INTEGER_64, 64},
	    {MACH_MSG_TYPE_CHAR, 8},
	    {MACH_MSG_TYPE_STRING_C, 8},
	    {MACH_MSG_TYPE_COPY_SEND, 64},
	    {MACH_MSG_TYPE_MAKE_SEND, 64},
	    {MACH_MSG_TYPE_MAKE_SEND_ONCE, 64},
	    {MACH_MSG_TYPE_MOVE_RECEIVE, 64},
	    {MACH_MSG_TYPE_MOVE_SEND, 64},
	};
	mach_msg_type_t t;
	uint8_t k = byte();
	uint8_t shape = byte();
	uint64_t len;

	memset(&t, 0, sizeof(t));
	t.msgt_name = kinds[k % ARRAY_SIZE(kinds)].name;
	t.msgt_size = kinds[k % ARRAY_SIZE(kinds)].size;
	t.msgt_number = shape & 0x80 ? byte() : 1;
	t.msgt_inline = !(shape & 0x40);
	t.msgt_longform = !t.msgt_inline;
	if (shape & 0x20)
		t.msgt_size = byte(); /* wrong sizes too */
	if (*off + sizeof(t) + 8 > MSG_MAX)
		return;
	len = ((uint64_t)t.msgt_number * t.msgt_size + 7) / 8;
	if (!t.msgt_inline) {
		uint64_t addr = 0;
		void *data;

		memcpy(m + *off, &t, sizeof(t));
		*off += sizeof(t);
		if (len > 0 &&
		    vm_allocate_fake(NULL, len, &addr) == KERN_SUCCESS) {
			data = (void *)(uintptr_t)addr;
			for (uint64_t i = 0; i < len; i++)
				((uint8_t *)data)[i] = byte();
			/* Port arrays hold names. */
			if (MACH_MSG_TYPE_PORT_ANY(t.msgt_name))
				for (uint64_t i = 0; i + 4 <= len; i += 4) {
					mach_port_name_t n = pick_name();

					memcpy((char *)data + i, &n, 4);
				}
		}
		memcpy(m + *off, &addr, 8);
		*off += 8;
		return;
	}
	if (*off + sizeof(t) + ALIGN_UP(len, 8) > MSG_MAX)
		return;
	memcpy(m + *off, &t, sizeof(t));
	*off += sizeof(t);
	for (uint64_t i = 0; i < len; i++)
		m[*off + i] = byte();
	if (MACH_MSG_TYPE_PORT_ANY(t.msgt_name) && t.msgt_size == 64)
		for (uint64_t i = 0; i + 8 <= len; i += 8) {
			uint64_t n = pick_name();

			memcpy(m + *off + i, &n, 8);
		}
	*off += ALIGN_UP(len, 8);
}

static void request(void)
{
	static unsigned char m[MSG_MAX] __attribute__((aligned(8)));
	mach_msg_header_t *h = (mach_msg_header_t *)m;
	size_t off = sizeof(*h);
	uint8_t flags = byte(), items = byte() % 6;
	mach_port_name_t reply = MACH_PORT_NULL;
	mach_msg_option_t option = MACH_SEND_MSG | MACH_SEND_TIMEOUT;

	memset(m, 0, sizeof(m));
	h->msgh_remote_port = names[byte() % 4];
	h->msgh_id = pick_id();
	if (h->msgh_id == HOST_REBOOT)
		return;
	if (flags & 1) {
		(void)mach_port_allocate(space, MACH_PORT_RIGHT_RECEIVE,
		                         &reply);
		h->msgh_local_port = reply;
		option |= MACH_RCV_MSG | MACH_RCV_TIMEOUT;
	}
	h->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND,
	                              reply ? MACH_MSG_TYPE_MAKE_SEND_ONCE : 0);
	if (flags & 2)
		h->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	for (uint8_t i = 0; i < items; i++)
		build_item(m, &off);
	if (flags & 4)
		off = ALIGN_UP(off + (byte() & 0x18), 8); /* trailing junk */
	host_console_input("fuzz", 4);
	(void)ipc_mach_msg(space, (uint64_t)(uintptr_t)m, option,
	                   (mach_msg_size_t)off, MSG_MAX, reply, 0,
	                   MACH_PORT_NULL);
	if (reply != MACH_PORT_NULL)
		(void)mach_port_destroy(space, reply);
}

/* ---- the run ---- */

static char *mem;
static struct ipc_baseline baseline;

static void init_once(void)
{
	static struct memmap map;

	mem = aligned_alloc(4UL << 20, MEM_SIZE);
	if (mem == NULL)
		abort();
	page_alloc_reset_for_tests();
	slab_reset_for_tests();
	memmap_init(&map);
	memmap_add(&map, virt_to_phys(mem), MEM_SIZE, MEMMAP_USABLE);
	memmap_finish(&map);
	page_alloc_init(&map);
	ipc_rights_init();
	kserver_init();
	ipc_baseline_take(&baseline);
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
	host_copyio_reset();
	host_console_reset();
	build_world();
	for (int r = 0; r < MAX_REQUESTS && in_left > 0; r++)
		request();
	if (ipc_check_rights(&space, 1, false, &check) != 0) {
		fprintf(stderr, "fuzz_kserver: invariant: %s\n", check.first);
		abort();
	}
	space_terminate(space);
	space_release(space);
	port_destroy_kobject(task_port);
	for (unsigned i = 0; i < VM_REGIONS; i++) {
		free(regions[i]);
		regions[i] = NULL;
	}
	host_console_reset();
	if (task_refs != 0) {
		fprintf(stderr, "fuzz_kserver: %d task references kept\n",
		        task_refs);
		abort();
	}
	if (ipc_check_baseline(&baseline, &check) != 0) {
		fprintf(stderr, "fuzz_kserver: leak: %s\n", check.first);
		abort();
	}
	return 0;
}
