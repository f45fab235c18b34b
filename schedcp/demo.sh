#!/bin/sh
# make demo: SchedCP's main job on built-in defaults. A fresh policy
# repository is seeded with the five policies; the longest-job-first policy is
# verified (static checks, the kernel verifier and stress runs in the
# sched_ext VM, a signed verdict), deployed as a canary in the VM, and rolled
# back; the history shows each step. The first run fetches the sched_ext
# kernel from Debian's registry into the build folder (see docs/schedcp.md).
#   demo.sh BUILD_DIR
set -eu
build=${1:?usage: demo.sh BUILD_DIR}
S=$build/schedcp/schedcp
work=$(mktemp -d /tmp/schedcp-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ "$(id -u)" -ne 0 ] || ! command -v qemu-system-x86_64 >/dev/null; then
	echo "SKIPPED: the SchedCP demo boots a sched_ext kernel under qemu and needs root and qemu-system-x86"
	exit 0
fi
repo="--repo $work/policies.db"
echo "== seed the policy repository"
"$S" $repo seed
"$S" $repo policy list | grep '"name"'
echo "== verify ljf (static checks, kernel verifier and stress runs in the VM)"
"$S" $repo policy verify ljf
echo "== deploy ljf as a canary in the VM"
"$S" $repo deploy ljf
"$S" $repo status
echo "== roll back to the kernel's default scheduler"
"$S" $repo rollback
echo "== history"
"$S" $repo history
