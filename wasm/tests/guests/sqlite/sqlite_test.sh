#!/usr/bin/env bash
# The SQLite workload natively and as Wasm: builds (or reuses) both with
# build.sh, then runs workload.sql with N orders through run_guest.sh, which
# compares the printed results, the database file left behind (byte for
# byte) and the exit status.
#
#   sqlite_test.sh ENGINE OUTDIR NATIVE_CC WASM_CLANG [N]
set -u
engine=$1 outdir=$2 cc=$3 wasmcc=$4 n=${5:-20000}
here=$(cd "$(dirname "$0")" && pwd)
"$here/build.sh" "$outdir" "$cc" "$wasmcc"
rc=$?
[ $rc = 0 ] || exit $rc
exec "$here/../run_guest.sh" --workdir --stdin "$here/workload.sql" "$engine" \
	"$outdir/sqlrun" "$outdir/sqlrun.wasm" db.sqlite "$n"
