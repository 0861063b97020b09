/*
 * Unit tests of the ELF64 checks and the initial stack (kern/elf.c).
 * Images are built here in memory (a header, program headers, a little
 * file content) from a good two-segment template like the ones our
 * linker makes, then broken one field at a time: every malformation must
 * be refused with its own code and a one-line reason.  Each image is
 * parsed from a heap block of exactly its size, so AddressSanitizer
 * catches any read past its end.  The real test modules under
 * BUILD/user/modules are parsed too when they have been built.
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kern/elf.h"

/* The file layouts, written here from the System V ABI. */
struct t_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct t_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD      1
#define PT_DYNAMIC   2
#define PT_INTERP    3
#define PT_NOTE      4
#define PT_PHDR      6
#define PT_TLS       7
#define PT_GNU_STACK 0x6474e551u
#define PF_X         1u
#define PF_W         2u
#define PF_R         4u

#define NELEM(a)  (sizeof(a) / sizeof((a)[0]))
#define MAX_PH    (ELF_MAX_PHDRS + 4)
#define FILE_SIZE 0x2000

/* An image under construction: headers, and the file's size. */
struct image {
	struct t_ehdr eh;
	struct t_phdr ph[MAX_PH];
	size_t size;
};

static struct image im;
static struct elf_image out;
static char err[200];

/*
 * The template: text R+X at 0x400000 (file 0..0x1000, holding the
 * headers), data R+W at 0x402000 (file 0x1000..0x1800, bss up to
 * 0x404000), a PT_GNU_STACK RW; entry 0x400100.
 */
static void template(void)
{
	memset(&im, 0, sizeof(im));
	memcpy(im.eh.ident,
	       "\x7f"
	       "ELF",
	       4);
	im.eh.ident[4] = 2; /* ELFCLASS64 */
	im.eh.ident[5] = 1; /* little endian */
	im.eh.ident[6] = 1; /* EV_CURRENT */
	im.eh.type = 2;     /* ET_EXEC */
	im.eh.machine = 62; /* EM_X86_64 */
	im.eh.version = 1;
	im.eh.entry = 0x400100;
	im.eh.phoff = sizeof(struct t_ehdr);
	im.eh.ehsize = sizeof(struct t_ehdr);
	im.eh.phentsize = sizeof(struct t_phdr);
	im.eh.phnum = 3;
	im.ph[0] = (struct t_phdr){.type = PT_LOAD,
	                           .flags = PF_R | PF_X,
	                           .offset = 0,
	                           .vaddr = 0x400000,
	                           .paddr = 0x400000,
	                           .filesz = 0x1000,
	                           .memsz = 0x1000,
	                           .align = 0x1000};
	im.ph[1] = (struct t_phdr){.type = PT_LOAD,
	                           .flags = PF_R | PF_W,
	                           .offset = 0x1000,
	                           .vaddr = 0x402000,
	                           .paddr = 0x402000,
	                           .filesz = 0x800,
	                           .memsz = 0x2000,
	                           .align = 0x1000};
	im.ph[2] = (struct t_phdr){
	    .type = PT_GNU_STACK, .flags = PF_R | PF_W, .align = 0x10};
	im.size = FILE_SIZE;
}

static int setup(void **state)
{
	(void)state;
	template();
	memset(&out, 0xa5, sizeof(out)); /* no help from a zeroed result */
	memset(err, 0, sizeof(err));
	return 0;
}

/*
 * Write the image into a heap block of exactly im.size bytes (starting
 * MISALIGN bytes into the allocation) and parse it.  The headers are
 * written only where they fit, as a truncated file would hold them.
 */
static int parse_at(size_t misalign)
{
	uint8_t *block = malloc(im.size + misalign + 1), *file;
	size_t phbytes = (size_t)im.eh.phnum * sizeof(struct t_phdr);
	int rc;

	assert_non_null(block);
	file = block + misalign;
	for (size_t i = 0; i < im.size; i++)
		file[i] = (uint8_t)(i * 7 + 3); /* not zeroes: content */
	memcpy(file, &im.eh, im.size < sizeof(im.eh) ? im.size : sizeof(im.eh));
	if (phbytes > sizeof(im.ph))
		phbytes = sizeof(im.ph);
	if (im.size > sizeof(im.eh)) {
		size_t room = im.size - sizeof(im.eh);

		memcpy(file + sizeof(im.eh), im.ph,
		       phbytes < room ? phbytes : room);
	}
	/* Give ASan an exact end: copy into a block of the right size. */
	if (misalign == 0) {
		uint8_t *exact = malloc(im.size ? im.size : 1);

		assert_non_null(exact);
		memcpy(exact, file, im.size);
		rc = elf_parse(exact, im.size, &out, err, sizeof(err));
		free(exact);
	} else {
		rc = elf_parse(file, im.size, &out, err, sizeof(err));
	}
	free(block);
	return rc;
}

static int parse(void)
{
	return parse_at(0);
}

/* ---- the good template and its variants ---- */

static void test_template_is_accepted_as_built(void **state)
{
	(void)state;
	assert_int_equal(parse(), ELF_OK);
	assert_int_equal(out.entry, 0x400100);
	assert_int_equal(out.nseg, 2);
	assert_int_equal(out.seg[0].vaddr, 0x400000);
	assert_int_equal(out.seg[0].memsz, 0x1000);
	assert_int_equal(out.seg[0].offset, 0);
	assert_int_equal(out.seg[0].filesz, 0x1000);
	assert_int_equal(out.seg[0].prot, ELF_PROT_READ | ELF_PROT_EXEC);
	assert_int_equal(out.seg[1].vaddr, 0x402000);
	assert_int_equal(out.seg[1].memsz, 0x2000);
	assert_int_equal(out.seg[1].offset, 0x1000);
	assert_int_equal(out.seg[1].filesz, 0x800);
	assert_int_equal(out.seg[1].prot, ELF_PROT_READ | ELF_PROT_WRITE);
	assert_int_equal(out.end, 0x404000);
	assert_true(out.has_gnu_stack);
	assert_int_equal(out.stack_prot, ELF_PROT_READ | ELF_PROT_WRITE);
}

static void test_unaligned_image_is_read_safely(void **state)
{
	(void)state;
	assert_int_equal(parse_at(1), ELF_OK);
	assert_int_equal(parse_at(3), ELF_OK);
	assert_int_equal(out.entry, 0x400100);
}

static void test_pure_bss_segment_is_accepted(void **state)
{
	(void)state;
	/* GNU Mach loads a PT_LOAD with p_filesz 0; its offset is moot. */
	im.ph[1].filesz = 0;
	im.ph[1].offset = UINT64_MAX;
	im.ph[1].memsz = 0x10;
	assert_int_equal(parse(), ELF_OK);
	assert_int_equal(out.nseg, 2);
	assert_int_equal(out.seg[1].filesz, 0);
	assert_int_equal(out.seg[1].offset, 0);
	assert_int_equal(out.end, 0x403000);
}

static void test_end_is_page_after_highest_byte(void **state)
{
	(void)state;
	im.ph[1].memsz = 0x2001; /* last byte 0x404000 */
	assert_int_equal(parse(), ELF_OK);
	assert_int_equal(out.end, 0x405000);
}

static void test_missing_gnu_stack_means_executable_stack(void **state)
{
	(void)state;
	im.eh.phnum = 2;
	assert_int_equal(parse(), ELF_OK);
	assert_false(out.has_gnu_stack);
	assert_int_equal(out.stack_prot,
	                 ELF_PROT_READ | ELF_PROT_WRITE | ELF_PROT_EXEC);
}

static void test_empty_load_segment_is_skipped(void **state)
{
	(void)state;
	im.ph[2] = (struct t_phdr){.type = PT_LOAD, .vaddr = 0x1000};
	im.eh.phnum = 3;
	assert_int_equal(parse(), ELF_OK);
	assert_int_equal(out.nseg, 2);
}

static void test_other_header_types_are_ignored(void **state)
{
	(void)state;
	im.ph[2] = (struct t_phdr){.type = PT_NOTE, .offset = UINT64_MAX};
	im.ph[3] = (struct t_phdr){.type = PT_TLS, .vaddr = UINT64_MAX};
	im.ph[4] = (struct t_phdr){.type = PT_PHDR, .memsz = UINT64_MAX};
	im.ph[5] = (struct t_phdr){.type = 0x70000000, .align = 3};
	im.eh.phnum = 6;
	assert_int_equal(parse(), ELF_OK);
	assert_int_equal(out.nseg, 2);
}

static void test_segment_may_end_at_user_limit(void **state)
{
	(void)state;
	im.ph[1].vaddr = ELF_USER_LIMIT - 0x2000;
	im.ph[1].paddr = im.ph[1].vaddr;
	assert_int_equal(parse(), ELF_OK);
	assert_int_equal(out.end, ELF_USER_LIMIT);
}

static void test_alignment_zero_or_one_needs_no_congruence(void **state)
{
	(void)state;
	im.ph[1].align = 0;
	im.ph[1].offset = 0x1234;
	assert_int_equal(parse(), ELF_OK);
	im.ph[1].align = 1;
	assert_int_equal(parse(), ELF_OK);
	assert_int_equal(out.seg[1].offset, 0x1234);
}

static void test_small_alignment_with_congruence_is_accepted(void **state)
{
	(void)state;
	/* What `ld -N` makes: one RWX segment, 32-byte aligned. */
	im.eh.phnum = 1;
	im.ph[0].flags = PF_R | PF_W | PF_X;
	im.ph[0].offset = 0xb0;
	im.ph[0].vaddr = 0x4000b0;
	im.ph[0].filesz = 0x1000;
	im.ph[0].memsz = 0x1010;
	im.ph[0].align = 0x20;
	assert_int_equal(parse(), ELF_OK);
	assert_int_equal(out.seg[0].prot,
	                 ELF_PROT_READ | ELF_PROT_WRITE | ELF_PROT_EXEC);
}

static void test_maximum_segment_count_is_accepted(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ELF_MAX_SEGMENTS; i++)
		im.ph[i] = (struct t_phdr){.type = PT_LOAD,
		                           .flags = PF_R | PF_X,
		                           .offset = 0,
		                           .vaddr = 0x400000 + i * 0x1000ULL,
		                           .filesz = 0x100,
		                           .memsz = 0x1000,
		                           .align = 0x1000};
	im.eh.phnum = ELF_MAX_SEGMENTS;
	assert_int_equal(parse(), ELF_OK);
	assert_int_equal(out.nseg, ELF_MAX_SEGMENTS);
	assert_int_equal(out.end, 0x400000 + ELF_MAX_SEGMENTS * 0x1000ULL);
}

static void test_entry_on_first_and_last_byte_is_accepted(void **state)
{
	(void)state;
	im.eh.entry = 0x400000;
	assert_int_equal(parse(), ELF_OK);
	im.eh.entry = 0x400fff;
	assert_int_equal(parse(), ELF_OK);
}

static void test_error_buffer_may_be_null_or_small(void **state)
{
	char small[8];

	(void)state;
	im.eh.machine = 3;
	assert_int_equal(elf_parse(&im, 64, &out, NULL, 0), ELF_EMACHINE);
	memset(small, 'x', sizeof(small));
	assert_int_equal(elf_parse(&im, 64, &out, small, sizeof(small)),
	                 ELF_EMACHINE);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_null_image_is_truncated(void **state)
{
	(void)state;
	assert_int_equal(elf_parse(NULL, 100, &out, err, sizeof(err)),
	                 ELF_ETRUNCATED);
	assert_non_null(strstr(err, "too short"));
}

/* ---- every malformation, one table row each ---- */

struct bad_case {
	const char *name;
	void (*breaks)(void);
	int code;
	const char *why; /* a substring of the reason */
};

static void b_size_0(void)
{
	im.size = 0;
}
static void b_size_63(void)
{
	im.size = 63;
}
static void b_magic(void)
{
	im.eh.ident[1] = 'e';
}
static void b_class32(void)
{
	im.eh.ident[4] = 1;
}
static void b_big_endian(void)
{
	im.eh.ident[5] = 2;
}
static void b_ident_version(void)
{
	im.eh.ident[6] = 0;
}
static void b_e_version(void)
{
	im.eh.version = 2;
}
static void b_machine_i386(void)
{
	im.eh.machine = 3;
}
static void b_type_dyn(void)
{
	im.eh.type = 3;
}
static void b_type_rel(void)
{
	im.eh.type = 1;
}
static void b_type_core(void)
{
	im.eh.type = 4;
}
static void b_ehsize(void)
{
	im.eh.ehsize = 52;
}
static void b_phentsize_small(void)
{
	im.eh.phentsize = 32;
}
static void b_phentsize_large(void)
{
	im.eh.phentsize = 64;
}
static void b_phnum_0(void)
{
	im.eh.phnum = 0;
}
static void b_phnum_65(void)
{
	im.eh.phnum = ELF_MAX_PHDRS + 1;
}
static void b_phnum_xnum(void)
{
	im.eh.phnum = 0xffff;
}
static void b_phoff_past_end(void)
{
	im.eh.phoff = FILE_SIZE + 8;
}
static void b_phoff_wraps(void)
{
	im.eh.phoff = UINT64_MAX - 8;
}
static void b_phdrs_overrun_by_one(void)
{
	im.eh.phoff = FILE_SIZE - 3 * sizeof(struct t_phdr) + 1;
}
static void b_file_ends_in_phdrs(void)
{
	im.size = sizeof(struct t_ehdr) + 2 * sizeof(struct t_phdr) + 10;
}
static void b_interp(void)
{
	im.ph[2] =
	    (struct t_phdr){.type = PT_INTERP, .offset = 0x100, .filesz = 0x1c};
}
static void b_filesz_gt_memsz(void)
{
	im.ph[1].filesz = 0x2001;
}
static void b_file_bytes_past_end(void)
{
	im.ph[1].filesz = FILE_SIZE - 0x1000 + 1;
}
static void b_offset_past_end(void)
{
	im.ph[1].offset = FILE_SIZE + 0x1000;
}
static void b_offset_wraps(void)
{
	im.ph[1].offset = UINT64_MAX - 0xff;
	im.ph[1].align = 0;
}
static void b_memsz_only_with_filesz(void)
{
	im.ph[1].memsz = 0; /* filesz 0x800 > 0 */
}
static void b_past_user_limit(void)
{
	im.ph[1].vaddr = ELF_USER_LIMIT - 0x1000;
}
static void b_at_user_limit(void)
{
	im.ph[1].vaddr = ELF_USER_LIMIT;
	im.ph[1].memsz = 1;
	im.ph[1].filesz = 1;
}
static void b_kernel_address(void)
{
	im.ph[1].vaddr = 0xffffffff80001000ULL;
}
static void b_vaddr_wraps(void)
{
	im.ph[1].vaddr = UINT64_MAX - 0xfff;
}
static void b_memsz_huge(void)
{
	im.ph[1].memsz = UINT64_MAX;
}
static void b_align_not_power(void)
{
	im.ph[1].align = 0x1800;
}
static void b_align_incongruent(void)
{
	im.ph[1].offset = 0x1100;
}
static void b_unsorted(void)
{
	struct t_phdr t = im.ph[0];

	im.ph[0] = im.ph[1];
	im.ph[1] = t;
}
static void b_overlap(void)
{
	im.ph[1].vaddr = 0x400000 + 0x800;
	im.ph[1].offset = 0x800;
	im.ph[1].align = 0x800;
}
static void b_same_start(void)
{
	im.ph[1].vaddr = 0x400000;
	im.ph[1].offset = 0x1000;
}
static void b_share_page(void)
{
	im.ph[0].memsz = im.ph[0].filesz = 0xf00;
	im.ph[1].vaddr = 0x400f80;
	im.ph[1].offset = 0xf80;
	im.ph[1].align = 0x10;
}
static void b_share_page_after_bss(void)
{
	im.ph[0].memsz = 0x1001; /* bss spills into the next page */
	im.ph[1].vaddr = 0x401010;
	im.ph[1].offset = 0x1010;
}
static void b_no_load(void)
{
	im.ph[0] = im.ph[2];
	im.eh.phnum = 1;
}
static void b_only_empty_load(void)
{
	im.ph[0].filesz = im.ph[0].memsz = 0;
	im.ph[1].filesz = im.ph[1].memsz = 0;
}
static void b_too_many_loads(void)
{
	for (unsigned i = 0; i <= ELF_MAX_SEGMENTS; i++)
		im.ph[i] = (struct t_phdr){.type = PT_LOAD,
		                           .flags = PF_R | PF_X,
		                           .vaddr = 0x400000 + i * 0x1000ULL,
		                           .filesz = 0x10,
		                           .memsz = 0x10,
		                           .align = 0x1000};
	im.eh.phnum = ELF_MAX_SEGMENTS + 1;
}
static void b_entry_nowhere(void)
{
	im.eh.entry = 0x1000;
}
static void b_entry_in_data(void)
{
	im.eh.entry = 0x402010;
}
static void b_entry_just_past_text(void)
{
	im.eh.entry = 0x401000;
}
static void b_entry_in_bss_gap(void)
{
	im.eh.entry = 0x401800;
}
static void b_no_exec_segment(void)
{
	im.ph[0].flags = PF_R;
}

static const struct bad_case bad_cases[] = {
    {"empty file", b_size_0, ELF_ETRUNCATED, "too short"},
    {"63-byte file", b_size_63, ELF_ETRUNCATED, "too short"},
    {"bad magic", b_magic, ELF_EMAGIC, "not an ELF"},
    {"32-bit class", b_class32, ELF_ECLASS, "64-bit"},
    {"big endian", b_big_endian, ELF_EENDIAN, "little-endian"},
    {"EI_VERSION 0", b_ident_version, ELF_EVERSION, "version"},
    {"e_version 2", b_e_version, ELF_EVERSION, "version"},
    {"i386 machine", b_machine_i386, ELF_EMACHINE, "x86_64"},
    {"ET_DYN", b_type_dyn, ELF_ETYPE, "-static -no-pie"},
    {"ET_REL", b_type_rel, ELF_ETYPE, "not an executable"},
    {"ET_CORE", b_type_core, ELF_ETYPE, "not an executable"},
    {"e_ehsize 52", b_ehsize, ELF_EPHDR, "header size"},
    {"e_phentsize 32", b_phentsize_small, ELF_EPHDR, "expected 56"},
    {"e_phentsize 64", b_phentsize_large, ELF_EPHDR, "expected 56"},
    {"no program headers", b_phnum_0, ELF_ENOLOAD, "no program headers"},
    {"65 program headers", b_phnum_65, ELF_ETOOMANY, "program headers"},
    {"PN_XNUM program headers", b_phnum_xnum, ELF_ETOOMANY, "at most"},
    {"e_phoff past the end", b_phoff_past_end, ELF_EPHDR, "past the end"},
    {"e_phoff wraps", b_phoff_wraps, ELF_EPHDR, "past the end"},
    {"headers overrun by 1", b_phdrs_overrun_by_one, ELF_EPHDR, "past"},
    {"file ends in headers", b_file_ends_in_phdrs, ELF_EPHDR, "past"},
    {"PT_INTERP", b_interp, ELF_EINTERP, "PT_INTERP"},
    {"p_filesz > p_memsz", b_filesz_gt_memsz, ELF_ESEGMENT, "file size"},
    {"file bytes past end", b_file_bytes_past_end, ELF_ESEGMENT,
     "past the end of the file"},
    {"p_offset past end", b_offset_past_end, ELF_ESEGMENT, "past the end"},
    {"p_offset wraps", b_offset_wraps, ELF_ESEGMENT, "past the end"},
    {"p_memsz 0, p_filesz not", b_memsz_only_with_filesz, ELF_ESEGMENT,
     "file size"},
    {"past user limit", b_past_user_limit, ELF_ELIMIT, "user space"},
    {"at user limit", b_at_user_limit, ELF_ELIMIT, "user space"},
    {"kernel address", b_kernel_address, ELF_ELIMIT, "user space"},
    {"p_vaddr wraps", b_vaddr_wraps, ELF_ELIMIT, "user space"},
    {"p_memsz huge", b_memsz_huge, ELF_ELIMIT, "user space"},
    {"p_align not a power of 2", b_align_not_power, ELF_EALIGN, "power of two"},
    {"p_vaddr/p_offset incongruent", b_align_incongruent, ELF_EALIGN, "modulo"},
    {"PT_LOADs unsorted", b_unsorted, ELF_EOVERLAP, "not sorted"},
    {"PT_LOADs overlap", b_overlap, ELF_EOVERLAP, "overlaps"},
    {"PT_LOADs at one address", b_same_start, ELF_EOVERLAP, "overlaps"},
    {"PT_LOADs share a page", b_share_page, ELF_EOVERLAP, "shares a page"},
    {"bss shares a page", b_share_page_after_bss, ELF_EOVERLAP,
     "shares a page"},
    {"no PT_LOAD", b_no_load, ELF_ENOLOAD, "no loadable segment"},
    {"only empty PT_LOADs", b_only_empty_load, ELF_ENOLOAD, "no loadable"},
    {"17 PT_LOADs", b_too_many_loads, ELF_ETOOMANY, "loadable segments"},
    {"entry outside", b_entry_nowhere, ELF_EENTRY, "entry point"},
    {"entry in data", b_entry_in_data, ELF_EENTRY, "no executable"},
    {"entry just past text", b_entry_just_past_text, ELF_EENTRY, "entry"},
    {"entry between segments", b_entry_in_bss_gap, ELF_EENTRY, "entry"},
    {"no executable segment", b_no_exec_segment, ELF_EENTRY, "entry"},
};

static void test_malformed_image_is_refused(void **state)
{
	const struct bad_case *c = *state;
	int rc;

	setup(NULL);
	c->breaks();
	rc = parse();
	if (rc != c->code || !strstr(err, c->why))
		print_message("# %s: got %d \"%s\", expected %d \"%s\"\n",
		              c->name, rc, err, c->code, c->why);
	assert_int_equal(rc, c->code);
	assert_non_null(strstr(err, c->why));
	assert_null(strchr(err, '\n'));
	/* The same bytes misaligned give the same answer. */
	assert_int_equal(parse_at(5), c->code);
}

/* ---- the initial stack ---- */

#define TOP 0x800000000000ULL

static uint64_t get64(const uint8_t *buf, size_t bufsize, uint64_t addr)
{
	uint64_t v;

	memcpy(&v, buf + bufsize - (TOP - addr), sizeof(v));
	return v;
}

static const char *str_at(const uint8_t *buf, size_t bufsize, uint64_t addr)
{
	return (const char *)buf + bufsize - (TOP - addr);
}

static void test_stack_matches_gnu_mach_for_boot_argv(void **state)
{
	/* GNU Mach: argv [name, "1", "2"] -> rsp 0x7fffffffffc0 (a 6-byte
	 * name leaves 48 + 11 bytes -> 0x...c5 -> 0x...c0). */
	const char *argv[] = {"/hello", "1", "2", NULL};
	uint8_t buf[256];
	uint64_t rsp = 0;

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(
	    elf_build_stack(buf, sizeof(buf), TOP, argv, NULL, &rsp), ELF_OK);
	assert_int_equal(rsp, 0x7fffffffffc0ULL);
	assert_int_equal(get64(buf, sizeof(buf), rsp), 3);
	assert_int_equal(get64(buf, sizeof(buf), rsp + 8), rsp + 48);
	assert_int_equal(get64(buf, sizeof(buf), rsp + 16), rsp + 55);
	assert_int_equal(get64(buf, sizeof(buf), rsp + 24), rsp + 57);
	assert_int_equal(get64(buf, sizeof(buf), rsp + 32), 0);
	assert_int_equal(get64(buf, sizeof(buf), rsp + 40), 0);
	assert_memory_equal(str_at(buf, sizeof(buf), rsp + 48),
	                    "/hello\0"
	                    "1\0"
	                    "2\0"
	                    "\0\0\0\0\0",
	                    16);
	/* Below rsp: untouched. */
	assert_int_equal(buf[sizeof(buf) - 65], 0xee);
}

/* Exact bytes for a layout GNU Mach was seen to produce: argv
 * [/tmp/probe/probe, 1, 2, REBOOT] -> rsp 0x7fffffffffa0, strings at
 * 0x...d8, 12 bytes of zero padding at the top. */
static void test_stack_bytes_match_gnu_mach_dump(void **state)
{
	static const uint8_t want[96] = {
	    0x04, 0,    0,    0,    0,    0,    0,    0,    0xd8, 0xff, 0xff,
	    0xff, 0xff, 0x7f, 0,    0,    0xe9, 0xff, 0xff, 0xff, 0xff, 0x7f,
	    0,    0,    0xeb, 0xff, 0xff, 0xff, 0xff, 0x7f, 0,    0,    0xed,
	    0xff, 0xff, 0xff, 0xff, 0x7f, 0,    0,    0,    0,    0,    0,
	    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
	    0,    '/',  't',  'm',  'p',  '/',  'p',  'r',  'o',  'b',  'e',
	    '/',  'p',  'r',  'o',  'b',  'e',  0,    '1',  0,    '2',  0,
	    'R',  'E',  'B',  'O',  'O',  'T',  0,    0,    0,    0,    0,
	    0,    0,    0,    0,    0,    0,    0,    0};
	const char *argv[] = {"/tmp/probe/probe", "1", "2", "REBOOT", NULL};
	const char *envp[] = {NULL};
	uint8_t buf[96];
	uint64_t rsp;

	(void)state;
	assert_int_equal(
	    elf_build_stack(buf, sizeof(buf), TOP, argv, envp, &rsp), ELF_OK);
	assert_int_equal(rsp, 0x7fffffffffa0ULL);
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_stack_with_environment(void **state)
{
	const char *argv[] = {"prog", NULL};
	const char *envp[] = {"A=1", "PATH=/bin", NULL};
	uint8_t buf[128];
	uint64_t rsp, a0, e0, e1;

	(void)state;
	/* 8 + 16 + 24 + 5 + 4 + 10 = 67 -> rsp = TOP - 80. */
	assert_int_equal(
	    elf_build_stack(buf, sizeof(buf), TOP, argv, envp, &rsp), ELF_OK);
	assert_int_equal(rsp, TOP - 80);
	assert_int_equal(get64(buf, sizeof(buf), rsp), 1);
	a0 = get64(buf, sizeof(buf), rsp + 8);
	assert_int_equal(get64(buf, sizeof(buf), rsp + 16), 0);
	e0 = get64(buf, sizeof(buf), rsp + 24);
	e1 = get64(buf, sizeof(buf), rsp + 32);
	assert_int_equal(get64(buf, sizeof(buf), rsp + 40), 0);
	assert_int_equal(a0, rsp + 48);
	assert_int_equal(e0, rsp + 53);
	assert_int_equal(e1, rsp + 57);
	assert_string_equal(str_at(buf, sizeof(buf), a0), "prog");
	assert_string_equal(str_at(buf, sizeof(buf), e0), "A=1");
	assert_string_equal(str_at(buf, sizeof(buf), e1), "PATH=/bin");
	for (uint64_t a = rsp + 67; a < TOP; a++)
		assert_int_equal(*str_at(buf, sizeof(buf), a), 0);
}

static void test_stack_rsp_is_16_aligned_for_any_length(void **state)
{
	char name[40];
	const char *argv[] = {name, NULL};
	uint8_t buf[256];
	uint64_t rsp;

	(void)state;
	for (size_t len = 0; len < sizeof(name); len++) {
		memset(name, 'n', len);
		name[len] = '\0';
		assert_int_equal(
		    elf_build_stack(buf, sizeof(buf), TOP, argv, NULL, &rsp),
		    ELF_OK);
		assert_int_equal(rsp % 16, 0);
		/* The padding at the top is 0..15 bytes. */
		assert_true(TOP - rsp >= 32 + len + 1);
		assert_true(TOP - rsp < 32 + len + 1 + 16);
	}
}

static void test_stack_with_empty_argv(void **state)
{
	const char *argv[] = {NULL};
	uint8_t buf[32];
	uint64_t rsp;

	(void)state;
	assert_int_equal(
	    elf_build_stack(buf, sizeof(buf), TOP, argv, NULL, &rsp), ELF_OK);
	assert_int_equal(rsp, TOP - 32); /* 24 bytes, aligned down */
	assert_int_equal(get64(buf, sizeof(buf), rsp), 0);
	assert_int_equal(
	    elf_build_stack(buf, sizeof(buf), TOP, NULL, NULL, &rsp), ELF_OK);
}

static void test_stack_that_does_not_fit_is_refused(void **state)
{
	const char *argv[] = {"/hello", "1", "2", NULL};
	uint8_t buf[64];
	uint64_t rsp = 42;

	(void)state;
	/* Needs exactly 64 bytes: 63 is too few, 64 is enough. */
	assert_int_equal(elf_build_stack(buf, 63, TOP, argv, NULL, &rsp),
	                 ELF_ESTACK);
	assert_int_equal(rsp, 42);
	assert_int_equal(elf_build_stack(buf, 64, TOP, argv, NULL, &rsp),
	                 ELF_OK);
	/* Below address 0. */
	assert_int_equal(elf_build_stack(buf, 64, 40, argv, NULL, &rsp),
	                 ELF_ESTACK);
}

static void test_stack_below_unaligned_top(void **state)
{
	const char *argv[] = {"x", NULL};
	uint8_t buf[64];
	uint64_t rsp;

	(void)state;
	/* 8 + 16 + 8 + 2 = 34 bytes below 0x1009 -> 0xfe7 -> 0xfe0. */
	assert_int_equal(
	    elf_build_stack(buf, sizeof(buf), 0x1009, argv, NULL, &rsp),
	    ELF_OK);
	assert_int_equal(rsp, 0xfe0);
}

/* ---- the real modules ---- */

/* BUILD/user/modules, found from this binary (BUILD/host/tests/...). */
static int modules_dir(char *path, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (int up = 0; up < 3; up++) {
		slash = strrchr(exe, '/');
		if (!slash)
			return -1;
		*slash = '\0';
	}
	if (snprintf(path, size, "%s/user/modules", exe) >= (int)size)
		return -1;
	return 0;
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

static void test_built_modules_parse(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *d;
	DIR *dp;
	int seen = 0;

	(void)state;
	if (modules_dir(dir, sizeof(dir)) != 0 || !(dp = opendir(dir))) {
		print_message("# no modules built; skipping\n");
		skip();
	}
	while ((d = readdir(dp))) {
		uint64_t e_entry, needed;
		uint8_t *img;
		size_t size;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		img = read_file(path, &size);
		if (!img || size < 64 ||
		    memcmp(img,
		           "\x7f"
		           "ELF",
		           4) != 0) {
			free(img);
			continue;
		}
		memcpy(&e_entry, img + 24, 8);
		if (elf_parse(img, size, &out, err, sizeof(err)) != ELF_OK)
			print_message("# %s: %s\n", path, err);
		assert_int_equal(elf_parse(img, size, &out, err, sizeof(err)),
		                 ELF_OK);
		assert_int_equal(out.entry, e_entry);
		assert_true(out.nseg >= 1);
		assert_int_equal(out.seg[0].vaddr & ~0xfffULL, 0x400000);
		assert_true(out.end > out.entry);
		assert_int_equal(out.end % ELF_PAGE_SIZE, 0);
		assert_true(out.has_gnu_stack);
		assert_false(out.stack_prot & ELF_PROT_EXEC);
		/* Every cut before the last byte that matters is refused. */
		needed = 64 + 56 * (uint64_t)out.nseg;
		for (unsigned i = 0; i < out.nseg; i++)
			if (out.seg[i].offset + out.seg[i].filesz > needed)
				needed = out.seg[i].offset + out.seg[i].filesz;
		for (size_t cut = 0; cut < needed; cut += 1 + cut / 4) {
			uint8_t *part = malloc(cut ? cut : 1);

			assert_non_null(part);
			memcpy(part, img, cut);
			assert_int_not_equal(
			    elf_parse(part, cut, &out, err, sizeof(err)),
			    ELF_OK);
			free(part);
		}
		free(img);
		seen++;
	}
	closedir(dp);
	print_message("# %d built modules parsed\n", seen);
	if (!seen) {
		print_message("# no ELF modules in %s; skipping\n", dir);
		skip();
	}
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    T(test_template_is_accepted_as_built),
	    T(test_unaligned_image_is_read_safely),
	    T(test_pure_bss_segment_is_accepted),
	    T(test_end_is_page_after_highest_byte),
	    T(test_missing_gnu_stack_means_executable_stack),
	    T(test_empty_load_segment_is_skipped),
	    T(test_other_header_types_are_ignored),
	    T(test_segment_may_end_at_user_limit),
	    T(test_alignment_zero_or_one_needs_no_congruence),
	    T(test_small_alignment_with_congruence_is_accepted),
	    T(test_maximum_segment_count_is_accepted),
	    T(test_entry_on_first_and_last_byte_is_accepted),
	    T(test_error_buffer_may_be_null_or_small),
	    T(test_null_image_is_truncated),
	    T(test_stack_matches_gnu_mach_for_boot_argv),
	    T(test_stack_bytes_match_gnu_mach_dump),
	    T(test_stack_with_environment),
	    T(test_stack_rsp_is_16_aligned_for_any_length),
	    T(test_stack_with_empty_argv),
	    T(test_stack_that_does_not_fit_is_refused),
	    T(test_stack_below_unaligned_top),
	    T(test_built_modules_parse),
	};
	static struct CMUnitTest tests[NELEM(fixed) + NELEM(bad_cases)];
	static char names[NELEM(bad_cases)][96];
	size_t n = 0;

	for (size_t i = 0; i < NELEM(fixed); i++)
		tests[n++] = fixed[i];
	/* One test per malformation, named after it. */
	for (size_t i = 0; i < NELEM(bad_cases); i++) {
		snprintf(names[i], sizeof(names[i]), "refuses %s",
		         bad_cases[i].name);
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
		    test_malformed_image_is_refused, (void *)&bad_cases[i]);
		tests[n++].name = names[i];
	}
	return _cmocka_run_group_tests("elf", tests, n, NULL, NULL);
}
