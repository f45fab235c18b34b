#!/bin/sh
# Fetches, for SchedCP's negative tests, a kernel WITHOUT sched_ext: trixie's
# own 6.12 cloud kernel (linux-image-6.12.*+deb13-cloud-amd64-unsigned), by
# package name through the private apt configuration fetch.sh set up in
# CACHE. It lands in CACHE/nosched/vmlinuz; refused if its config HAS
# CONFIG_SCHED_CLASS_EXT=y (then it would not test what it should).
#   fetch-nosched.sh CACHE      exit 0: ready; 3: no network or package
set -eu
CACHE=$(cd "${1:?usage: fetch-nosched.sh CACHE}" && pwd)
OUT="$CACHE/nosched"
[ -f "$OUT/vmlinuz" ] && exit 0
[ -f "$CACHE/apt/apt.conf" ] || { echo "run fetch.sh first" >&2; exit 3; }
export APT_CONFIG="$CACHE/apt/apt.conf"
PKG=$(apt-cache pkgnames linux-image-6.12 2>/dev/null | grep -E '^linux-image-6\.12\.[0-9]+\+deb13-cloud-amd64-unsigned$' |
	sort -V | tail -n 1)
[ -n "$PKG" ] || { echo "no linux-image-6.12.*+deb13-cloud-amd64-unsigned package" >&2; exit 3; }
mkdir -p "$OUT/deb"
cd "$OUT/deb"
ls "${PKG}"_*.deb >/dev/null 2>&1 || apt-get -q download "$PKG" >&2 || exit 3
rm -rf "$OUT/root"
dpkg-deb -x "${PKG}"_*.deb "$OUT/root"
CONFIG=$(ls "$OUT"/root/boot/config-* | head -n 1)
if grep -q '^CONFIG_SCHED_CLASS_EXT=y' "$CONFIG"; then
	echo "$PKG has sched_ext: not a negative test kernel" >&2
	exit 1
fi
cp "$(ls "$OUT"/root/boot/vmlinuz-* | head -n 1)" "$OUT/vmlinuz.tmp"
rm -rf "$OUT/root"
mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
echo "$PKG $(sha256sum "$OUT/vmlinuz" | cut -d' ' -f1)" >"$OUT/manifest.txt"
