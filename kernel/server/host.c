/*
 * mach_host.defs: the host, its one processor set and its processors.
 * The routines that need the scheduler's or the task layer's internals
 * (assignments, priorities, policies, task and thread lists) are in
 * unimplemented.c.  Also the making of the host, set and processor
 * ports at boot.
 */
#include <mach/host_info.h>
#include <mach/machine.h>
#include <mach/processor_info.h>

#include "ipc/kmsg.h"
#include "kern/clock.h"
#include "kern/page_alloc.h"
#include "kern/percpu.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "mach_host_server.h"
#include "machine/cpu.h"
#include "machine/memlayout.h"
#include "server/kobjects.h"

/* <sys/reboot.h>'s values, which gnumach-dev does not ship. */
#define RB_HALT     0x08
#define RB_DEBUGGER 0x1000

/* What the scheduler gives: GNU Mach's numbers for a timesharing set. */
#define SCHED_MIN_TIMEOUT_MS   10
#define SCHED_MIN_QUANTUM_MS   10
#define SCHED_POLICY_TIMESHARE 1
#define SCHED_MAX_PRIORITY     25 /* BASEPRI_USER */

#define NS_PER_SEC 1000000000ULL
#define NS_PER_US  1000ULL

struct khost kserver_host;
struct processor_set kserver_pset;

/* The tasks and threads there are (kernel/task); absent in host builds. */
__attribute__((weak)) void kserver_count_tasks(unsigned *tasks,
                                               unsigned *threads);
struct processor kserver_processors[MAX_CPUS];

/*
 * The wall clock: the monotonic clock plus an offset that host_set_time
 * moves.  It starts at the real-time clock's date (the epoch on a machine
 * without one, and in the host build).  Guarded by: atomic access.
 */
static _Atomic int64_t wall_offset_ns;

static int64_t wall_offset_at_boot(void)
{
	int64_t rtc = machine_rtc_seconds();

	return rtc > 0 ? rtc * (int64_t)NS_PER_SEC - (int64_t)clock_now_ns()
	               : 0;
}

/*
 * The CPUs running now (the others start after kserver_init, with the
 * first task), in slot order: their processors into OUT (may be NULL).
 * Every possible CPU has its processor port from boot on; only running
 * ones are reported.  Returns how many (at least the boot CPU).
 */
static unsigned cpus_online(struct processor **out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (!percpu_area[i].online && !(i == 0 && n == 0))
			continue;
		if (out != NULL)
			out[n] = &kserver_processors[i];
		n++;
	}
	return n;
}

kern_return_t kserver_host_init(void)
{
	kern_return_t kr;

	memset(&kserver_host, 0, sizeof(kserver_host));
	memset(&kserver_pset, 0, sizeof(kserver_pset));
	memset(kserver_processors, 0, sizeof(kserver_processors));
	kserver_pset.policies = SCHED_POLICY_TIMESHARE;
	kserver_pset.max_priority = SCHED_MAX_PRIORITY;
	kserver_host.boot_ns = clock_now_ns();
	wall_offset_ns = wall_offset_at_boot();
	kr = kserver_alloc_port(KOBJECT_HOST, &kserver_host,
	                        &kserver_host.name_port);
	if (kr == KERN_SUCCESS)
		kr = kserver_alloc_port(KOBJECT_HOST_PRIV, &kserver_host,
		                        &kserver_host.priv_port);
	if (kr == KERN_SUCCESS)
		kr = kserver_alloc_port(KOBJECT_PSET, &kserver_pset,
		                        &kserver_pset.self);
	if (kr == KERN_SUCCESS)
		kr = kserver_alloc_port(KOBJECT_PSET_NAME, &kserver_pset,
		                        &kserver_pset.name_port);
	for (unsigned i = 0; kr == KERN_SUCCESS && i < MAX_CPUS; i++) {
		kserver_processors[i].slot = i;
		kr = kserver_alloc_port(KOBJECT_PROCESSOR,
		                        &kserver_processors[i],
		                        &kserver_processors[i].self);
	}
	return kr;
}

void kserver_host_fini(void)
{
	for (unsigned i = 0; i < MAX_CPUS; i++)
		kserver_free_port(&kserver_processors[i].self);
	kserver_free_port(&kserver_pset.name_port);
	kserver_free_port(&kserver_pset.self);
	kserver_free_port(&kserver_host.priv_port);
	kserver_free_port(&kserver_host.name_port);
}

/*
 * A port array for a reply (an out-of-line PORT_SEND item in kernel
 * form: a kbuf array of 8-byte slots) holding a send right to each of
 * the N ports PORTS.
 */
static kern_return_t port_array(struct port *const *ports, unsigned n,
                                ipc_port_t **out, mach_msg_type_number_t *count)
{
	ipc_port_t *array = kbuf_alloc((size_t)n * sizeof(*array));

	if (array == NULL)
		return KERN_RESOURCE_SHORTAGE;
	for (unsigned i = 0; i < n; i++)
		array[i] = kserver_send_right(ports[i]);
	*out = array;
	*count = n;
	return KERN_SUCCESS;
}

/* Copy COUNT integers of INFO out if the caller's array holds them. */
static kern_return_t info_out(const void *info, mach_msg_type_number_t count,
                              integer_t *out, mach_msg_type_number_t *cnt)
{
	if (*cnt < count)
		return KERN_FAILURE;
	memcpy(out, info, count * sizeof(integer_t));
	*cnt = count;
	return KERN_SUCCESS;
}

/* ---- the host ---- */

kern_return_t kserver_host_info(host_t host, int flavor, host_info_t info,
                                mach_msg_type_number_t *cnt)
{
	if (host == NULL)
		return KERN_INVALID_ARGUMENT; /* GNU Mach's answer here */
	switch (flavor) {
	case HOST_BASIC_INFO: {
		struct page_alloc_stats st;
		host_basic_info_data_t b;

		page_alloc_get_stats(&st);
		memset(&b, 0, sizeof(b));
		b.max_cpus = MAX_CPUS;
		b.avail_cpus = (integer_t)cpus_online(NULL);
		b.memory_size = st.managed_pages * PAGE_SIZE;
		b.cpu_type = CPU_TYPE_X86_64;
		b.cpu_subtype = CPU_SUBTYPE_AT386;
		return info_out(&b, HOST_BASIC_INFO_COUNT, info, cnt);
	}
	case HOST_PROCESSOR_SLOTS: {
		struct processor *procs[MAX_CPUS];
		integer_t slots[MAX_CPUS];
		unsigned n = cpus_online(procs);

		if (*cnt == 0)
			return KERN_INVALID_ARGUMENT; /* as GNU Mach */
		for (unsigned i = 0; i < n; i++)
			slots[i] = (integer_t)procs[i]->slot;
		return info_out(slots, n, info, cnt);
	}
	case HOST_SCHED_INFO: {
		host_sched_info_data_t s = {
		    .min_timeout = SCHED_MIN_TIMEOUT_MS,
		    .min_quantum = SCHED_MIN_QUANTUM_MS,
		};

		return info_out(&s, HOST_SCHED_INFO_COUNT, info, cnt);
	}
	case HOST_LOAD_INFO: {
		/* No load accounting yet: an idle machine. */
		host_load_info_data_t l;

		memset(&l, 0, sizeof(l));
		for (unsigned i = 0; i < 3; i++)
			l.mach_factor[i] =
			    (integer_t)(cpus_online(NULL) * LOAD_SCALE);
		return info_out(&l, HOST_LOAD_INFO_COUNT, info, cnt);
	}
	default:
		return KERN_INVALID_ARGUMENT;
	}
}

/* "Mach_R VERSION (git REV)", the same string the boot banner shows. */
static void kernel_version(char *buf, size_t size)
{
#ifndef MACHR_VERSION
#define MACHR_VERSION "unknown"
#endif
#ifndef MACHR_GIT_REV
#define MACHR_GIT_REV "none"
#endif
	ksnprintf(buf, size, "Mach_R %s (git %s)\n", MACHR_VERSION,
	          MACHR_GIT_REV);
}

kern_return_t kserver_host_get_kernel_version(host_t host,
                                              kernel_version_t version)
{
	if (host == NULL)
		return KERN_INVALID_HOST;
	kernel_version(version, sizeof(kernel_version_t));
	return KERN_SUCCESS;
}

/* The wall clock now, in nanoseconds since the epoch, as seconds and
 * nanoseconds. */
static kern_return_t get_wall(host_t host, int64_t *sec, int64_t *ns)
{
	int64_t now = (int64_t)clock_now_ns() + wall_offset_ns;

	if (host == NULL)
		return KERN_INVALID_HOST;
	*sec = now / (int64_t)NS_PER_SEC;
	*ns = now % (int64_t)NS_PER_SEC;
	return KERN_SUCCESS;
}

/* Set the wall clock to SEC seconds and NS (< 10^9) nanoseconds. */
static kern_return_t set_wall(host_t host_priv, int64_t sec, int64_t ns)
{
	if (host_priv == NULL)
		return KERN_INVALID_HOST;
	if (ns < 0 || ns >= (int64_t)NS_PER_SEC)
		return KERN_INVALID_ARGUMENT;
	wall_offset_ns =
	    sec * (int64_t)NS_PER_SEC + ns - (int64_t)clock_now_ns();
	return KERN_SUCCESS;
}

kern_return_t kserver_host_get_time(host_t host, time_value_t *now)
{
	int64_t sec = 0, ns = 0;
	kern_return_t kr = get_wall(host, &sec, &ns);

	now->seconds = sec;
	now->microseconds = (integer_t)(ns / (int64_t)NS_PER_US);
	return kr;
}

kern_return_t kserver_host_get_time64(host_t host, time_value64_t *now)
{
	return get_wall(host, &now->seconds, &now->nanoseconds);
}

kern_return_t kserver_host_get_uptime64(host_t host, time_value64_t *uptime)
{
	uint64_t ns;

	if (host == NULL)
		return KERN_INVALID_HOST;
	ns = clock_now_ns() - kserver_host.boot_ns;
	uptime->seconds = (int64_t)(ns / NS_PER_SEC);
	uptime->nanoseconds = (int64_t)(ns % NS_PER_SEC);
	return KERN_SUCCESS;
}

kern_return_t kserver_host_set_time(host_t host_priv, time_value_t new_time)
{
	if (new_time.microseconds < 0 ||
	    new_time.microseconds >= (integer_t)TIME_MICROS_MAX)
		return host_priv == NULL ? KERN_INVALID_HOST
		                         : KERN_INVALID_ARGUMENT;
	return set_wall(host_priv, new_time.seconds,
	                (int64_t)new_time.microseconds * (int64_t)NS_PER_US);
}

kern_return_t kserver_host_set_time64(host_t host_priv, time_value64_t new_time)
{
	return set_wall(host_priv, new_time.seconds, new_time.nanoseconds);
}

kern_return_t kserver_host_reboot(host_t host_priv, int options)
{
	if (host_priv == NULL)
		return KERN_INVALID_HOST;
	if (options & RB_DEBUGGER)
		return KERN_INVALID_ARGUMENT; /* no kernel debugger */
	/* Halting and rebooting both end the machine (under tools/machr-run
	 * QEMU exits, as GNU Mach's reboot does with -no-reboot). */
	kprintf("Mach_R: %s requested by host_reboot\n",
	        (options & RB_HALT) ? "halt" : "reboot");
	machine_poweroff(0);
}

/* ---- processor sets and processors ---- */

kern_return_t kserver_processor_set_default(host_t host,
                                            processor_set_t *default_set)
{
	if (host == NULL)
		return KERN_INVALID_ARGUMENT; /* GNU Mach's answer here */
	*default_set = &kserver_pset;
	return KERN_SUCCESS;
}

kern_return_t
kserver_host_processor_sets(host_t host,
                            processor_set_name_array_t *processor_sets,
                            mach_msg_type_number_t *count)
{
	if (host == NULL)
		return KERN_INVALID_ARGUMENT; /* GNU Mach's answer here */
	return port_array(&kserver_pset.name_port, 1, processor_sets, count);
}

kern_return_t kserver_host_processor_set_priv(host_t host_priv,
                                              processor_set_t set_name,
                                              processor_set_t *set)
{
	if (host_priv == NULL)
		return KERN_INVALID_ARGUMENT; /* GNU Mach's answer here */
	if (set_name == NULL)
		return KERN_INVALID_ARGUMENT;
	*set = set_name;
	return KERN_SUCCESS;
}

kern_return_t kserver_processor_set_info(processor_set_t set, int flavor,
                                         host_t *host,
                                         processor_set_info_t info,
                                         mach_msg_type_number_t *cnt)
{
	if (set == NULL)
		return KERN_INVALID_ARGUMENT;
	*host = &kserver_host;
	switch (flavor) {
	case PROCESSOR_SET_BASIC_INFO: {
		processor_set_basic_info_data_t b;

		unsigned tasks = 0, threads = 0;

		/* Loads are not kept: 0, and so is the mach factor, as GNU
		 * Mach reports on an idle machine. */
		memset(&b, 0, sizeof(b));
		b.processor_count = (integer_t)cpus_online(NULL);
		if (kserver_count_tasks)
			kserver_count_tasks(&tasks, &threads);
		b.task_count = (integer_t)tasks;
		b.thread_count = (integer_t)threads;
		return info_out(&b, PROCESSOR_SET_BASIC_INFO_COUNT, info, cnt);
	}
	case PROCESSOR_SET_SCHED_INFO: {
		processor_set_sched_info_data_t s = {
		    .policies = set->policies,
		    .max_priority = set->max_priority,
		};

		return info_out(&s, PROCESSOR_SET_SCHED_INFO_COUNT, info, cnt);
	}
	default:
		return KERN_INVALID_ARGUMENT;
	}
}

kern_return_t kserver_host_processors(host_t host_priv, processor_array_t *list,
                                      mach_msg_type_number_t *count)
{
	struct processor *procs[MAX_CPUS];
	struct port *ports[MAX_CPUS];
	unsigned n;

	if (host_priv == NULL)
		return KERN_INVALID_ARGUMENT; /* GNU Mach's answer here */
	n = cpus_online(procs);
	for (unsigned i = 0; i < n; i++)
		ports[i] = procs[i]->self;
	return port_array(ports, n, list, count);
}

kern_return_t kserver_processor_info(processor_t processor, int flavor,
                                     host_t *host, processor_info_t info,
                                     mach_msg_type_number_t *cnt)
{
	processor_basic_info_data_t b;

	if (processor == NULL)
		return KERN_INVALID_ARGUMENT;
	if (flavor != PROCESSOR_BASIC_INFO)
		return KERN_FAILURE; /* GNU Mach's answer for a flavor */
	*host = &kserver_host;
	memset(&b, 0, sizeof(b));
	b.cpu_type = CPU_TYPE_X86_64;
	b.cpu_subtype = CPU_SUBTYPE_AT386;
	b.running = processor->slot == 0 || percpu_area[processor->slot].online;
	b.slot_num = (integer_t)processor->slot;
	b.is_master = processor->slot == 0;
	return info_out(&b, PROCESSOR_BASIC_INFO_COUNT, info, cnt);
}
