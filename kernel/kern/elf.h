/*
 * ELF64 static executables for x86_64: the checks a boot module's image
 * must pass before the kernel loads it into a new task, and the initial
 * user stack (argc, argv, envp) GNU Mach gives a task it starts.  Both are
 * pure functions over memory the caller supplies, so the unit tests and
 * the fuzzers run them on the host; the task loader (kern/task code) maps
 * what elf_parse() describes and copies what elf_build_stack() lays out.
 *
 * Facts used (System V ABI, x86_64 supplement; GNU Mach as observed):
 * little-endian ELFCLASS64, EM_X86_64 (62), ET_EXEC only, 56-byte program
 * headers, user space below 0x800000000000, PT_LOAD segments in ascending
 * p_vaddr order.  GNU Mach loads a PT_LOAD whose p_filesz is 0 (pure bss)
 * and panics on two PT_LOADs sharing a page; we refuse the latter.
 */
#ifndef KERN_ELF_H
#define KERN_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_USER_LIMIT   0x800000000000ULL /* end of 47-bit user space */
#define ELF_PAGE_SIZE    4096ULL /* segments are checked at this grain */
#define ELF_MAX_SEGMENTS 16      /* PT_LOAD segments kept */
#define ELF_MAX_PHDRS    64      /* program headers examined */

/* Segment protections; the same values as Mach's VM_PROT_*. */
#define ELF_PROT_READ  1u
#define ELF_PROT_WRITE 2u
#define ELF_PROT_EXEC  4u

/* What elf_parse() and elf_build_stack() return. */
enum elf_status {
	ELF_OK = 0,
	ELF_ETRUNCATED, /* shorter than an ELF header */
	ELF_EMAGIC,     /* not an ELF file */
	ELF_ECLASS,     /* not ELFCLASS64 */
	ELF_EENDIAN,    /* not little endian */
	ELF_EVERSION,   /* EI_VERSION or e_version is not 1 */
	ELF_EMACHINE,   /* not EM_X86_64 */
	ELF_ETYPE,      /* not ET_EXEC (ET_DYN has its own message) */
	ELF_EPHDR,      /* bad e_ehsize/e_phentsize, or headers outside */
	ELF_ETOOMANY,   /* too many program headers or PT_LOADs */
	ELF_EINTERP,    /* PT_INTERP: dynamically linked */
	ELF_ESEGMENT,   /* p_filesz > p_memsz, or file bytes outside */
	ELF_EALIGN,     /* bad p_align, or p_vaddr/p_offset not congruent */
	ELF_ELIMIT,     /* reaches past ELF_USER_LIMIT (or wraps) */
	ELF_EOVERLAP,   /* PT_LOADs unsorted, overlapping or sharing a page */
	ELF_ENOLOAD,    /* no PT_LOAD with p_memsz > 0 */
	ELF_EENTRY,     /* entry point in no executable segment */
	ELF_ESTACK,     /* elf_build_stack: does not fit */
};

/*
 * One PT_LOAD segment: memory [vaddr, vaddr + memsz) gets the file bytes
 * [offset, offset + filesz) at its start and zeroes after them.
 * Guaranteed by elf_parse(): filesz <= memsz; the file bytes lie inside
 * the image (offset is meaningless when filesz is 0); vaddr + memsz <=
 * ELF_USER_LIMIT; the page ranges of two segments are disjoint.
 */
struct elf_segment {
	uint64_t vaddr;
	uint64_t memsz;
	uint64_t offset;
	uint64_t filesz;
	unsigned prot; /* ELF_PROT_* from p_flags; 0 is possible */
};

/*
 * A checked executable.
 * Owned by: the caller of elf_parse(); it holds no pointer into the image.
 */
struct elf_image {
	uint64_t entry; /* inside a segment with ELF_PROT_EXEC */
	struct elf_segment seg[ELF_MAX_SEGMENTS]; /* ascending vaddr */
	unsigned nseg;                            /* >= 1 */
	/* The first page boundary after the highest segment's last byte:
	 * where the first vm_allocate(anywhere) lands on GNU Mach. */
	uint64_t end;
	bool has_gnu_stack;  /* a PT_GNU_STACK header was present */
	unsigned stack_prot; /* its ELF_PROT_*; R|W|X without one */
};

/*
 * elf_parse: check that the SIZE bytes at IMAGE are a static x86_64 ELF64
 * executable GNU Mach could load, and describe it in *OUT.  Every field
 * is read with bounds checks; nothing is assumed about IMAGE's alignment.
 * Empty PT_LOADs (p_memsz and p_filesz 0) are skipped; PT_GNU_STACK is
 * noted; other program header types (PT_NOTE, PT_TLS, PT_PHDR, ...) are
 * ignored.
 * Returns ELF_OK, or one of these with a one-line reason in ERR (ERR may
 * be NULL when ERRLEN is 0); *OUT is then unspecified:
 *   ELF_ETRUNCATED  IMAGE is NULL or SIZE < 64.
 *   ELF_EMAGIC      no \x7fELF.
 *   ELF_ECLASS      EI_CLASS is not 2 (64-bit).
 *   ELF_EENDIAN     EI_DATA is not 1 (little endian).
 *   ELF_EVERSION    EI_VERSION or e_version is not 1.
 *   ELF_EMACHINE    e_machine is not 62 (x86_64).
 *   ELF_ETYPE       e_type is not ET_EXEC (2); ET_DYN (PIE, shared
 *                   objects) is refused with its own message.
 *   ELF_EPHDR       e_ehsize < 64, e_phentsize != 56, or the program
 *                   header table does not lie inside the file.
 *   ELF_ETOOMANY    more than ELF_MAX_PHDRS program headers, or more
 *                   than ELF_MAX_SEGMENTS non-empty PT_LOADs.
 *   ELF_EINTERP     a PT_INTERP header (not a static executable).
 *   ELF_ESEGMENT    a PT_LOAD with p_filesz > p_memsz, or whose file bytes
 *                   run past the end of the file (or wrap).
 *   ELF_EALIGN      p_align neither 0 nor a power of two, or p_vaddr and
 *                   p_offset not congruent modulo p_align.
 *   ELF_ELIMIT      a PT_LOAD reaching past ELF_USER_LIMIT.
 *   ELF_EOVERLAP    PT_LOADs out of p_vaddr order, or two of them
 *                   overlapping or sharing a page.
 *   ELF_ENOLOAD     no non-empty PT_LOAD, or no program headers at all.
 *   ELF_EENTRY      e_entry outside every executable segment.
 */
int elf_parse(const void *image, size_t size, struct elf_image *out, char *err,
              size_t errlen);

/*
 * elf_build_stack: lay out a new task's initial stack as GNU Mach does.
 * BUF holds the BUFSIZE bytes of user memory that end at STACK_TOP, i.e.
 * buf[i] is the byte at address STACK_TOP - BUFSIZE + i.  ARGV and ENVP
 * are NULL-terminated arrays of strings; ENVP may be NULL (no
 * environment; GNU Mach passes none).
 *
 * The layout, from low addresses up (observed on GNU Mach x86_64):
 *   rsp ->  argc                      8 bytes
 *           argv[0] .. argv[argc-1]   8 bytes each, user addresses
 *           0                         8 bytes
 *           envp[0] .. envp[envc-1]   8 bytes each
 *           0                         8 bytes
 *           the argv strings, then the envp strings, NUL-terminated,
 *           back to back, starting right after envp's 0
 *           0..15 zero bytes of padding up to STACK_TOP
 * There is no auxiliary vector.  With T = the total size of everything
 * above except the padding, rsp = (STACK_TOP - T) rounded down to a
 * multiple of 16, so rsp % 16 == 0 at the entry point, as the SysV ABI
 * wants.  E.g. STACK_TOP 0x800000000000 and argv {"/hello", "1", "2"}:
 * T = 48 + 11 = 59, rsp = 0x7fffffffffc0.
 *
 * Bytes of BUF below rsp are left untouched.
 * Returns ELF_OK with *RSP_OUT set, or ELF_ESTACK (nothing written) when
 *   the layout needs more than BUFSIZE bytes or does not fit below
 *   STACK_TOP.
 */
int elf_build_stack(uint8_t *buf, size_t bufsize, uint64_t stack_top,
                    const char *const *argv, const char *const *envp,
                    uint64_t *rsp_out);

#endif
