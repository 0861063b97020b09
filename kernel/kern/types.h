/*
 * Basic kernel types.  Physical addresses get their own type so that a
 * reader can tell them from pointers at a glance.
 */
#ifndef KERN_TYPES_H
#define KERN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t; /* a physical address */
typedef uint64_t vaddr_t; /* a virtual address held as a number */

#endif
