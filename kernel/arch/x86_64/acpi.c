/*
 * Just enough ACPI to find the processors: the RSDP (in the EBDA or the
 * BIOS area 0xe0000-0xfffff), the RSDT or XSDT it points to, and the
 * MADT ("APIC") with one entry per processor's local APIC (ACPI 6.x,
 * 5.2.5, 5.2.7-8 and 5.2.12).  smp.c starts the processors it lists.
 */
#include "kern/printf.h"
#include "kern/string.h"
#include "machine/memlayout.h"
#include "x86.h"

/* The header every system description table starts with. */
struct sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

struct rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* of the first 20 bytes */
	char oem_id[6];
	uint8_t revision; /* 0: ACPI 1.0 (RSDT only); 2: XSDT too */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
} __packed;

#define MADT_LAPIC      0 /* processor local APIC */
#define MADT_X2APIC     9 /* processor local x2APIC */
#define MADT_ENABLED    1 /* flags bit 0 */
#define MADT_ONLINE_CAP 2 /* flags bit 1: may be enabled later */

static bool sum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

/* A kernel address for LEN bytes of firmware memory at PA: the direct
 * map covers RAM (where QEMU and most firmware put the tables), the
 * device window the rest. */
static const void *acpi_map(paddr_t pa, size_t len)
{
	if (pa + len <= kmap_direct_top())
		return phys_to_virt(pa);
	return kmap_mmio(pa, len);
}

static const struct rsdp *rsdp_scan(paddr_t start, size_t len)
{
	for (paddr_t pa = start; pa + sizeof(struct rsdp) <= start + len;
	     pa += 16) {
		const struct rsdp *r = phys_to_virt(pa);

		if (memcmp(r->signature, "RSD PTR ", 8) == 0 && sum_ok(r, 20))
			return r;
	}
	return NULL;
}

static const struct rsdp *rsdp_find(void)
{
	paddr_t ebda = (paddr_t) * (const uint16_t *)phys_to_virt(0x40e) << 4;
	const struct rsdp *r = NULL;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		r = rsdp_scan(ebda, 1024);
	return r ? r : rsdp_scan(0xe0000, 0x20000);
}

/* The table at PA if it has SIG and a good checksum, else NULL. */
static const struct sdt_header *sdt_map(paddr_t pa, const char *sig)
{
	const struct sdt_header *h = acpi_map(pa, sizeof(*h));

	if (memcmp(h->signature, sig, 4) != 0 || h->length < sizeof(*h) ||
	    h->length > (1u << 20))
		return NULL;
	h = acpi_map(pa, h->length);
	return sum_ok(h, h->length) ? h : NULL;
}

static const struct sdt_header *madt_find(void)
{
	const struct rsdp *r = rsdp_find();
	const struct sdt_header *root;
	bool x;
	size_t n;

	if (!r)
		return NULL;
	x = r->revision >= 2 && r->xsdt != 0;
	root = x ? sdt_map(r->xsdt, "XSDT") : sdt_map(r->rsdt, "RSDT");
	if (!root)
		return NULL;
	n = (root->length - sizeof(*root)) / (x ? 8 : 4);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e =
		    (const uint8_t *)(root + 1) + i * (x ? 8 : 4);
		uint64_t pa = 0;
		const struct sdt_header *h;

		memcpy(&pa, e, x ? 8 : 4);
		h = acpi_map(pa, sizeof(*h));
		if (memcmp(h->signature, "APIC", 4) == 0)
			return sdt_map(pa, "APIC");
	}
	return NULL;
}

unsigned acpi_cpu_apic_ids(uint32_t *ids, unsigned max)
{
	const struct sdt_header *madt = madt_find();
	const uint8_t *p, *end;
	unsigned n = 0;

	if (!madt)
		return 0;
	/* After the header: the local APIC address and flags (8 bytes). */
	p = (const uint8_t *)(madt + 1) + 8;
	end = (const uint8_t *)madt + madt->length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end && n < max) {
		uint32_t id, flags;

		if (p[0] == MADT_LAPIC && p[1] >= 8) {
			id = p[3];
			memcpy(&flags, p + 4, 4);
		} else if (p[0] == MADT_X2APIC && p[1] >= 16) {
			memcpy(&id, p + 4, 4);
			memcpy(&flags, p + 8, 4);
		} else {
			p += p[1];
			continue;
		}
		/* xAPIC mode addresses at most 255 (0xff is broadcast). */
		if ((flags & MADT_ENABLED) && id < 0xff)
			ids[n++] = id;
		p += p[1];
	}
	return n;
}
