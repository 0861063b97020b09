/*
 * Sanity checks on the boot loader's description of the boot modules.
 * A loader bug or a hand-written GRUB entry can produce overlapping
 * modules; we stop with a clear message instead of corrupting them.
 */
#include "kern/bootinfo.h"
#include "kern/printf.h"

static int overlaps(paddr_t a0, paddr_t a1, paddr_t b0, paddr_t b1)
{
	return a0 < b1 && b0 < a1;
}

int bootinfo_check(const struct boot_info *bi, paddr_t limit, char *err,
                   size_t errlen)
{
	for (unsigned i = 0; i < bi->nmodules; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (m->end < m->start) {
			ksnprintf(err, errlen,
			          "module %u ends (%#llx) before it starts "
			          "(%#llx)",
			          i, (unsigned long long)m->end,
			          (unsigned long long)m->start);
			return -1;
		}
		if (m->end > limit) {
			ksnprintf(err, errlen,
			          "module %u [%#llx-%#llx) lies beyond the "
			          "end of RAM (%#llx)",
			          i, (unsigned long long)m->start,
			          (unsigned long long)m->end,
			          (unsigned long long)limit);
			return -1;
		}
		if (overlaps(m->start, m->end, bi->kernel_start,
		             bi->kernel_end)) {
			ksnprintf(err, errlen,
			          "module %u [%#llx-%#llx) overlaps the kernel "
			          "[%#llx-%#llx)",
			          i, (unsigned long long)m->start,
			          (unsigned long long)m->end,
			          (unsigned long long)bi->kernel_start,
			          (unsigned long long)bi->kernel_end);
			return -1;
		}
		for (unsigned j = 0; j < i; j++) {
			const struct boot_module *o = &bi->modules[j];

			if (overlaps(m->start, m->end, o->start, o->end)) {
				ksnprintf(err, errlen,
				          "modules %u and %u overlap", j, i);
				return -1;
			}
		}
	}
	return 0;
}
