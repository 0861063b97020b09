# What a kernel crash looks like: an unhandled kernel exception reports
# vector, error code, CR2 and the registers, then panic() prints its
# message and a backtrace and stops every CPU (QEMU then exits through
# qemu_exit instead of hanging).  debug_crash= triggers the crash.
. "$(dirname "$0")/testlib"

out=$($RUN --timeout 30 --smp 2 --cmdline "debug_crash=fault" 2>&1)
rc=$?
has "$out" "^kernel exception 14 \(page fault\), error code 0, on cpu 0" ; check "fault: vector, name and error code reported" $?
has "$out" "^  cr2 0000000000001000  cr3 [0-9a-f]{16}" ; check "fault: CR2 reported" $?
has "$out" "^  rip ffffffff8[0-9a-f]{7}  cs 0008  rflags [0-9a-f]{16}" ; check "fault: registers reported" $?
has "$out" "^  rax [0-9a-f]{16}  rbx [0-9a-f]{16}  rcx [0-9a-f]{16}" ; check "fault: general registers reported" $?
has "$out" "^panic: unhandled kernel exception 14 \(page fault\) at 0xffffffff8" ; check "fault: ends in panic" $?
has "$out" "^backtrace" && has "$out" "^  ffffffff8[0-9a-f]{7}$" ; check "fault: backtrace printed" $?
[ $rc -eq 1 ] ; check "fault: the machine stops and QEMU exits (status $rc, not a hang)" $?
[ $rc -eq 1 ] || show "$out"

out=$($RUN --timeout 30 --cmdline "debug_crash=panic" 2>&1)
rc=$?
has "$out" "^panic: debug_crash=panic requested on the command line" ; check "panic: message printed" $?
has "$out" "^cpu 0  rsp [0-9a-f]{16}  rbp [0-9a-f]{16}" ; check "panic: registers printed" $?
has "$out" "^backtrace" ; check "panic: backtrace printed" $?
[ $rc -eq 1 ] ; check "panic: the machine stops and QEMU exits (status $rc)" $?
[ $rc -eq 1 ] || show "$out"
