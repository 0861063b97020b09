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

# The same GRUB entry boots a module on either kernel: GNU Mach's own
# multiboot line and module line (tools/make-iso), unchanged but for the
# kernel file.  The module prints TAP and ends with host_reboot.
module=$BUILD/user/modules/hello-console
for kernel in machr gnumach; do
	case $kernel in
	machr) image=$BUILD/kernel/machr ;;
	gnumach) image=$BUILD/ref/gnumach.elf64 ;;
	esac
	iso=$BUILD/test/module-$kernel.iso
	if ! out=$(tools/make-iso "$image" "$iso" --cmdline "qemu_exit" "$module" 2>&1); then
		not_ok "$kernel: tools/make-iso builds an ISO with a module"
		show "$out"
		continue
	fi
	log=$BUILD/test/module-$kernel-iso.log
	timeout 60 qemu-system-x86_64 -accel tcg -cdrom "$iso" -m 128 \
		-display none -no-reboot -serial "file:$log" -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 >/dev/null 2>&1
	rc=$?
	out=$(tr -d '\r' <"$log")
	has "$out" "ok 2 - console write"
	check "$kernel: GRUB boots hello-console as the bootstrap task" $?
	[ $rc -ne 124 ] ; check "$kernel: the GRUB boot with a module ends by itself" $?
	has "$out" "ok 2 - console write" || show "$out"
done
