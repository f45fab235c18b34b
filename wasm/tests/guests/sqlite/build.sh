#!/usr/bin/env bash
# Fetches the SQLite amalgamation that the npm package better-sqlite3 ships in
# deps/, and builds the workload driver sqlrun.c with it twice: natively
# (OUTDIR/sqlrun) and for wasm32-wasi (OUTDIR/sqlrun.wasm).
#
#   build.sh OUTDIR NATIVE_CC WASM_CLANG
#
# Everything is cached in OUTDIR (a folder of the build tree): the package is
# fetched once with `npm pack`, and the amalgamation (the slow part, about
# 15 s a build) compiled once per set of flags. When the npm registry cannot
# be reached, prints "SKIPPED: <reason>" and exits 77.
set -u
outdir=$1 cc=$2 wasmcc=$3
version=12.4.1 # better-sqlite3, which ships SQLite 3.50.4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$outdir"
exec 9>"$outdir/.lock"
flock 9

# The same SQLite options on both sides: no threads, no extensions, no WAL
# (WASI preview 1 has no shared memory between processes).
sqlite_flags=(-O2 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL)
# wasi-libc hides mmap, getpid and clock() unless these emulations are asked
# for. SQLite assumes pread/pwrite only on Linux and macOS; wasi-libc has them
# (fd_pread, fd_pwrite), and without them every read would be lseek + read:
# twice the system calls of the native build.
wasi_flags=(-D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID -D_WASI_EMULATED_PROCESS_CLOCKS
	-DHAVE_PREAD -DHAVE_PWRITE)
# The Wasm 2.0 features current LLVM enables for wasm32 by default (Debian's
# clang 14 defaults to Wasm 1.0): with bulk memory, SQLite's memcpy and
# memset of variable length become memory.copy and memory.fill instead of
# calls to wasi-libc's byte loops (the runtime does them with memmove).
wasi_flags+=(-mbulk-memory -mnontrapping-fptoint -msign-ext)
wasi_libs=(-lwasi-emulated-mman -lwasi-emulated-getpid -lwasi-emulated-process-clocks)
# SQLite wants more C stack than the 64 KiB wasm-ld gives by default, and in
# Wasm an overflow of that stack silently overwrites data: give it 1 MiB.
stack=1048576

tgz=$outdir/better-sqlite3-$version.tgz
if [ ! -s "$tgz" ]; then
	command -v npm >/dev/null || { echo "SKIPPED: npm is not installed, cannot fetch better-sqlite3"; exit 77; }
	if ! (cd "$outdir" && npm pack --fetch-retries=1 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=5000 \
		"better-sqlite3@$version" >"$outdir/npm.log" 2>&1); then
		why=$(grep -i 'err' "$outdir/npm.log" | grep -v '^npm ERR! *$' | head -2 | tr '\n' ' ')
		echo "SKIPPED: cannot fetch better-sqlite3@$version from the npm registry: ${why:-see $outdir/npm.log}"
		rm -f "$tgz"
		exit 77
	fi
fi
src=$outdir/package/deps/sqlite3
if [ ! -s "$src/sqlite3.c" ]; then
	tar -xzf "$tgz" -C "$outdir" package/deps/sqlite3 ||
		{ echo "FAIL: $tgz does not unpack"; exit 1; }
fi
[ -s "$src/sqlite3.c" ] || { echo "FAIL: no deps/sqlite3/sqlite3.c in better-sqlite3@$version"; exit 1; }

# Objects are rebuilt when the flags change.
stamp=$(printf '%s ' "$cc" "$wasmcc" "${sqlite_flags[@]}" "${wasi_flags[@]}" | md5sum | cut -c1-12)
if [ ! -s "$outdir/sqlite3-$stamp.o" ]; then
	"$cc" "${sqlite_flags[@]}" -w -c "$src/sqlite3.c" -o "$outdir/sqlite3-$stamp.o.tmp" &&
		mv "$outdir/sqlite3-$stamp.o.tmp" "$outdir/sqlite3-$stamp.o" || exit 1
fi
if [ ! -s "$outdir/sqlite3-$stamp.wasm.o" ]; then
	"$wasmcc" --target=wasm32-wasi "${sqlite_flags[@]}" "${wasi_flags[@]}" -w -c "$src/sqlite3.c" \
		-o "$outdir/sqlite3-$stamp.wasm.o.tmp" &&
		mv "$outdir/sqlite3-$stamp.wasm.o.tmp" "$outdir/sqlite3-$stamp.wasm.o" || exit 1
fi
driver=$here/sqlrun.c
if [ ! "$outdir/sqlrun" -nt "$driver" ] || [ ! "$outdir/sqlrun" -nt "$outdir/sqlite3-$stamp.o" ]; then
	"$cc" -O2 -Wall -Wextra -Werror -I"$src" "$driver" "$outdir/sqlite3-$stamp.o" -lm \
		-o "$outdir/sqlrun" || exit 1
fi
if [ ! "$outdir/sqlrun.wasm" -nt "$driver" ] || [ ! "$outdir/sqlrun.wasm" -nt "$outdir/sqlite3-$stamp.wasm.o" ]; then
	"$wasmcc" --target=wasm32-wasi -O2 "${wasi_flags[@]}" -Wall -Wextra -Werror -I"$src" "$driver" \
		"$outdir/sqlite3-$stamp.wasm.o" "${wasi_libs[@]}" -Wl,-z,stack-size=$stack -o "$outdir/sqlrun.wasm" || exit 1
fi
exit 0
