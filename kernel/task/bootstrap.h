/*
 * The first user tasks: the boot modules, started as their module lines
 * say (GNU Mach's boot-script language, kern/bootscript.h).
 */
#ifndef TASK_BOOTSTRAP_H
#define TASK_BOOTSTRAP_H

/*
 * bootstrap_start_modules: create, load and resume the tasks of the boot
 * modules.  A bad script or module is reported on the console and
 * nothing of it runs.  Returns the number of tasks started.
 * Locks: none held; called once by the boot thread.
 */
unsigned bootstrap_start_modules(void);

/* tasks_init: tasks, threads (the caller becomes the boot thread), the
 * CPU's FPU and SYSCALL setup.  Called by kern_main, once. */
void tasks_init(void);

/* tasks_start: start the boot modules; the caller becomes the idle
 * thread.  Never returns. */
__attribute__((noreturn)) void tasks_start(void);

#endif
