#!/bin/sh
# SchedCP's kernel and toolchain fetcher: downloads, by Debian package name and
# through a private apt configuration (the system's sources are never touched),
# a trixie-backports kernel built with CONFIG_SCHED_CLASS_EXT=y, trixie's
# libbpf 1.5 (static library and headers) and trixie-backports' bpftool with
# the trixie libraries it runs on; then extracts vmlinux from vmlinuz and
# generates vmlinux.h from that kernel's BTF. Everything lands in CACHE (the
# build folder's schedcp-cache), once: a complete cache has CACHE/ready.
#
#   fetch.sh CACHE            exit 0: ready; 3: no network or package;
#                             4: the kernel found has no sched_ext; 1: other
set -eu
CACHE=${1:?usage: fetch.sh CACHE}
PIN_VERSION=${SCX_KERNEL_VERSION:-7.3.4+deb13}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
[ -f "$CACHE/ready" ] && exit 0

say() { echo "schedcp-fetch: $*" >&2; }
APT="$CACHE/apt"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/parts" "$APT/prefs" "$CACHE/debs"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$APT/sources.list" <<SRC
deb [signed-by=$KEYRING] http://deb.debian.org/debian trixie main
deb [signed-by=$KEYRING] http://deb.debian.org/debian trixie-backports main
SRC
cat >"$APT/apt.conf" <<CONF
Dir::Etc::sourcelist "$APT/sources.list";
Dir::Etc::sourceparts "-";
Dir::Etc::parts "$APT/parts";
Dir::Etc::preferencesparts "$APT/prefs";
Dir::State::Lists "$APT/lists";
Dir::State::status "$APT/status";
Dir::Cache "$APT/cache";
Acquire::Languages "none";
APT::Architecture "amd64";
APT::Architectures "amd64";
CONF
: >"$APT/status"
export APT_CONFIG="$APT/apt.conf"

if ! apt-get -q update >"$APT/update.log" 2>&1; then
	say "apt-get update failed (no network to Debian's registry?):"
	tail -n 5 "$APT/update.log" >&2
	exit 3
fi

# The pinned kernel, else the newest trixie-backports cloud kernel.
pick_kernel() {
	if apt-cache show "linux-binary-$PIN_VERSION-cloud-amd64" >/dev/null 2>&1; then
		echo "$PIN_VERSION"
		return
	fi
	apt-cache pkgnames linux-binary- 2>/dev/null | sed -n 's/^linux-binary-\(.*+deb13\)-cloud-amd64$/\1/p' |
		sort -V | tail -n 1
}
KVER=$(pick_kernel)
if [ -z "$KVER" ]; then
	say "no linux-binary-*+deb13-cloud-amd64 package in trixie-backports"
	exit 3
fi
[ "$KVER" = "$PIN_VERSION" ] || say "pinned kernel $PIN_VERSION not found; using $KVER"

PKGS="linux-binary-$KVER-cloud-amd64 linux-base-$KVER-cloud-amd64
libbpf-dev libbpf1 bpftool libc6 libelf1t64 libssl3t64 libcap2 zlib1g libzstd1"
cd "$CACHE/debs"
for p in $PKGS; do
	ls "${p}"_*.deb >/dev/null 2>&1 && continue
	# bpftool from trixie-backports (7.8) when it is there: newer BTF kinds.
	spec=$p
	[ "$p" = bpftool ] && apt-cache policy bpftool 2>/dev/null | grep -q bpo && spec=bpftool/trixie-backports
	if ! apt-get -q download "$spec" >>"$APT/download.log" 2>&1; then
		say "apt-get download $p failed:"
		tail -n 3 "$APT/download.log" >&2
		exit 3
	fi
done

ROOT="$CACHE/root"
rm -rf "$ROOT"
mkdir -p "$ROOT"
for d in *.deb; do dpkg-deb -x "$d" "$ROOT"; done

VMLINUZ=$(ls "$ROOT"/usr/lib/modules/*/vmlinuz "$ROOT"/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
CONFIG=$(ls "$ROOT"/usr/lib/modules/*/config "$ROOT"/boot/config-* 2>/dev/null | head -n 1 || true)
if [ -z "$VMLINUZ" ] || [ -z "$CONFIG" ]; then
	say "vmlinuz or config missing from the kernel packages"
	exit 1
fi
if ! grep -q '^CONFIG_SCHED_CLASS_EXT=y' "$CONFIG"; then
	say "kernel $KVER has no CONFIG_SCHED_CLASS_EXT=y ($CONFIG): refusing it"
	exit 4
fi
cp "$VMLINUZ" "$CACHE/vmlinuz"
cp "$CONFIG" "$CACHE/config"

# vmlinuz carries a zstd-compressed vmlinux: find the frame magic 28 b5 2f fd.
OFF=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$CACHE/vmlinuz" | head -n 1 | cut -d: -f1)
tail -c +$((OFF + 1)) "$CACHE/vmlinuz" | zstd -dcq >"$CACHE/vmlinux" 2>/dev/null || true
if ! readelf -S "$CACHE/vmlinux" 2>/dev/null | grep -q '\.BTF'; then
	say "could not extract a vmlinux with .BTF from $VMLINUZ"
	exit 1
fi

# trixie's bpftool runs through trixie's own loader and libraries.
LIBDIR="$ROOT/usr/lib/x86_64-linux-gnu:$ROOT/lib/x86_64-linux-gnu"
LDSO=$(ls "$ROOT"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$ROOT"/lib64/ld-linux-x86-64.so.2 2>/dev/null | head -n 1)
BPFTOOL=$(ls "$ROOT"/usr/sbin/bpftool 2>/dev/null | head -n 1)
cat >"$CACHE/bpftool" <<W
#!/bin/sh
exec "$LDSO" --library-path "$LIBDIR" "$BPFTOOL" "\$@"
W
chmod +x "$CACHE/bpftool"
"$CACHE/bpftool" btf dump file "$CACHE/vmlinux" format c >"$CACHE/vmlinux.h.tmp"
mv "$CACHE/vmlinux.h.tmp" "$CACHE/vmlinux.h"
grep -q 'struct sched_ext_ops {' "$CACHE/vmlinux.h" || {
	say "vmlinux.h has no struct sched_ext_ops"
	exit 4
}

# libbpf 1.5: headers and static library; inc/ is the policies' whole
# include path besides schedcp/bpf (vmlinux.h and libbpf's BPF headers).
mkdir -p "$CACHE/libbpf" "$CACHE/inc"
cp -r "$ROOT/usr/include/bpf" "$CACHE/libbpf/"
cp "$ROOT/usr/lib/x86_64-linux-gnu/libbpf.a" "$CACHE/libbpf/"
cp -r "$ROOT/usr/include/bpf" "$CACHE/inc/"
cp "$CACHE/vmlinux.h" "$CACHE/inc/"

{
	echo "kernel $KVER"
	for d in *.deb; do
		echo "deb $d $(sha256sum "$d" | cut -d' ' -f1)"
	done
	echo "vmlinuz $(sha256sum "$CACHE/vmlinuz" | cut -d' ' -f1)"
} >"$CACHE/manifest.txt"
rm -f "$CACHE/vmlinux.tmp"
touch "$CACHE/ready"
say "ready: kernel $KVER in $CACHE"
