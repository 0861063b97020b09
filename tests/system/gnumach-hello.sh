#!/bin/sh
# tests/system/gnumach-hello.sh [MODULE] — boot the reference GNU Mach
# with a test module (default hello-console; built by `make all-tests`)
# and print one TAP line; on failure the console output follows as "# "
# comments.  Exits 0 unless the script itself is broken: the aggregator
# counts ok / not ok lines.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
export BUILD
module=$BUILD/user/modules/${1:-hello-console}
name="gnumach: ${1:-hello-console}"

if [ ! -f "$module" ]; then
	echo "not ok - $name # $module missing (run make all-tests)"
	exit 0
fi
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
tools/machr-run --kernel gnumach --timeout 60 "$module" >"$out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
	echo "ok - $name"
else
	echo "not ok - $name # machr-run exit code $rc"
	sed 's/^/# /' "$out"
fi
exit 0
