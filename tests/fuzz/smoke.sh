#!/usr/bin/env bash
# smoke.sh: a short, fixed-seed run of every libFuzzer target
# ($BUILD/fuzz/fuzz_*), one TAP line each: "ok - fuzz <name> ..." when it
# ends without a crash, leak or sanitizer report.  tests/run-all runs it
# in make check; `make fuzz` is the long run.
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RUNS=${FUZZ_RUNS:-20000}
found=0
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	bin="$BUILD/fuzz/$name"
	label="fuzz ${name#fuzz_}"
	label=${label//_/ }
	found=1
	if [ ! -x "$bin" ]; then
		if command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
			echo "not ok - $label: $bin was not built"
		else
			echo "ok - $label # SKIP no clang to build it"
		fi
		continue
	fi
	start=$(date +%s)
	out=$("$bin" -runs="$RUNS" -seed=1 -print_final_stats=1 2>&1)
	rc=$?
	execs=$(printf '%s\n' "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
	if [ $rc -eq 0 ]; then
		echo "ok - $label: ${execs:-?} runs, seed 1, $(($(date +%s) - start)) s"
	else
		echo "not ok - $label: status $rc"
		printf '%s\n' "$out" | tail -40 | sed 's/^/# /'
	fi
done
[ $found -eq 1 ] || echo "ok - fuzz # SKIP no target"
exit 0
