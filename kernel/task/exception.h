/*
 * Exceptions: a thread's fault becomes an exception_raise message
 * (exc.defs) to the thread's exception port, else the task's; the
 * handler's reply resumes the thread or lets the next port try; a fault
 * nobody handles terminates the task.
 */
#ifndef TASK_EXCEPTION_H
#define TASK_EXCEPTION_H

#include <stdint.h>

/*
 * exception_raise_current: raise EXC (EXC_*) with CODE and SUBCODE for
 * the calling user thread.  Returns when a handler replied KERN_SUCCESS
 * (the thread resumes with its possibly changed registers); otherwise
 * the task is terminated and the thread dies on its way to user mode.
 * Locks: none held; blocks.
 */
void exception_raise_current(int exc, int64_t code, int64_t subcode);

#endif
