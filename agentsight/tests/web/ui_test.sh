#!/bin/sh
# as_web_ui: the browser test of AgentSight's web UI (ui_test.mjs), run by
# Debian's chromium through playwright-core. npm installs playwright-core
# into a cache folder of the build the first time; without npm's registry or
# without chromium the test is skipped (exit 77).
#
#   ui_test.sh FIXTURE UI_TEST_MJS NPM_CACHE_DIR OUT_DIR
set -u
fixture=$1 script=$2 cache=$3 out=$4
chromium=${AS_CHROMIUM:-/usr/bin/chromium}

skip() {
	echo "SKIPPED: $*"
	exit 77
}

[ -x "$chromium" ] || skip "$chromium is missing (Debian package chromium)"
command -v node >/dev/null 2>&1 || skip "node is missing"
mkdir -p "$out" "$cache" || exit 1
if [ ! -f "$cache/node_modules/playwright-core/package.json" ]; then
	command -v npm >/dev/null 2>&1 || skip "npm is missing"
	# Only the driver library: it downloads no browser; the test uses Debian's.
	if ! timeout 300 npm install --prefix "$cache" --cache "$cache/.npm" --no-audit --no-fund \
		--loglevel=error 'playwright-core@^1.50' >"$out/npm.log" 2>&1; then
		tail -n 5 "$out/npm.log"
		skip "npm could not install playwright-core (no registry?); see $out/npm.log"
	fi
fi
exec node "$script" "$fixture" "$out" "$cache/node_modules" "$chromium"
