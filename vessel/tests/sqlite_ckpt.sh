#!/bin/sh
# sqlite_ckpt.sh: the SQLite workload (wasm/tests/guests/sqlite, issue 5
# acceptance 1) checkpointed and restored at 20 seeded random points. Each
# time `vslctl checkpoint` stops the guest after P safe points and writes an
# image, a second vslctl process resumes it, and the output of both, the
# database file left in the preopened directory (byte for byte) and the exit
# status must equal those of an uninterrupted run. The guest keeps its
# database open in the preopen across the checkpoint (reopened by guest
# path). The points are drawn after the guest has read its script from stdin
# (stdin does not travel: the resumed process has /dev/null).
#
# usage: sqlite_ckpt.sh VSLCTL BUILD_SH OUTDIR NATIVE_CC WASM_CLANG WORKLOAD.sql [N] [SEED]
# Exits 77 ("SKIPPED: ...") when build.sh cannot fetch the amalgamation.
set -u
vslctl=$1 build=$2 outdir=$3 cc=$4 wasmcc=$5 sql=$6 n=${7:-300} seed=${8:-20261127}
"$build" "$outdir" "$cc" "$wasmcc" >/dev/null
rc=$?
[ $rc = 0 ] || exit $rc
wasm=$outdir/sqlrun.wasm
work=$(mktemp -d "${TMPDIR:-/tmp}/vsl-sqlite-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

mkdir ref
"$vslctl" run --count --dir "$work/ref::/work" "$wasm" /work db.sqlite "$n" <"$sql" \
	>ref.out 2>ref.err
ref_rc=$?
total=$(sed -n 's/^vslctl: \([0-9]*\) safe points$/\1/p' ref.err)
[ -n "$total" ] && [ "$total" -gt 1000 ] || { echo "FAIL: no safe point count"; cat ref.err; exit 1; }
[ -s ref/db.sqlite ] || { echo "FAIL: the reference run left no database"; exit 1; }

fail=0
x=$seed
for k in $(seq 1 20); do
	# a point in [total/10, total): a linear congruential sequence
	x=$(((x * 1103515245 + 12345) % 2147483648))
	p=$((total / 10 + x % (total - total / 10)))
	rm -rf d && mkdir d
	"$vslctl" checkpoint --fuel "$p" -o a.img --dir "$work/d::/work" "$wasm" /work db.sqlite \
		"$n" <"$sql" >1.out 2>1.err
	if [ ! -f a.img ]; then
		echo "FAIL: point $p: no image"; cat 1.err; fail=1; continue
	fi
	"$vslctl" resume a.img </dev/null >2.out 2>2.err
	rc=$?
	rm -f a.img
	cat 1.out 2.out >all.out
	if [ $rc -ne $ref_rc ]; then
		echo "FAIL: point $p: exit status $rc, uninterrupted $ref_rc"; cat 2.err; fail=1
	elif ! cmp -s all.out ref.out; then
		echo "FAIL: point $p: output differs"; diff ref.out all.out | head -5; fail=1
	elif ! cmp -s d/db.sqlite ref/db.sqlite; then
		echo "FAIL: point $p: the database file differs"; fail=1
	else
		echo "ok: stopped at $p of $total safe points, resumed: output and database identical"
	fi
done
exit $fail
