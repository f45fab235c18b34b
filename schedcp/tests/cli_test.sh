#!/bin/sh
# The schedcp CLI without a VM: usage errors exit 2, seed/list/show/add/perf
# work on a fresh repository, bad input is refused with a message and exit 1.
#   cli_test.sh SCHEDCP
set -u
S=$1
D=$(mktemp -d /tmp/scx-cli-XXXXXX)
trap 'rm -rf "$D"' EXIT
fail=0
check() { if ! eval "$1"; then echo "FAIL: $2"; fail=1; fi; }

"$S" >/dev/null 2>&1; check '[ $? -eq 2 ]' "no command should exit 2"
(cd "$D" && "$S" --help | grep -q 'policy verify'); check '[ $? -eq 0 ]' "--help prints the commands"
check '[ ! -e "$D/schedcp.db" ]' "--help created a repository"
"$S" --repo "$D/r.db" frobnicate >/dev/null 2>&1; check '[ $? -eq 2 ]' "unknown command should exit 2"
"$S" --repo "$D/r.db" seed; check '[ $? -eq 0 ]' "seed"
n=$("$S" --repo "$D/r.db" policy list | grep -c '"name"')
check '[ "$n" -eq 5 ]' "policy list shows $n policies, not 5"
"$S" --repo "$D/r.db" policy list --workload interactive | grep -q '"latency"'
check '[ $? -eq 0 ]' "workload search"
"$S" --repo "$D/r.db" policy show ljf | grep -q 'name@MS'
check '[ $? -eq 0 ]' "policy show prints the source"
printf '{"parent":"ljf","workloads":"batch"}' >"$D/bad.json"
"$S" --repo "$D/r.db" policy add x /dev/null "$D/bad.json" 2>"$D/err"
check '[ $? -eq 1 ] && grep -q workloads "$D/err"' "bad metadata refused with a message"
"$S" --repo "$D/r.db" perf ljf long-tail '{"makespan_ms":900}'; check '[ $? -eq 0 ]' "perf"
"$S" --repo "$D/r.db" deploy ljf 2>"$D/err"
check '[ $? -eq 1 ] && grep -q "not verified" "$D/err"' "unverified deploy refused"
"$S" --repo "$D/r.db" status | grep -q '"current": null'
check '[ $? -eq 0 ]' "status after a refusal"
"$S" --repo "$D/r.db" history | grep -q '"refused"'
check '[ $? -eq 0 ]' "history records the refusal"
exit $fail
