/*
 * servers/pager/selftest.c — `pager --selftest`: the store and the
 * object table checked in place, on whichever store the pager opened,
 * printed as TAP; the pager then ends the run (tests/system/pager.sh
 * boots it alone for this).  It needs nothing of the kernel beyond
 * memory and, for the disk store, the device vd0: it runs on Mach_R
 * before the kernel side of paging exists.
 */
#include <machr/tap.h>
#include <string.h>

#include "pager.h"

static char buf[PAGER_PAGE] __attribute__((aligned(PAGER_PAGE)));

static uint64_t st_word(uint32_t block, unsigned i)
{
	return ((uint64_t)block << 32) ^ (i * 0x9e3779b97f4a7c15ull) ^ 0x5a;
}

/* Write a pattern to each block of LIST, then read them all back. */
static int st_blocks(const uint32_t *list, unsigned n, kern_return_t *kr)
{
	uint64_t *w = (uint64_t *)buf;

	for (unsigned k = 0; k < n; k++) {
		for (unsigned i = 0; i < PAGER_PAGE / 8; i++)
			w[i] = st_word(list[k], i);
		if ((*kr = store_write(list[k], buf)) != KERN_SUCCESS)
			return 0;
	}
	for (unsigned k = 0; k < n; k++) {
		memset(buf, 0, sizeof(buf));
		if ((*kr = store_read(list[k], buf)) != KERN_SUCCESS)
			return 0;
		for (unsigned i = 0; i < PAGER_PAGE / 8; i++)
			if (w[i] != st_word(list[k], i))
				return 0;
	}
	return 1;
}

void pager_selftest(const char *want_kind)
{
	uint32_t blocks = store_blocks(), list[64], n = 0, got, b, first;
	struct pager_object *obj, *objs[OBJECT_MAX];
	kern_return_t kr = KERN_SUCCESS;
	unsigned made;
	int ok;

	tap_plan(9);
	tap_ok(strcmp(store_kind(), want_kind) == 0 && blocks > 0 &&
	           store_free_blocks() == blocks,
	       "pager self-test: store %s of %u blocks, all free", store_kind(),
	       blocks);

	/* The first and last blocks and some between. */
	for (b = 0; b < 8 && b < blocks; b++)
		list[n++] = b;
	for (b = 1; b <= 8 && blocks > 16 + b; b++)
		list[n++] = blocks - b;
	for (b = 1; n < 64 && blocks > 64; b++)
		list[n++] = (uint32_t)((uint64_t)blocks * b / 49);
	ok = st_blocks(list, n, &kr);
	if (!tap_ok(ok,
	            "pager self-test: %u blocks written and read back "
	            "(the last %u)",
	            n, blocks - 1))
		tap_diag("kr %#x", kr);
	tap_ok(store_read(blocks, buf) == KERN_INVALID_ARGUMENT &&
	           store_write(blocks, buf) == KERN_INVALID_ARGUMENT,
	       "pager self-test: a block past the end is refused");

	/* Allocate everything, then free it. */
	for (got = 0; store_alloc() != STORE_NO_BLOCK; got++)
		if (got > blocks)
			break;
	tap_ok(got == blocks && store_free_blocks() == 0,
	       "pager self-test: exactly %u blocks to allocate, then none",
	       got);
	for (b = 0; b < blocks; b++)
		store_free(b);
	store_free(0); /* logged, ignored */
	tap_ok(store_free_blocks() == blocks,
	       "pager self-test: all free again; a double free changes "
	       "nothing");

	/* An object's pages: stored, found, absent, dropped. */
	obj = object_new(0x7ffffff0, 64 * PAGER_PAGE, ORIGIN_TASK);
	ok = obj != NULL && object_lookup(0x7ffffff0) == obj &&
	     object_lookup(0x7ffffff1) == NULL;
	first = ok ? object_page_store(obj, 3) : PAGE_LOST;
	ok = ok && first < blocks && object_page_store(obj, 3) == first &&
	     object_page_block(obj, 3) == first &&
	     object_page_block(obj, 4) == PAGE_ABSENT &&
	     object_page_store(obj, 63) != first && obj->blocks == 2 &&
	     store_free_blocks() == blocks - 2;
	tap_ok(ok, "pager self-test: an object's pages get blocks, found "
	           "again; an unwritten page is absent");

	/* Filling the store: then pages are lost, not overwritten. */
	for (b = 0; ok && b < blocks + 8; b++)
		if (object_page_store(obj, 100 + b) == PAGE_LOST)
			break;
	ok = ok && store_free_blocks() == 0 && b == blocks - 2 &&
	     object_page_block(obj, 100 + b) == PAGE_LOST &&
	     object_page_block(obj, 3) == first;
	tap_ok(ok,
	       "pager self-test: a full store loses the next page (%u "
	       "stored), it reads as lost",
	       b);
	if (obj != NULL) {
		object_drop_pages(obj);
		ok = store_free_blocks() == blocks && obj->blocks == 0 &&
		     object_page_block(obj, 3) == PAGE_ABSENT;
		object_delete(obj);
	}
	tap_ok(ok && object_count() == 0,
	       "pager self-test: dropping the object frees every block");

	/* The table is bounded. */
	for (made = 0; made < OBJECT_MAX; made++)
		if ((objs[made] = object_new(0x10000 + made, PAGER_PAGE,
		                             ORIGIN_KERNEL)) == NULL)
			break;
	ok = made == OBJECT_MAX &&
	     object_new(0x20000, PAGER_PAGE, ORIGIN_KERNEL) == NULL;
	for (unsigned i = 0; i < made; i++)
		object_delete(objs[i]);
	tap_ok(ok && object_count() == 0,
	       "pager self-test: %u objects at most, then none", made);
}
