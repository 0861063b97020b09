/*
 * Consistency checks of the right layer, for unit tests and self-tests:
 * a space's table, free list and reverse map; what its entries claim
 * against the ports and sets they name; the rights counted on ports
 * against the names holding them; and the IPC allocation counters
 * against a baseline (nothing leaked).  Each check counts violations and
 * keeps the first one's description.
 */
#ifndef IPC_INVARIANTS_H
#define IPC_INVARIANTS_H

#include <stdbool.h>
#include <stdint.h>

struct space;

struct ipc_check {
	unsigned errors;
	char first[200]; /* the first violation found */
};

/*
 * ipc_check_space: check SPACE on its own: the count of names, the
 * free list, every entry's type, user references and object (a receive
 * right's port names SPACE as receiver under this name, a set names
 * this space, its members are this space's receive rights), dead-name
 * requests (on the port's list under this name), and the reverse map
 * (exactly the send/receive entries, each found under its own name).
 * Locks: none held (takes SPACE's lock, then port and set locks).
 * Returns: the number of violations added to *RES.
 */
unsigned ipc_check_space(struct space *space, struct ipc_check *res);

/*
 * ipc_check_rights: ipc_check_space on each of SPACES[0..N), plus the
 * counts on every active port they name: srights at least the number of
 * names holding send rights (exactly, when EXACT: no rights in transit,
 * in messages or held by the kernel), sorights likewise for send-once
 * names plus registered requests whose notify right is the port, and
 * references at least the entries naming it.
 * Locks: none held.
 */
unsigned ipc_check_rights(struct space **spaces, unsigned n, bool exact,
                          struct ipc_check *res);

/*
 * ipc_check_invariants: ipc_check_rights (not exact) over every space
 * that exists, the kernel space included; the first violation, if any,
 * is printed.  What every unit test's teardown runs.
 * Locks: none held.
 * Returns: the number of violations.
 */
unsigned ipc_check_invariants(void);

/*
 * A snapshot of the allocation counters: live objects of every slab
 * cache (ports, sets, spaces, table nodes, requests, kmalloc, messages)
 * and pages held by IPC buffers.
 */
struct ipc_baseline {
	uint64_t slab_live;
	uint64_t ports, psets, spaces, nodes, dnrequests;
	uint64_t buffer_pages;
};

void ipc_baseline_take(struct ipc_baseline *b);

/*
 * ipc_check_baseline: compare the counters with B (taken earlier):
 * anything allocated since and not freed is a violation.
 * Returns: the number of violations added to *RES.
 */
unsigned ipc_check_baseline(const struct ipc_baseline *b,
                            struct ipc_check *res);

#endif
