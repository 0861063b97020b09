/*
 * tests/system/modules/ipc-ports.c — the port interface (mach_port.defs)
 * as a program sees it: rights, user references and their limits, names,
 * renames, port sets, dead names, receive status.  Each check states what
 * GNU Mach answers; the same binary runs on both kernels.
 * Runs as the bootstrap task; argv = [name, host-priv, device-master].
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T machr_task

/* ok iff the call returned WANT. */
static mach_port_type_t type_of(mach_port_t name)
{
	mach_port_type_t t = 0;

	if (mach_port_type(T, name, &t) != KERN_SUCCESS)
		return (mach_port_type_t)-1;
	return t;
}

static mach_port_urefs_t refs_of(mach_port_t name, mach_port_right_t right)
{
	mach_port_urefs_t n = (mach_port_urefs_t)-1;

	(void)mach_port_get_refs(T, name, right, &n);
	return n;
}

static void check_rights_and_refs(void)
{
	mach_port_t p = machr_new_receive(), q;
	mach_port_urefs_t max;

	tap_ok(p != MACH_PORT_NULL && type_of(p) == MACH_PORT_TYPE_RECEIVE,
	       "allocate: a receive right");
	tap_ok(refs_of(p, MACH_PORT_RIGHT_RECEIVE) == 1 &&
	           refs_of(p, MACH_PORT_RIGHT_SEND) == 0,
	       "get_refs: receive 1, send 0");
	tap_expect(mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND), 0,
	           "insert_right MAKE_SEND on the receive right's name");
	tap_ok(type_of(p) == MACH_PORT_TYPE_SEND_RECEIVE,
	       "send and receive share one name");
	tap_expect(mach_port_mod_refs(T, p, MACH_PORT_RIGHT_SEND, 3), 0,
	           "mod_refs send +3");
	tap_ok(refs_of(p, MACH_PORT_RIGHT_SEND) == 4, "send urefs now 4");
	tap_expect(mach_port_mod_refs(T, p, MACH_PORT_RIGHT_SEND, -5),
	           KERN_INVALID_VALUE, "mod_refs send -5 of 4: underflow");
	tap_ok(refs_of(p, MACH_PORT_RIGHT_SEND) == 4,
	       "a refused mod_refs changes nothing");
	tap_expect(mach_port_mod_refs(T, p, MACH_PORT_RIGHT_SEND, -4), 0,
	           "mod_refs send -4 of 4");
	tap_ok(type_of(p) == MACH_PORT_TYPE_RECEIVE,
	       "dropping every send ref leaves the receive right");
	tap_expect(mach_port_deallocate(T, p), KERN_INVALID_RIGHT,
	           "deallocate on a receive-only name");
	tap_expect(mach_port_mod_refs(T, p, MACH_PORT_RIGHT_RECEIVE, 1),
	           KERN_INVALID_VALUE, "mod_refs receive +1");
	tap_expect(mach_port_mod_refs(T, p, MACH_PORT_RIGHT_SEND_ONCE, -1),
	           KERN_INVALID_RIGHT, "mod_refs send-once on a receive name");
	tap_expect(mach_port_mod_refs(T, p, MACH_PORT_RIGHT_NUMBER, 0),
	           KERN_INVALID_VALUE, "mod_refs with a bad right kind");

	/* The user-reference limit. */
	tap_expect(mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND), 0,
	           "make a send right again");
	tap_expect(mach_port_mod_refs(T, p, MACH_PORT_RIGHT_SEND, 0xfffe),
	           KERN_UREFS_OVERFLOW, "mod_refs send 1 + 0xfffe overflows");
	tap_expect(mach_port_mod_refs(T, p, MACH_PORT_RIGHT_SEND, 0xfffd), 0,
	           "mod_refs send up to 0xfffe");
	max = refs_of(p, MACH_PORT_RIGHT_SEND);
	tap_ok(max == 0xfffe, "send urefs at 0xfffe, the limit (%u)", max);
	tap_expect(mach_port_mod_refs(T, p, MACH_PORT_RIGHT_SEND, 1),
	           KERN_UREFS_OVERFLOW, "one more send uref overflows");
	tap_expect(mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND),
	           KERN_UREFS_OVERFLOW, "insert_right at the limit overflows");
	tap_ok(refs_of(p, MACH_PORT_RIGHT_SEND) == 0xfffe,
	       "overflow leaves the count");
	tap_expect(mach_port_mod_refs(T, p, MACH_PORT_RIGHT_SEND, -0xfffe), 0,
	           "drop them all");

	/* Send-once rights. */
	tap_expect(
	    mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND_ONCE),
	    KERN_NAME_EXISTS,
	    "insert_right MAKE_SEND_ONCE on the receive name");
	tap_expect(mach_port_allocate(T, MACH_PORT_RIGHT_SEND_ONCE, &q),
	           KERN_INVALID_VALUE,
	           "allocate cannot make a send-once right");

	tap_expect(mach_port_destroy(T, p), 0, "destroy the receive right");
	tap_ok(type_of(p) == (mach_port_type_t)-1, "its name is gone");
	tap_expect(mach_port_type(T, 0x12345, &(mach_port_type_t){0}),
	           KERN_INVALID_NAME, "type of a name never used");
	tap_expect(mach_port_destroy(T, MACH_PORT_NULL), KERN_INVALID_NAME,
	           "destroy MACH_PORT_NULL");
}

static void check_names(void)
{
	mach_port_t p = machr_new_receive(), q = machr_new_receive(), r;

	tap_diag("names allocated: %u then %u", p, q);
	tap_expect(mach_port_allocate_name(T, MACH_PORT_RIGHT_RECEIVE, p),
	           KERN_NAME_EXISTS, "allocate_name of a name in use");
	tap_expect(
	    mach_port_allocate_name(T, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_NULL),
	    KERN_INVALID_VALUE, "allocate_name MACH_PORT_NULL");
	tap_expect(
	    mach_port_allocate_name(T, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_DEAD),
	    KERN_INVALID_VALUE, "allocate_name MACH_PORT_DEAD");
	tap_expect(mach_port_allocate_name(T, MACH_PORT_RIGHT_RECEIVE, 0x777),
	           0, "allocate_name 0x777");
	tap_ok(type_of(0x777) == MACH_PORT_TYPE_RECEIVE, "0x777 is a receive");
	tap_expect(mach_port_rename(T, 0x777, q), KERN_NAME_EXISTS,
	           "rename onto a name in use");
	tap_expect(mach_port_rename(T, 0x777, 0x778), 0,
	           "rename 0x777 to 0x778");
	tap_ok(type_of(0x777) == (mach_port_type_t)-1 &&
	           type_of(0x778) == MACH_PORT_TYPE_RECEIVE,
	       "the old name is gone, the new one holds the right");
	tap_expect(mach_port_rename(T, 0x779, 0x77a), KERN_INVALID_NAME,
	           "rename of an unused name");
	tap_expect(mach_port_destroy(T, 0x778), 0, "destroy 0x778");
	tap_expect(mach_port_destroy(T, q), 0, "destroy q");
	r = machr_new_receive();
	tap_diag("after destroying %u, the next name is %u", q, r);
	(void)mach_port_destroy(T, p);
	(void)mach_port_destroy(T, r);
}

static void check_port_sets(void)
{
	mach_port_t p = machr_new_receive(), s = MACH_PORT_NULL;
	mach_port_array_t members;
	mach_msg_type_number_t n = 99;
	mach_port_status_t st;
	mach_msg_header_t m;

	tap_expect(mach_port_allocate(T, MACH_PORT_RIGHT_PORT_SET, &s), 0,
	           "allocate a port set");
	tap_ok(type_of(s) == MACH_PORT_TYPE_PORT_SET, "its type is PORT_SET");
	tap_expect(mach_port_move_member(T, p, s), 0,
	           "move a port into the set");
	tap_expect(mach_port_get_receive_status(T, p, &st), 0,
	           "receive status");
	tap_ok(st.mps_pset == s, "status names the set (%u)", st.mps_pset);
	tap_expect(mach_port_get_set_status(T, s, &members, &n), 0,
	           "get_set_status");
	tap_ok(n == 1 && members[0] == p, "the set has the port (%u)", n);
	(void)vm_deallocate(T, (vm_address_t)members, n * sizeof *members);
	m.msgh_size = sizeof(m);
	tap_expect(mach_msg(&m, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m),
	                    p, 0, MACH_PORT_NULL),
	           MACH_RCV_IN_SET, "receive on a member port");
	tap_expect(mach_msg(&m, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m),
	                    s, 0, MACH_PORT_NULL),
	           MACH_RCV_TIMED_OUT, "receive on the empty set times out");
	tap_expect(mach_port_move_member(T, s, s), KERN_INVALID_RIGHT,
	           "move a set into a set");
	tap_expect(mach_port_move_member(T, p, p), KERN_INVALID_RIGHT,
	           "move a port into a port");
	tap_expect(mach_port_get_set_status(T, p, &members, &n),
	           KERN_INVALID_RIGHT, "get_set_status on a port");
	tap_expect(mach_port_get_receive_status(T, s, &st), KERN_INVALID_RIGHT,
	           "get_receive_status on a set");
	/* The poly argument fails in the request message's copyin. */
	tap_expect(mach_port_insert_right(T, s, s, MACH_MSG_TYPE_MAKE_SEND),
	           MACH_SEND_INVALID_RIGHT, "make a send right from a set");
	tap_expect(mach_port_move_member(T, p, MACH_PORT_NULL), 0,
	           "move the port out of every set");
	n = 99;
	tap_expect(mach_port_get_set_status(T, s, &members, &n), 0,
	           "get_set_status again");
	tap_ok(n == 0, "the set is empty (%u)", n);
	tap_expect(mach_port_move_member(T, p, s), 0, "move it back in");
	tap_expect(mach_port_destroy(T, s), 0, "destroy the set");
	tap_expect(mach_port_get_receive_status(T, p, &st), 0,
	           "receive status");
	tap_ok(st.mps_pset == MACH_PORT_NULL, "the port left the dead set");
	(void)mach_port_destroy(T, p);
}

static void check_receive_status(void)
{
	mach_port_t p = machr_new_receive();
	mach_port_status_t st;
	struct {
		mach_msg_header_t h;
		char room[64];
	} m;

	tap_expect(mach_port_get_receive_status(T, p, &st), 0,
	           "receive status");
	tap_ok(st.mps_qlimit == MACH_PORT_QLIMIT_DEFAULT && st.mps_seqno == 0 &&
	           st.mps_mscount == 0 && st.mps_msgcount == 0 &&
	           st.mps_sorights == 0 && !st.mps_srights &&
	           !st.mps_pdrequest && !st.mps_nsrequest,
	       "a new port: qlimit 5, all counts zero");
	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_get_receive_status(T, p, &st);
	tap_ok(st.mps_mscount == 2 && st.mps_srights,
	       "two make-sends: mscount 2 (%u), srights", st.mps_mscount);
	tap_expect(mach_port_set_qlimit(T, p, MACH_PORT_QLIMIT_MAX + 1),
	           KERN_INVALID_VALUE, "qlimit above the maximum");
	tap_expect(mach_port_set_qlimit(T, p, MACH_PORT_QLIMIT_MAX), 0,
	           "qlimit at the maximum");
	tap_expect(mach_port_set_mscount(T, p, 7), 0, "set_mscount 7");
	tap_expect(mach_port_set_seqno(T, p, 42), 0, "set_seqno 42");
	(void)mach_port_get_receive_status(T, p, &st);
	tap_ok(st.mps_qlimit == 16 && st.mps_mscount == 7 && st.mps_seqno == 42,
	       "status shows qlimit 16, mscount 7, seqno 42");
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.h.msgh_size = sizeof(m.h);
	m.h.msgh_remote_port = p;
	m.h.msgh_local_port = MACH_PORT_NULL;
	m.h.msgh_id = 1234;
	tap_expect(mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG, sizeof(m.h),
	                    sizeof(m), p, 0, MACH_PORT_NULL),
	           0, "send to self and receive");
	tap_ok(m.h.msgh_seqno == 42 && m.h.msgh_id == 1234,
	       "the message carries seqno 42 (%u)", m.h.msgh_seqno);
	(void)mach_port_get_receive_status(T, p, &st);
	tap_ok(st.mps_seqno == 43, "the port's seqno is now 43 (%u)",
	       st.mps_seqno);
	(void)mach_port_destroy(T, p);
}

static void check_dead_names(void)
{
	mach_port_t p = machr_new_receive(), other = MACH_PORT_NULL, q;

	tap_expect(task_create(T, FALSE, &other), 0, "create a second task");
	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_mod_refs(T, p, MACH_PORT_RIGHT_SEND, 2);
	tap_expect(
	    mach_port_insert_right(other, 0x500, p, MACH_MSG_TYPE_MOVE_RECEIVE),
	    0, "give the receive right to the other task");
	tap_ok(type_of(p) == MACH_PORT_TYPE_SEND,
	       "our name keeps only the send right");
	tap_expect(mach_port_destroy(other, 0x500), 0,
	           "the other task destroys the receive right");
	tap_ok(type_of(p) == MACH_PORT_TYPE_DEAD_NAME,
	       "our send right became a dead name (%#x)", type_of(p));
	tap_ok(refs_of(p, MACH_PORT_RIGHT_DEAD_NAME) == 3,
	       "the dead name keeps the 3 user references (%u)",
	       refs_of(p, MACH_PORT_RIGHT_DEAD_NAME));
	tap_ok(refs_of(p, MACH_PORT_RIGHT_SEND) == 0, "and no send references");
	tap_expect(mach_port_mod_refs(T, p, MACH_PORT_RIGHT_SEND, -1),
	           KERN_INVALID_RIGHT, "mod_refs send on a dead name");
	tap_expect(mach_port_deallocate(T, p), 0, "deallocate a dead name ref");
	tap_expect(mach_port_mod_refs(T, p, MACH_PORT_RIGHT_DEAD_NAME, -2), 0,
	           "drop the last dead-name refs");
	tap_ok(type_of(p) == (mach_port_type_t)-1, "the dead name is gone");

	q = machr_new_receive();
	tap_expect(
	    mach_port_insert_right(other, 0x501, q, MACH_MSG_TYPE_MAKE_SEND), 0,
	    "insert a send right into the other task");
	tap_expect(
	    mach_port_insert_right(other, 0x501, q, MACH_MSG_TYPE_MAKE_SEND), 0,
	    "insert the same send right again (more urefs)");
	{
		mach_port_urefs_t n = 0;

		(void)mach_port_get_refs(other, 0x501, MACH_PORT_RIGHT_SEND,
		                         &n);
		tap_ok(n == 2, "the other task holds 2 send urefs (%u)", n);
	}
	tap_expect(
	    mach_port_insert_right(other, 0x502, q, MACH_MSG_TYPE_MAKE_SEND),
	    KERN_RIGHT_EXISTS, "a second name for the same send right");
	(void)mach_port_destroy(T, q);
	(void)task_terminate(other);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("ipc-ports: no console\n");
	tap_plan(86);
	check_rights_and_refs();
	check_names();
	check_port_sets();
	check_receive_status();
	check_dead_names();
	tap_finish(host_priv);
	return 0;
}
