/*
 * Reading the multiboot v1 information the boot loader left in memory
 * into a struct boot_info and a struct memmap, and reserving every byte
 * of it (and of the modules) so the page allocator never hands it out.
 *
 * All of it is boot-loader input: sizes are capped, strings are bounded,
 * and addresses outside the first GiB (all boot.S maps) are refused with
 * a message rather than dereferenced.
 */
#include "kern/bootinfo.h"
#include "kern/memmap.h"
#include "kern/printf.h"
#include "kern/startup.h"
#include "kern/string.h"
#include "machine/memlayout.h"
#include "multiboot.h"

#define MB_INFO_MEMORY  0x001
#define MB_INFO_CMDLINE 0x004
#define MB_INFO_MODS    0x008
#define MB_INFO_MMAP    0x040
#define MB_INFO_LOADER  0x200

#define EARLY_LIMIT    (1ULL << 30) /* what the boot tables map */
#define STRING_MAX     4096
#define MMAP_BYTES_MAX (64 * 1024)

/* The multiboot v1 information structure (the fields we read). */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
} __packed;

struct mb_module {
	uint32_t start, end;
	uint32_t string;
	uint32_t reserved;
} __packed;

struct mb_mmap_entry {
	uint32_t size; /* of the rest of the entry */
	uint64_t base, len;
	uint32_t type;
} __packed;

/* Check that [PA, PA+LEN) is readable now (mapped by boot.S). */
static const void *early_ptr(paddr_t pa, uint64_t len, const char *what)
{
	if (pa == 0 || pa + len < pa || pa + len > EARLY_LIMIT)
		boot_fatal("the boot loader's %s at %#llx (+%llu) is outside "
		           "the first GiB",
		           what, (unsigned long long)pa,
		           (unsigned long long)len);
	return phys_to_virt(pa);
}

/* A boot-loader string: bounded, and reserved in MAP later. */
static const char *early_string(paddr_t pa, const char *what, uint64_t *len)
{
	const char *s = early_ptr(pa, 1, what);
	uint64_t room = EARLY_LIMIT - pa;
	size_t n = strnlen(s, room < STRING_MAX ? room : STRING_MAX);

	if (n == STRING_MAX || n == room)
		boot_fatal("the boot loader's %s at %#llx is not terminated",
		           what, (unsigned long long)pa);
	*len = n + 1;
	return s;
}

void multiboot_parse(paddr_t mbi_pa, struct boot_info *bi, struct memmap *map,
                     struct multiboot_extent *ext, unsigned *next)
{
	const struct mb_info *mbi = early_ptr(mbi_pa, sizeof(*mbi), "info");
	uint64_t len;

	*next = 0;
#define EXTENT(a, l)                                                           \
	do {                                                                   \
		if (*next < MULTIBOOT_EXTENTS_MAX)                             \
			ext[(*next)++] = (struct multiboot_extent){(a), (l)};  \
	} while (0)
	EXTENT(mbi_pa, sizeof(*mbi));

	bi->cmdline = "";
	if (mbi->flags & MB_INFO_CMDLINE) {
		bi->cmdline = early_string(mbi->cmdline, "command line", &len);
		EXTENT(mbi->cmdline, len);
	}
	bi->loader_name = "(unknown)";
	if (mbi->flags & MB_INFO_LOADER) {
		bi->loader_name =
		    early_string(mbi->boot_loader_name, "loader name", &len);
		EXTENT(mbi->boot_loader_name, len);
	}

	memmap_init(map);
	if (mbi->flags & MB_INFO_MMAP) {
		uint32_t total = mbi->mmap_length;
		const char *p, *end;

		if (total > MMAP_BYTES_MAX)
			boot_fatal("the memory map is %u bytes long; at most "
			           "%u are believable",
			           total, MMAP_BYTES_MAX);
		p = early_ptr(mbi->mmap_addr, total, "memory map");
		end = p + total;
		EXTENT(mbi->mmap_addr, total);
		while (p + sizeof(struct mb_mmap_entry) <= end) {
			const struct mb_mmap_entry *e = (const void *)p;

			if (e->size < 20)
				boot_fatal("malformed memory map: an entry "
				           "claims %u bytes",
				           e->size);
			memmap_add(map, e->base, e->len,
			           e->type == 1 ? MEMMAP_USABLE
			                        : MEMMAP_RESERVED);
			p += e->size + 4;
		}
	} else if (mbi->flags & MB_INFO_MEMORY) {
		/* No map: lower memory and the memory above 1 MiB. */
		memmap_add(map, 0, (uint64_t)mbi->mem_lower * 1024,
		           MEMMAP_USABLE);
		memmap_add(map, 1 << 20, (uint64_t)mbi->mem_upper * 1024,
		           MEMMAP_USABLE);
	} else {
		boot_fatal("the boot loader gave no memory information");
	}

	bi->nmodules = 0;
	if (mbi->flags & MB_INFO_MODS && mbi->mods_count) {
		const struct mb_module *mods;

		if (mbi->mods_count > BOOT_MODULES_MAX)
			boot_fatal("%u boot modules; at most %u are supported",
			           mbi->mods_count, BOOT_MODULES_MAX);
		mods =
		    early_ptr(mbi->mods_addr, mbi->mods_count * sizeof(*mods),
		              "module list");
		EXTENT(mbi->mods_addr, mbi->mods_count * sizeof(*mods));
		for (unsigned i = 0; i < mbi->mods_count; i++) {
			struct boot_module *m = &bi->modules[i];

			m->start = mods[i].start;
			m->end = mods[i].end;
			m->cmdline = "";
			if (mods[i].string) {
				m->cmdline = early_string(mods[i].string,
				                          "module line", &len);
				EXTENT(mods[i].string, len);
			}
		}
		bi->nmodules = mbi->mods_count;
	}
#undef EXTENT
}
