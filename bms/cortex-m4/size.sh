#!/bin/sh
# Builds every bms/core/*.c for a Cortex-M4F with Debian's gcc-arm-none-eabi
# (-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -Os, single precision:
# BMS_REAL_FLOAT) and prints, per module (object file), flash (text + data)
# and RAM (data + bss) from arm-none-eabi-size, and the deepest stack frame
# from -fstack-usage. The ECM core keeps no static buffers, so its RAM is
# what the caller hands in plus the stack shown.
#
# usage: size.sh [--markdown] [CORE_DIR [OUT_DIR]]
# Exit status: 0 built, 1 a file did not compile, 77 no toolchain (prints
# "SKIPPED: ...", as the tests expect).
set -eu
md=0
if [ "${1:-}" = "--markdown" ]; then md=1; shift; fi
here=$(cd "$(dirname "$0")" && pwd)
core=${1:-$here/../core}
if [ -n "${2:-}" ]; then
	out=$2
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/bms-m4.XXXXXX")
	trap 'rm -rf "$out"' EXIT
fi
cc=arm-none-eabi-gcc
size=arm-none-eabi-size
if ! command -v $cc >/dev/null 2>&1 || ! command -v $size >/dev/null 2>&1; then
	echo "SKIPPED: arm-none-eabi-gcc not installed (Debian: gcc-arm-none-eabi libnewlib-arm-none-eabi)"
	exit 77
fi
mkdir -p "$out"
flags="-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard -Os -std=c17 -Wall -Wextra -Werror -ffunction-sections -fdata-sections -fstack-usage -DBMS_REAL_FLOAT"
status=0
for src in "$core"/*.c; do
	obj=$out/$(basename "$src" .c).o
	if ! $cc $flags -I"$core" -c "$src" -o "$obj"; then
		echo "bms-m4: $src did not compile for the Cortex-M4" >&2
		status=1
	fi
done
[ $status -eq 0 ] || exit 1
if [ $md -eq 1 ]; then
	echo "| module | flash (text+data) B | RAM (data+bss) B | deepest stack frame B |"
	echo "|---|---|---|---|"
else
	printf '%-16s %10s %10s %12s\n' module "flash(B)" "RAM(B)" "max stack(B)"
fi
tf=0
tr=0
for obj in "$out"/*.o; do
	name=$(basename "$obj" .o)
	set -- $($size "$obj" | awk 'NR==2 {print $1, $2, $3}')
	flash=$(($1 + $2))
	ram=$(($2 + $3))
	stack=$(awk -F'\t' '{ if ($2 + 0 > m) m = $2 + 0 } END { print m + 0 }' "$out/$name.su")
	tf=$((tf + flash))
	tr=$((tr + ram))
	if [ $md -eq 1 ]; then
		echo "| $name | $flash | $ram | $stack |"
	else
		printf '%-16s %10d %10d %12d\n' "$name" $flash $ram "$stack"
	fi
done
if [ $md -eq 1 ]; then
	echo "| total | $tf | $tr | |"
else
	printf '%-16s %10d %10d\n' total $tf $tr
fi
