#!/usr/bin/env bash
# Tests scripts/setup without changing the machine: apt-get and dpkg-query are
# replaced by fakes on PATH where a case needs to see what setup would do.
set -u
setup="$ISTHMUS_SOURCE_DIR/scripts/setup"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# 1. The list parses to bare package names, and every one is known to apt.
names=$("$setup" --list) || fail "--list exited $?"
[ -n "$names" ] || fail "--list printed nothing"
while read -r p; do
	[[ "$p" =~ ^[a-z0-9][a-z0-9+.-]+$ ]] || fail "bad package name '$p' in the list"
done <<<"$names"
# One apt-cache call for all: "name:" headers, each followed by its candidate.
no_candidate=$(apt-cache policy $names 2>/dev/null |
	awk '/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) } /Candidate:/ { ok[p] = ($2 != "(none)") }
	     END { for (p in ok) if (ok[p]) print p }' | sort | comm -23 <(sort <<<"$names") -)
[ -z "$no_candidate" ] || fail "packages with no candidate in apt: $no_candidate"
echo "ok: $(wc -l <<<"$names") packages listed, all known to apt"

# 2. Fakes: dpkg-query reports installed only what is in $tmp/installed;
#    apt-get install appends to it and logs its arguments.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/dpkg-query" <<'FAKE'
#!/bin/sh
pkg=$(eval echo \${$#})
grep -qx "$pkg" "$FAKE_DIR/installed" && printf installed || printf not-installed
FAKE
cat >"$tmp/bin/apt-get" <<'FAKE'
#!/bin/sh
echo "apt-get $*" >>"$FAKE_DIR/apt.log"
[ "$1" = install ] || exit 0
shift
for a in "$@"; do
	case "$a" in
	-*) ;;
	no-such-*) echo "E: Unable to locate package $a" >&2; exit 100 ;;
	*) echo "$a" >>"$FAKE_DIR/installed" ;;
	esac
done
FAKE
cat >"$tmp/bin/apt-cache" <<'FAKE'
#!/bin/sh
case "$2" in no-such-*) echo "  Candidate: (none)" ;; *) echo "  Candidate: 1.0" ;; esac
FAKE
chmod +x "$tmp/bin/"*
export FAKE_DIR=$tmp
fake_path="$tmp/bin:$PATH"
printf 'alpha  # why alpha\n\n# a comment line\nbeta\ngamma # why gamma\n' >"$tmp/list"

# Nothing installed: --check names all three and installs nothing.
: >"$tmp/installed"
out=$(PATH=$fake_path "$setup" --check --packages "$tmp/list" 2>&1) && fail "--check passed with packages missing"
[[ "$out" == *"alpha beta gamma"* ]] || fail "--check did not name the missing packages: $out"
[ ! -e "$tmp/apt.log" ] || fail "--check called apt-get"

# Only beta missing: setup installs exactly beta (as root; else through sudo).
if [ "$(id -u)" -eq 0 ]; then
	printf 'alpha\ngamma\n' >"$tmp/installed"
	out=$(PATH=$fake_path "$setup" --packages "$tmp/list" 2>&1) || fail "setup failed: $out"
	grep -q '^apt-get install .* beta$' "$tmp/apt.log" || fail "apt-get was not asked for beta: $(cat "$tmp/apt.log")"
	grep -q 'alpha\|gamma' "$tmp/apt.log" && fail "apt-get was asked for installed packages: $(cat "$tmp/apt.log")"

	# Second run: idempotent, apt-get not called again.
	: >"$tmp/apt.log"
	out=$(PATH=$fake_path "$setup" --packages "$tmp/list" 2>&1) || fail "second run failed: $out"
	[ ! -s "$tmp/apt.log" ] || fail "second run called apt-get: $(cat "$tmp/apt.log")"
	echo "ok: installs only what is missing, and nothing the second time"

	# An unknown package: non-zero exit, the package named, one update tried.
	printf 'alpha\nno-such-package-xyz\n' >"$tmp/list2"
	: >"$tmp/apt.log"
	out=$(PATH=$fake_path "$setup" --packages "$tmp/list2" 2>&1) && fail "setup passed with an unknown package"
	[[ "$out" == *"no installable version of: no-such-package-xyz"* ]] || fail "error does not name the package: $out"
	grep -q '^apt-get update' "$tmp/apt.log" || fail "no apt-get update before giving up"
	echo "ok: an unknown package fails with its name"
else
	echo "note: not root; install cases need root and were not run"
fi

# 3. This machine: the build ran, so nothing the build needs may be missing.
"$setup" --check || fail "packages are missing on this machine after the build"

# 4. Bad options are refused.
"$setup" --bogus >/dev/null 2>&1 && fail "--bogus accepted"
"$setup" --packages /nonexistent/list >/dev/null 2>&1 && fail "unreadable list accepted"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "setup_test: all checks passed"
