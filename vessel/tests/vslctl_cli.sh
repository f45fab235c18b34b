#!/bin/sh
# vslctl_cli.sh: vslctl's behaviour on the command line: a checkpoint and
# resume round trip, a run that finishes before its fuel (no image, the
# guest's status), images without their module, a module that is not the
# image's, a corrupted image refused with a clear error and exit 125, and
# usage errors (exit 2).
#
# usage: vslctl_cli.sh VSLCTL COMPUTE.wasm INDIRECT.wasm
set -u
vslctl=$1 compute=$2 other=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/vsl-cli-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0
check() { # check DESCRIPTION COMMAND...: the command must succeed
	what=$1
	shift
	if ! "$@"; then
		echo "FAIL: $what"
		fail=1
	fi
}

"$vslctl" run "$compute" >"$work/ref.out" 2>/dev/null
check "run exits 0" [ $? -eq 0 ]

# round trip, the module left out of the image
"$vslctl" checkpoint --no-module --fuel 5000 -o "$work/a.img" "$compute" >"$work/1.out" 2>/dev/null
check "checkpoint exits 0 and writes the image" [ $? -eq 0 -a -f "$work/a.img" ]
"$vslctl" resume "$work/a.img" >/dev/null 2>"$work/err"
check "resume without the module exits 125" [ $? -eq 125 ]
check "and says the module is missing" grep -q "does not carry its module" "$work/err"
"$vslctl" resume --module "$other" "$work/a.img" >/dev/null 2>"$work/err"
check "resume with another module exits 125" [ $? -eq 125 ]
check "and says the module differs" grep -q "SHA-256 differs" "$work/err"
"$vslctl" resume --module "$compute" "$work/a.img" >"$work/2.out" 2>/dev/null
check "resume with the module exits 0" [ $? -eq 0 ]
cat "$work/1.out" "$work/2.out" >"$work/both.out"
check "the two halves print what the whole run prints" cmp -s "$work/both.out" "$work/ref.out"

# inspect
"$vslctl" inspect "$work/a.img" >"$work/inspect" 2>&1
check "inspect exits 0" [ $? -eq 0 ]
check "inspect shows the frames" grep -q "frame 0: function" "$work/inspect"
check "inspect shows the module is not carried" grep -q "(not carried)" "$work/inspect"

# a corrupted image: one byte flipped in the middle
size=$(wc -c <"$work/a.img")
cp "$work/a.img" "$work/bad.img"
printf '\377' | dd of="$work/bad.img" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
"$vslctl" resume --module "$compute" "$work/bad.img" >/dev/null 2>"$work/err"
check "a corrupted image exits 125" [ $? -eq 125 ]
check "with a CRC error naming the section" grep -q "section .* CRC-32 mismatch" "$work/err"
head -c 100 "$work/a.img" >"$work/short.img"
"$vslctl" resume --module "$compute" "$work/short.img" >/dev/null 2>"$work/err"
check "a truncated image exits 125" [ $? -eq 125 ]
check "saying it is truncated" grep -q "truncated" "$work/err"

# fuel beyond the end: the guest finishes, no image
"$vslctl" checkpoint --fuel 100000000000 -o "$work/none.img" "$compute" >"$work/3.out" 2>/dev/null
check "a run that finishes first exits with the guest's status" [ $? -eq 0 ]
check "and writes no image" [ ! -e "$work/none.img" ]
check "and prints the whole output" cmp -s "$work/3.out" "$work/ref.out"

# usage
"$vslctl" checkpoint --fuel 10 "$compute" >/dev/null 2>&1
check "--fuel without -o is a usage error" [ $? -eq 2 ]
"$vslctl" frobnicate x >/dev/null 2>&1
check "an unknown command is a usage error" [ $? -eq 2 ]
"$vslctl" run --fuel x "$compute" >/dev/null 2>&1
check "a bad --fuel is a usage error" [ $? -eq 2 ]
"$vslctl" resume "$work/missing.img" >/dev/null 2>"$work/err"
check "a missing image exits 125" [ $? -eq 125 ]

[ $fail -eq 0 ] && echo "vslctl: all checks passed"
exit $fail
