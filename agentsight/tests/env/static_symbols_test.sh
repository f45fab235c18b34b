#!/bin/bash
# static_symbols_test.sh: the statically linked agent carries OpenSSL inside
# and needs no libssl.so; its stripped copy has no symbols left, SSL_write
# included. This is the case AgentSight must handle without symbol lookup.
#
#   static_symbols_test.sh AGENT_STATIC AGENT_STATIC_STRIPPED
set -u
plain=$1 stripped=$2
pass=0 fail=0
check() {
	local what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAILED: $what" >&2
	fi
}
for tool in nm readelf; do
	command -v $tool >/dev/null || {
		echo "SKIPPED: $tool is not installed"
		exit 77
	}
done

# The unstripped agent shows the check can see the symbols when they exist.
check "agent_static defines SSL_write" bash -c "nm '$plain' | grep -qE ' T SSL_write$'"
check "agent_static defines SSL_read" bash -c "nm '$plain' | grep -qE ' T SSL_read$'"
check "the stripped agent has no symbol table" bash -c "nm '$stripped' 2>&1 | grep -q 'no symbols'"
check "the stripped agent exports no SSL_write" bash -c "! nm -D '$stripped' 2>/dev/null | grep -q SSL_write"
check "the stripped agent names SSL_write nowhere in its symbols" bash -c "! readelf -Ws '$stripped' | grep -q SSL_write"
for f in "$plain" "$stripped"; do
	check "$(basename "$f") needs no libssl or libcrypto" bash -c "! readelf -d '$f' | grep NEEDED | grep -qE 'libssl|libcrypto'"
done
# OpenSSL's code is inside all the same: libssl's TLS state machine (its
# source paths, kept for error reports) and libcrypto's assembly credits.
check "the stripped agent holds libssl" grep -qa "ssl/statem/" "$stripped"
check "the stripped agent holds libcrypto" grep -qa "CRYPTOGAMS by <appro@openssl.org>" "$stripped"
check "the stripped copy is smaller" test "$(stat -c %s "$stripped")" -lt "$(stat -c %s "$plain")"
echo "$pass passed, $fail failed"
((fail == 0))
