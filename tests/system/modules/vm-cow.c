/*
 * tests/system/modules/vm-cow.c — what task_create(inherit_memory TRUE)
 * gives a child for each vm_inherit mode, and what each side sees of the
 * other's writes afterwards: SHARE shows them both ways, COPY isolates
 * both ways (whether or not a page was touched before or after the
 * fork), NONE leaves the child unmapped.  Also read-only and
 * VM_PROT_NONE regions given write access back in the child, three
 * generations of copies with writes at each level, and 1,000 generations
 * forked from the newest task while the older ones die (the shape of the
 * "chains collapse" requirement, with the pages given back after), writes
 * the kernel makes on a task's behalf (a message received into a COPY
 * page, vm_write, vm_copy), and modes changed between generations (SHARE
 * then COPY, COPY then SHARE).  The child's view is read both with
 * vm_read from here and by a thread running our code in the child, which
 * answers commands over a port.  Each check states what GNU Mach answers;
 * calls that only set a check up succeed there (KERN_SUCCESS).
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#include "vm-lib.h"

#define NP  4 /* pages of each test region */
#define WPP (PAGE / 8)

/* Commands to the worker thread in a child (w[0]); w[1] an address, w[2]
 * a value or size.  The answer comes back in w[0] of the reply.
 * OP_RECV_AT answers 0 at once, then receives the next message on its
 * inbox into the buffer at w[1] and answers with mach_msg's code. */
enum { OP_READ = 1, OP_WRITE, OP_VMREAD, OP_RECV_AT, OP_QUIT };

/* Changed here after every fork: the children must keep their copy. */
static volatile uint64_t generation_mark = 0x600d;

/* The worker, in a child: one answer per command.  It only touches
 * memory the command names, and never prints. */
static void worker(void *arg)
{
	struct cmd m, r;
	vm_offset_t data;
	mach_msg_type_number_t n;
	uint64_t ans;

	(void)arg;
	for (;;) {
		if (mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof(m), CHILD_INBOX, 0,
		             MACH_PORT_NULL) != MACH_MSG_SUCCESS)
			continue;
		ans = 0;
		switch (m.w[0]) {
		case OP_READ:
			ans = *(volatile uint64_t *)m.w[1];
			break;
		case OP_WRITE:
			*(volatile uint64_t *)m.w[1] = m.w[2];
			break;
		case OP_VMREAD:
			data = 0;
			n = 0;
			ans = (uint64_t)vm_read(machr_task, m.w[1], m.w[2],
			                        &data, &n);
			if (ans == KERN_SUCCESS)
				(void)vm_deallocate(machr_task, data, n);
			break;
		case OP_RECV_AT:
			cmd_init(&r, CHILD_REPORT, 0, 0, 0);
			(void)mach_msg(&r.h, MACH_SEND_MSG, CMD_SIZE, 0,
			               MACH_PORT_NULL, 0, MACH_PORT_NULL);
			ans = mach_msg((mach_msg_header_t *)m.w[1],
			               MACH_RCV_MSG, 0, CMD_SIZE, CHILD_INBOX,
			               0, MACH_PORT_NULL);
			break;
		case OP_QUIT:
			break;
		default:
			ans = NO_ANSWER - 1;
		}
		cmd_init(&r, CHILD_REPORT, ans, 0, 0);
		(void)mach_msg(&r.h, MACH_SEND_MSG, CMD_SIZE, 0, MACH_PORT_NULL,
		               0, MACH_PORT_NULL);
		if (m.w[0] == OP_QUIT)
			return;
	}
}

static mach_port_t report_port;

struct child {
	mach_port_t task;
	mach_port_t inbox; /* our send right to the worker's inbox */
	mach_port_t thread;
	int silent; /* a command went unanswered: ask no more */
};

/* A child of PARENT (inherit_memory TRUE), no thread in it yet. */
static kern_return_t child_create(mach_port_t parent, struct child *c)
{
	memset(c, 0, sizeof(*c));
	return task_create(parent, TRUE, &c->task);
}

/* A worker thread in C, with its inbox and our report port. */
static kern_return_t worker_start(struct child *c)
{
	kern_return_t kr;
	mach_port_t in;

	in = machr_new_receive();
	(void)mach_port_insert_right(T, in, in, MACH_MSG_TYPE_MAKE_SEND);
	c->inbox = in;
	kr = mach_port_insert_right(c->task, CHILD_REPORT, report_port,
	                            MACH_MSG_TYPE_MAKE_SEND);
	if (kr == KERN_SUCCESS)
		kr = mach_port_insert_right(c->task, CHILD_INBOX, in,
		                            MACH_MSG_TYPE_MOVE_RECEIVE);
	if (kr == KERN_SUCCESS)
		kr = machr_task_thread_start(c->task, worker, NULL, &c->thread);
	return kr;
}

/* A child of PARENT with a worker running in it. */
static kern_return_t child_start(mach_port_t parent, struct child *c)
{
	kern_return_t kr = child_create(parent, c);

	return kr == KERN_SUCCESS ? worker_start(c) : kr;
}

static void child_end(struct child *c)
{
	(void)task_terminate(c->task);
	(void)mach_port_deallocate(T, c->task);
	(void)mach_port_deallocate(T, c->inbox);
	if (c->thread != MACH_PORT_NULL)
		(void)mach_port_deallocate(T, c->thread);
}

/*
 * Send a command to C's worker; its answer, or NO_ANSWER after 3 s.  A
 * worker that stayed silent once (it died of a fault, say) is not asked
 * again, so that a broken kernel fails the checks quickly rather than
 * running into the module's time limit.
 */
static uint64_t ask(struct child *c, uint64_t op, uint64_t a, uint64_t v)
{
	struct cmd m;

	if (c->silent)
		return NO_ANSWER;
	cmd_init(&m, c->inbox, op, a, v);
	if (mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, CMD_SIZE, 0,
	             MACH_PORT_NULL, 3000,
	             MACH_PORT_NULL) != MACH_MSG_SUCCESS ||
	    mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m),
	             report_port, 3000, MACH_PORT_NULL) != MACH_MSG_SUCCESS) {
		c->silent = 1;
		tap_diag("the worker did not answer command %lu",
		         (unsigned long)op);
		return NO_ANSWER;
	}
	return m.w[0];
}

/*
 * Compare TASK's NP pages at A with MODEL (NP * WPP words); the index of
 * the first differing word, -1 if none, -2 if vm_read failed.
 */
static long differs(mach_port_t task, vm_address_t a, const uint64_t *model)
{
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;
	long at = -1;

	if (vm_read(task, a, NP * PAGE, &data, &n) != KERN_SUCCESS)
		return -2;
	for (size_t i = 0; i < NP * WPP && at < 0; i++)
		if (((uint64_t *)data)[i] != model[i])
			at = (long)i;
	(void)vm_deallocate(T, data, n);
	return at;
}

static const char *mode_name(vm_inherit_t mode)
{
	return mode == VM_INHERIT_SHARE  ? "SHARE"
	       : mode == VM_INHERIT_COPY ? "COPY"
	                                 : "NONE";
}

/*
 * One region of NP pages with inheritance MODE, filled before the fork
 * (TOUCHED) or never touched (zero-fill), then a child with a worker,
 * and writes on each side afterwards.  Word WPP*k+1 of page k is the one
 * written after the fork.
 */
static void check_mode(vm_inherit_t mode, int touched)
{
	static uint64_t model[NP * WPP]; /* what a COPY child must hold */
	const char *m = mode_name(mode), *z = touched ? "" : " (zero-fill)";
	uint64_t seed = touched ? 0x51 + (uint64_t)mode : 0;
	vm_address_t r = 0;
	volatile uint64_t *w;
	struct child c;
	struct region rc, rp;
	int share = mode == VM_INHERIT_SHARE, ok;
	uint64_t got, got2;

	(void)vm_allocate(T, &r, NP * PAGE, TRUE);
	w = (volatile uint64_t *)r;
	if (touched)
		fill(r, NP * PAGE, seed);
	fill((vm_address_t)model, NP * PAGE, seed);
	(void)vm_inherit(T, r, NP * PAGE, mode);
	/* GNU Mach: is_shared is FALSE before any fork, in every mode. */
	ok = region_at(T, r, &rp) == 0;
	tap_ok(ok && !rp.shared && rp.inherit == mode,
	       "%s%s: before the fork, vm_region here: shared %d", m, z,
	       rp.shared);
	if (mode == VM_INHERIT_NONE) {
		vm_address_t at = r + PAGE;
		vm_offset_t data = 0;
		mach_msg_type_number_t n = 0;

		tap_expect(child_create(T, &c), 0, "NONE%s: a child", z);
		/* GNU Mach: the child has no entry there. */
		ok = region_at(c.task, r, &rc) == 0;
		tap_ok(!ok, "NONE%s: vm_region in the child: unmapped", z);
		/* GNU Mach: KERN_INVALID_ADDRESS. */
		tap_expect(vm_read(c.task, r, PAGE, &data, &n),
		           KERN_INVALID_ADDRESS,
		           "NONE%s: vm_read of the child there fails", z);
		/* Fill all but the first page, so that the worker's stack
		 * cannot land in the hole. */
		tap_expect(vm_allocate(c.task, &at, (NP - 1) * PAGE, FALSE), 0,
		           "NONE%s: the range is free in the child "
		           "(vm_allocate fixed)",
		           z);
		tap_expect(worker_start(&c), 0, "NONE%s: a worker in the child",
		           z);
		/* GNU Mach: KERN_INVALID_ADDRESS in the child itself too. */
		got = ask(&c, OP_VMREAD, r, PAGE);
		tap_ok(got == KERN_INVALID_ADDRESS,
		       "NONE%s: the child's own vm_read there fails (%#lx)", z,
		       (unsigned long)got);
		/* GNU Mach: fresh zero-filled memory, and neither side sees
		 * the other's writes. */
		got = ask(&c, OP_READ, r + PAGE + 8, 0);
		tap_ok(got == 0,
		       "NONE%s: the child's new memory there is zero (%#lx)", z,
		       (unsigned long)got);
		w[WPP + 1] = 0x77;
		tap_ok(peek(c.task, r + PAGE + 8) == 0 &&
		           ask(&c, OP_WRITE, r + PAGE, 5) == 0 &&
		           w[WPP] == pat(seed, WPP),
		       "NONE%s: no link either way afterwards", z);
		child_end(&c);
		(void)vm_deallocate(T, r, NP * PAGE);
		return;
	}
	tap_expect(child_start(T, &c), 0, "%s%s: a child with a worker", m, z);
	ok = region_at(c.task, r, &rc) == 0;
	/* GNU Mach: the child's entry keeps the mode; is_shared is TRUE on
	 * both sides for SHARE, FALSE for COPY. */
	tap_ok(ok && rc.addr <= r && rc.addr + rc.size >= r + NP * PAGE &&
	           rc.inherit == mode && rc.shared == share &&
	           rc.prot == VM_PROT_DEFAULT && rc.max == VM_PROT_ALL,
	       "%s%s: vm_region in the child: inherit %d, shared %d, prot "
	       "%d/%d",
	       m, z, rc.inherit, rc.shared, rc.prot, rc.max);
	ok = region_at(T, r, &rp) == 0;
	tap_ok(ok && rp.shared == share && rp.inherit == mode,
	       "%s%s: vm_region here: shared %d, inherit %d", m, z, rp.shared,
	       rp.inherit);
	/* GNU Mach: the child holds the contents at the fork (zeros for
	 * memory never touched), seen by vm_read and by its own thread. */
	tap_ok(differs(c.task, r, model) == -1,
	       "%s%s: vm_read of the child: the contents at the fork", m, z);
	got = ask(&c, OP_READ, r + 8 * 5, 0);
	tap_ok(got == pat(seed, 5),
	       "%s%s: the child's thread reads them (%#lx)", m, z,
	       (unsigned long)got);

	/* Page 0: the child has read it; page 2: untouched by the child.
	 * GNU Mach: SHARE shows our writes to the child, COPY does not. */
	w[1] = 0xa1;
	w[2 * WPP + 1] = 0xa3;
	got = ask(&c, OP_READ, r + 8, 0);
	got2 = ask(&c, OP_READ, r + 8 * (2 * WPP + 1), 0);
	if (share)
		tap_ok(got == 0xa1 && got2 == 0xa3,
		       "SHARE%s: the child sees our later writes (%#lx %#lx)",
		       z, (unsigned long)got, (unsigned long)got2);
	else
		tap_ok(got == pat(seed, 1) && got2 == pat(seed, 2 * WPP + 1),
		       "COPY%s: the child does not see our later writes (%#lx "
		       "%#lx)",
		       z, (unsigned long)got, (unsigned long)got2);

	/* Page 1: we read it first; page 3: untouched by us since.
	 * GNU Mach: the child's writes succeed (no fault reaches us); SHARE
	 * shows them to us, COPY does not. */
	got = w[WPP + 1];
	got = ask(&c, OP_WRITE, r + 8 * (WPP + 1), 0xb1);
	got2 = ask(&c, OP_WRITE, r + 8 * (3 * WPP + 1), 0xb3);
	tap_ok(got == 0 && got2 == 0, "%s%s: the child's thread writes", m, z);
	if (share)
		tap_ok(w[WPP + 1] == 0xb1 && w[3 * WPP + 1] == 0xb3,
		       "SHARE%s: we see the child's writes (%#lx %#lx)", z,
		       (unsigned long)w[WPP + 1],
		       (unsigned long)w[3 * WPP + 1]);
	else
		tap_ok(w[WPP + 1] == pat(seed, WPP + 1) &&
		           w[3 * WPP + 1] == pat(seed, 3 * WPP + 1),
		       "COPY%s: we do not see the child's writes (%#lx %#lx)",
		       z, (unsigned long)w[WPP + 1],
		       (unsigned long)w[3 * WPP + 1]);

	/* The whole region on each side against what it must be.  GNU
	 * Mach: SHARE, the same bytes on both sides; COPY, each side holds
	 * the contents at the fork plus its own writes only. */
	if (share) {
		memcpy(model, (const void *)r, NP * PAGE);
	} else {
		model[WPP + 1] = 0xb1;
		model[3 * WPP + 1] = 0xb3;
	}
	tap_ok(differs(c.task, r, model) == -1,
	       "%s%s: vm_read of the whole region in the child (first "
	       "difference %ld)",
	       m, z, differs(c.task, r, model));
	if (!share) {
		fill((vm_address_t)model, NP * PAGE, seed);
		model[1] = 0xa1;
		model[2 * WPP + 1] = 0xa3;
		ok = memcmp((const void *)r, model, NP * PAGE) == 0;
		tap_ok(ok, "COPY%s: ours holds only our own writes", z);
	}
	child_end(&c);
	/* GNU Mach: the child's death takes nothing from us; what it wrote
	 * to a shared region stays. */
	tap_ok(share ? w[WPP + 1] == 0xb1 : w[WPP + 1] == pat(seed, WPP + 1),
	       "%s%s: after the child dies our region is unchanged", m, z);
	/* GNU Mach: is_shared stays TRUE once a SHARE fork happened, even
	 * with the other task dead. */
	ok = region_at(T, r, &rp) == 0;
	tap_ok(ok && rp.shared == share,
	       "%s%s: after the child dies, vm_region here: shared %d", m, z,
	       rp.shared);
	(void)vm_deallocate(T, r, NP * PAGE);
}

/*
 * A region made read-only before the fork, given write access back in
 * the child: the child may write (no fault), we keep our read-only copy
 * (COPY) or see the write through our read-only mapping (SHARE).
 */
static void check_read_only(vm_inherit_t mode)
{
	const char *m = mode_name(mode);
	vm_address_t r = 0;
	struct child c;
	struct region rr;
	int ok;
	uint64_t got;

	(void)vm_allocate(T, &r, NP * PAGE, TRUE);
	fill(r, NP * PAGE, 0x71);
	(void)vm_inherit(T, r, NP * PAGE, mode);
	(void)vm_protect(T, r, NP * PAGE, FALSE, VM_PROT_READ);
	tap_expect(child_start(T, &c), 0, "read-only %s: a child", m);
	ok = region_at(c.task, r, &rr) == 0;
	/* GNU Mach: the child inherits protection READ, max ALL. */
	tap_ok(ok && rr.prot == VM_PROT_READ && rr.max == VM_PROT_ALL,
	       "read-only %s: the child's region is READ, max ALL (%d/%d)", m,
	       rr.prot, rr.max);
	/* GNU Mach: the child reads the contents; after vm_protect in the
	 * child (allowed: max is ALL) it writes without a fault; our entry
	 * stays READ; SHARE shows us the write, COPY does not. */
	got = ask(&c, OP_READ, r + 8 * 9, 0);
	tap_ok(got == pat(0x71, 9), "read-only %s: the child reads it (%#lx)",
	       m, (unsigned long)got);
	tap_expect(vm_protect(c.task, r, NP * PAGE, FALSE, VM_PROT_DEFAULT), 0,
	           "read-only %s: vm_protect(READ|WRITE) in the child", m);
	got = ask(&c, OP_WRITE, r + 8 * 9, 0xc9);
	tap_ok(got == 0 && ask(&c, OP_READ, r + 8 * 9, 0) == 0xc9,
	       "read-only %s: the child writes and reads back", m);
	ok = region_at(T, r, &rr) == 0;
	tap_ok(ok && rr.prot == VM_PROT_READ,
	       "read-only %s: ours stays READ (%d)", m, rr.prot);
	got = ((volatile uint64_t *)r)[9];
	tap_ok(got == (mode == VM_INHERIT_SHARE ? 0xc9 : pat(0x71, 9)),
	       "read-only %s: we read %#lx", m, (unsigned long)got);
	child_end(&c);
	(void)vm_protect(T, r, NP * PAGE, FALSE, VM_PROT_DEFAULT);
	(void)vm_deallocate(T, r, NP * PAGE);
}

/* A COPY region set to VM_PROT_NONE in the child, then given its access
 * back: the inherited contents are still there. */
static void check_prot_none(void)
{
	vm_address_t r = 0;
	struct child c;
	struct region rr;
	uint64_t got;
	int ok;

	/* First in our own memory, no fork.  GNU Mach: VM_PROT_NONE keeps
	 * the contents, they are there when access comes back. */
	(void)vm_allocate(T, &r, NP * PAGE, TRUE);
	fill(r, NP * PAGE, 0x82);
	(void)vm_protect(T, r, NP * PAGE, FALSE, VM_PROT_NONE);
	(void)vm_protect(T, r, NP * PAGE, FALSE, VM_PROT_DEFAULT);
	got = ((volatile uint64_t *)r)[WPP + 3];
	tap_ok(got == pat(0x82, WPP + 3),
	       "PROT_NONE and back in our own memory keeps the contents "
	       "(%#lx)",
	       (unsigned long)got);
	(void)vm_deallocate(T, r, NP * PAGE);

	r = 0;
	(void)vm_allocate(T, &r, NP * PAGE, TRUE);
	fill(r, NP * PAGE, 0x81);
	(void)child_start(T, &c);
	got = ask(&c, OP_READ, r + 8 * 3, 0);
	tap_ok(got == pat(0x81, 3),
	       "PROT_NONE: the child reads the page first "
	       "(%#lx)",
	       (unsigned long)got);
	/* GNU Mach: allowed; vm_region then says prot NONE, max ALL. */
	tap_expect(vm_protect(c.task, r, NP * PAGE, FALSE, VM_PROT_NONE), 0,
	           "PROT_NONE: vm_protect(NONE) in the child");
	ok = region_at(c.task, r, &rr) == 0;
	tap_ok(ok && rr.prot == VM_PROT_NONE && rr.max == VM_PROT_ALL,
	       "PROT_NONE: vm_region says prot %d, max %d", rr.prot, rr.max);
	/* GNU Mach: vm_read of a range without read access is
	 * KERN_PROTECTION_FAILURE, from outside and from inside. */
	{
		vm_offset_t data = 0;
		mach_msg_type_number_t n = 0;
		tap_expect(vm_read(c.task, r, PAGE, &data, &n),
		           KERN_PROTECTION_FAILURE,
		           "PROT_NONE: vm_read from here fails");
	}
	got = ask(&c, OP_VMREAD, r, PAGE);
	tap_ok(got == KERN_PROTECTION_FAILURE,
	       "PROT_NONE: the child's own vm_read fails (%#lx)",
	       (unsigned long)got);
	((volatile uint64_t *)r)[3] = 0xd3;
	tap_expect(vm_protect(c.task, r, NP * PAGE, FALSE, VM_PROT_DEFAULT), 0,
	           "PROT_NONE: access given back");
	/* GNU Mach: access back, the child reads the contents at the
	 * fork (not our write since), and its own write stays its own. */
	got = ask(&c, OP_READ, r + 8 * 3, 0);
	tap_ok(got == pat(0x81, 3),
	       "PROT_NONE: the child still reads the contents at the fork "
	       "(%#lx)",
	       (unsigned long)got);
	(void)ask(&c, OP_WRITE, r + 8 * (WPP + 3), 0xe3);
	tap_ok(peek(c.task, r + 8 * (WPP + 3)) == 0xe3 &&
	           ((volatile uint64_t *)r)[WPP + 3] == pat(0x81, WPP + 3),
	       "PROT_NONE: the child's write stays in the child");
	child_end(&c);
	(void)vm_deallocate(T, r, NP * PAGE);
}

/*
 * We unmap the region after the fork: the child's copy (COPY) or its
 * share (SHARE) lives on with the contents, and stays writable.
 */
static void check_parent_unmaps(vm_inherit_t mode)
{
	static uint64_t model[NP * WPP];
	const char *m = mode_name(mode);
	vm_address_t r = 0;
	struct child c;
	uint64_t got;

	(void)vm_allocate(T, &r, NP * PAGE, TRUE);
	fill(r, NP * PAGE, 0x61);
	fill((vm_address_t)model, NP * PAGE, 0x61);
	(void)vm_inherit(T, r, NP * PAGE, mode);
	tap_expect(child_start(T, &c), 0, "%s, then we unmap: a child", m);
	((volatile uint64_t *)r)[WPP] = 0xf1;
	if (mode == VM_INHERIT_SHARE)
		model[WPP] = 0xf1;
	/* GNU Mach: the child keeps the contents (with our write before
	 * the unmap for SHARE) and writes on. */
	tap_expect(vm_deallocate(T, r, NP * PAGE), 0,
	           "%s, then we unmap: vm_deallocate here", m);
	tap_ok(differs(c.task, r, model) == -1,
	       "%s, then we unmap: the child keeps the contents", m);
	got = ask(&c, OP_WRITE, r + 8 * (2 * WPP), 0xf2);
	tap_ok(got == 0 && ask(&c, OP_READ, r + 8 * (2 * WPP), 0) == 0xf2 &&
	           ask(&c, OP_READ, r + 8 * WPP, 0) == model[WPP],
	       "%s, then we unmap: and writes it", m);
	child_end(&c);
}

/*
 * Writes the kernel makes, not the task's own stores: a message received
 * into a COPY page (copyout), vm_write into a child, vm_copy onto our
 * copy.  Each must copy-on-write like a store from user mode.
 */
static void check_kernel_writes(void)
{
	static uint64_t model[NP * WPP];
	vm_address_t r = 0, src = 0;
	mach_port_t p = machr_new_receive();
	struct cmd *in, out;
	struct child c;
	uint64_t got;
	int ok;

	(void)vm_allocate(T, &r, NP * PAGE, TRUE);
	(void)vm_allocate(T, &src, PAGE, TRUE);
	fill(r, NP * PAGE, 0x33);
	fill(src, PAGE, 0x44);
	fill((vm_address_t)model, NP * PAGE, 0x33);
	tap_expect(child_start(T, &c), 0, "kernel writes: a child");

	/* We receive into page 0 of our copy. */
	in = (struct cmd *)(r + 64);
	cmd_init(&out, p, 0x111, 0x222, 0x333);
	out.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	ok = mach_msg(&out.h, MACH_SEND_MSG, CMD_SIZE, 0, MACH_PORT_NULL, 0,
	              MACH_PORT_NULL) == 0 &&
	     mach_msg(&in->h, MACH_RCV_MSG, 0, CMD_SIZE, p, 0,
	              MACH_PORT_NULL) == 0;
	/* GNU Mach: the message lands in our page, the child's copy of the
	 * page keeps the contents at the fork. */
	tap_ok(ok && in->w[1] == 0x222 && differs(c.task, r, model) == -1,
	       "a message received into our copy does not reach the child");

	/* The child receives into page 1 of its copy. */
	got = ask(&c, OP_RECV_AT, r + PAGE + 128, 0);
	cmd_init(&out, c.inbox, 0x444, 0x555, 0x666);
	ok = got == 0 && mach_msg(&out.h, MACH_SEND_MSG, CMD_SIZE, 0,
	                          MACH_PORT_NULL, 0, MACH_PORT_NULL) == 0;
	ok &= mach_msg(&out.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(out),
	               report_port, 5000, MACH_PORT_NULL) == 0 &&
	      out.w[0] == 0;
	got = ask(&c, OP_READ, r + PAGE + 128 + offsetof(struct cmd, w[2]), 0);
	tap_ok(ok && got == 0x666 &&
	           ((volatile uint64_t *)r)[WPP + 16 + 5] ==
	               pat(0x33, WPP + 21),
	       "a message the child receives into its copy does not reach "
	       "us (%#lx)",
	       (unsigned long)got);

	/* GNU Mach: vm_write into the child's copy and vm_copy onto ours
	 * stay on their side. */
	tap_expect(vm_write(c.task, r + 2 * PAGE, src, PAGE), 0,
	           "vm_write into the child's copy");
	tap_ok(memcmp((const void *)(r + 2 * PAGE), &model[2 * WPP], PAGE) ==
	               0 &&
	           ask(&c, OP_READ, r + 2 * PAGE + 8, 0) == pat(0x44, 1),
	       "the child reads it, we do not see it");
	tap_expect(vm_copy(T, src, PAGE, r + 3 * PAGE), 0,
	           "vm_copy onto our copy");
	tap_ok(ask(&c, OP_READ, r + 3 * PAGE + 8, 0) == pat(0x33, 3 * WPP + 1),
	       "the child does not see it");
	child_end(&c);
	(void)mach_port_destroy(T, p);
	(void)vm_deallocate(T, r, NP * PAGE);
	(void)vm_deallocate(T, src, PAGE);
}

/*
 * Modes changed between generations.  SHARE then COPY: a grandchild
 * forked COPY from a region the child shares with us gets a snapshot
 * while we and the child go on sharing.  COPY then SHARE: a child's
 * copy, made SHARE before anyone wrote, is shared between the child and
 * the grandchild only.
 */
static void check_mixed_generations(void)
{
	vm_address_t r = 0;
	volatile uint64_t *w;
	struct child c1, c2, c3;
	uint64_t a, b, d;
	int ok;

	(void)vm_allocate(T, &r, NP * PAGE, TRUE);
	w = (volatile uint64_t *)r;
	fill(r, NP * PAGE, 0x21);
	(void)vm_inherit(T, r, NP * PAGE, VM_INHERIT_SHARE);
	ok = child_start(T, &c1) == 0;
	/* GNU Mach: the child's entry is SHARE too, so a grandchild forked
	 * from it shares with both of us. */
	ok &= child_start(c1.task, &c3) == 0;
	(void)ask(&c3, OP_WRITE, r + 8 * 7, 0x77);
	tap_ok(ok && w[7] == 0x77 && ask(&c1, OP_READ, r + 8 * 7, 0) == 0x77,
	       "SHARE, SHARE: a grandchild shares with its parent and us");
	child_end(&c3);
	tap_expect(vm_inherit(c1.task, r, NP * PAGE, VM_INHERIT_COPY), 0,
	           "SHARE then COPY: the child makes its share COPY");
	ok = child_start(c1.task, &c2) == 0;
	w[1] = 0x1;
	(void)ask(&c1, OP_WRITE, r + 8 * WPP, 0x2);
	(void)ask(&c2, OP_WRITE, r + 8 * 2 * WPP, 0x3);
	a = ask(&c1, OP_READ, r + 8, 0);
	b = ask(&c2, OP_READ, r + 8, 0);
	d = ask(&c2, OP_READ, r + 8 * WPP, 0);
	/* GNU Mach: we and the child share; the grandchild has the
	 * contents at its fork. */
	tap_ok(ok && a == 0x1 && w[WPP] == 0x2 && b == pat(0x21, 1) &&
	           d == pat(0x21, WPP),
	       "SHARE then COPY: we and the child share, the grandchild "
	       "does not (%#lx %#lx %#lx)",
	       (unsigned long)a, (unsigned long)b, (unsigned long)d);
	tap_ok(w[2 * WPP] == pat(0x21, 2 * WPP) &&
	           ask(&c1, OP_READ, r + 8 * 2 * WPP, 0) == pat(0x21, 2 * WPP),
	       "SHARE then COPY: the grandchild's write stays its own");
	child_end(&c2);
	child_end(&c1);

	fill(r, NP * PAGE, 0x22);
	(void)vm_inherit(T, r, NP * PAGE, VM_INHERIT_COPY);
	ok = child_start(T, &c1) == 0;
	ok &= vm_inherit(c1.task, r, NP * PAGE, VM_INHERIT_SHARE) == 0;
	ok &= child_start(c1.task, &c2) == 0;
	tap_ok(ok, "COPY then SHARE: a child, its share, a grandchild");
	(void)ask(&c2, OP_WRITE, r + 8 * 3, 0x13);
	(void)ask(&c1, OP_WRITE, r + 8 * (WPP + 3), 0x23);
	w[2 * WPP + 3] = 0x33;
	a = ask(&c1, OP_READ, r + 8 * 3, 0);
	b = ask(&c2, OP_READ, r + 8 * (WPP + 3), 0);
	/* GNU Mach: the child and the grandchild share the child's copy;
	 * we are out of it both ways. */
	tap_ok(a == 0x13 && b == 0x23,
	       "COPY then SHARE: the child and grandchild see each other's "
	       "writes (%#lx %#lx)",
	       (unsigned long)a, (unsigned long)b);
	a = ask(&c1, OP_READ, r + 8 * (2 * WPP + 3), 0);
	b = ask(&c2, OP_READ, r + 8 * (2 * WPP + 3), 0);
	tap_ok(w[3] == pat(0x22, 3) && w[WPP + 3] == pat(0x22, WPP + 3) &&
	           a == pat(0x22, 2 * WPP + 3) && b == a,
	       "COPY then SHARE: neither sees ours, we see neither's");
	child_end(&c2);
	child_end(&c1);
	(void)vm_deallocate(T, r, NP * PAGE);
}

/* Three generations of COPY, with writes at each level. */
static void check_three_generations(void)
{
	static uint64_t want[4][NP * WPP]; /* us, c1, c2, c3 */
	vm_address_t r = 0;
	volatile uint64_t *w;
	struct child c[4];
	int ok;

	(void)vm_allocate(T, &r, NP * PAGE, TRUE);
	w = (volatile uint64_t *)r;
	fill(r, NP * PAGE, 0x91);
	fill((vm_address_t)want[0], NP * PAGE, 0x91);
	memset(c, 0, sizeof(c));
	c[0].task = T;
	ok = child_start(T, &c[1]) == 0;
	memcpy(want[1], want[0], sizeof(want[0]));
	ok &= ask(&c[1], OP_WRITE, r + 8 * WPP, 0x1001) == 0; /* page 1 */
	want[1][WPP] = 0x1001;
	w[0] = 0x0a;
	want[0][0] = 0x0a;
	ok &= child_start(c[1].task, &c[2]) == 0;
	memcpy(want[2], want[1], sizeof(want[0]));
	/* GNU Mach: each generation sees the contents of its parent at its
	 * fork, and nothing written anywhere else afterwards. */
	tap_ok(ok, "three generations: a child, its write, a grandchild");
	tap_ok(ask(&c[2], OP_READ, r + 8 * WPP, 0) == 0x1001 &&
	           ask(&c[2], OP_READ, r, 0) == pat(0x91, 0),
	       "the grandchild sees its parent's write, not ours");
	(void)ask(&c[2], OP_WRITE, r + 8 * 2 * WPP, 0x2002); /* page 2 */
	want[2][2 * WPP] = 0x2002;
	tap_ok(ask(&c[1], OP_READ, r + 8 * 2 * WPP, 0) == pat(0x91, 2 * WPP),
	       "the child does not see the grandchild's write");
	ok = child_start(c[2].task, &c[3]) == 0;
	memcpy(want[3], want[2], sizeof(want[0]));
	tap_ok(ok && ask(&c[3], OP_READ, r + 8 * WPP, 0) == 0x1001 &&
	           ask(&c[3], OP_READ, r + 8 * 2 * WPP, 0) == 0x2002 &&
	           ask(&c[3], OP_READ, r, 0) == pat(0x91, 0),
	       "a great-grandchild sees both ancestors' writes, not ours");
	(void)ask(&c[3], OP_WRITE, r + 8 * 3 * WPP, 0x3003); /* page 3 */
	want[3][3 * WPP] = 0x3003;
	(void)ask(&c[1], OP_WRITE, r + 8 * WPP, 0x1111); /* page 1 again */
	want[1][WPP] = 0x1111;
	(void)ask(&c[2], OP_WRITE, r + 8 * (WPP + 1), 0x2112);
	want[2][WPP + 1] = 0x2112;
	w[3 * WPP] = 0x0d;
	want[0][3 * WPP] = 0x0d;
	ok = 1;
	for (int g = 0; g < 4; g++) {
		long d = differs(c[g].task, r, want[g]);
		if (d != -1)
			tap_diag("generation %d differs at word %ld", g, d);
		ok &= d == -1;
	}
	tap_ok(ok, "each generation holds exactly its own and its "
	           "ancestors' writes (vm_read of all four)");
	/* GNU Mach: a task's death takes nothing from its descendants. */
	child_end(&c[1]);
	ok = differs(c[2].task, r, want[2]) == -1 &&
	     differs(c[3].task, r, want[3]) == -1 &&
	     ask(&c[3], OP_READ, r + 8 * WPP, 0) == 0x1001;
	tap_ok(ok, "the middle generation dies: the younger ones keep theirs");
	child_end(&c[2]);
	ok = differs(c[3].task, r, want[3]) == -1 &&
	     differs(T, r, want[0]) == -1;
	tap_ok(ok, "and so on: the youngest and we are unchanged");
	child_end(&c[3]);
	(void)vm_deallocate(T, r, NP * PAGE);
}

/*
 * GENS generations of task_create(inherit) from the newest task, each
 * older one terminated once it has a child; one word of the region
 * written (vm_write of its page) in every generation.  At the end the
 * newest holds every write, its code still runs, and we hold none.
 */
#define GENS 1000
static void check_many_generations(void)
{
	static uint64_t model[NP * WPP] __attribute__((aligned(4096)));
	vm_address_t r = 0;
	mach_port_t cur = T;
	struct child last;
	int64_t t0 = machr_now_ms();
	int created = 0, written = 0, ok;
	struct vm_statistics before, after;

	(void)vm_allocate(T, &r, NP * PAGE, TRUE);
	fill(r, NP * PAGE, 0xa5);
	(void)vm_statistics(T, &before);
	memcpy(model, (const void *)r, NP * PAGE);
	generation_mark = 0x600d;
	for (int g = 1; g <= GENS; g++) {
		mach_port_t next = MACH_PORT_NULL;
		size_t page = (size_t)g % NP,
		       word = page * WPP + 1 + (size_t)g / NP;

		if (task_create(cur, TRUE, &next) != KERN_SUCCESS)
			break;
		created++;
		if (cur != T) {
			(void)task_terminate(cur);
			(void)mach_port_deallocate(T, cur);
		}
		cur = next;
		model[word] = 0x10000 + (uint64_t)g;
		if (vm_write(cur, r + page * PAGE,
		             (vm_offset_t)&model[page * WPP],
		             PAGE) == KERN_SUCCESS)
			written++;
		generation_mark++;
	}
	/* GNU Mach: every task_create and vm_write succeeds; the newest
	 * task holds every generation's write, the data of our program as
	 * it was at the first fork, and runs our code; ours is untouched. */
	tap_ok(created == GENS && written == GENS,
	       "%d generations created, %d written (%ld ms)", created, written,
	       (long)(machr_now_ms() - t0));
	tap_ok(differs(cur, r, model) == -1,
	       "the newest generation holds every generation's write "
	       "(first difference %ld)",
	       differs(cur, r, model));
	tap_ok(peek(cur, (vm_address_t)&generation_mark) == 0x600d,
	       "and the data as it was at the first fork (%#lx)",
	       (unsigned long)peek(cur, (vm_address_t)&generation_mark));
	ok = child_start(cur, &last) == 0;
	tap_ok(ok && ask(&last, OP_READ, r + 8 * (WPP + 1), 0) == 0x10001 &&
	           ask(&last, OP_READ, r + 8 * (WPP - 1), 0) ==
	               pat(0xa5, WPP - 1),
	       "a child of it runs our code and reads the same words");
	child_end(&last);
	(void)task_terminate(cur);
	(void)mach_port_deallocate(T, cur);
	fill((vm_address_t)model, NP * PAGE, 0xa5);
	tap_ok(memcmp((const void *)r, model, NP * PAGE) == 0,
	       "our own region is as we filled it");
	tap_diag("%d generations in %ld ms", GENS, (long)(machr_now_ms() - t0));
	/* GNU Mach: every page of the dead generations is free again (the
	 * count is exactly back; we allow 128 pages of kernel caches, where
	 * a leak of a page per generation would show 1000). */
	(void)vm_statistics(T, &after);
	tap_ok(after.free_count + 128 >= before.free_count,
	       "free pages before %d, after %d", before.free_count,
	       after.free_count);
	(void)vm_deallocate(T, r, NP * PAGE);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("vm-cow: no console\n");
	tap_plan(126);
	report_port = machr_new_receive();
	for (int touched = 1; touched >= 0; touched--) {
		check_mode(VM_INHERIT_SHARE, touched);
		check_mode(VM_INHERIT_COPY, touched);
		check_mode(VM_INHERIT_NONE, touched);
	}
	check_read_only(VM_INHERIT_COPY);
	check_read_only(VM_INHERIT_SHARE);
	check_prot_none();
	check_parent_unmaps(VM_INHERIT_COPY);
	check_parent_unmaps(VM_INHERIT_SHARE);
	check_kernel_writes();
	check_mixed_generations();
	check_three_generations();
	check_many_generations();
	tap_finish(host_priv);
	return 0;
}
