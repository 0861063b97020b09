/*
 * tests/system/modules/vm-lib.h — what the virtual memory modules
 * (vm-basics.c, vm-copy.c, vm-cow.c, vm-ool.c) share: vm_region's answer
 * as a struct, memory filled with a pattern and checked against it,
 * reads of a task's memory through vm_read, and the command messages a
 * module sends to a worker thread it runs in a child task.  Included by
 * each (one translation unit per module, so the definitions here are the
 * module's own).
 */
#ifndef VM_LIB_H
#define VM_LIB_H

#include <machr/runtime.h>
#include <stddef.h>
#include <string.h>

/* Each module uses a part of what is here. */
#pragma GCC diagnostic ignored "-Wunused-function"

#define T    machr_task
#define PAGE 4096ul

/* ---- regions ------------------------------------------------------- */

struct region {
	vm_address_t addr;
	vm_size_t size;
	vm_prot_t prot, max;
	vm_inherit_t inherit;
	boolean_t shared;
	vm_offset_t offset;
};

/* vm_region at or after ADDR in TASK (the object name is dropped). */
static kern_return_t region(mach_port_t task, vm_address_t addr,
                            struct region *r)
{
	mach_port_t object = MACH_PORT_NULL;
	kern_return_t kr;

	memset(r, 0, sizeof(*r));
	r->addr = addr;
	kr = vm_region(task, &r->addr, &r->size, &r->prot, &r->max, &r->inherit,
	               &r->shared, &object, &r->offset);
	if (object != MACH_PORT_NULL)
		(void)mach_port_deallocate(T, object);
	return kr;
}

/* The region containing ADDR in TASK, or -1 if ADDR is unmapped. */
static int region_at(mach_port_t task, vm_address_t addr, struct region *r)
{
	if (region(task, addr, r) != KERN_SUCCESS || r->addr > addr)
		return -1;
	return 0;
}

/* SIZE bytes of new memory anywhere in TASK (0 if there is no room). */
static vm_address_t alloc(mach_port_t task, vm_size_t size)
{
	vm_address_t a = 0;

	(void)vm_allocate(task, &a, size, TRUE);
	return a;
}

/* ---- patterns ------------------------------------------------------ */

/*
 * Two patterns.  The word pattern: word I of SEED holds SEED and I, so a
 * word that is wrong tells where it came from (messages print such
 * words); SEED 0 is the zero fill of memory never touched.  The byte
 * pattern, for checks at any byte offset and for checksums: each byte
 * differs from the next, so data moved by any number of bytes shows.
 */
static uint64_t pat(uint64_t seed, size_t i)
{
	return seed ? seed << 32 | (uint64_t)i : 0;
}

/* BYTES (a multiple of 8) at A: the word pattern SEED. */
static void fill(vm_address_t a, vm_size_t bytes, uint64_t seed)
{
	for (size_t i = 0; i < bytes / 8; i++)
		((volatile uint64_t *)a)[i] = pat(seed, i);
}

/* Whether BYTES at A are the word pattern SEED from word FROM on. */
static int is_pattern(vm_address_t a, vm_size_t bytes, uint64_t seed,
                      size_t from)
{
	for (size_t i = 0; i < bytes / 8; i++)
		if (((volatile uint64_t *)a)[i] != pat(seed, from + i))
			return 0;
	return 1;
}

/* Byte I of the byte pattern SEED. */
static unsigned char pat_byte(unsigned seed, size_t i)
{
	return (unsigned char)(seed + i * 7 + (i >> 12));
}

static void fill_bytes(void *a, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		((volatile unsigned char *)a)[i] = pat_byte(seed, i);
}

/* Whether the N bytes at A are the byte pattern SEED from byte FROM on. */
static int is_byte_pattern(const void *a, size_t n, unsigned seed, size_t from)
{
	for (size_t i = 0; i < n; i++)
		if (((const volatile unsigned char *)a)[i] !=
		    pat_byte(seed, from + i))
			return 0;
	return 1;
}

static uint64_t sum_bytes(const unsigned char *p, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

/* sum_bytes() of N bytes of the byte pattern SEED from byte FROM on. */
static uint64_t pattern_sum(unsigned seed, size_t from, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s = s * 31 + pat_byte(seed, from + i);
	return s;
}

static int all_zero(vm_address_t a, vm_size_t n)
{
	for (vm_size_t i = 0; i < n; i++)
		if (((volatile char *)a)[i] != 0)
			return 0;
	return 1;
}

/* ---- another task's memory, through vm_read -------------------------- */

/* vm_read of one page at A in TASK: its result code. */
static kern_return_t page_readable(mach_port_t task, vm_address_t a)
{
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;
	kern_return_t kr = vm_read(task, a, PAGE, &data, &n);

	if (kr == KERN_SUCCESS)
		(void)vm_deallocate(T, data, n);
	return kr;
}

#define PEEK_FAILED ~0ull

/* The word at AT (8-aligned) in TASK, or PEEK_FAILED if unreadable. */
static uint64_t peek(mach_port_t task, vm_address_t at)
{
	vm_address_t page = at & ~(PAGE - 1);
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;
	uint64_t w;

	if (vm_read(task, page, PAGE, &data, &n) != KERN_SUCCESS)
		return PEEK_FAILED;
	w = *(uint64_t *)(data + (at - page));
	(void)vm_deallocate(T, data, n);
	return w;
}

/* ---- commands to a worker in a child ---------------------------------- */

/* Names the module gives its rights in a child. */
#define CHILD_INBOX  0x1100 /* the worker's receive right */
#define CHILD_REPORT 0x1101 /* send right to the module's report port */

/* A command, or an answer in w[0].  What w[] means is the module's. */
#define ID_CMD 1
struct cmd {
	mach_msg_header_t h;
	mach_msg_type_t t;
	uint64_t w[3];
	char slack[64];
};
#define CMD_SIZE offsetof(struct cmd, slack)

/* What a module's ask() returns when the worker did not answer. */
#define NO_ANSWER 0xdeadbeefdeadbeefull

static void cmd_init(struct cmd *m, mach_port_t to, uint64_t a, uint64_t b,
                     uint64_t c)
{
	memset(m, 0, sizeof(*m));
	machr_msg_header(&m->h, to, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0,
	                 CMD_SIZE);
	m->h.msgh_id = ID_CMD;
	m->t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_INTEGER_64,
	                         .msgt_size = 64,
	                         .msgt_number = 3,
	                         .msgt_inline = 1};
	m->w[0] = a;
	m->w[1] = b;
	m->w[2] = c;
}

#endif
