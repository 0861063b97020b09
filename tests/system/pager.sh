# The default pager (servers/pager) booted before a test program
# (tests/system/pager-modules/*.c) with tools/machr-run --server: the
# program finds the pager, creates, maps, shares and fills objects past
# the free memory so that the kernel pages out to the pager, reads them
# back and checks that the pager frees what it held; another plays the
# kernel's part of the protocol itself (protocol.c).  The machine gets
# 64 MiB, so that paging must happen (see store_mb for the stores).
#
# Both kernels with the store in the pager's memory; Mach_R also with the
# store on the disk vd0 (machr-run --disk-size), which GNU Mach lacks.
# First the pager's own self-test (--selftest) on each store.
#
# The modules that page (PAGING_MODULES) move tens of MiB through the
# pager, on a disk under TCG: they get a longer timeout.  If Mach_R's
# side of them ever has to be shown without counting (work in progress),
# set MACHR_PENDING to the reason: its runs then become "# pending"
# diagnostics.  The protocol module plays the kernel itself and finds the
# pager without the kernel's help (servers/pager/rendezvous.h).
. "$(dirname "$0")/testlib"
MACHR_PENDING=
PAGING_MODULES=" dp-objects anon-paging "
PAGING_TIMEOUT=240

PAGER=$BUILD/servers/pager/pager
MEM=64
STORE_MB=32

# store_mb MODULE STORE: the store a pager module gets, in MiB.  The
# protocol module fills it; the others need room for all they page out,
# more than the free memory: half the machine's memory in the pager's
# own memory, half again more than the machine on a disk.
store_mb() {
	if [ "$1" = protocol ]; then
		echo 1
	elif [ "$2" = disk ]; then
		echo $((MEM * 3 / 2))
	else
		echo $STORE_MB
	fi
}

# run_pager KERNEL LABEL STORE: boot the pager with --store=STORE (memory
# or disk: a zeroed vd0; of store_mb MiB either way) before each pager
# module; report its TAP lines as "KERNEL LABEL NAME: ..." tests plus
# machr-run's verdict.
run_pager() {
	local kernel=$1 label=$2 store=$3 module name out rc complaints size timeout
	local -a opts
	for module in "$BUILD"/servers/pager/modules/*; do
		name=$(basename "$module")
		size=$(store_mb "$name" "$store")
		if [ "$store" = disk ]; then
			opts=(--disk-size "$size" --server "$PAGER,--store=disk")
		else
			opts=(--server "$PAGER,--store=memory,--store-size=$size")
		fi
		# A pending run is shown only: a short timeout, so that a hang
		# of the unfinished kernel side does not make this test slow.
		timeout=60
		if [[ $PAGING_MODULES == *" $name "* ]]; then
			timeout=$PAGING_TIMEOUT
			if [ "$kernel" = machr ] && [ -n "$MACHR_PENDING" ]; then
				timeout=20
			fi
		fi
		boot "$kernel" --timeout $timeout --mem $MEM "${opts[@]}" "$module"
		if [ "$kernel" = machr ] && [ -n "${MACHR_PENDING:-}" ] &&
			[[ $PAGING_MODULES == *" $name "* ]]; then
			echo "# machr $label $name: pending ($MACHR_PENDING), status $rc:"
			printf '%s\n' "$out" | grep -E '^(start [^:]*: )?(not )?ok |pager: ' |
				sed 's/^/#   /'
			continue
		fi
		printf '%s\n' "$out" |
			sed -nE "s/^(start [^:]*: )?(not )?ok [0-9]+ - (.*)/\2ok - $kernel $label $name: \3/p"
		check "$kernel $label $name: machr-run verdict (status $rc)" $rc
		[ $rc -eq 0 ] || show "$out"
		# The pager logs what went wrong on its side (a bad request,
		# a full store); a clean run logs only that it is ready, and
		# perhaps that the kernel would not wire it ("continuing").
		complaints=$(printf '%s\n' "$out" | grep -E '(^|: )pager: ' |
			grep -vE 'default pager ready|\(continuing\)$')
		# protocol sends bad requests on purpose.
		if [ "$name" != protocol ]; then
			check "$kernel $label $name: the pager logged no complaint" \
				"$([ -z "$complaints" ] && echo 0 || echo 1)"
			[ -z "$complaints" ] || show "$complaints"
		fi
	done
}

if [ ! -f "$PAGER" ] || ! ls "$BUILD"/servers/pager/modules/* >/dev/null 2>&1; then
	not_ok "pager: $PAGER or its test modules missing (run make all-tests)"
	exit 1
fi
# selftest KERNEL LABEL [machr-run options] -- PAGER ARGS: the pager alone
# as the bootstrap task, checking its store and object table in place
# (--selftest); it needs no paging from the kernel, so it counts on
# Mach_R today.
selftest() {
	local kernel=$1 label=$2 out rc
	shift 2
	boot "$kernel" --timeout 60 --mem $MEM "$@"
	printf '%s\n' "$out" |
		sed -nE "s/^(start [^:]*: )?(not )?ok [0-9]+ - pager self-test: (.*)/\2ok - $kernel $label pager self-test: \3/p"
	check "$kernel $label pager self-test: machr-run verdict (status $rc)" $rc
	[ $rc -eq 0 ] || show "$out"
}

selftest gnumach memory-store "$PAGER" --store=memory --store-size=$STORE_MB --selftest
selftest machr memory-store "$PAGER" --store=memory --store-size=$STORE_MB --selftest
mkdir -p "$BUILD/test"
img=$BUILD/test/pager-disk.img
rm -f "$img" && truncate -s 64M "$img"
selftest machr disk-store --disk "$img" "$PAGER" --store=disk --selftest
# Block 1 (bytes 4096..) starts with the self-test's word 0x10000005a.
[ "$(od -An -tx1 -j 4096 -N 8 "$img" | tr -d ' ')" = 5a00000001000000 ]
check "machr disk-store pager self-test: its pattern reached the disk image at block 1" $?
rm -f "$img"

run_pager gnumach memory-store memory
run_pager machr memory-store memory
run_pager machr disk-store disk
