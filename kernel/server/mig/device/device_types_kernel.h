/* Stands in for GNU Mach's <device/device_types_kernel.h>, which
 * gnumach-dev's <device/device_types.h> includes under MACH_KERNEL: the
 * device handle of the kernel side (server/device.c). */
#ifndef KSERVER_MIG_DEVICE_TYPES_KERNEL_H
#define KSERVER_MIG_DEVICE_TYPES_KERNEL_H
struct kdevice;
typedef struct kdevice *device_t;
#endif
