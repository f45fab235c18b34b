#!/bin/sh
# ecm_cli_test: the bms CLI's answers to bad input (acceptance 3) and its
# help. Each bad input must exit non-zero with a message naming the
# problem; good input must exit 0.
# usage: ecm_cli_test.sh BMS EIS_DIR CELL_DIR
set -u
bms=$1
eis=$2
cell=$3
[ -f "$eis/exampleData.csv" ] || { echo "SKIPPED: $eis/exampleData.csv not found"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bms-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect STATUS NEEDLE CMD...: exit status STATUS and NEEDLE in stderr+stdout
expect() {
	want=$1 needle=$2
	shift 2
	"$@" >"$tmp/out" 2>&1
	got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL: '$*' exited $got, expected $want"; cat "$tmp/out"; fail=1
	elif ! grep -q -- "$needle" "$tmp/out"; then
		echo "FAIL: '$*' output lacks '$needle':"; cat "$tmp/out"; fail=1
	fi
}

printf '1,0.02,-0.01\n2,0.019\n' >"$tmp/missing.csv"
printf '1,0.02,-0.01\n2,nan,-0.01\n3,0.018,-0.01\n' >"$tmp/nan.csv"
printf '1,0.02,-0.01\n-2,0.019,-0.01\n' >"$tmp/negative.csv"
printf '1,0.02,-0.01\n2,0.019,-0.01\n2,0.018,-0.01\n' >"$tmp/duplicate.csv"
printf '1,0.02,-0.01\n3,0.019,-0.01\n2,0.018,-0.01\n' >"$tmp/unsorted.csv"
printf '1,0.02,-0.01\n2,0.019,-0.009\n' >"$tmp/few.csv"

expect 1 "missing columns" "$bms" ecm fit "$tmp/missing.csv"
expect 1 "NaN" "$bms" ecm fit "$tmp/nan.csv"
expect 1 "not positive" "$bms" ecm fit "$tmp/negative.csv"
expect 1 "duplicate frequency" "$bms" ecm fit "$tmp/duplicate.csv"
expect 1 "sort order" "$bms" ecm fit "$tmp/unsorted.csv"
expect 1 "too few" "$bms" ecm fit "$tmp/few.csv"
expect 1 "did not converge" "$bms" ecm fit "$eis/exampleData.csv" --max-iter 2 \
	--init .01,.01,100,.01,.05,100,1
expect 1 "missing column freq/Hz" "$bms" ecm read "$eis/exampleDataBioLogic_MissingFreq.mpt"
expect 1 "No such file" "$bms" ecm fit "$tmp/absent.csv"
expect 1 "used twice" "$bms" ecm fit "$eis/exampleData.csv" --circuit "R0-R0"
expect 1 "needs 7 numbers" "$bms" ecm fit "$eis/exampleData.csv" --init 1,2
expect 2 "unknown weight" "$bms" ecm fit "$eis/exampleData.csv" --weight cubic
expect 2 "unknown subcommand" "$bms" ecm frobnicate
expect 2 "unknown command" "$bms" frobnicate
expect 1 "unsupported\|no time-domain" "$bms" ecm simulate --circuit "R0-CPE1" --params 0.01,1,0.8 --data "$cell"
expect 2 "--soc must be" "$bms" ecm measure --soc 3 --data "$cell"
expect 1 "ecm_example_r0.csv" "$bms" ecm measure --data "$tmp"

# help everywhere
expect 0 "coretemp" "$bms" --help
for sub in read fit linkk closed measure simulate validate; do
	expect 0 "usage: bms ecm $sub" "$bms" ecm $sub --help
done

# good input
expect 0 "R0" "$bms" ecm fit "$eis/exampleData.csv" --init .01,.01,100,.01,.05,100,1 --json
expect 0 '"points": 66' "$bms" ecm read "$eis/exampleData.csv" --json
expect 0 "max |residual|" "$bms" ecm linkk "$eis/exampleData.csv"
expect 0 "closed form" "$bms" ecm closed "$eis/exampleData.csv" --freqs 100,1,0.01
expect 0 "closed form" "$bms" ecm measure --data "$cell" --soc 0.5 --temp 25
expect 0 "V_V" "$bms" ecm simulate --circuit "R0-p(R1,C1)-W1" --params 0.02,0.03,500,0.001 \
	--profile drive --data "$cell" --json
printf 't,i\n0,0\n10,-2.5\n20,0\n30,0\n' >"$tmp/profile.csv"
expect 0 "30.00" "$bms" ecm simulate --circuit "R0-p(R1,C1)" --params 0.02,0.03,500 \
	--profile "$tmp/profile.csv" --data "$cell"
expect 0 "" "$bms" ecm fit "$eis/exampleData.csv" --init .01,.01,100,.01,.05,100,1 --plot "$tmp/p.svg"
[ -s "$tmp/p.svg" ] || { echo "FAIL: no plot written"; fail=1; }
expect 0 "RMSE against the plant" "$bms" ecm simulate --circuit "R0-p(R1,C1)-W1" \
	--params 0.0231,0.0254,816,0.00048 --profile pulse --plant --data "$cell" --plot "$tmp/t.png"
[ -s "$tmp/t.png" ] || { echo "FAIL: no time plot written"; fail=1; }
expect 0 "PASS" "$bms" ecm validate --quick --data "$cell"
expect 0 "published parameters" "$bms" ecm demo --data "$(dirname "$eis")"
expect 1 "exampleData.csv" "$bms" ecm demo --data "$tmp"

[ $fail -eq 0 ] && echo "all CLI checks passed"
exit $fail
