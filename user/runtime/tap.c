/*
 * user/runtime/tap.c — TAP lines for system-test modules, and the end of
 * a test run (reboot, which QEMU -no-reboot turns into an exit).
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>

static int tap_count, tap_failed;

void tap_plan(int n)
{
	printf("1..%d\n", n);
}

static int result(int cond, const char *note, const char *fmt, va_list ap)
{
	char desc[200];

	vsnprintf(desc, sizeof desc, fmt, ap);
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s%s\n", cond ? "" : "not ", tap_count, desc, note);
	return cond;
}

int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cond = result(cond, "", fmt, ap);
	va_end(ap);
	return cond;
}

int tap_kr(kern_return_t kr, const char *fmt, ...)
{
	char note[40] = "";
	va_list ap;
	int cond;

	if (kr != KERN_SUCCESS)
		snprintf(note, sizeof note, " # kr %#x", kr);
	va_start(ap, fmt);
	cond = result(kr == KERN_SUCCESS, note, fmt, ap);
	va_end(ap);
	return cond;
}

void tap_diag(const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	printf("# %s\n", line);
}

int tap_failures(void)
{
	return tap_failed;
}

void tap_finish(mach_port_t host_priv)
{
	kern_return_t kr = host_reboot(host_priv, RB_AUTOBOOT);

	printf("not ok %d - host_reboot # kr %#x\n", ++tap_count, kr);
}
