# The in-kernel self-tests (allocators under load, the timer, caught CPU
# exceptions), booted under QEMU TCG; each kernel TAP line becomes one
# test here, and the runner's verdict one more.
. "$(dirname "$0")/testlib"
for smp in 1 2; do
	out=$($RUN --timeout 60 --smp $smp --cmdline selftest 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed -nE "s/^(not )?ok [0-9]+ - (.*)/\1ok - selftest (smp $smp): \2/p"
	check "machr-run verdict for the self-tests (smp $smp, status $rc)" $rc
	[ $rc -eq 0 ] || show "$out"
done
