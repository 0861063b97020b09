/* The host build's monotonic clock: the process's CLOCK_MONOTONIC. */
#include <time.h>

#include "kern/clock.h"

uint64_t machine_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The host build has no RTC: the wall clock starts at the epoch. */
int64_t machine_rtc_seconds(void)
{
	return 0;
}
