/*
 * Mapped time (server/mapped_time.h): one kernel page holding a
 * mapped_time_value_t, rewritten at every clock tick of the boot CPU,
 * that tasks map read-only (device_map on "time", then vm_map) and read
 * without a system call.  The page belongs to a VM object that nothing
 * ever releases, so it is never freed; mappings that would write it get
 * a copy instead (task/vm_rpc.c), so user space cannot corrupt it.
 */
#include <mach/time_value.h>

#include "kern/clock.h"
#include "kern/page_alloc.h"
#include "kern/spinlock.h"
#include "kern/string.h"
#include "mach_host_server.h"
#include "server/kobjects.h"
#include "server/mapped_time.h"
#include "vm/object.h"

/*
 * The time device's memory objects.
 * Owned by: the kernel, for ever (made on first use, never released).
 * Guarded by: lock for the making; fixed once `ready` is set (a release
 *   store, read with acquire), except the page's contents: written by the
 *   tick alone, read by anyone with the check_seconds protocol.
 */
static struct {
	spinlock_t lock;
	bool ready;
	struct vm_object *clock_object; /* offset 0: holds the clock page */
	struct vm_object *void_object;  /* every other offset: no page */
	struct port *clock_port, *void_port; /* KOBJECT_MEMORY_OBJECT */
	volatile mapped_time_value_t *page;
} mt = {.lock = SPINLOCK_INIT("mapped_time")};

/* Store-store order for the readers' retry protocol. */
static void write_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__asm__ volatile("" ::: "memory");
}

/*
 * The tick: readers read the seconds, then the fraction, then compare
 * the seconds with their check copy.  So the check copy is stored first
 * and the seconds last: a reader that saw a half-written value finds the
 * two seconds different and reads again.  The 64-bit values go before
 * the 32-bit ones, so a reader of both never sees the 32-bit seconds
 * ahead of the 64-bit ones.
 */
static void mapped_time_tick(void)
{
	volatile mapped_time_value_t *p = mt.page;
	time_value64_t now, up;

	if (kserver_host_get_time64(&kserver_host, &now) != KERN_SUCCESS ||
	    kserver_host_get_uptime64(&kserver_host, &up) != KERN_SUCCESS)
		return;
	p->check_seconds64 = now.seconds;
	write_barrier();
	p->time_value.nanoseconds = now.nanoseconds;
	write_barrier();
	p->time_value.seconds = now.seconds;
	write_barrier();
	p->check_upseconds64 = up.seconds;
	write_barrier();
	p->uptime_value.nanoseconds = up.nanoseconds;
	write_barrier();
	p->uptime_value.seconds = up.seconds;
	write_barrier();
	p->check_seconds = (integer_t)now.seconds;
	write_barrier();
	p->microseconds = (integer_t)(now.nanoseconds / 1000);
	write_barrier();
	p->seconds = (integer_t)now.seconds;
}

/* Make the objects, their ports and the page.  mt.lock held. */
static kern_return_t mapped_time_make(void)
{
	struct page *pg = NULL;

	mt.clock_object = vm_object_create(PAGE_SIZE);
	mt.void_object = vm_object_create(0);
	/* The clock page is the tick's: never paged out. */
	if (mt.clock_object != NULL)
		mt.clock_object->shared_in_place = true;
	if (mt.clock_object == NULL || mt.void_object == NULL ||
	    vm_object_page_alloc(mt.clock_object, 0, true, &pg) !=
	        KERN_SUCCESS ||
	    kserver_alloc_port(KOBJECT_MEMORY_OBJECT, mt.clock_object,
	                       &mt.clock_port) != KERN_SUCCESS ||
	    kserver_alloc_port(KOBJECT_MEMORY_OBJECT, mt.void_object,
	                       &mt.void_port) != KERN_SUCCESS) {
		kserver_free_port(&mt.clock_port);
		kserver_free_port(&mt.void_port);
		if (mt.clock_object != NULL)
			vm_object_release(mt.clock_object);
		if (mt.void_object != NULL)
			vm_object_release(mt.void_object);
		mt.clock_object = mt.void_object = NULL;
		return KERN_RESOURCE_SHORTAGE;
	}
	mt.page = page_to_virt(pg);
	mapped_time_tick();
	clock_set_tick_hook(mapped_time_tick);
	__atomic_store_n(&mt.ready, true, __ATOMIC_RELEASE);
	return KERN_SUCCESS;
}

kern_return_t mapped_time_object(uint64_t offset, struct port **out)
{
	kern_return_t kr = KERN_SUCCESS;

	if (!__atomic_load_n(&mt.ready, __ATOMIC_ACQUIRE)) {
		unsigned long f = spin_lock(&mt.lock);

		if (!mt.ready)
			kr = mapped_time_make();
		spin_unlock(&mt.lock, f);
		if (kr != KERN_SUCCESS)
			return kr;
	}
	*out = kserver_send_right(offset == 0 ? mt.clock_port : mt.void_port);
	return KERN_SUCCESS;
}
