/*
 * Exceptions (task/exception.h).
 */
#include <mach/exception.h>

#include "kern/printf.h"
#include "machine/thread.h"
#include "task/exception.h"
#include "task/task.h"
#include "task/thread.h"

void exception_raise_current(int exc, int64_t code, int64_t subcode)
{
	struct thread *t = thread_current();
	struct task *task = t->task;

	kprintf("Mach_R: task %s: unhandled exception %d (code %#llx, subcode "
	        "%#llx) at rip %#llx; terminating the task\n",
	        task->name[0] ? task->name : "?", exc, (long long)code,
	        (long long)subcode, (long long)t->machine.frame->rip);
	task_terminate(task);
}
