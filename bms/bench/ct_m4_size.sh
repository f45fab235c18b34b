#!/bin/sh
# ct_m4_size: flash and RAM of the coretemp core (core/ct_net.c) built for a
# Cortex-M4F with arm-none-eabi-gcc -Os, and of an exported 32+32 network.
# Usage: ct_m4_size.sh <bms source dir> [exported weights .c]
set -eu
dir=$1
cc=arm-none-eabi-gcc
if ! command -v $cc >/dev/null 2>&1; then
	echo "SKIPPED: $cc not installed"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags="-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard -Os -std=c17 -Wall -Wextra -Werror -ffunction-sections -fdata-sections"
$cc $flags -I"$dir/core" -c "$dir/core/ct_net.c" -o "$tmp/ct_net.o"
echo "Cortex-M4F, -Os: core/ct_net.c"
arm-none-eabi-size "$tmp/ct_net.o"
if [ $# -ge 2 ]; then
	$cc $flags -I"$dir/core" -c "$2" -o "$tmp/w.o"
	echo "exported weights:"
	arm-none-eabi-size "$tmp/w.o"
fi
echo "RAM per estimator: struct ct_window = $(( (240 * 6 + 1) * 4 + 4 )) bytes; stack of ct_estimate below 4 KB (features 123 floats, block means 24x6 floats, hidden 2x64 floats)"
