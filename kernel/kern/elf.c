/*
 * Checking an ELF64 executable from a boot module, and building a new
 * task's initial stack.  The image is untrusted: every header is copied
 * out of it with explicit bounds checks (it may be unaligned or short),
 * every sum of two file-supplied numbers is checked for wrap-around
 * before it is compared, and every refusal says why in one line.
 */
#include "kern/elf.h"
#include "kern/printf.h"
#include "kern/string.h"

/* The ELF64 file header and program header (System V ABI). */
struct elf64_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

STATIC_ASSERT(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
STATIC_ASSERT(sizeof(struct elf64_phdr) == 56, "ELF64 phdr is 56 bytes");

#define EI_CLASS   4
#define EI_DATA    5
#define EI_VERSION 6

#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define ET_DYN      3
#define EM_X86_64   62

#define PT_LOAD      1
#define PT_INTERP    3
#define PT_GNU_STACK 0x6474e551u

#define PF_X 1u
#define PF_W 2u
#define PF_R 4u

/* The host's <endian.h> is not available freestanding; we run on x86. */
STATIC_ASSERT(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "ELF fields are read in host byte order");

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __printflike(4, 5);

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		kvsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static unsigned prot_of(uint32_t p_flags)
{
	return ((p_flags & PF_R) ? ELF_PROT_READ : 0) |
	       ((p_flags & PF_W) ? ELF_PROT_WRITE : 0) |
	       ((p_flags & PF_X) ? ELF_PROT_EXEC : 0);
}

static uint64_t page_down(uint64_t a)
{
	return a & ~(ELF_PAGE_SIZE - 1);
}

/* Only for A <= ELF_USER_LIMIT, so that it cannot wrap. */
static uint64_t page_up(uint64_t a)
{
	return (a + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1);
}

static int check_header(const struct elf64_ehdr *eh, size_t size, char *err,
                        size_t errlen)
{
	const uint8_t *id = eh->e_ident;

	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return fail(err, errlen, ELF_EMAGIC, "not an ELF file");
	if (id[EI_CLASS] != ELFCLASS64)
		return fail(err, errlen, ELF_ECLASS,
		            "not a 64-bit ELF file (class %u)", id[EI_CLASS]);
	if (id[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, ELF_EENDIAN,
		            "not a little-endian ELF file (data %u)",
		            id[EI_DATA]);
	if (id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return fail(err, errlen, ELF_EVERSION,
		            "unknown ELF version %u/%u", id[EI_VERSION],
		            eh->e_version);
	if (eh->e_machine != EM_X86_64)
		return fail(err, errlen, ELF_EMACHINE,
		            "not an x86_64 program (machine %u)",
		            eh->e_machine);
	if (eh->e_type == ET_DYN)
		return fail(err, errlen, ELF_ETYPE,
		            "position-independent (ET_DYN) programs are not "
		            "supported; link with -static -no-pie");
	if (eh->e_type != ET_EXEC)
		return fail(err, errlen, ELF_ETYPE,
		            "not an executable (ELF type %u)", eh->e_type);
	if (eh->e_ehsize < sizeof(struct elf64_ehdr))
		return fail(err, errlen, ELF_EPHDR, "ELF header size %u < 64",
		            eh->e_ehsize);
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return fail(err, errlen, ELF_EPHDR,
		            "program header size %u, expected 56",
		            eh->e_phentsize);
	if (eh->e_phnum == 0)
		return fail(err, errlen, ELF_ENOLOAD, "no program headers");
	if (eh->e_phnum > ELF_MAX_PHDRS)
		return fail(err, errlen, ELF_ETOOMANY,
		            "%u program headers (at most %u)", eh->e_phnum,
		            ELF_MAX_PHDRS);
	/* e_phnum <= 64, so the table's size cannot wrap; its offset can. */
	if (eh->e_phoff > size ||
	    size - eh->e_phoff < (uint64_t)eh->e_phnum * eh->e_phentsize)
		return fail(err, errlen, ELF_EPHDR,
		            "program headers at %#llx run past the end of the "
		            "file (%zu bytes)",
		            (unsigned long long)eh->e_phoff, size);
	return ELF_OK;
}

/*
 * Check PT_LOAD header number I (P) on its own and against PREV, the
 * previous kept segment (NULL for the first), then append it to OUT.
 */
static int add_segment(struct elf_image *out, unsigned i,
                       const struct elf64_phdr *p, size_t size, char *err,
                       size_t errlen)
{
	const struct elf_segment *prev =
	    out->nseg ? &out->seg[out->nseg - 1] : NULL;
	struct elf_segment *s;
	unsigned long long va = p->p_vaddr, off = p->p_offset;

	if (p->p_filesz > p->p_memsz)
		return fail(err, errlen, ELF_ESEGMENT,
		            "segment %u: file size %#llx > memory size %#llx",
		            i, (unsigned long long)p->p_filesz,
		            (unsigned long long)p->p_memsz);
	if (p->p_filesz &&
	    (p->p_offset > size || size - p->p_offset < p->p_filesz))
		return fail(err, errlen, ELF_ESEGMENT,
		            "segment %u: file bytes %#llx+%#llx run past the "
		            "end of the file (%zu bytes)",
		            i, off, (unsigned long long)p->p_filesz, size);
	if (p->p_vaddr > ELF_USER_LIMIT ||
	    ELF_USER_LIMIT - p->p_vaddr < p->p_memsz)
		return fail(err, errlen, ELF_ELIMIT,
		            "segment %u: %#llx+%#llx reaches past the end of "
		            "user space (%#llx)",
		            i, va, (unsigned long long)p->p_memsz,
		            ELF_USER_LIMIT);
	if (p->p_align & (p->p_align - 1))
		return fail(err, errlen, ELF_EALIGN,
		            "segment %u: alignment %#llx is not a power of two",
		            i, (unsigned long long)p->p_align);
	if (p->p_align > 1 && p->p_filesz &&
	    (p->p_vaddr & (p->p_align - 1)) != (p->p_offset & (p->p_align - 1)))
		return fail(err, errlen, ELF_EALIGN,
		            "segment %u: address %#llx and offset %#llx differ "
		            "modulo the alignment %#llx",
		            i, va, off, (unsigned long long)p->p_align);
	if (prev && p->p_vaddr < prev->vaddr)
		return fail(err, errlen, ELF_EOVERLAP,
		            "segment %u: address %#llx is below the previous "
		            "segment's (%#llx): not sorted",
		            i, va, (unsigned long long)prev->vaddr);
	if (prev && p->p_vaddr < prev->vaddr + prev->memsz)
		return fail(err, errlen, ELF_EOVERLAP,
		            "segment %u at %#llx overlaps the previous one "
		            "(ends at %#llx)",
		            i, va,
		            (unsigned long long)(prev->vaddr + prev->memsz));
	if (prev && page_down(p->p_vaddr) < page_up(prev->vaddr + prev->memsz))
		return fail(err, errlen, ELF_EOVERLAP,
		            "segment %u at %#llx shares a page with the "
		            "previous one (ends at %#llx)",
		            i, va,
		            (unsigned long long)(prev->vaddr + prev->memsz));
	if (out->nseg == ELF_MAX_SEGMENTS)
		return fail(err, errlen, ELF_ETOOMANY,
		            "more than %u loadable segments", ELF_MAX_SEGMENTS);
	s = &out->seg[out->nseg++];
	s->vaddr = p->p_vaddr;
	s->memsz = p->p_memsz;
	s->offset = p->p_filesz ? p->p_offset : 0;
	s->filesz = p->p_filesz;
	s->prot = prot_of(p->p_flags);
	return ELF_OK;
}

int elf_parse(const void *image, size_t size, struct elf_image *out, char *err,
              size_t errlen)
{
	const uint8_t *bytes = image;
	struct elf64_ehdr eh;
	const struct elf_segment *last;
	int rc;

	if (!image || size < sizeof(eh))
		return fail(err, errlen, ELF_ETRUNCATED,
		            "%zu bytes: too short for an ELF header", size);
	memcpy(&eh, bytes, sizeof(eh));
	rc = check_header(&eh, size, err, errlen);
	if (rc != ELF_OK)
		return rc;

	memset(out, 0, sizeof(*out));
	out->stack_prot = ELF_PROT_READ | ELF_PROT_WRITE | ELF_PROT_EXEC;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;

		memcpy(&ph, bytes + eh.e_phoff + (uint64_t)i * sizeof(ph),
		       sizeof(ph));
		switch (ph.p_type) {
		case PT_INTERP:
			return fail(
			    err, errlen, ELF_EINTERP,
			    "dynamically linked (PT_INTERP); only static "
			    "executables can be boot modules");
		case PT_GNU_STACK:
			out->has_gnu_stack = true;
			out->stack_prot = prot_of(ph.p_flags);
			break;
		case PT_LOAD:
			if (ph.p_memsz == 0 && ph.p_filesz == 0)
				break; /* maps nothing */
			rc = add_segment(out, i, &ph, size, err, errlen);
			if (rc != ELF_OK)
				return rc;
			break;
		default:
			break;
		}
	}
	if (out->nseg == 0)
		return fail(err, errlen, ELF_ENOLOAD, "no loadable segment");

	out->entry = eh.e_entry;
	for (unsigned i = 0; i < out->nseg; i++) {
		const struct elf_segment *s = &out->seg[i];

		if ((s->prot & ELF_PROT_EXEC) && eh.e_entry >= s->vaddr &&
		    eh.e_entry - s->vaddr < s->memsz)
			goto entry_ok;
	}
	return fail(err, errlen, ELF_EENTRY,
	            "entry point %#llx is in no executable segment",
	            (unsigned long long)eh.e_entry);
entry_ok:
	last = &out->seg[out->nseg - 1];
	out->end = page_up(last->vaddr + last->memsz);
	return ELF_OK;
}

/* Store V little-endian at P (BUF may be any alignment). */
static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

int elf_build_stack(uint8_t *buf, size_t bufsize, uint64_t stack_top,
                    const char *const *argv, const char *const *envp,
                    uint64_t *rsp_out)
{
	static const char *const none[] = {NULL};
	const char *const *vec[2] = {argv ? argv : none, envp ? envp : none};
	uint64_t count[2] = {0, 0}, strbytes = 0, total, rsp, ptr, str;
	uint8_t *top = buf + bufsize; /* the byte at STACK_TOP */

	for (int v = 0; v < 2; v++)
		for (const char *const *s = vec[v]; *s; s++) {
			count[v]++;
			strbytes += strlen(*s) + 1;
		}
	/* argc, the two vectors with their 0 terminators, the strings.  The
	 * strings are kernel memory, so none of this can wrap. */
	total = 8 + 8 * (count[0] + 1) + 8 * (count[1] + 1) + strbytes;
	if (total > stack_top)
		return ELF_ESTACK;
	rsp = (stack_top - total) & ~15ULL;
	if (stack_top - rsp > bufsize)
		return ELF_ESTACK;

	/* From here on, user address A is the byte top - (stack_top - A). */
	memset(top - (stack_top - rsp), 0, stack_top - rsp);
	put64(top - (stack_top - rsp), count[0]);
	ptr = rsp + 8;
	str = rsp + 8 * (3 + count[0] + count[1]);
	for (int v = 0; v < 2; v++) {
		for (const char *const *s = vec[v]; *s; s++) {
			size_t n = strlen(*s) + 1;

			put64(top - (stack_top - ptr), str);
			memcpy(top - (stack_top - str), *s, n);
			ptr += 8;
			str += n;
		}
		ptr += 8; /* the 0 terminator, already zeroed */
	}
	*rsp_out = rsp;
	return ELF_OK;
}
