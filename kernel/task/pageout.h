/*
 * The pageout daemon (task/pageout.c).
 */
#ifndef TASK_PAGEOUT_H
#define TASK_PAGEOUT_H

#include <stdint.h>

/* Counters (atomic), for vm_statistics. */
struct vm_pageout_stats {
	uint64_t pageouts; /* pages given to their pagers by pageout */
	uint64_t pageins;  /* pages asked back of the default pager */
};
extern struct vm_pageout_stats vm_pageout_stats;

/* pageout_start: start the daemon and let faults wait for it.  Once,
 * after the scheduler and before user tasks.  Locks: none held. */
void pageout_start(void);

#endif
