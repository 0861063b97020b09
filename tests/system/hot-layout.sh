# The link map's hot groups (kernel/arch/x86_64/kernel.ld): every
# function and variable the script names there must exist in the kernel
# and lie inside its group, or a rename would silently drop it back among
# the cold ones; and each group must stay within its page budget (the
# pages an RPC touches after an address-space switch, docs/PERFORMANCE.md).
. "$(dirname "$0")/testlib"
LD=kernel/arch/x86_64/kernel.ld
KERNEL=$BUILD/kernel/machr
TEXT_PAGES=4 # the RPC's code: 3.7 pages on 2026-11-26
DATA_PAGES=3 # its data: 2.4 pages (this CPU's entries on 2)

syms=$(nm "$KERNEL" 2>/dev/null)
[ -n "$syms" ] || { not_ok "kernel $KERNEL has symbols"; exit 0; }
addr() { printf '%s\n' "$syms" | awk -v n="$1" '$3 == n { print $1; exit }'; }

# in_group NAME START END: NAME's address lies in [START's, END's).
in_group() {
	local a s e
	a=$(addr "$1") s=$(addr "$2") e=$(addr "$3")
	[ -n "$a" ] && [ -n "$s" ] && [ -n "$e" ] || return 1
	[ $((16#${a#ffffffff})) -ge $((16#${s#ffffffff})) ] &&
		[ $((16#${a#ffffffff})) -lt $((16#${e#ffffffff})) ]
}

# pages START END: how many 4 KiB pages [START's, END's) spans, in tenths.
pages() {
	local s e
	s=$(addr "$1") e=$(addr "$2")
	echo $(((16#${e#ffffffff} - 16#${s#ffffffff}) * 10 / 4096))
}

text=$(sed -n '/_hot_text = \./,/_hot_text_end = \./p' "$LD" |
	sed -n 's/^[[:space:]]*\*(\.text\.\([A-Za-z0-9_]*\))$/\1/p')
data=$(sed -n '/_hot_data = \./,/_hot_data_end = \./p' "$LD" |
	sed -n 's/^[[:space:]]*\*(\.\(bss\|data\|rodata\)\.\([A-Za-z0-9_]*\))$/\2/p')
[ "$(printf '%s\n' "$text" | wc -w)" -ge 10 ]
check "the hot text group names its functions" $?
[ "$(printf '%s\n' "$data" | wc -w)" -ge 5 ]
check "the hot data group names its variables" $?

missing=
for f in $text syscall_entry syscall_exit user_copy; do
	in_group "$f" _hot_text _hot_text_end || missing="$missing $f"
done
[ -z "$missing" ]
check "every hot function is in the hot text group${missing:+ (not:$missing)}" $?

missing=
for v in $data; do
	in_group "$v" _hot_data _hot_data_end || missing="$missing $v"
done
[ -z "$missing" ]
check "every hot variable is in the hot data group${missing:+ (not:$missing)}" $?

n=$(pages _hot_text _hot_text_end)
[ "$n" -le $((TEXT_PAGES * 10)) ]
check "the hot text spans at most $TEXT_PAGES pages ($n tenths)" $?
n=$(pages _hot_data _hot_data_end)
[ "$n" -le $((DATA_PAGES * 10)) ]
check "the hot data spans at most $DATA_PAGES pages ($n tenths)" $?

# The run queues first in .bss, page-aligned there (kernel.ld).
[ "$(addr sched_cpus)" = "$(addr _bss_start)" ] &&
	[ $((16#$(addr _bss_start) % 4096)) -eq 0 ]
check "the run queues open the page-aligned .bss" $?
