# The benchmark module (bench/, `make bench`) once at a tiny scale on
# Mach_R, through its runner, timed and counted: every metric of
# /work/shared/BENCH.md and the scaling ones must print a positive
# figure in both units, and the module's own checks (every call's
# return, the servers' counters) must pass.  A figure a kernel cannot
# give (100,000 names past a per-task bound) must be reported as not
# measured, with the figure at what it reached instead.  Figures are
# measurements, not verdicts: only their presence is tested here.
. "$(dirname "$0")/testlib"

METRICS="calib_user_loop_iter null_trap null_trap_invalid null_trap_swtch_pri
	trap_mach_reply_port_alloc kernel_rpc_mach_port_type ipc_self_send_recv
	ipc_rpc_thread_null ipc_rpc_thread_inline4k ipc_rpc_thread_ool1m
	ipc_rpc_task_null ipc_rpc_task_inline4k ipc_rpc_task_ool1m
	vm_alloc_touch_free_page vm_alloc_free_page_notouch
	vm_alloc_touch_free_page_traps vm_16MiB_touch_per_page
	vm_16MiB_allocate_call vm_16MiB_deallocate_per_page
	ipc_rpc_task_null_1k_threads ipc_rpc_task_null_0_names
	ipc_rpc_task_null_60k_names vm_zero_fill_fault_per_page"

module=$BUILD/bench/machbench
if [ ! -f "$module" ]; then
	not_ok "bench: $module missing (run make all-tests)"
	exit 0
fi
out=$(tools/machr-bench --kernels machr --scale 1 --batches 3 \
	--timeout 60 --out "$BUILD/bench/test" --no-plot 2>&1)
rc=$?
check "bench: machr-bench on Mach_R at a tiny scale (status $rc)" $rc
[ $rc -eq 0 ] || show "$out"

# positive UNIT NAME: a line "bench machr NAME VALUE UNIT" with VALUE > 0.
positive() {
	printf '%s\n' "$out" |
		awk -v n="$2" -v u="$1" '$1 == "bench" && $2 == "machr" &&
			$3 == n && $5 == u && $4 > 0 { found = 1 }
			END { exit !found }'
}

for unit in cycles insns; do
	missing=
	for name in $METRICS; do
		positive $unit "$name" || missing="$missing $name"
	done
	check "bench: every metric has a positive figure in $unit${missing:+ (missing:$missing)}" \
		"$([ -z "$missing" ]; echo $?)"
	# 100,000 names: a figure, or "not measured" and the figure at
	# what the space took.
	if positive $unit ipc_rpc_task_null_100k_names; then
		ok "bench: ipc_rpc_task_null_100k_names in $unit"
	else
		reached=$(printf '%s\n' "$out" | awk -v u=$unit '$1 == "bench" &&
			$3 ~ /^ipc_rpc_task_null_[0-9]+_names$/ && $5 == u &&
			$4 > 0 { print $3 }' | grep -v '_0_names' | tail -1)
		has "$out" '^# bench machr ipc_rpc_task_null_100k_names not measured: .+'
		check "bench: 100k names not measured in $unit, said so, figure at ${reached:-nothing}" \
			"$([ $? -eq 0 ] && [ -n "$reached" ]; echo $?)"
	fi
done
has "$out" '^ratio ' && not_ok "bench: ratios printed without GNU Mach" ||
	ok "bench: no ratio without GNU Mach"
[ -s "$BUILD/bench/test/bench.json" ]
check "bench: $BUILD/bench/test/bench.json written" $?

# The module's own failure path: a bad argument is a failed check, which
# must end the run with a "not ok" line and a failing verdict.
out=$($RUN --kernel machr --timeout 30 "$module" kernel=machr unit=cycles \
	batches=0 2>&1)
rc=$?
has "$out" "^not ok .*bad argument 'batches=0'" && [ $rc -eq 1 ]
check "bench: a failed check fails the module's run (status $rc)" $?
