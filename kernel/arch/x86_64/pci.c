/*
 * PCI configuration mechanism #1: the address of a register goes to
 * port 0xCF8 and its dword comes through 0xCFC, so each access is a pair
 * that a lock keeps together.  pci_scan walks bus 0 and the buses behind
 * bridges the firmware numbered; drivers (virtio_blk.c) pick their
 * functions from it.  See pci.h for the interface.
 */
#include "kern/spinlock.h"
#include "machine/io.h"
#include "pci.h"

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA    0xCFC
#define PCI_ENABLE         0x80000000u

/* Bridges nest at most this deep in the walk (a loop guard: firmware
 * that numbered a bridge's secondary bus as one already seen). */
#define PCI_MAX_DEPTH 8

static spinlock_t pci_lock = SPINLOCK_INIT("pci.config");

static uint32_t config_address(uint8_t bus, uint8_t slot, uint8_t func,
                               unsigned off)
{
	return PCI_ENABLE | (uint32_t)bus << 16 | (uint32_t)(slot & 31) << 11 |
	       (uint32_t)(func & 7) << 8 | (off & 0xFC);
}

static uint32_t read_dword(uint8_t bus, uint8_t slot, uint8_t func,
                           unsigned off)
{
	unsigned long fl = spin_lock(&pci_lock);
	uint32_t v;

	outl(PCI_CONFIG_ADDRESS, config_address(bus, slot, func, off));
	v = inl(PCI_CONFIG_DATA);
	spin_unlock(&pci_lock, fl);
	return v;
}

uint32_t pci_read32(const struct pci_func *f, unsigned off)
{
	return read_dword(f->bus, f->slot, f->func, off);
}

uint16_t pci_read16(const struct pci_func *f, unsigned off)
{
	return (uint16_t)(pci_read32(f, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_func *f, unsigned off)
{
	return (uint8_t)(pci_read32(f, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_func *f, unsigned off, uint32_t v)
{
	unsigned long fl = spin_lock(&pci_lock);

	outl(PCI_CONFIG_ADDRESS, config_address(f->bus, f->slot, f->func, off));
	outl(PCI_CONFIG_DATA, v);
	spin_unlock(&pci_lock, fl);
}

void pci_write16(const struct pci_func *f, unsigned off, uint16_t v)
{
	unsigned long fl = spin_lock(&pci_lock);
	uint32_t shift = (off & 2) * 8, d;

	/* A read-modify-write of the dword, under one hold of the lock. */
	outl(PCI_CONFIG_ADDRESS, config_address(f->bus, f->slot, f->func, off));
	d = inl(PCI_CONFIG_DATA);
	d = (d & ~(0xFFFFu << shift)) | (uint32_t)v << shift;
	outl(PCI_CONFIG_DATA, d);
	spin_unlock(&pci_lock, fl);
}

/* Fill F from its header; false if no function answers there. */
static bool probe(uint8_t bus, uint8_t slot, uint8_t func, struct pci_func *f)
{
	uint32_t id = read_dword(bus, slot, func, PCI_VENDOR_ID);
	uint32_t cls;

	if ((id & 0xFFFF) == 0xFFFF)
		return false;
	*f = (struct pci_func){.bus = bus, .slot = slot, .func = func};
	f->vendor = (uint16_t)id;
	f->device = (uint16_t)(id >> 16);
	cls = pci_read32(f, PCI_CLASS_REV);
	f->class = (uint8_t)(cls >> 24);
	f->subclass = (uint8_t)(cls >> 16);
	f->prog_if = (uint8_t)(cls >> 8);
	f->header_type = pci_read8(f, PCI_HEADER_TYPE) & 0x7F;
	return true;
}

/* Walk BUS; *STOP becomes true when VISIT asks to stop. */
static unsigned scan_bus(uint8_t bus, unsigned depth,
                         bool (*visit)(const struct pci_func *, void *),
                         void *arg, bool *stop)
{
	unsigned n = 0;

	for (uint8_t slot = 0; slot < 32 && !*stop; slot++) {
		for (uint8_t func = 0; func < 8 && !*stop; func++) {
			struct pci_func f;

			if (!probe(bus, slot, func, &f)) {
				if (func == 0)
					break; /* no device in this slot */
				continue;
			}
			n++;
			if (!visit(&f, arg)) {
				*stop = true;
				break;
			}
			if (f.header_type == 1 && depth < PCI_MAX_DEPTH) {
				uint8_t sec = pci_read8(&f, PCI_SECONDARY);

				if (sec > bus)
					n += scan_bus(sec, depth + 1, visit,
					              arg, stop);
			}
			/* Functions 1..7 exist only on multi-function
			 * devices (bit 7 of function 0's header type). */
			if (func == 0 &&
			    !(pci_read8(&f, PCI_HEADER_TYPE) & 0x80))
				break;
		}
	}
	return n;
}

unsigned pci_scan(bool (*visit)(const struct pci_func *f, void *arg), void *arg)
{
	bool stop = false;

	return scan_bus(0, 0, visit, arg, &stop);
}

unsigned pci_next_cap(const struct pci_func *f, uint8_t id, unsigned from)
{
	unsigned off, guard;

	if (!(pci_read16(f, PCI_STATUS) & PCI_STATUS_CAPS))
		return 0;
	off = from ? pci_read8(f, from + 1) : pci_read8(f, PCI_CAP_PTR);
	/* At most 48 capabilities fit in the 192 bytes after the header. */
	for (guard = 0; off >= 0x40 && guard < 48; guard++) {
		off &= 0xFC;
		if (pci_read8(f, off) == id)
			return off;
		off = pci_read8(f, off + 1);
	}
	return 0;
}

bool pci_bar_memory(const struct pci_func *f, unsigned n, paddr_t *pa)
{
	uint32_t lo, hi = 0;

	if (n > 5 || f->header_type != 0)
		return false;
	lo = pci_read32(f, PCI_BAR0 + 4 * n);
	if (lo & 1)
		return false;       /* I/O space */
	if (((lo >> 1) & 3) == 2) { /* 64-bit: the next BAR is the top */
		if (n == 5)
			return false;
		hi = pci_read32(f, PCI_BAR0 + 4 * (n + 1));
	}
	*pa = ((paddr_t)hi << 32) | (lo & ~0xFu);
	return *pa != 0;
}
