# The memory-pressure run of issue 6 (Mach_R only): a 64 MiB machine,
# the default pager (servers/pager) paging to a zeroed disk vd0, and a
# task that touches 160 MiB of anonymous memory and checks every page
# (tests/system/pressure/pressure.c).  GNU Mach is not run: it has no
# disk driver for vd0 here, and a store in the pager's own memory cannot
# hold more than the machine (docs/ABI.md).
. "$(dirname "$0")/testlib"

PAGER=$BUILD/servers/pager/pager
PRESSURE=$BUILD/servers/pager/pressure
MIB=${PRESSURE_MIB:-160}

if [ ! -f "$PAGER" ] || [ ! -f "$PRESSURE" ]; then
	not_ok "pressure: $PAGER or $PRESSURE missing (run make all-tests)"
	exit 1
fi
start=$(date +%s)
out=$($RUN --kernel machr --timeout 600 --mem 64 --disk-size $((MIB + 64)) \
	--server "$PAGER,--store=disk" "$PRESSURE" "$MIB" 2>&1)
rc=$?
printf '%s\n' "$out" |
	sed -nE "s/^(start [^:]*: )?(not )?ok [0-9]+ - (.*)/\2ok - machr pressure: \3/p"
check "machr pressure: machr-run verdict (status $rc, $(($(date +%s) - start)) s)" $rc
[ $rc -eq 0 ] || show "$out"
