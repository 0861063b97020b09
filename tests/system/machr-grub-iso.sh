# Booting through GRUB: the ISO from tools/make-iso (what `make iso`
# builds) boots under QEMU from the CD-ROM and runs the self-tests.
. "$(dirname "$0")/testlib"
iso=$BUILD/test/selftest.iso
if ! out=$(tools/make-iso "$BUILD/kernel/machr" "$iso" --cmdline "selftest qemu_exit" 2>&1); then
	not_ok "tools/make-iso builds a GRUB ISO"
	show "$out"
	exit 0
fi
ok "tools/make-iso builds a GRUB ISO"
log=$BUILD/test/selftest-iso.log
timeout 60 qemu-system-x86_64 -accel tcg -cdrom "$iso" -m 128 \
	-display none -no-reboot -serial "file:$log" -monitor none \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 >/dev/null 2>&1
rc=$?
out=$(tr -d '\r' <"$log")
has "$out" "^boot loader: GRUB" ; check "GRUB's multiboot loader started the kernel" $?
has "$out" "^Mach_R: self-tests done, 0 failed" ; check "self-tests pass when booted by GRUB" $?
[ $rc -ne 124 ] ; check "the GRUB boot ends by itself" $?
has "$out" "^Mach_R: self-tests done, 0 failed" || show "$out"
