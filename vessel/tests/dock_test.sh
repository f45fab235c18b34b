#!/bin/sh
# dock_test.sh: docks on loopback (docs/vessels.md, "Docks"). Starts docks,
# runs guests in them through `vslctl --dock`, migrates them, and checks
# every run against an unmigrated `vslctl run` of the same guest: stdout
# byte-identical, the files written in the preopened directory identical,
# the same exit status.
#
#   1. stop-and-copy A -> B of a guest writing a file it keeps open
#   2. pre-copy A -> B of a compute guest, of a guest growing memory, and of
#      one rewriting a hot set of pages while its 8 MiB are sent (the
#      runtime's dirty-page tracking must catch every write)
#   3. there and back: A -> B (held at B on arrival) -> A
#   4. fault: the destination dies mid-transfer (VSL_DOCK_DIE_AFTER): the
#      migration fails and the vessel finishes at the source
#   5. fault: a corrupted image (VSL_DOCK_CORRUPT at the source) is refused
#      by the destination with a message; the vessel finishes at the source;
#      a corrupted image file is refused by `restore`
#   6. fault: a wrong token is refused, from a client and between docks
#   7. checkpoint through a dock, finished by `vslctl resume`; kill; ps
#
# usage: dock_test.sh DOCK VSLCTL FILES.wasm COMPUTE.wasm MEMGROW.wasm DIRTY.wasm
set -u
dock=$1 vslctl=$2 files=$3 compute=$4 memgrow=$5 dirty=$6
work=$(mktemp -d "${TMPDIR:-/tmp}/vsl-dock-XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$work" || exit 1
echo "token-$$-one" >tok
echo "token-$$-other" >othertok
mkdir sandbox
fail=0
bad() { echo "FAIL: $*"; fail=1; }
ok() { echo "ok: $*"; }

# start_dock NAME TOKENFILE [ENV=VALUE...]: sets $addr_NAME and $pid_NAME
start_dock() {
	name=$1 tk=$2
	shift 2
	env "$@" "$dock" --listen 127.0.0.1:0 --port-file "$name.port" --token-file "$tk" \
		--dir "$work/sandbox::/sandbox" --slice 5000 2>"$name.log" &
	p=$!
	pids="$pids $p"
	i=0
	while [ ! -s "$name.port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$name.port" ] || { echo "FAIL: dock $name did not start"; cat "$name.log"; exit 1; }
	eval "addr_$name=127.0.0.1:$(cat "$name.port") pid_$name=$p"
}
ctl() { "$vslctl" --dock "$@"; }
# held ADDR ID: waits until vessel ID is held at ADDR (it reached its --hold)
held() {
	i=0
	while ! ctl "$1" --token-file tok ps | grep -q "^$2 held"; do
		i=$((i + 1))
		[ $i -lt 3000 ] || { bad "vessel $2 never held at $1"; return 1; }
		sleep 0.1
	done
}

# reference NAME WASM [ARGS...]: the unmigrated run; sets $total (safe points)
reference() {
	n=$1
	shift
	rm -rf sandbox "ref-$n" && mkdir sandbox "ref-$n"
	"$vslctl" run --count --dir "$work/ref-$n::/sandbox" "$@" >"ref-$n.out" 2>"ref-$n.err"
	echo $? >"ref-$n.rc"
	total=$(sed -n 's/^vslctl: \([0-9]*\) safe points$/\1/p' "ref-$n.err")
	[ -n "$total" ] || { echo "FAIL: no safe point count for $n"; cat "ref-$n.err"; exit 1; }
}

# same NAME OUT RC: output, files and exit status match the reference
same() {
	if [ "$3" != "$(cat "ref-$1.rc")" ]; then
		bad "$1: exit status $3, unmigrated $(cat "ref-$1.rc")"
	elif ! cmp -s "$2" "ref-$1.out"; then
		bad "$1: output differs from an unmigrated run"
		diff "ref-$1.out" "$2" | head -10
	elif ! diff -r "ref-$1" sandbox >/dev/null; then
		bad "$1: files differ from an unmigrated run"
		diff -r "ref-$1" sandbox | head -10
	else
		return 0
	fi
	return 1
}

start_dock A tok
start_dock B tok

# 1. stop-and-copy of a guest with a file open
reference files "$files"
id=$(ctl "$addr_A" --token-file tok run --hold $((total / 3)) --stdout "$work/files.out" \
	"$files") || bad "run at A"
held "$addr_A" "$id"
m=$(ctl "$addr_A" --token-file tok migrate "$id" "$addr_B") || bad "migrate A -> B"
nid=$(echo "$m" | awk '{print $2}')
ctl "$addr_B" --token-file tok wait "$nid" 2>/dev/null
same files files.out $? && ok "files: stop-and-copy A -> B at $((total / 3)) of $total safe points ($m)"
ctl "$addr_A" --token-file tok ps | grep -q "^$id migrated" ||
	bad "ps at A does not list vessel $id as migrated"

# 2. pre-copy (the vessel runs between the rounds)
for g in compute memgrow; do
	eval "wasm=\$$g"
	reference $g "$wasm"
	id=$(ctl "$addr_A" --token-file tok run --hold $((total / 4)) --stdout "$work/$g.out" \
		"$wasm") || bad "run $g at A"
	held "$addr_A" "$id"
	m=$(ctl "$addr_A" --token-file tok migrate --precopy "$id" "$addr_B") ||
		bad "$g: pre-copy A -> B"
	nid=$(echo "$m" | awk '{print $2}')
	echo "$m" | grep -q "rounds=[1-9]" || bad "$g: no pre-copy round: $m"
	ctl "$addr_B" --token-file tok wait "$nid" 2>/dev/null
	same $g $g.out $? && ok "$g: pre-copy A -> B ($m)"
done

# a hot set rewritten while the pages are sent: held at 9/10 of its run,
# past the fill, then pre-copied with the vessel running between batches
reference dirty "$dirty" 8 300000
id=$(ctl "$addr_A" --token-file tok run --hold $((total * 9 / 10)) --stdout "$work/dirty.out" \
	"$dirty" 8 300000) || bad "run dirty at A"
held "$addr_A" "$id"
m=$(ctl "$addr_A" --token-file tok migrate --precopy "$id" "$addr_B") || bad "dirty: pre-copy"
nid=$(echo "$m" | awk '{print $2}')
ctl "$addr_B" --token-file tok wait "$nid" 2>/dev/null
same dirty dirty.out $? && ok "dirty: pre-copy of 8 MiB with a hot set rewritten ($m)"

# 3. there and back, held on arrival at B
reference files "$files"
id=$(ctl "$addr_A" --token-file tok run --hold $((total / 4)) --stdout "$work/back.out" \
	"$files")
held "$addr_A" "$id"
m=$(ctl "$addr_A" --token-file tok migrate --hold $((total / 4)) "$id" "$addr_B") ||
	bad "A -> B"
nid=$(echo "$m" | awk '{print $2}')
held "$addr_B" "$nid"
m2=$(ctl "$addr_B" --token-file tok migrate "$nid" "$addr_A") || bad "B -> A"
nid2=$(echo "$m2" | awk '{print $2}')
ctl "$addr_A" --token-file tok wait "$nid2" 2>/dev/null
same files back.out $? && ok "files: A -> B -> A at 1/4 and 2/4 of its safe points"

# 4. the destination dies mid-transfer
start_dock C tok VSL_DOCK_DIE_AFTER=100000
reference files "$files"
id=$(ctl "$addr_A" --token-file tok run --hold $((total / 2)) --stdout "$work/die.out" \
	"$files")
if ctl "$addr_A" --token-file tok migrate "$id" "$addr_C" 2>die.err; then
	bad "migration to a dock that died succeeded"
fi
wait "$pid_C" 2>/dev/null
rc_c=$?
ctl "$addr_A" --token-file tok wait "$id" 2>/dev/null
same files die.out $? && [ $rc_c -eq 137 ] &&
	ok "destination killed mid-transfer (exit $rc_c): the vessel finished at the source: $(cat die.err)"
[ $rc_c -eq 137 ] || bad "dock C was not killed by its hook (exit $rc_c)"

# 5. a corrupted image
start_dock S tok VSL_DOCK_CORRUPT=1
reference compute "$compute"
id=$(ctl "$addr_S" --token-file tok run --hold $((total / 2)) --stdout "$work/corrupt.out" \
	"$compute")
if ctl "$addr_S" --token-file tok migrate "$id" "$addr_B" 2>corrupt.err; then
	bad "a corrupted image was accepted"
fi
grep -q "image refused" corrupt.err || bad "no clear refusal: $(cat corrupt.err)"
ctl "$addr_S" --token-file tok wait "$id" 2>/dev/null
same compute corrupt.out $? && ok "corrupted image refused, the vessel finished at the source: $(cat corrupt.err)"

# 7 (and 5). checkpoint through a dock, resume with vslctl; a damaged copy refused
reference compute "$compute"
id=$(ctl "$addr_A" --token-file tok run --hold $((total / 2)) --stdout "$work/ck1.out" \
	"$compute")
held "$addr_A" "$id"
ctl "$addr_A" --token-file tok checkpoint -o ck.img "$id" || bad "checkpoint through the dock"
ctl "$addr_A" --token-file tok kill "$id" >/dev/null || bad "kill"
ctl "$addr_A" --token-file tok wait "$id" 2>/dev/null
[ $? -eq 137 ] || bad "wait after kill does not say killed"
"$vslctl" resume ck.img >ck2.out 2>ck2.err
rc=$?
cat ck1.out ck2.out >ck.out
same compute ck.out $rc && ok "checkpoint through the dock at $((total / 2)), resumed by vslctl; kill"
size=$(wc -c <ck.img)
cp ck.img bad.img
printf '\377' | dd of=bad.img bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
if ctl "$addr_A" --token-file tok restore bad.img 2>badimg.err; then
	bad "a corrupted image file was restored"
fi
grep -q "image refused" badimg.err && ok "corrupted image file refused: $(cat badimg.err)" ||
	bad "no clear refusal of a corrupted file: $(cat badimg.err)"

# 6. wrong tokens
if ctl "$addr_A" --token-file othertok ps 2>tok.err; then bad "a wrong token was accepted"; fi
grep -q "authentication failed" tok.err && ok "client with a wrong token refused: $(cat tok.err)" ||
	bad "no clear refusal of a wrong token: $(cat tok.err)"
start_dock W othertok
reference compute "$compute"
id=$(ctl "$addr_A" --token-file tok run --hold $((total / 2)) --stdout "$work/tok.out" \
	"$compute")
if ctl "$addr_A" --token-file tok migrate "$id" "$addr_W" 2>tokm.err; then
	bad "migration to a dock with another token succeeded"
fi
ctl "$addr_A" --token-file tok wait "$id" 2>/dev/null
same compute tok.out $? && grep -q "authentication failed" tokm.err &&
	ok "dock with another token refused the migration; the vessel finished at the source"

# the docks' own logs: nothing from the sanitizers (in a -DISTHMUS_SANITIZE
# build), including the leak checker, which runs as they exit on SIGTERM
for p in $pids; do kill "$p" 2>/dev/null; done
for p in $pids; do wait "$p" 2>/dev/null; done
pids=""
if grep -l "Sanitizer\|runtime error" ./*.log >/dev/null 2>&1; then
	bad "a sanitizer reported in a dock's log:"
	grep -h -A5 "Sanitizer\|runtime error" ./*.log | head -30
fi
exit $fail
