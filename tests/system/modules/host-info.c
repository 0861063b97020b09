/*
 * tests/system/modules/host-info.c — what the host port tells a program:
 * host_info's four flavours (basic, processor slots, scheduling, load)
 * with their counts, a bad flavour and counts too small; host_get_time,
 * host_get_time64 and host_get_uptime64 (agreeing, advancing across a
 * sleep); host_get_kernel_version (a non-empty string; the text differs
 * between kernels); host_kernel_version, which x86_64 leaves out of the
 * interface (a request with its id is answered MIG_BAD_ID); output
 * through mach_print (the first lines of this test travel that way) and
 * through device_write_inband / device_write on the console.  Each check
 * states what GNU Mach answers.
 */
#include <device/device.h>
#include <mach/mig_errors.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

/* mach_host.defs: the slot of host_kernel_version, a `skip` on x86_64. */
#define HOST_KERNEL_VERSION_ID 2619

static mach_port_t host, host_priv;

static void check_basic(mach_port_t h, const char *which)
{
	host_basic_info_data_t b;
	mach_msg_type_number_t n = HOST_BASIC_INFO_COUNT;
	kern_return_t kr;

	memset(&b, 0, sizeof b);
	kr = host_info(h, HOST_BASIC_INFO, (host_info_t)&b, &n);
	tap_ok(kr == KERN_SUCCESS && n == HOST_BASIC_INFO_COUNT,
	       "HOST_BASIC_INFO on the %s port: count %u (want %u, kr %#x)",
	       which, n, (unsigned)HOST_BASIC_INFO_COUNT, kr);
	tap_diag("max_cpus %d avail_cpus %d memory_size %#lx cpu_type %d "
	         "cpu_subtype %d",
	         b.max_cpus, b.avail_cpus, (unsigned long)b.memory_size,
	         b.cpu_type, b.cpu_subtype);
	tap_ok(b.max_cpus >= 1 && b.avail_cpus >= 1 &&
	           b.avail_cpus <= b.max_cpus,
	       "%s: 1 <= avail_cpus (%d) <= max_cpus (%d)", which, b.avail_cpus,
	       b.max_cpus);
	/* machr-run's default guest has 128 MiB or more; the kernel keeps
	 * some, so at least 16 MiB and at most 64 GiB. */
	tap_ok(b.memory_size >= (16ul << 20) && b.memory_size <= (64ul << 30),
	       "%s: memory_size %lu MiB", which,
	       (unsigned long)(b.memory_size >> 20));
	tap_ok(b.cpu_type == CPU_TYPE_X86_64,
	       "%s: cpu_type CPU_TYPE_X86_64 (%d)", which, b.cpu_type);
}

static void check_flavours(void)
{
	integer_t buf[HOST_INFO_MAX];
	host_sched_info_data_t *s = (host_sched_info_data_t *)buf;
	host_load_info_data_t *l = (host_load_info_data_t *)buf;
	host_basic_info_data_t b;
	mach_msg_type_number_t n;
	kern_return_t kr;
	int ok;

	check_basic(host, "host name");
	check_basic(host_priv, "host privileged");
	n = HOST_BASIC_INFO_COUNT;
	(void)host_info(host, HOST_BASIC_INFO, (host_info_t)&b, &n);

	memset(buf, 0xff, sizeof buf);
	n = HOST_INFO_MAX;
	kr = host_info(host, HOST_PROCESSOR_SLOTS, buf, &n);
	tap_ok(kr == KERN_SUCCESS && n >= 1 && (int)n <= b.max_cpus,
	       "HOST_PROCESSOR_SLOTS: %u slot(s), at most max_cpus (kr %#x)", n,
	       kr);
	ok = kr == KERN_SUCCESS;
	for (mach_msg_type_number_t i = 0; ok && i < n && i < 64; i++)
		ok = buf[i] >= 0 && buf[i] < b.max_cpus;
	tap_ok(ok && buf[0] == 0,
	       "slot numbers within 0..max_cpus-1 (first %d)", buf[0]);

	memset(buf, 0xff, sizeof buf);
	n = HOST_INFO_MAX;
	kr = host_info(host, HOST_SCHED_INFO, buf, &n);
	tap_ok(kr == KERN_SUCCESS && n == HOST_SCHED_INFO_COUNT,
	       "HOST_SCHED_INFO: count %u (want %u, kr %#x)", n,
	       (unsigned)HOST_SCHED_INFO_COUNT, kr);
	tap_diag("min_timeout %d ms, min_quantum %d ms", s->min_timeout,
	         s->min_quantum);
	tap_ok(s->min_timeout >= 1 && s->min_timeout <= 1000 &&
	           s->min_quantum >= 1 && s->min_quantum <= 1000,
	       "min_timeout and min_quantum between 1 and 1000 ms");

	memset(buf, 0xff, sizeof buf);
	n = HOST_INFO_MAX;
	kr = host_info(host, HOST_LOAD_INFO, buf, &n);
	tap_ok(kr == KERN_SUCCESS && n == HOST_LOAD_INFO_COUNT,
	       "HOST_LOAD_INFO: count %u (want %u, kr %#x)", n,
	       (unsigned)HOST_LOAD_INFO_COUNT, kr);
	ok = 1;
	for (int i = 0; i < 3; i++)
		ok = ok && l->avenrun[i] >= 0 && l->mach_factor[i] >= 0;
	tap_diag("avenrun %d %d %d mach_factor %d %d %d", l->avenrun[0],
	         l->avenrun[1], l->avenrun[2], l->mach_factor[0],
	         l->mach_factor[1], l->mach_factor[2]);
	tap_ok(ok, "load averages and mach factors are not negative");

	n = HOST_INFO_MAX;
	tap_expect(host_info(host, 99, buf, &n), KERN_INVALID_ARGUMENT,
	           "host_info flavour 99");
	n = HOST_INFO_MAX;
	tap_expect(host_info(host, 0, buf, &n), KERN_INVALID_ARGUMENT,
	           "host_info flavour 0");

	n = HOST_BASIC_INFO_COUNT - 1;
	tap_expect(host_info(host, HOST_BASIC_INFO, buf, &n), KERN_FAILURE,
	           "HOST_BASIC_INFO with count %u",
	           (unsigned)HOST_BASIC_INFO_COUNT - 1);
	n = HOST_SCHED_INFO_COUNT - 1;
	tap_expect(host_info(host, HOST_SCHED_INFO, buf, &n), KERN_FAILURE,
	           "HOST_SCHED_INFO with count 1");
	n = HOST_LOAD_INFO_COUNT - 1;
	tap_expect(host_info(host, HOST_LOAD_INFO, buf, &n), KERN_FAILURE,
	           "HOST_LOAD_INFO with count 5");
	/* GNU Mach: KERN_INVALID_ARGUMENT here, not KERN_FAILURE. */
	n = 0;
	tap_expect(host_info(host, HOST_PROCESSOR_SLOTS, buf, &n),
	           KERN_INVALID_ARGUMENT, "HOST_PROCESSOR_SLOTS with count 0");
	/* GNU Mach: KERN_INVALID_ARGUMENT, where host_get_time and
	 * host_get_uptime64 answer KERN_INVALID_HOST. */
	n = HOST_BASIC_INFO_COUNT;
	tap_expect(host_info(machr_task, HOST_BASIC_INFO, buf, &n),
	           KERN_INVALID_ARGUMENT, "host_info on a task port");
}

static int64_t ns64(const time_value64_t *t)
{
	return t->seconds * 1000000000 + t->nanoseconds;
}

static void check_time(void)
{
	time_value_t tv;
	time_value64_t t1, t2, u1, u2, u3;
	kern_return_t kr, kr2;
	int64_t d;

	kr = host_get_time(host, &tv);
	tap_ok(kr == KERN_SUCCESS && tv.seconds >= 0 && tv.microseconds >= 0 &&
	           tv.microseconds < 1000000,
	       "host_get_time: %ld s %d us (kr %#x)", (long)tv.seconds,
	       tv.microseconds, kr);
	kr = host_get_time64(host, &t1);
	tap_ok(kr == KERN_SUCCESS && t1.seconds >= 0 && t1.nanoseconds >= 0 &&
	           t1.nanoseconds < 1000000000,
	       "host_get_time64: %ld s %ld ns (kr %#x)", (long)t1.seconds,
	       (long)t1.nanoseconds, kr);
	d = ns64(&t1) - ((int64_t)tv.seconds * 1000000000 +
	                 (int64_t)tv.microseconds * 1000);
	tap_ok(d >= 0 && d < 2000000000,
	       "host_get_time64 agrees with host_get_time (%ld us later)",
	       (long)(d / 1000));

	kr = host_get_uptime64(host, &u1);
	kr2 = host_get_uptime64(host, &u2);
	tap_ok(kr == KERN_SUCCESS && kr2 == KERN_SUCCESS && u1.seconds >= 0 &&
	           u1.nanoseconds >= 0 && u1.nanoseconds < 1000000000 &&
	           ns64(&u2) >= ns64(&u1),
	       "host_get_uptime64 twice: %ld.%09ld then %ld.%09ld s",
	       (long)u1.seconds, (long)u1.nanoseconds, (long)u2.seconds,
	       (long)u2.nanoseconds);
	tap_ok(ns64(&u1) > 0, "the uptime is positive");

	machr_sleep_ms(200);
	(void)host_get_time64(host, &t2);
	(void)host_get_uptime64(host, &u3);
	d = (ns64(&u3) - ns64(&u2)) / 1000000;
	tap_ok(d >= 150 && d < 5000,
	       "uptime advances across a 200 ms sleep (%ld ms)", (long)d);
	d = (ns64(&t2) - ns64(&t1)) / 1000000;
	tap_ok(d >= 150 && d < 5000,
	       "time of day advances across it too (%ld ms)", (long)d);

	tap_expect(host_get_time(machr_task, &tv), KERN_INVALID_HOST,
	           "host_get_time on a task port");
	tap_expect(host_get_uptime64(machr_task, &u1), KERN_INVALID_HOST,
	           "host_get_uptime64 on a task port");
}

static void check_version(void)
{
	kernel_version_t v;
	size_t len;
	kern_return_t kr;
	union {
		mig_reply_header_t r;
		char buf[256];
	} m;

	memset(v, 0x55, sizeof v);
	kr = host_get_kernel_version(host, v);
	len = strnlen(v, sizeof v);
	tap_ok(kr == KERN_SUCCESS && len > 0 && len < sizeof v,
	       "host_get_kernel_version: a string of %lu bytes (kr %#x)",
	       (unsigned long)len, kr);
	if (len < sizeof v) {
		char *nl = strchr(v, '\n');
		if (nl)
			*nl = 0;
		tap_diag("version: %s", v);
	}
	memset(v, 0x55, sizeof v);
	kr = host_get_kernel_version(host_priv, v);
	tap_ok(kr == KERN_SUCCESS && strnlen(v, sizeof v) == len,
	       "the same through the privileged port (kr %#x)", kr);

	/* host_kernel_version: i386 only, its id is a skip on x86_64. */
	memset(&m, 0, sizeof m);
	machr_msg_header(&m.r.Head, host, MACH_MSG_TYPE_COPY_SEND,
	                 mig_get_reply_port(), MACH_MSG_TYPE_MAKE_SEND_ONCE,
	                 sizeof m.r.Head);
	m.r.Head.msgh_id = HOST_KERNEL_VERSION_ID;
	kr =
	    mach_msg(&m.r.Head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
	             sizeof m.r.Head, sizeof m, m.r.Head.msgh_local_port, 5000,
	             MACH_PORT_NULL);
	tap_ok(kr == KERN_SUCCESS &&
	           m.r.Head.msgh_id == HOST_KERNEL_VERSION_ID + 100 &&
	           m.r.Head.msgh_size == sizeof m.r &&
	           m.r.RetCode == MIG_BAD_ID,
	       "host_kernel_version (id %d) on x86_64: MIG_BAD_ID "
	       "(kr %#x, id %d, size %u, code %d)",
	       HOST_KERNEL_VERSION_ID, kr, m.r.Head.msgh_id, m.r.Head.msgh_size,
	       m.r.RetCode);
}

static void check_console(mach_port_t device_master)
{
	static const char text[] = "# a line written by device_write_inband\n";
	io_buf_ptr_inband_t line;
	static const char ool[] = "# a line written by device_write\n";
	mach_port_t con = MACH_PORT_NULL;
	int written = -1;
	kern_return_t kr;

	memcpy(line, text, sizeof text);
	kr = device_open(device_master, D_WRITE, "console", &con);
	tap_ok(kr == KERN_SUCCESS && con != MACH_PORT_NULL,
	       "device_open(D_WRITE, \"console\") (kr %#x)", kr);
	kr = device_write_inband(con, 0, 0, line, sizeof text - 1, &written);
	tap_ok(kr == KERN_SUCCESS && written == (int)sizeof text - 1,
	       "device_write_inband: %d of %d bytes written (kr %#x)", written,
	       (int)sizeof text - 1, kr);
	written = -1;
	kr = device_write_inband(con, 0, 0, line, 0, &written);
	tap_ok(kr == KERN_SUCCESS && written == 0,
	       "device_write_inband of 0 bytes: %d written (kr %#x)", written,
	       kr);
	written = -1;
	kr = device_write(con, 0, 0, (io_buf_ptr_t)ool, sizeof ool - 1,
	                  &written);
	tap_ok(kr == KERN_SUCCESS && written == (int)sizeof ool - 1,
	       "device_write (out of line): %d of %d bytes (kr %#x)", written,
	       (int)sizeof ool - 1, kr);
	tap_expect(device_close(con), 0, "device_close");
	(void)mach_port_deallocate(machr_task, con);
}

int main(int argc, char **argv)
{
	mach_port_t device_master;
	long r;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0) {
		mach_print("1..1\nnot ok 1 - boot ports in argv\n");
		return 1;
	}
	host = mach_host_self();
	/* Until the console is open, printf and these lines go through
	 * mach_print: were it broken, the plan would not be met. */
	tap_plan(41);
	r = machr_raw_trap(-30, (long)"# mach_print of a string\n", 0, 0, 0, 0);
	tap_ok(r == KERN_SUCCESS, "mach_print returns 0 (%#lx)",
	       (unsigned long)r);
	tap_ok(host != MACH_PORT_NULL && host != host_priv,
	       "mach_host_self (%u) is not the privileged port (%u)", host,
	       host_priv);
	tap_expect(machr_console_open(device_master), 0,
	           "open the console (printf goes there from now on)");
	check_flavours();
	check_time();
	check_version();
	check_console(device_master);
	tap_finish(host_priv);
	return 1;
}
