# Every test module (tests/system/modules/*.c, built by `make all-tests`)
# booted as the bootstrap task on each kernel.  The module's own TAP lines
# become tests here ("KERNEL MODULE: ..."), plus one for the runner's
# verdict, so a failure names the exact check.  Both kernels run every
# module: the reference GNU Mach pins the answers, Mach_R must give them.
# A GNU Mach run that times out is retried once (see below).
. "$(dirname "$0")/testlib"

for src in tests/system/modules/*.c; do
	name=$(basename "$src" .c)
	module=$BUILD/user/modules/$name
	if [ ! -f "$module" ]; then
		not_ok "modules: $module missing (run make all-tests)"
		continue
	fi
	for kernel in gnumach machr; do
		out=$($RUN --kernel $kernel --timeout 60 "$module" 2>&1)
		rc=$?
		# The reference kernel under TCG now and then hangs for good
		# early in a run (seen at the console's device_open and at
		# "task loaded", on any module, even alone on the machine):
		# a timed-out GNU Mach run gets one more try.  Mach_R gets
		# none: a hang of ours is a failure.
		if [ $kernel = gnumach ] && [ $rc -eq 124 ]; then
			echo "# gnumach $name: timed out, retrying once"
			out=$($RUN --kernel $kernel --timeout 60 "$module" 2>&1)
			rc=$?
		fi
		printf '%s\n' "$out" |
			sed -nE "s/^(start [^:]*: )?(not )?ok [0-9]+ - (.*)/\2ok - $kernel $name: \3/p"
		check "$kernel $name: machr-run verdict (status $rc)" $rc
		[ $rc -eq 0 ] || show "$out"
	done
done
