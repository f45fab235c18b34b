#!/bin/sh
# Boots the sched_ext kernel from CACHE under qemu (TCG: this machine's
# nested KVM cannot run it) with an initramfs of busybox, scx_guest, the files
# in WORK/files (policy objects) and WORK/plan.sh, bounded by TIMEOUT seconds.
# The serial console goes to WORK/serial.log.
#   boot.sh CACHE VMDIR WORK TIMEOUT [KERNEL]   exit: qemu's, or 124 on timeout
set -eu
CACHE=$1
VM=$2
WORK=$3
TIMEOUT=$4
GUEST=$("$VM/build-guest.sh" "$CACHE" "$VM")
ROOT="$WORK/initramfs"
rm -rf "$ROOT"
mkdir -p "$ROOT/bin" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" "$ROOT/p"
cp /bin/busybox "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
cp "$GUEST" "$ROOT/bin/scx_guest"
cp "$VM/init.sh" "$ROOT/init"
[ -f "$WORK/plan.sh" ] && cp "$WORK/plan.sh" "$ROOT/plan.sh" && chmod +x "$ROOT/plan.sh"
[ -d "$WORK/files" ] && cp -r "$WORK/files/." "$ROOT/p/"
(cd "$ROOT" && find . | busybox cpio -o -H newc 2>/dev/null) >"$WORK/initrd.cpio"
KERNEL=${5:-$CACHE/vmlinuz}
set +e
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 1G -smp 2 -nographic \
	-no-reboot -kernel "$KERNEL" -initrd "$WORK/initrd.cpio" \
	-append 'console=ttyS0 quiet panic=-1 loglevel=4' </dev/null >"$WORK/serial.log" 2>&1
rc=$?
set -e
exit $rc
