#!/bin/bash
# gen-cert.sh: makes the test CA and the mock server's certificate with the
# openssl CLI, for AgentSight's end-to-end test environment.
#
#   gen-cert.sh OUTDIR
#
# Writes OUTDIR/ca.pem (the CA agents trust), OUTDIR/server.pem and
# OUTDIR/server.key (what mockllm serves, valid for 127.0.0.1 and localhost).
# Run at test time into the build folder; nothing it makes is committed. A
# run over a complete folder leaves it alone, so tests can share one CA.
set -euo pipefail

out=${1:?usage: gen-cert.sh OUTDIR}
mkdir -p "$out"
if [[ -s $out/ca.pem && -s $out/server.pem && -s $out/server.key ]]; then
	exit 0
fi
tmp=$(mktemp -d "$out/.gen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$tmp/ca.key" -out "$tmp/ca.pem" -days 30 \
	-subj "/CN=AgentSight test CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$tmp/server.key" -out "$tmp/server.csr" \
	-subj "/CN=localhost" 2>/dev/null
cat >"$tmp/ext.cnf" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EXT
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
	-CAcreateserial -out "$tmp/server.pem" -days 30 -extfile "$tmp/ext.cnf" 2>/dev/null
openssl verify -CAfile "$tmp/ca.pem" "$tmp/server.pem" >/dev/null

# Move into place last, so a folder is either complete or untouched.
mv "$tmp/ca.key" "$tmp/server.key" "$tmp/server.pem" "$out/"
mv "$tmp/ca.pem" "$out/ca.pem"
