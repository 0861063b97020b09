/* The per-CPU areas (see percpu.h). */
#include "kern/percpu.h"

struct percpu percpu_area[MAX_CPUS];
