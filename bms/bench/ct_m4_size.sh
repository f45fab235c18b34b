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
# RAM: the window state, measured with the host compiler (same layout: floats
# and uint16_t only), and the stack of one estimate, measured by GCC for the M4.
cat > "$tmp/sz.c" <<'C'
#include <stdio.h>
#include "ct_net.h"
int main(void)
{
	printf("RAM per estimator: struct ct_window = %zu bytes; inputs %d, window %d samples\n",
	       sizeof(struct ct_window), CT_N_IN, CT_WINDOW);
	return 0;
}
C
cc -I"$dir/core" "$tmp/sz.c" -o "$tmp/sz" && "$tmp/sz"
$cc $flags -fstack-usage -I"$dir/core" -c "$dir/core/ct_net.c" -o "$tmp/su.o"
echo "stack per function on the M4 (bytes):"
sed 's/^.*ct_net.c:[0-9]*:[0-9]*:/  /' "$tmp/su.su"
