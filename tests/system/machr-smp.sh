# Task modules on Mach_R with two CPUs (QEMU -smp 2, TCG): threads of a
# task, RPCs between tasks, exceptions and gsync then run on both CPUs,
# so suspension, wakes, TLB shootdowns and the reschedule IPI all cross
# CPUs.  Each module's TAP lines become tests here, plus the runner's
# verdict and a check that the kernel brought both CPUs up.
. "$(dirname "$0")/testlib"

for name in rpc-tasks thread-abort exceptions gsync; do
	module=$BUILD/user/modules/$name
	if [ ! -f "$module" ]; then
		not_ok "smp: $module missing (run make all-tests)"
		continue
	fi
	out=$($RUN --kernel machr --timeout 60 --smp 2 "$module" 2>&1)
	rc=$?
	printf '%s\n' "$out" |
		sed -nE "s/^(not )?ok [0-9]+ - (.*)/\1ok - machr smp 2 $name: \2/p"
	has "$out" '^Mach_R: 2 CPUs online'
	check "machr smp 2 $name: both CPUs online" $?
	check "machr smp 2 $name: machr-run verdict (status $rc)" $rc
	[ $rc -eq 0 ] || show "$out"
done
