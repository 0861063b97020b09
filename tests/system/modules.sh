# Every test module (tests/system/modules/*.c, built by `make all-tests`)
# booted as the bootstrap task on each kernel.  The module's own TAP lines
# become tests here ("KERNEL MODULE: ..."), plus one for the runner's
# verdict, so a failure names the exact check.  Both kernels run every
# module: the reference GNU Mach pins the answers, Mach_R must give them.
# A GNU Mach run that hangs is tried again (testlib's boot).
# A module named in tests/system/machr-pending ("NAME  REASON" lines) is
# work in progress on Mach_R: its Mach_R run is shown as diagnostics
# only, not counted, until the kernel side lands and the line goes.
. "$(dirname "$0")/testlib"

pending_reason() { # NAME: the reason NAME is pending on Mach_R, or nothing
	[ -f tests/system/machr-pending ] || return 0
	sed -nE "s/^$1[[:space:]]+(.*)/\1/p" tests/system/machr-pending
}

for src in tests/system/modules/*.c; do
	name=$(basename "$src" .c)
	module=$BUILD/user/modules/$name
	if [ ! -f "$module" ]; then
		not_ok "modules: $module missing (run make all-tests)"
		continue
	fi
	for kernel in gnumach machr; do
		pending=
		[ $kernel = machr ] && pending=$(pending_reason "$name")
		if [ -n "$pending" ]; then
			out=$($RUN --kernel $kernel --timeout 30 "$module" 2>&1)
			echo "# machr $name: pending ($pending), status $?:"
			printf '%s\n' "$out" | grep -E '^(not )?ok ' | sed 's/^/#   /'
			continue
		fi
		boot $kernel --timeout 60 "$module"
		printf '%s\n' "$out" |
			sed -nE "s/^(start [^:]*: )?(not )?ok [0-9]+ - (.*)/\2ok - $kernel $name: \3/p"
		check "$kernel $name: machr-run verdict (status $rc)" $rc
		[ $rc -eq 0 ] || show "$out"
	done
done
