#!/bin/sh
# The VM's /init: mounts the pseudo file systems, reports the kernel and
# sched_ext's state, runs the plan (/plan.sh, written by the host harness),
# and powers off. Every line the host reads starts with a marker (SCXBOOT,
# SCXR, SCXDONE); the host strips \r and finds markers anywhere in a line.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmp /tmp
# results go to the second serial port, which carries nothing else
exec >/dev/ttyS1 2>&1
state=absent
[ -r /sys/kernel/sched_ext/state ] && state=$(cat /sys/kernel/sched_ext/state)
echo "SCXBOOT {\"kernel\":\"$(uname -r)\",\"sched_ext\":\"$state\",\"cpus\":$(nproc),\"uptime\":\"$(cut -d' ' -f1 /proc/uptime)\"}"
export P=/p
if [ -x /plan.sh ]; then
	/plan.sh 2>&1
fi
echo "SCXDONE {\"uptime\":\"$(cut -d' ' -f1 /proc/uptime)\"}"
poweroff -f
