/*
 * Starting the boot modules (task/bootstrap.h).  The module lines are a
 * boot script (kern/bootscript.c); its callbacks here create each task
 * (suspended), insert send rights, load the ELF image with the initial
 * stack GNU Mach builds (kern/elf.c), and resume the task.
 */
#include <mach/vm_prot.h>

#include "ipc/port.h"
#include "ipc/right.h"
#include "kern/bootscript.h"
#include "kern/elf.h"
#include "kern/printf.h"
#include "kern/slab.h"
#include "kern/startup.h"
#include "kern/string.h"
#include "machine/memlayout.h"
#include "machine/thread.h"
#include "task/bootstrap.h"
#include "task/pageout.h"
#include "task/sched.h"
#include "task/task.h"
#include "task/thread.h"
#include "vm/fault.h"
#include "vm/map.h"

/* The user stack: just under the end of user space, as on GNU Mach. */
#define USER_STACK_TOP  0x800000000000ULL
#define USER_STACK_SIZE (128ULL << 10) /* GNU Mach's size */
#define STACK_BUILD_MAX (16u * 1024)

/* The host-priv and device-master ports (kernel/server); weak until that
 * part is linked, and then a module line using them cannot run. */
__attribute__((weak)) struct port *host_priv_port(void);
__attribute__((weak)) struct port *device_master_port(void);

static struct bootscript boot_script; /* ~40 KiB: not on the stack */

static int boot_task_create(void *ctx, unsigned line, void **task, void **port)
{
	struct task *t;
	const char *name = boot_info.modules[line].cmdline;
	size_t n = 0;

	(void)ctx;
	if (task_create_user(NULL, false, &t) != KERN_SUCCESS)
		return -1;
	task_suspend(t);
	/* The task's name: the module's file name, without directories. */
	for (const char *p = name; *p && *p != ' '; p++)
		if (*p == '/')
			name = p + 1;
	while (name[n] && name[n] != ' ' && n < TASK_NAME_MAX - 1)
		n++;
	memcpy(t->name, name, n);
	t->name[n] = '\0';
	*task = t;
	*port = t->self;
	return 0;
}

static int boot_insert_port(void *ctx, void *task, void *port, uint32_t *name)
{
	struct task *t = task;
	struct port *p = task_copy_send(port);

	(void)ctx;
	if (p == NULL)
		return -1;
	if (right_copyout(t->space, port_object(p), MACH_MSG_TYPE_PORT_SEND,
	                  name) != KERN_SUCCESS) {
		right_release(port_object(p), MACH_MSG_TYPE_PORT_SEND);
		return -1;
	}
	return 0;
}

static vm_prot_t elf_to_vm_prot(unsigned prot)
{
	return ((prot & ELF_PROT_READ) ? VM_PROT_READ : 0) |
	       ((prot & ELF_PROT_WRITE) ? VM_PROT_WRITE : 0) |
	       ((prot & ELF_PROT_EXEC) ? VM_PROT_EXECUTE : 0);
}

/* Map and fill the segments of IMG (the file at FILE) in T. */
static int load_segments(struct task *t, const struct elf_image *img,
                         const uint8_t *file)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];
		vaddr_t start = s->vaddr & ~(PAGE_SIZE - 1);
		vaddr_t end =
		    (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		kern_return_t kr;

		kr = vm_map_enter(t->map, &start, end - start, 0, false,
		                  elf_to_vm_prot(s->prot), VM_PROT_ALL,
		                  VM_INHERIT_DEFAULT);
		if (kr == KERN_SUCCESS && s->filesz)
			kr = vm_user_copy(NULL, NULL,
			                  (vaddr_t)(file + s->offset), t->map,
			                  t->pmap, s->vaddr, s->filesz, true);
		if (kr != KERN_SUCCESS) {
			kprintf("Mach_R: cannot load segment %u (error %#x)\n",
			        i, kr);
			return -1;
		}
	}
	return 0;
}

/* The stack region and the initial stack contents; *RSP its pointer. */
static int load_stack(struct task *t, const char *const *argv, uint64_t *rsp)
{
	vaddr_t base = USER_STACK_TOP - USER_STACK_SIZE;
	uint8_t *buf;
	int rc = -1;

	if (vm_map_enter(t->map, &base, USER_STACK_SIZE, 0, false,
	                 VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL,
	                 VM_INHERIT_DEFAULT) != KERN_SUCCESS)
		return -1;
	buf = kmalloc(STACK_BUILD_MAX);
	if (!buf)
		return -1;
	if (elf_build_stack(buf, STACK_BUILD_MAX, USER_STACK_TOP, argv, NULL,
	                    rsp) == ELF_OK &&
	    vm_user_copy(NULL, NULL,
	                 (vaddr_t)buf +
	                     (*rsp - (USER_STACK_TOP - STACK_BUILD_MAX)),
	                 t->map, t->pmap, *rsp, USER_STACK_TOP - *rsp,
	                 true) == KERN_SUCCESS)
		rc = 0;
	kfree(buf);
	return rc;
}

static int boot_task_load(void *ctx, unsigned line, void *task, int argc,
                          const char *const *argv)
{
	const struct boot_module *m = &boot_info.modules[line];
	const uint8_t *file = phys_to_virt(m->start);
	struct task *t = task;
	struct elf_image img;
	struct thread *th;
	uint64_t rsp;
	char err[128];

	(void)ctx;
	(void)argc;
	if (elf_parse(file, m->end - m->start, &img, err, sizeof(err)) !=
	    ELF_OK) {
		kprintf("Mach_R: module %u (%s): %s\n", line, argv[0], err);
		return -1;
	}
	if (load_segments(t, &img, file) != 0 ||
	    load_stack(t, argv, &rsp) != 0) {
		kprintf("Mach_R: module %u (%s): out of memory\n", line,
		        argv[0]);
		return -1;
	}
	if (thread_create_user(t, &th) != KERN_SUCCESS)
		return -1;
	th->machine.frame->rip = img.entry;
	th->machine.frame->rsp = rsp;
	thread_resume(th);
	thread_release(th);
	return 0;
}

static int boot_task_resume(void *ctx, void *task, bool prompt)
{
	(void)ctx;
	if (prompt)
		kprintf("Mach_R: $(prompt-task-resume): resuming without "
		        "asking\n");
	return task_resume(task) == KERN_SUCCESS ? 0 : -1;
}

static const struct bootscript_ops boot_ops = {
    .task_create = boot_task_create,
    .insert_port = boot_insert_port,
    .task_load = boot_task_load,
    .task_resume = boot_task_resume,
};

unsigned bootstrap_start_modules(void)
{
	const char *lines[BOOTSCRIPT_MAX_LINES];
	struct bootscript_env env = {NULL, NULL};
	unsigned n = boot_info.nmodules, started = 0;
	char err[160];

	if (n == 0)
		return 0;
	if (n > BOOTSCRIPT_MAX_LINES) {
		kprintf("Mach_R: %u boot modules; at most %u\n", n,
		        BOOTSCRIPT_MAX_LINES);
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		lines[i] = boot_info.modules[i].cmdline;
	if (bootscript_parse(&boot_script, boot_info.cmdline, lines, n, err,
	                     sizeof(err)) != BOOTSCRIPT_OK) {
		kprintf("Mach_R: boot script: %s\n", err);
		return 0;
	}
	if (host_priv_port)
		env.host_port = host_priv_port();
	if (device_master_port)
		env.device_port = device_master_port();
	if (bootscript_run(&boot_script, &boot_ops, NULL, &env, err,
	                   sizeof(err)) != BOOTSCRIPT_OK) {
		kprintf("Mach_R: boot script: %s\n", err);
		for (unsigned i = 0; i < n; i++)
			if (boot_script.line[i].task)
				task_terminate(boot_script.line[i].task);
	}
	for (unsigned i = 0; i < n; i++)
		if (boot_script.line[i].task)
			started++;
	return started;
}

void tasks_init(void)
{
	task_init();
	thread_init();
	machine_fpu_init();
	machine_syscall_init();
	machine_smp_start(); /* the other CPUs, before any user task */
}

__noreturn void tasks_start(void)
{
	unsigned n;

	pageout_start();
	n = bootstrap_start_modules();

	kprintf("Mach_R: %u task(s) started\n", n);
	sched_idle_loop();
}
