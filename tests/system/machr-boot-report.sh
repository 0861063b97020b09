# What the kernel must print at boot: a banner with the version, the CPU
# and its features, the memory map, the command line, and each module
# with its command line.  Booted with one module and extra options.
. "$(dirname "$0")/testlib"
module=tools/check-multiboot # any file will do as a module's bytes
out=$($RUN --timeout 60 --cmdline "selftest hz=250 colour=\"deep blue\"" "$module" first-arg 2>&1)
rc=$?
check "boot with a module and options runs to a verdict (status $rc)" $rc
has "$out" "^Mach_R $(cat VERSION) \(" ; check "banner names the version" $?
has "$out" "^cpu: .+ family [0-9]+ model [0-9]+" ; check "banner names the CPU" $?
has "$out" "^cpu features:.* lm" ; check "banner lists CPU features" $?
has "$out" "^  0000000000100000-[0-9a-f]{16} usable" ; check "memory map printed" $?
has "$out" "^command line: .*selftest hz=250 colour=\"deep blue\"" ; check "command line printed" $?
has "$out" "^module 0: [0-9a-f]{16}-[0-9a-f]{16} .*check-multiboot .*first-arg" ; check "module and its line printed" $?
has "$out" "clock: .*, 250 Hz tick" ; check "hz= option honoured" $?
[ $rc -eq 0 ] || show "$out"
