/*
 * user/runtime/start.c — C side of program startup and exit.
 * __machr_start() receives the initial stack (argc, argv..., 0, envp...,
 * 0), calls main(argc, argv, envp) and exits with its result.  exit()
 * ends the task with task_terminate(mach_task_self()).
 */
#include <machr/runtime.h>
#include <stdint.h>
#include <stdlib.h>
#include "tcb.h"

int main(int argc, char **argv, char **envp);

mach_port_t machr_task;
uintptr_t __machr_initial_sp;

_Noreturn void __machr_start(uint64_t *sp);

_Noreturn void __machr_start(uint64_t *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;

	__machr_initial_sp = (uintptr_t)sp;
	machr_task = mach_task_self();
	exit(main(argc, argv, envp));
}

_Noreturn void exit(int status)
{
	(void)status; /* nobody collects a Mach task's status */
	for (;;) {
		(void)task_terminate(mach_task_self());
		(void)swtch(); /* not reached if the kernel honoured it */
	}
}

_Noreturn void abort(void)
{
	exit(134);
}

int machr_boot_ports(int argc, char **argv, mach_port_t *host_priv,
                     mach_port_t *device_master)
{
	char *end1, *end2;
	unsigned long h, d;

	if (argc < 3)
		return -1;
	h = strtoul(argv[1], &end1, 0);
	d = strtoul(argv[2], &end2, 0);
	if (*end1 || *end2 || end1 == argv[1] || end2 == argv[2])
		return -1;
	*host_priv = (mach_port_t)h;
	*device_master = (mach_port_t)d;
	return 0;
}
