#!/bin/sh
# Boots the sched_ext kernel from CACHE under qemu (TCG: this machine's
# nested KVM cannot run it) with an initramfs of busybox, scx_guest, the files
# in WORK/files (policy objects) and WORK/plan.sh, bounded by TIMEOUT seconds.
# The guest's results (second serial port) go to WORK/serial.log.
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
# One host thread runs both vCPUs by default: with multi-threaded TCG this
# kernel now and then takes a spurious int3 while patching its own code
# (text_poke on one vCPU, execution on the other) and panics at boot or when
# a scheduler is enabled. SCX_TCG_THREAD=multi trades that for speed.
TCG_THREAD=${SCX_TCG_THREAD:-single}
set +e
# ttyS0 is the kernel's console (kept in console.log); the guest writes its
# results to ttyS1 alone (serial.log), so that a kernel warning printed under
# load can never split a result line.
: >"$WORK/serial.log"
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel "tcg,thread=$TCG_THREAD" -cpu max -m 1G -smp 2 -display none \
	-no-reboot -kernel "$KERNEL" -initrd "$WORK/initrd.cpio" \
	-serial "file:$WORK/console.log" -serial "file:$WORK/serial.log" -monitor none \
	-append 'console=ttyS0 quiet panic=-1 loglevel=7 print-fatal-signals=1' </dev/null >"$WORK/qemu.log" 2>&1
rc=$?
# a kernel that never reached /init leaves serial.log empty: say why
if [ ! -s "$WORK/serial.log" ]; then
	cat "$WORK/qemu.log" "$WORK/console.log" 2>/dev/null | tail -c 2000 >>"$WORK/serial.log"
fi
set -e
exit $rc
