# The programs under examples/ (built by `make all-tests`), run on both
# kernels as the README runs them, so that the documented way of writing
# a program cannot rot.
. "$(dirname "$0")/testlib"

for module in $BUILD/examples/echo/echo; do
	name=$(basename "$module")
	if [ ! -f "$module" ]; then
		not_ok "examples: $module missing (run make all-tests)"
		continue
	fi
	for kernel in gnumach machr; do
		boot $kernel --timeout 60 "$module"
		check "$kernel example $name (status $rc)" $rc
		[ $rc -eq 0 ] || show "$out"
	done
done
