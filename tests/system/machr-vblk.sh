# The virtio-blk driver (kernel/arch/x86_64/virtio_blk.c) under QEMU TCG:
# the in-kernel self-tests with a 1 MiB image attached (tools/machr-run
# --disk), so the vd0 test writes, reads back and restores its sectors;
# then the module tests/system/machr-modules/vblk.c drives vd0 through
# device.defs and the image is checked from outside.
# Mach_R only: GNU Mach has no virtio-blk driver.
. "$(dirname "$0")/testlib"
mkdir -p "$BUILD/test"
img=$BUILD/test/vblk.img
head -c 1048576 /dev/urandom >"$img"
cp "$img" "$img.orig"
out=$($RUN --timeout 60 --disk "$img" --cmdline selftest 2>&1)
rc=$?
printf '%s\n' "$out" | sed -nE "s/^(not )?ok [0-9]+ - ((pci|vblk): .*)/\1ok - selftest with a disk: \2/p"
has "$out" "^vd0: virtio-blk at pci [0-9]+:[0-9]+\.[0-9]+, 2048 sectors$"
check "vd0 found with the image's 2048 sectors" $?
has "$out" "^# vd0: 2048 sectors$"
check "the vd0 self-test ran on the disk" $?
check "machr-run verdict for the self-tests with a disk (status $rc)" $rc
[ $rc -eq 0 ] || show "$out"
cmp -s "$img" "$img.orig"
check "the self-test left the image as it found it" $?

: >"$img" && truncate -s 1M "$img"
module=$BUILD/user/machr-modules/vblk
out=$($RUN --timeout 60 --disk "$img" "$module" 2>&1)
rc=$?
printf '%s\n' "$out" | sed -nE "s/^(not )?ok [0-9]+ - (.*)/\1ok - vd0 through device.defs: \2/p"
check "machr-run verdict for the vblk module (status $rc)" $rc
[ $rc -eq 0 ] || show "$out"
# Record 102 starts with the 100 bytes of 0x5A written inband.
[ "$(od -An -tx1 -j $((102 * 512)) -N 4 "$img" | tr -d ' ')" = 5a5a5a5a ]
check "the inband write reached the image at record 102" $?
rm -f "$img" "$img.orig"
