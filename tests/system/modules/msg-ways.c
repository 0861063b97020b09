/*
 * tests/system/modules/msg-ways.c — typed messages of several shapes, each
 * sent four ways: (a) one mach_msg SEND|RCV to and from the same port on
 * one thread, (b) a send then a separate receive, (c) an RPC to an echo
 * thread that returns the message through the reply right, (d) the same
 * with separate send and receive calls on the client side.  The shapes:
 * inline strings (MACH_MSG_TYPE_STRING_C by count and the old one-item
 * MACH_MSG_TYPE_STRING of 128 bits), characters (MACH_MSG_TYPE_CHAR
 * items of 1, 3 and 9), several items of different types in one
 * message, an out-of-line array of send rights followed by inline data,
 * and empty out-of-line items (no bytes, no ports) between inline ones.
 * Each time the received msgh_size, every descriptor (all 8 bytes) and
 * every byte of data are checked.  Each check states what GNU Mach
 * delivers.
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T machr_task

#define QUIT_ID 999
#define NPORTS  4

union buf {
	mach_msg_header_t h;
	char bytes[1024];
};

/* One typed item of a message shape. */
struct item {
	mach_msg_type_name_t name;
	unsigned size, number;
	int is_inline;
	const void *data; /* inline bytes, out-of-line memory or port names */
};

struct shape {
	const char *what;
	struct item items[6];
	int n;
};

static mach_port_t ool_ports[NPORTS];
static const char long_text[] = "Mach strings travel inline, NUL and all";
static const char old_text[16] = "fifteen chars!!";
static const char chars1[] = "M", chars3[] = "ach", chars9[] = "_kernel_R";
static const int32_t ints[3] = {-1, 0x12345678, 42};
static const int64_t longs[2] = {-0x1122334455667788LL, 0x7fffffffffffffffLL};
static const int16_t shorts[3] = {-2, 0x7eef, 3};
static const char mixed_chars[5] = {'a', 0, 'z', '\n', (char)0xff};
static const char tail[8] = "tail!!!";

static struct shape shapes[] = {
    {"strings",
     {{MACH_MSG_TYPE_STRING_C, 8, sizeof long_text, 1, long_text},
      {MACH_MSG_TYPE_STRING, 8 * sizeof old_text, 1, 1, old_text}},
     2},
    {"characters",
     {{MACH_MSG_TYPE_CHAR, 8, 1, 1, chars1},
      {MACH_MSG_TYPE_CHAR, 8, 3, 1, chars3},
      {MACH_MSG_TYPE_CHAR, 8, 9, 1, chars9}},
     3},
    {"several items",
     {{MACH_MSG_TYPE_INTEGER_32, 32, 3, 1, ints},
      {MACH_MSG_TYPE_CHAR, 8, 5, 1, mixed_chars},
      {MACH_MSG_TYPE_INTEGER_64, 64, 2, 1, longs},
      {MACH_MSG_TYPE_STRING_C, 8, 4, 1, "abc"},
      {MACH_MSG_TYPE_INTEGER_16, 16, 3, 1, shorts}},
     5},
    {"out-of-line port array",
     {{MACH_MSG_TYPE_COPY_SEND, 32, NPORTS, 0, ool_ports},
      {MACH_MSG_TYPE_CHAR, 8, 8, 1, tail}},
     2},
    {"empty out-of-line items",
     {{MACH_MSG_TYPE_CHAR, 8, 3, 1, chars3},
      {MACH_MSG_TYPE_BYTE, 8, 0, 0, long_text},
      {MACH_MSG_TYPE_COPY_SEND, 32, 0, 0, ool_ports},
      {MACH_MSG_TYPE_CHAR, 8, 8, 1, tail}},
     4},
};
#define NSHAPES ((int)(sizeof(shapes) / sizeof(shapes[0])))

static int is_port_type(mach_msg_type_name_t t)
{
	return t >= MACH_MSG_TYPE_MOVE_RECEIVE &&
	       t <= MACH_MSG_TYPE_MAKE_SEND_ONCE;
}

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static size_t inline_bytes(const struct item *it)
{
	return ((size_t)it->size * it->number + 7) / 8;
}

/* Whether SHAPE carries rights or out-of-line memory. */
static int complex(const struct shape *s)
{
	for (int i = 0; i < s->n; i++)
		if (!s->items[i].is_inline || is_port_type(s->items[i].name))
			return 1;
	return 0;
}

/* Lay out SHAPE after M's header; returns the message size. */
static mach_msg_size_t build(union buf *m, const struct shape *s)
{
	char *p = (char *)(&m->h + 1);

	for (int i = 0; i < s->n; i++) {
		const struct item *it = &s->items[i];
		mach_msg_type_t *t = (mach_msg_type_t *)p;

		memset(t, 0, sizeof *t);
		t->msgt_name = it->name;
		t->msgt_size = it->size;
		t->msgt_number = it->number;
		t->msgt_inline = it->is_inline;
		t->msgt_longform = !it->is_inline;
		p += sizeof *t;
		if (it->is_inline) {
			size_t n = inline_bytes(it);
			memset(p, 0, pad8(n));
			memcpy(p, it->data, n);
			p += pad8(n);
		} else {
			*(const void **)p = it->data;
			p += sizeof(void *);
		}
	}
	if (complex(s))
		m->h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	return (mach_msg_size_t)(p - (char *)m);
}

/*
 * Compare what arrived in M with SHAPE: size, complex bit, each
 * descriptor (rights arrive as MACH_MSG_TYPE_PORT_SEND, the other bits
 * unchanged), inline bytes and padding, out-of-line contents (port
 * names: the same names, as the rights stay in this task).  Frees the
 * out-of-line memory and the rights that came with it.  0 and a
 * diagnostic on the first difference.
 */
static int matches(union buf *m, const struct shape *s, mach_msg_size_t size)
{
	char *p = (char *)(&m->h + 1);
	int ok = 1;

	if (m->h.msgh_size != size) {
		tap_diag("msgh_size %u, sent %u", m->h.msgh_size, size);
		ok = 0;
	}
	if (!(m->h.msgh_bits & MACH_MSGH_BITS_COMPLEX) != !complex(s)) {
		tap_diag("bits %#x", m->h.msgh_bits);
		ok = 0;
	}
	for (int i = 0; i < s->n && p < (char *)m + size; i++) {
		const struct item *it = &s->items[i];
		mach_msg_type_t want, got;

		memset(&want, 0, sizeof want);
		want.msgt_name =
		    is_port_type(it->name) ? MACH_MSG_TYPE_PORT_SEND : it->name;
		want.msgt_size = it->size;
		want.msgt_number = it->number;
		want.msgt_inline = it->is_inline;
		want.msgt_longform = !it->is_inline;
		/* GNU Mach: out-of-line items, empty ones too, arrive with
		 * the deallocate bit set. */
		want.msgt_deallocate = !it->is_inline;
		memcpy(&got, p, sizeof got);
		if (memcmp(&want, &got, sizeof got) != 0) {
			uint64_t g, w;

			memcpy(&g, &got, sizeof g);
			memcpy(&w, &want, sizeof w);
			tap_diag("item %d: descriptor %#lx, want %#lx (name %u "
			         "size %u number %u inline %u long %u dealloc "
			         "%u)",
			         i, (unsigned long)g, (unsigned long)w,
			         got.msgt_name, got.msgt_size, got.msgt_number,
			         got.msgt_inline, got.msgt_longform,
			         got.msgt_deallocate);
			ok = 0;
		}
		p += sizeof got;
		if (it->is_inline) {
			size_t n = inline_bytes(it);
			char zero[8] = {0};

			if (memcmp(p, it->data, n) != 0 ||
			    memcmp(p + n, zero, pad8(n) - n) != 0) {
				tap_diag("item %d: inline bytes differ", i);
				ok = 0;
			}
			p += pad8(n);
			continue;
		}
		{
			char *data = *(char **)p;
			size_t n = inline_bytes(it);

			p += sizeof(void *);
			if (it->number == 0) {
				if (data != NULL) {
					tap_diag("item %d: empty, at %p", i,
					         (void *)data);
					ok = 0;
				}
				continue;
			}
			/* GNU Mach never maps page 0 for it. */
			if (data == NULL) {
				tap_diag("item %d: out-of-line data placed at "
				         "address 0",
				         i);
				ok = 0;
				continue;
			}
			if (memcmp(data, it->data, n) != 0) {
				tap_diag("item %d: out-of-line data at %p "
				         "differs",
				         i, (void *)data);
				ok = 0;
			}
			if (is_port_type(it->name))
				for (unsigned k = 0; k < it->number; k++)
					(void)mach_port_deallocate(
					    T, ((mach_port_t *)data)[k]);
			(void)vm_deallocate(T, (vm_address_t)data, n);
		}
	}
	if (p != (char *)m + size) {
		tap_diag("body ends at %ld, size %u", (long)(p - (char *)m),
		         size);
		ok = 0;
	}
	return ok;
}

/* Set the deallocate bit of every out-of-line item of M (GNU Mach
 * delivers them so already): sending it back then frees our copy. */
static void dealloc_on_send(union buf *m)
{
	char *p = (char *)(&m->h + 1), *end = (char *)m + m->h.msgh_size;

	while (p + sizeof(mach_msg_type_t) <= end) {
		mach_msg_type_t *t = (mach_msg_type_t *)p;

		p += sizeof *t;
		if (t->msgt_inline) {
			p += pad8(((size_t)t->msgt_size * t->msgt_number + 7) /
			          8);
		} else {
			t->msgt_deallocate = 1;
			p += sizeof(void *);
		}
	}
}

static mach_port_t echo_port, reply_port, self_port;
static volatile int echo_count;

/* Return every message to its reply right, unchanged, until QUIT_ID. */
static void echo(void *arg)
{
	union buf m;

	(void)arg;
	for (;;) {
		mach_msg_bits_t bits;

		if (mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof m, echo_port, 0,
		             MACH_PORT_NULL) != MACH_MSG_SUCCESS)
			continue;
		if (m.h.msgh_id == QUIT_ID)
			break;
		bits = m.h.msgh_bits;
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(bits), 0) |
		                (bits & MACH_MSGH_BITS_COMPLEX);
		m.h.msgh_local_port = MACH_PORT_NULL;
		dealloc_on_send(&m);
		if (mach_msg(&m.h, MACH_SEND_MSG, m.h.msgh_size, 0,
		             MACH_PORT_NULL, 0, MACH_PORT_NULL) == 0)
			echo_count++;
	}
}

enum way { SAME_PORT, SPLIT, ECHO_RPC, ECHO_SPLIT };
static const char *const way_names[] = {
    "one SEND|RCV on the same port", "send, then receive",
    "RPC to an echo thread", "echo thread, separate send and receive"};

static void send_one_way(const struct shape *s, enum way w, int id)
{
	union buf m;
	mach_msg_size_t size;
	mach_port_t from;
	kern_return_t kr, kr2 = 0;

	memset(&m, 0, sizeof m);
	if (w == SAME_PORT || w == SPLIT) {
		machr_msg_header(&m.h, self_port, MACH_MSG_TYPE_MAKE_SEND,
		                 MACH_PORT_NULL, 0, 0);
		from = self_port;
	} else {
		machr_msg_header(&m.h, echo_port, MACH_MSG_TYPE_MAKE_SEND,
		                 reply_port, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0);
		from = reply_port;
	}
	m.h.msgh_id = id;
	size = build(&m, s);
	m.h.msgh_size = size;
	if (w == SAME_PORT || w == ECHO_RPC) {
		kr = mach_msg(&m.h,
		              MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
		              size, sizeof m, from, 5000, MACH_PORT_NULL);
	} else {
		kr = mach_msg(&m.h, MACH_SEND_MSG, size, 0, MACH_PORT_NULL, 0,
		              MACH_PORT_NULL);
		memset(&m, 0x5a, sizeof m);
		kr2 = mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0,
		               sizeof m, from, 5000, MACH_PORT_NULL);
	}
	if (kr != 0 || kr2 != 0) {
		tap_ok(0, "%s, %s # mach_msg %#x, %#x", s->what, way_names[w],
		       kr, kr2);
		return;
	}
	tap_ok(m.h.msgh_id == id && m.h.msgh_local_port == from &&
	           matches(&m, s, size),
	       "%s, %s: %u bytes, every item intact", s->what, way_names[w],
	       m.h.msgh_size);
}

static int urefs(mach_port_t p)
{
	mach_port_urefs_t n = 0;

	if (mach_port_get_refs(T, p, MACH_PORT_RIGHT_SEND, &n) != 0)
		return -1;
	return (int)n;
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, th = MACH_PORT_NULL;
	struct machr_word_msg q;
	int ok, id = 100;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("msg-ways: no console\n");
	tap_plan(4 * NSHAPES + 3);

	self_port = machr_new_receive();
	echo_port = machr_new_receive();
	reply_port = machr_new_receive();
	for (int i = 0; i < NPORTS; i++) {
		ool_ports[i] = machr_new_receive();
		(void)mach_port_insert_right(T, ool_ports[i], ool_ports[i],
		                             MACH_MSG_TYPE_MAKE_SEND);
	}
	tap_expect(machr_thread_create(echo, NULL, &th), 0,
	           "start the echo thread");

	for (int w = SAME_PORT; w <= ECHO_SPLIT; w++)
		for (int i = 0; i < NSHAPES; i++)
			send_one_way(&shapes[i], (enum way)w, id++);

	ok = 1;
	for (int i = 0; i < NPORTS; i++)
		ok = ok && urefs(ool_ports[i]) == 1;
	tap_ok(ok, "the carried send rights are back to one reference (%d)",
	       urefs(ool_ports[0]));
	(void)machr_send_word(echo_port, MACH_MSG_TYPE_MAKE_SEND,
	                      MACH_PORT_NULL, 0, QUIT_ID, 0, 0, 0);
	tap_ok(echo_count == 2 * NSHAPES &&
	           machr_recv_word(reply_port, &q, MACH_RCV_TIMEOUT, 0) ==
	               MACH_RCV_TIMED_OUT,
	       "the echo thread returned %d messages, nothing more",
	       echo_count);
	tap_finish(host_priv);
	return 0;
}
