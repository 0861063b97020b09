# Bad boot input ends in a clear message and a clean halt (QEMU leaves
# through isa-debug-exit), never a triple fault, a panic or a hang.
. "$(dirname "$0")/testlib"

expect_refusal() { # NAME REGEX machr-run-args...
	local name=$1 regex=$2 out rc
	shift 2
	out=$($RUN --timeout 30 "$@" 2>&1)
	rc=$?
	if [ $rc -ne 124 ] && has "$out" "^Mach_R: cannot boot: $regex" &&
		has "$out" "^Mach_R: halted" && ! has "$out" "^panic:"; then
		ok "$name"
	else
		not_ok "$name (status $rc)"
		show "$out"
	fi
}

expect_refusal "too little RAM (-m 16) is refused" "only [0-9]+ MiB of usable RAM" --mem 16
expect_refusal "a non-numeric hz= is refused" "bad command line option: hz=abc: not a number" --cmdline "hz=abc"
expect_refusal "an out-of-range hz= is refused" "bad command line option: hz=5: must be 10..10000" --cmdline "hz=5"
expect_refusal "an unterminated quote is refused" "malformed command line: unterminated quote" --cmdline 'name="abc'
expect_refusal "an unknown console is refused" "bad command line option: console=lpt1" --cmdline "console=lpt1"
