/*
 * The right layer's consistency checks (invariants.h).  They read the
 * structures the way the code that maintains them does, under the same
 * locks, and describe the first thing that does not add up.
 */
#include "ipc/invariants.h"

#include "ipc/kmsg.h"

#include "ipc/port.h"
#include "ipc/right.h"
#include "ipc/pset.h"
#include "ipc/space.h"
#include "kern/printf.h"
#include "kern/slab.h"
#include "kern/string.h"

#include <stdarg.h>

static void fail(struct ipc_check *res, const char *fmt, ...)
    __printflike(2, 3);

static void fail(struct ipc_check *res, const char *fmt, ...)
{
	va_list ap;

	if (res->errors++ == 0) {
		va_start(ap, fmt);
		kvsnprintf(res->first, sizeof(res->first), fmt, ap);
		va_end(ap);
	}
}

/* --- one space --- */

struct walk {
	struct ipc_check *res;
	unsigned errors0;
	uint32_t names, rmapped;
};

static bool type_valid(mach_port_type_t t)
{
	switch (t) {
	case MACH_PORT_TYPE_SEND:
	case MACH_PORT_TYPE_RECEIVE:
	case MACH_PORT_TYPE_SEND_RECEIVE:
	case MACH_PORT_TYPE_SEND_ONCE:
	case MACH_PORT_TYPE_PORT_SET:
	case MACH_PORT_TYPE_DEAD_NAME:
		return true;
	default:
		return false;
	}
}

static void check_urefs(struct ipc_check *res, mach_port_name_t name,
                        const struct space_entry *e)
{
	uint32_t max = 1;

	if (e->type & MACH_PORT_TYPE_SEND)
		max = SPACE_UREFS_MAX - 1;
	else if (e->type & MACH_PORT_TYPE_DEAD_NAME)
		max = SPACE_UREFS_MAX;
	if (e->urefs == 0 || e->urefs > max)
		fail(res, "name %#x: type %#x with %u urefs", name, e->type,
		     e->urefs);
}

static void check_set(struct space *space, struct ipc_check *res,
                      mach_port_name_t name, struct port_set *set)
{
	unsigned long fl = pset_lock(set);
	uint32_t n = 0;
	struct list *pos;

	if (!set->object.active || set->space != space || set->name != name)
		fail(res, "set %#x: active %d, space/name mismatch", name,
		     set->object.active);
	list_for_each(pos, &set->members)
	{
		struct port *p = container_of(pos, struct port, pset_link);
		struct space_entry *pe;

		n++;
		if (p->pset != set || p->receiver != space) {
			fail(res, "set %#x: member %p not ours", name,
			     (void *)p);
			continue;
		}
		pe = space_lookup(space, p->receiver_name);
		if (pe == NULL || !(pe->type & MACH_PORT_TYPE_RECEIVE) ||
		    pe->object != port_object(p))
			fail(res, "set %#x: member %#x has no receive entry",
			     name, p->receiver_name);
	}
	if (n != set->nmembers)
		fail(res, "set %#x: %u members listed, %u counted", name, n,
		     set->nmembers);
	pset_unlock(set, fl);
}

static void check_port_entry(struct space *space, struct ipc_check *res,
                             mach_port_name_t name, struct space_entry *e)
{
	struct port *p = port_from_object(e->object);
	unsigned long fl = port_lock(p);
	bool found = false;
	struct list *pos;

	if (e->type & MACH_PORT_TYPE_RECEIVE) {
		if (!p->object.active || p->receiver != space ||
		    p->receiver_name != name)
			fail(res,
			     "name %#x: receive right of %p, whose "
			     "receiver is %#x",
			     name, (void *)p, p->receiver_name);
	}
	if (p->object.active) {
		if ((e->type & MACH_PORT_TYPE_SEND) && p->srights == 0)
			fail(res, "name %#x: send right, srights 0", name);
		if ((e->type & MACH_PORT_TYPE_SEND_ONCE) && p->sorights == 0)
			fail(res, "name %#x: send-once right, sorights 0",
			     name);
		if (atomic_load(&p->object.refs) == 0)
			fail(res, "name %#x: port without references", name);
	}
	if (e->request != NULL && p->object.active) {
		list_for_each(pos, &p->dnrequests)
		{
			if (pos == &e->request->link)
				found = true;
		}
		if (!found || e->request->name != name)
			fail(res, "name %#x: request not on its port", name);
	}
	port_unlock(p, fl);
}

static void check_entry(struct space *space, mach_port_name_t name,
                        struct space_entry *e, void *arg)
{
	struct walk *w = arg;
	struct ipc_check *res = w->res;
	bool port_right = (e->type & MACH_PORT_TYPE_PORT_RIGHTS) != 0;
	struct space_entry *r;
	mach_port_name_t rname = 0;

	w->names++;
	if (!type_valid(e->type)) {
		fail(res, "name %#x: bad type %#x", name, e->type);
		return;
	}
	check_urefs(res, name, e);
	if ((e->object == NULL) != (e->type == MACH_PORT_TYPE_DEAD_NAME))
		fail(res, "name %#x: type %#x with object %p", name, e->type,
		     (void *)e->object);
	if (e->request != NULL && !port_right)
		fail(res, "name %#x: request without a port right", name);
	if (e->object == NULL)
		return;
	if ((e->type == MACH_PORT_TYPE_PORT_SET) !=
	    (e->object->kind == IPC_OBJECT_PORT_SET)) {
		fail(res, "name %#x: type %#x names object kind %d", name,
		     e->type, e->object->kind);
		return;
	}
	r = space_rmap_lookup(space, e->object, &rname);
	if (e->type & MACH_PORT_TYPE_SEND_RECEIVE) {
		w->rmapped++;
		if (r != e || rname != name)
			fail(res, "name %#x: reverse map gives %#x", name,
			     rname);
	} else if (r == e) {
		fail(res, "name %#x: type %#x in the reverse map", name,
		     e->type);
	}
	if (e->type == MACH_PORT_TYPE_PORT_SET)
		check_set(space, res, name, pset_from_object(e->object));
	else
		check_port_entry(space, res, name, e);
}

/* The free list holds exactly the free indices of adopted leaves. */
static void check_free_list(struct space *space, struct ipc_check *res)
{
	uint32_t usable = 0, n = 0, prev = 0, index;

	for (uint32_t leaf = 0; leaf < space->fresh_leaf; leaf++) {
		uint32_t base = leaf << SPACE_LEAF_SHIFT;

		for (uint32_t i = 0; i < SPACE_LEAF_SIZE; i++) {
			struct space_entry *e = space_entry_at(space, base + i);

			if (e == NULL) {
				fail(res, "leaf %#x adopted but missing", leaf);
				return;
			}
			if (base + i != 0 && base + i <= SPACE_INDEX_MAX &&
			    e->type == MACH_PORT_TYPE_NONE)
				usable++;
		}
	}
	for (index = space->free_head; index != 0 && n <= usable;) {
		struct space_entry *e = space_entry_at(space, index);

		if (e == NULL || e->type != MACH_PORT_TYPE_NONE ||
		    e->prev != prev ||
		    (index >> SPACE_LEAF_SHIFT) >= space->fresh_leaf) {
			fail(res, "free list: bad index %#x", index);
			return;
		}
		n++;
		prev = index;
		index = e->next;
	}
	if (prev != space->free_tail)
		fail(res, "free list: tail %#x, last %#x", space->free_tail,
		     prev);
	if (n != usable)
		fail(res, "free list: %u listed, %u free indices", n, usable);
}

unsigned ipc_check_space(struct space *space, struct ipc_check *res)
{
	struct walk w = {.res = res, .errors0 = res->errors};
	unsigned long fl = space_lock(space);

	if (!space->active) {
		if (space->count != 0 || space->nodes != 0)
			fail(res, "dead space holds %u names, %u nodes",
			     space->count, space->nodes);
		space_unlock(space, fl);
		return res->errors - w.errors0;
	}
	space_foreach_entry(space, check_entry, &w);
	if (w.names != space->count)
		fail(res, "space: %u names found, count %u", w.names,
		     space->count);
	if (w.rmapped != space->rcount)
		fail(res, "reverse map: %u entries, rcount %u", w.rmapped,
		     space->rcount);
	if (space->count > space->limit && !space->is_kernel)
		fail(res, "space: %u names over the limit %u", space->count,
		     space->limit);
	if (space->nodes > space->node_budget)
		fail(res, "space: %u nodes over the budget %u", space->nodes,
		     space->node_budget);
	for (uint32_t i = 0; i < SPACE_NEAR_LEAVES; i++)
		if (space->near[i] !=
		    (space->l1[0] != NULL ? space->l1[0][i] : NULL))
			fail(res, "space: near leaf %u is not the table's", i);
	check_free_list(space, res);
	space_unlock(space, fl);
	return res->errors - w.errors0;
}

/* --- counts across spaces --- */

struct tally {
	struct port *port;
	uint32_t send_names, sonce_names, requests, entries;
};

struct tally_map {
	struct tally *slots;
	uint32_t mask;
};

static struct tally *tally_get(struct tally_map *m, struct port *p, bool add)
{
	uint32_t h = (uint32_t)(((uintptr_t)p >> 4) * 0x9e3779b1u) & m->mask;

	while (m->slots[h].port != NULL && m->slots[h].port != p)
		h = (h + 1) & m->mask;
	if (m->slots[h].port == NULL) {
		if (!add)
			return NULL;
		m->slots[h].port = p;
	}
	return &m->slots[h];
}

static void tally_entry(struct space *space, mach_port_name_t name,
                        struct space_entry *e, void *arg)
{
	struct tally *t;

	(void)space;
	(void)name;
	if (e->object == NULL || e->object->kind != IPC_OBJECT_PORT)
		return;
	t = tally_get(arg, port_from_object(e->object), true);
	t->entries++;
	if (e->type & MACH_PORT_TYPE_SEND)
		t->send_names++;
	if (e->type & MACH_PORT_TYPE_SEND_ONCE)
		t->sonce_names++;
}

static void credit_request(struct tally_map *m, struct ipc_object *notify)
{
	struct tally *t;

	if (!IPC_OBJECT_VALID(notify))
		return;
	t = tally_get(m, port_from_object(notify), false);
	if (t != NULL)
		t->requests++;
}

unsigned ipc_check_rights(struct space **spaces, unsigned n, bool exact,
                          struct ipc_check *res)
{
	unsigned errors0 = res->errors;
	struct tally_map m;
	uint32_t total = 0, size = 16;
	unsigned long fl;

	for (unsigned i = 0; i < n; i++) {
		ipc_check_space(spaces[i], res);
		total += spaces[i]->count;
	}
	while (size < 2 * total)
		size *= 2;
	m.slots = ipc_buffer_alloc(size * sizeof(*m.slots));
	m.mask = size - 1;
	if (m.slots == NULL) {
		fail(res, "check: no memory for %u ports", total);
		return res->errors - errors0;
	}
	memset(m.slots, 0, size * sizeof(*m.slots));
	for (unsigned i = 0; i < n; i++) {
		fl = space_lock(spaces[i]);
		if (spaces[i]->active)
			space_foreach_entry(spaces[i], tally_entry, &m);
		space_unlock(spaces[i], fl);
	}
	/* Requests hold send-once rights to their notify ports. */
	for (uint32_t i = 0; i < size; i++) {
		struct port *p = m.slots[i].port;
		struct list *pos;

		if (p == NULL)
			continue;
		fl = port_lock(p);
		credit_request(&m, p->nsrequest);
		credit_request(&m, p->pdrequest);
		list_for_each(pos, &p->dnrequests)
		{
			credit_request(
			    &m,
			    container_of(pos, struct dnrequest, link)->notify);
		}
		port_unlock(p, fl);
	}
	for (uint32_t i = 0; i < size; i++) {
		struct tally *t = &m.slots[i];
		uint32_t so;

		if (t->port == NULL || !t->port->object.active)
			continue;
		fl = port_lock(t->port);
		so = t->sonce_names + t->requests;
		if (t->port->srights < t->send_names ||
		    (exact && t->port->srights != t->send_names))
			fail(res, "port %p: srights %u, %u send names",
			     (void *)t->port, t->port->srights, t->send_names);
		if (t->port->sorights < so ||
		    (exact && t->port->sorights != so))
			fail(res, "port %p: sorights %u, %u send-once holders",
			     (void *)t->port, t->port->sorights, so);
		if (atomic_load(&t->port->object.refs) < t->entries)
			fail(res, "port %p: %u refs for %u entries",
			     (void *)t->port,
			     atomic_load(&t->port->object.refs), t->entries);
		port_unlock(t->port, fl);
	}
	ipc_buffer_free(m.slots);
	return res->errors - errors0;
}

unsigned ipc_check_invariants(void)
{
	struct ipc_check res = {0};
	struct space **spaces;
	unsigned n, max = space_collect(NULL, 0) + 8;

	spaces = ipc_buffer_alloc(max * sizeof(*spaces));
	if (spaces == NULL) {
		kprintf("ipc: no memory to check the invariants\n");
		return 1;
	}
	n = space_collect(spaces, max);
	n = MIN(n, max); /* spaces made since the count are skipped */
	ipc_check_rights(spaces, n, false, &res);
	for (unsigned i = 0; i < n; i++)
		space_release(spaces[i]);
	ipc_buffer_free(spaces);
	if (res.errors != 0)
		kprintf("ipc: %u invariant violations, the first: %s\n",
		        res.errors, res.first);
	return res.errors;
}

/* --- allocation counters --- */

static uint64_t live_of(const char *name)
{
	struct slab_cache *c = slab_cache_find(name);
	struct slab_stats st;

	if (c == NULL)
		return 0;
	slab_cache_get_stats(c, &st);
	return st.live;
}

void ipc_baseline_take(struct ipc_baseline *b)
{
	kmsg_spares_drain(); /* count the messages in use only */
	b->slab_live = slab_total_live();
	b->ports = live_of("ipc.port");
	b->psets = live_of("ipc.pset");
	b->spaces = live_of("ipc.space");
	b->nodes = live_of("ipc.space_node");
	b->dnrequests = live_of("ipc.dnrequest");
	b->buffer_pages = ipc_buffer_pages;
}

/* One counter of a baseline compared with its value now. */
static void compare_count(struct ipc_check *res, const char *what, uint64_t now,
                          uint64_t before)
{
	if (now != before)
		fail(res, "%s: %llu now, %llu before", what,
		     (unsigned long long)now, (unsigned long long)before);
}

unsigned ipc_check_baseline(const struct ipc_baseline *b, struct ipc_check *res)
{
	struct ipc_baseline now;
	unsigned errors0 = res->errors;

	ipc_baseline_take(&now);
	compare_count(res, "ports", now.ports, b->ports);
	compare_count(res, "port sets", now.psets, b->psets);
	compare_count(res, "spaces", now.spaces, b->spaces);
	compare_count(res, "table nodes", now.nodes, b->nodes);
	compare_count(res, "dead-name requests", now.dnrequests, b->dnrequests);
	compare_count(res, "buffer pages", now.buffer_pages, b->buffer_pages);
	compare_count(res, "slab objects", now.slab_live, b->slab_live);
	return res->errors - errors0;
}
