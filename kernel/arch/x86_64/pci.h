/*
 * PCI configuration space on x86_64 (configuration mechanism #1, ports
 * 0xCF8/0xCFC) and a walk of the buses behind the host bridge: the small
 * machine interface through which arch drivers (virtio_blk.c) find their
 * devices.  Only arch/x86_64 sees it.
 */
#ifndef X86_PCI_H
#define X86_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/types.h"

/* Configuration-space offsets of the type 0 and type 1 headers used here. */
#define PCI_VENDOR_ID   0x00
#define PCI_DEVICE_ID   0x02
#define PCI_COMMAND     0x04
#define PCI_STATUS      0x06
#define PCI_CLASS_REV   0x08
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0        0x10
#define PCI_SECONDARY   0x19 /* type 1 (bridge): secondary bus number */
#define PCI_CAP_PTR     0x34

#define PCI_COMMAND_IO     0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_STATUS_CAPS    0x0010

#define PCI_CAP_VENDOR 0x09 /* vendor-specific capability (virtio's) */

/*
 * One PCI function, as the walk found it.
 * Owned by: the caller of pci_scan (a copy on the walk's stack).
 * Guarded by: nothing (read once from configuration space).
 */
struct pci_func {
	uint8_t bus, slot, func;
	uint16_t vendor, device;
	uint8_t class, subclass, prog_if;
	uint8_t header_type; /* without the multi-function bit */
};

/*
 * pci_read32 / pci_read16 / pci_read8 / pci_write32 / pci_write16: access
 * configuration register OFF (naturally aligned) of F.
 * Locks: any; takes the configuration-space lock (interrupts off).
 */
uint32_t pci_read32(const struct pci_func *f, unsigned off);
uint16_t pci_read16(const struct pci_func *f, unsigned off);
uint8_t pci_read8(const struct pci_func *f, unsigned off);
void pci_write32(const struct pci_func *f, unsigned off, uint32_t v);
void pci_write16(const struct pci_func *f, unsigned off, uint16_t v);

/*
 * pci_scan: call VISIT(f, ARG) for every function present on bus 0 and
 * on the buses behind PCI-to-PCI bridges (depth first, in slot and
 * function order), until VISIT returns false.
 * Returns: how many functions were visited.
 */
unsigned pci_scan(bool (*visit)(const struct pci_func *f, void *arg),
                  void *arg);

/*
 * pci_next_cap: the configuration offset of the first capability with
 * id ID after offset FROM (0: from the start of the list), or 0.
 */
unsigned pci_next_cap(const struct pci_func *f, uint8_t id, unsigned from);

/*
 * pci_bar_memory: the physical address of memory BAR N (0..5) of F, 32
 * or 64 bits wide, as the firmware assigned it.
 * Returns: false if the BAR is an I/O BAR, unassigned (0) or N is the
 *   upper half of a 64-bit BAR.
 */
bool pci_bar_memory(const struct pci_func *f, unsigned n, paddr_t *pa);

#endif
