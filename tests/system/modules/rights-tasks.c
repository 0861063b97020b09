/*
 * tests/system/modules/rights-tasks.c — port rights moving between two
 * tasks in messages and by mach_port_insert/extract_right: send,
 * send-once and receive rights made, copied and moved; the names the
 * receiving task gives them and their user references; a receive right
 * that moves with messages queued on it, and back.  A keeper thread in a
 * child task receives what we send and reports the names it got; we look
 * at the child's space through its task port.  Each check states what
 * GNU Mach answers.
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T machr_task

#define CHILD_REPORT 0x1000 /* send right to our report port */
#define CHILD_INBOX  0x1001 /* the keeper's receive right */
#define ID_GIVE                                                                \
	900 /* keeper: send right (word >> 32) back to us                      \
	       with disposition (word & 0xff) */
#define ID_GIVEN 901

/* One port item in a message body. */
struct port_msg {
	mach_msg_header_t h;
	mach_msg_type_t t;
	mach_port_name_inlined_t port;
	char slack[64];
};
#define PORT_MSG_SIZE offsetof(struct port_msg, slack)

static mach_msg_return_t send_right(mach_port_t to, unsigned to_disp,
                                    mach_msg_id_t id, mach_port_t right,
                                    unsigned disp)
{
	struct port_msg m;

	memset(&m, 0, sizeof(m));
	machr_msg_header(&m.h, to, to_disp, MACH_PORT_NULL, 0, PORT_MSG_SIZE);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_id = id;
	m.t = (mach_msg_type_t){.msgt_name = disp,
	                        .msgt_size = 64,
	                        .msgt_number = 1,
	                        .msgt_inline = 1};
	m.port.name = right;
	return mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, PORT_MSG_SIZE,
	                0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

/*
 * The keeper, in the child: reports each message's port item as
 * id = the message's id, word = name << 32 | item type (or, without a
 * body, the header's reply name and type); on ID_GIVE it sends a right
 * back instead.
 */
static void keeper(void *arg)
{
	struct port_msg m;
	uint64_t w;

	(void)arg;
	for (;;) {
		if (mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof(m), CHILD_INBOX, 0,
		             MACH_PORT_NULL) != MACH_MSG_SUCCESS)
			continue;
		if (m.h.msgh_id == ID_GIVE) { /* a word message */
			memcpy(&w, &m.port, sizeof(w));
			(void)send_right(CHILD_REPORT, MACH_MSG_TYPE_COPY_SEND,
			                 ID_GIVEN, (mach_port_t)(w >> 32),
			                 (unsigned)(w & 0xff));
			continue;
		}
		if (m.h.msgh_size >= PORT_MSG_SIZE)
			w = (uint64_t)m.port.name << 32 | m.t.msgt_name;
		else
			w = (uint64_t)m.h.msgh_remote_port << 32 |
			    MACH_MSGH_BITS_REMOTE(m.h.msgh_bits);
		(void)machr_send_word(CHILD_REPORT, MACH_MSG_TYPE_COPY_SEND,
		                      MACH_PORT_NULL, 0, m.h.msgh_id, w, 0, 0);
	}
}

static mach_port_t child, rep, inbox;

/* The keeper's report on the next message: the name it got (and, in
 * *TYPE, the item's type); ~0 if nothing came. */
static mach_port_t got(unsigned *type)
{
	struct machr_word_msg m;

	if (machr_recv_word(rep, &m, MACH_RCV_TIMEOUT, 5000) != 0)
		return ~0u;
	if (type)
		*type = (unsigned)(m.word & 0xffffffff);
	return (mach_port_t)(m.word >> 32);
}

static mach_port_type_t type_in(mach_port_t task, mach_port_t name)
{
	mach_port_type_t t = 0;

	if (mach_port_type(task, name, &t) != KERN_SUCCESS)
		return 0;
	return t;
}

static mach_port_urefs_t refs_in(mach_port_t task, mach_port_t name,
                                 mach_port_right_t right)
{
	mach_port_urefs_t n = 0;

	(void)mach_port_get_refs(task, name, right, &n);
	return n;
}

/* Ask the keeper to send its right NAME back with DISP; our name for
 * what arrives (and its type in *TYPE), or ~0. */
static mach_port_t give_back(mach_port_t name, unsigned disp, unsigned *type)
{
	struct port_msg m;

	if (machr_send_word(inbox, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0,
	                    ID_GIVE, (uint64_t)name << 32 | disp, 0, 0) != 0 ||
	    mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m), rep,
	             5000, MACH_PORT_NULL) != 0 ||
	    m.h.msgh_id != ID_GIVEN)
		return ~0u;
	*type = m.t.msgt_name;
	return m.port.name;
}

static void check_send_rights(void)
{
	mach_port_t p = machr_new_receive(), n1, n2, back;
	unsigned type = 0;

	/* Each send right arrives under the child's one name for the port;
	 * its urefs add up, ours drop only with MOVE_SEND. */
	static const struct {
		unsigned disp;
		mach_port_urefs_t child, ours;
		const char *what;
	} steps[] = {
	    {MACH_MSG_TYPE_MAKE_SEND, 1, 2, "MAKE_SEND"},
	    {MACH_MSG_TYPE_MAKE_SEND, 2, 2, "MAKE_SEND again"},
	    {MACH_MSG_TYPE_COPY_SEND, 3, 2, "COPY_SEND"},
	    {MACH_MSG_TYPE_MOVE_SEND, 4, 1, "MOVE_SEND"},
	};

	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_mod_refs(T, p, MACH_PORT_RIGHT_SEND, 1);
	n1 = MACH_PORT_NULL;
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		mach_port_urefs_t in_child, ours;
		mach_port_t name;

		tap_expect(send_right(inbox, MACH_MSG_TYPE_COPY_SEND, 1, p,
		                      steps[i].disp),
		           0, "send a %s right to the child", steps[i].what);
		name = got(&type);
		if (i == 0)
			n1 = name;
		in_child = refs_in(child, n1, MACH_PORT_RIGHT_SEND);
		ours = refs_in(T, p, MACH_PORT_RIGHT_SEND);
		tap_ok(name == n1 && type == MACH_MSG_TYPE_PORT_SEND &&
		           type_in(child, n1) == MACH_PORT_TYPE_SEND &&
		           in_child == steps[i].child && ours == steps[i].ours,
		       "PORT_SEND as %#x in the child: %u urefs there, %u here",
		       name, in_child, ours);
	}

	tap_expect(send_right(inbox, MACH_MSG_TYPE_COPY_SEND, 1, p,
	                      MACH_MSG_TYPE_MAKE_SEND_ONCE),
	           0, "send a MAKE_SEND_ONCE right");
	n2 = got(&type);
	tap_ok(type == MACH_MSG_TYPE_PORT_SEND_ONCE && n2 != n1 &&
	           type_in(child, n2) == MACH_PORT_TYPE_SEND_ONCE,
	       "a PORT_SEND_ONCE right under a name of its own (%#x)", n2);

	back = give_back(n1, MACH_MSG_TYPE_MOVE_SEND, &type);
	tap_ok(back == p && type == MACH_MSG_TYPE_PORT_SEND &&
	           refs_in(T, p, MACH_PORT_RIGHT_SEND) == 2 &&
	           refs_in(child, n1, MACH_PORT_RIGHT_SEND) == 3,
	       "the child moves one uref back: ours 2, its 3 (name %#x)", back);
	(void)mach_port_mod_refs(child, n1, MACH_PORT_RIGHT_SEND, -2);
	back = give_back(n1, MACH_MSG_TYPE_MOVE_SEND, &type);
	tap_ok(back == p && type_in(child, n1) == 0,
	       "moving its last uref frees the child's name");
	back = give_back(n2, MACH_MSG_TYPE_MOVE_SEND_ONCE, &type);
	tap_ok(back != p && back != ~0u &&
	           type == MACH_MSG_TYPE_PORT_SEND_ONCE &&
	           type_in(T, back) == MACH_PORT_TYPE_SEND_ONCE,
	       "the send-once right comes back under a new name (%#x)", back);
	(void)mach_port_deallocate(T, back); /* sends a send-once notice */
	(void)mach_port_destroy(T, p);
}

static void check_receive_right(void)
{
	mach_port_t q = machr_new_receive(), nq, back;
	mach_port_status_t st;
	struct machr_word_msg m;
	unsigned type = 0;
	int order = 1;

	(void)mach_port_insert_right(T, q, q, MACH_MSG_TYPE_MAKE_SEND);
	for (int i = 0; i < 3; i++)
		(void)machr_send_word(q, MACH_MSG_TYPE_COPY_SEND,
		                      MACH_PORT_NULL, 0, 10 + i, 100 + i, 0, 0);
	(void)mach_port_set_seqno(T, q, 40);
	tap_expect(send_right(inbox, MACH_MSG_TYPE_COPY_SEND, 1, q,
	                      MACH_MSG_TYPE_MOVE_RECEIVE),
	           0, "move a receive right with 3 messages queued");
	nq = got(&type);
	tap_ok(type == MACH_MSG_TYPE_PORT_RECEIVE &&
	           type_in(child, nq) == MACH_PORT_TYPE_RECEIVE,
	       "the child holds the receive right (%#x)", nq);
	tap_ok(type_in(T, q) == MACH_PORT_TYPE_SEND,
	       "we keep our send right (%#x)", type_in(T, q));
	memset(&st, 0, sizeof(st));
	tap_expect(mach_port_get_receive_status(child, nq, &st), 0,
	           "get_receive_status in the child");
	/* GNU Mach: the messages travel with the right; the sequence number
	 * (set to 40 before) restarts at 0 in the new space, the make-send
	 * count too; queued messages get their seqnos when received. */
	tap_ok(st.mps_msgcount == 3 && st.mps_seqno == 0 && st.mps_mscount == 0,
	       "3 messages queued, seqno %u, mscount %u", st.mps_seqno,
	       st.mps_mscount);
	tap_ok(st.mps_srights, "it knows there are send rights");
	back = give_back(nq, MACH_MSG_TYPE_MOVE_RECEIVE, &type);
	tap_ok(back == q && type == MACH_MSG_TYPE_PORT_RECEIVE &&
	           type_in(T, q) == MACH_PORT_TYPE_SEND_RECEIVE &&
	           type_in(child, nq) == 0,
	       "moved back, it rejoins our send right's name (%#x)", back);
	for (int i = 0; i < 3; i++) {
		m.h.msgh_id = 0;
		(void)machr_recv_word(q, &m, MACH_RCV_TIMEOUT, 0);
		order &= m.h.msgh_id == 10 + i &&
		         m.word == (uint64_t)(100 + i) &&
		         m.h.msgh_seqno == (mach_port_seqno_t)i;
	}
	tap_ok(order, "the 3 messages are still there, in order, seqnos 0-2");

	tap_expect(send_right(inbox, MACH_MSG_TYPE_COPY_SEND, 1, q,
	                      MACH_MSG_TYPE_MAKE_SEND_ONCE),
	           0, "send a send-once right");
	back = got(NULL);
	tap_expect(mach_port_extract_right(
	               child, back, MACH_MSG_TYPE_MOVE_SEND_ONCE, &nq, &type),
	           0, "extract_right(MOVE_SEND_ONCE) from the child");
	tap_ok(type == MACH_MSG_TYPE_PORT_SEND_ONCE &&
	           type_in(child, back) == 0 &&
	           type_in(T, nq) == MACH_PORT_TYPE_SEND_ONCE,
	       "we hold it now, the child's name is gone (%u)", type);
	(void)mach_port_deallocate(T, nq);
	(void)machr_recv_word(q, &m, MACH_RCV_TIMEOUT, 0); /* its notice */

	tap_expect(mach_port_insert_right(child, 0x3000, q,
	                                  MACH_MSG_TYPE_MOVE_RECEIVE),
	           0, "insert_right(MOVE_RECEIVE) into the child as 0x3000");
	tap_expect(mach_port_extract_right(child, 0x3000,
	                                   MACH_MSG_TYPE_MAKE_SEND, &nq, &type),
	           0, "extract_right(MAKE_SEND) of it");
	tap_ok(nq == q && type == MACH_MSG_TYPE_PORT_SEND &&
	           refs_in(T, q, MACH_PORT_RIGHT_SEND) == 2,
	       "joins our send name: 2 urefs (%u)",
	       refs_in(T, q, MACH_PORT_RIGHT_SEND));
	tap_expect(mach_port_extract_right(
	               child, 0x3000, MACH_MSG_TYPE_MOVE_RECEIVE, &nq, &type),
	           0, "extract_right(MOVE_RECEIVE) takes it back");
	tap_ok(nq == q && type == MACH_MSG_TYPE_PORT_RECEIVE &&
	           type_in(T, q) == MACH_PORT_TYPE_SEND_RECEIVE,
	       "under our name again");
	tap_expect(mach_port_extract_right(
	               child, 0x3000, MACH_MSG_TYPE_MOVE_RECEIVE, &nq, &type),
	           KERN_INVALID_NAME, "extract_right of a name now unused");
	tap_expect(mach_port_extract_right(child, CHILD_INBOX, 99, &nq, &type),
	           KERN_INVALID_VALUE, "extract_right with disposition 99");
	tap_expect(
	    mach_port_extract_right(child, CHILD_REPORT,
	                            MACH_MSG_TYPE_MOVE_RECEIVE, &nq, &type),
	    KERN_INVALID_RIGHT, "extract_right(MOVE_RECEIVE) of a send right");
	tap_expect(mach_port_insert_right(child, CHILD_REPORT, q,
	                                  MACH_MSG_TYPE_MAKE_SEND),
	           KERN_NAME_EXISTS,
	           "insert_right under a name used for another port");
	/* GNU Mach: the right travels in the RPC's request, so a bad name
	 * of ours fails the send: MACH_SEND_INVALID_RIGHT. */
	tap_expect(mach_port_insert_right(child, 0x3001, 0x5555,
	                                  MACH_MSG_TYPE_MAKE_SEND),
	           MACH_SEND_INVALID_RIGHT,
	           "insert_right of an unused name of ours");
	(void)mach_port_destroy(T, q);
}

static void check_dead_right(void)
{
	mach_port_t d = machr_new_receive(), n;
	unsigned type = 0;

	(void)mach_port_insert_right(T, d, d, MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_insert_right(T, d, d, MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_mod_refs(T, d, MACH_PORT_RIGHT_RECEIVE, -1);
	tap_ok(type_in(T, d) == MACH_PORT_TYPE_DEAD_NAME, "a dead name (%#x)",
	       type_in(T, d));
	/* GNU Mach: a dead name may be sent as COPY_SEND/MOVE_SEND; it
	 * arrives as MACH_PORT_DEAD. */
	tap_expect(send_right(inbox, MACH_MSG_TYPE_COPY_SEND, 1, d,
	                      MACH_MSG_TYPE_COPY_SEND),
	           0, "send a dead name as COPY_SEND");
	n = got(&type);
	tap_ok(n == MACH_PORT_DEAD && type == MACH_MSG_TYPE_PORT_SEND,
	       "it arrives as MACH_PORT_DEAD (%#x, type %u)", n, type);
	tap_expect(send_right(inbox, MACH_MSG_TYPE_COPY_SEND, 1, d,
	                      MACH_MSG_TYPE_MAKE_SEND),
	           MACH_SEND_INVALID_RIGHT, "MAKE_SEND from a dead name");
	(void)mach_port_destroy(T, d);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, th;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("rights-tasks: no console\n");
	tap_plan(39);
	rep = machr_new_receive();
	inbox = machr_new_receive();
	(void)mach_port_insert_right(T, inbox, inbox, MACH_MSG_TYPE_MAKE_SEND);
	(void)task_create(T, TRUE, &child);
	(void)mach_port_insert_right(child, CHILD_REPORT, rep,
	                             MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_insert_right(child, CHILD_INBOX, inbox,
	                             MACH_MSG_TYPE_MOVE_RECEIVE);
	tap_expect(machr_task_thread_start(child, keeper, NULL, &th), 0,
	           "start the keeper in a child task");
	check_send_rights();
	check_receive_right();
	check_dead_right();
	(void)task_terminate(child);
	tap_finish(host_priv);
	return 0;
}
