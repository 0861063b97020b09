/*
 * Interrupt vectors on x86_64.  0-31 are CPU exceptions; the legacy PICs
 * are moved to 0x20-0x2f and masked; the local APIC timer and the
 * inter-processor interrupts sit above.
 */
#ifndef MACHINE_INTR_H
#define MACHINE_INTR_H

#define VEC_PIC_BASE    0x20
#define VEC_TIMER       0x40
#define VEC_IPI_RESCHED 0xe0 /* run the queue now (smp.c) */
#define VEC_IPI_TLB     0xe1 /* TLB shootdown request (smp.c) */
#define VEC_IPI_HALT    0xf0
#define VEC_SPURIOUS    0xff

#endif
