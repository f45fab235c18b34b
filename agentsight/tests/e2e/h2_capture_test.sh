#!/usr/bin/env bash
# HTTP/2 with HPACK, live, as root: curl speaks HTTP/2 over TLS (ALPN h2) to
# nghttpd (nghttp2's server), one POST of a chat-completions request (nghttpd
# answers it with a file holding a chat-completions response) and one GET on
# the same connection. `agentsight record --http` must show the LLM exchange
# (prompt, reply, token counts) and the plain GET, both as HTTP/2.
#
#   h2_capture_test.sh AGENTSIGHT CERTS TMP
set -u
as=$1 certs=$2 tmp=$3
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
[ "$(id -u)" -eq 0 ] || { echo "SKIPPED: agentsight record loads eBPF programs and needs root"; exit 77; }
command -v nghttpd >/dev/null || { echo "SKIPPED: nghttpd (Debian's nghttp2-server) is not installed"; exit 77; }
rm -rf "$tmp" && mkdir -p "$tmp/www/v1/chat"
trap 'kill $srv 2>/dev/null; wait 2>/dev/null' EXIT
srv=

printf '%s' '{"id":"chatcmpl-h2","object":"chat.completion","model":"h2-model","choices":[{"index":0,"message":{"role":"assistant","content":"Hello over HTTP/2"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":4}}' \
	>"$tmp/www/v1/chat/completions"
echo '{"hello":"h2 world"}' >"$tmp/www/data.json"
port=$((20000 + RANDOM % 20000))
nghttpd -d "$tmp/www" "$port" "$certs/server.key" "$certs/server.pem" >"$tmp/nghttpd.log" 2>&1 &
srv=$!
for _ in $(seq 200); do ss -ltn | grep -q ":$port " && break; sleep 0.02; done

url=https://127.0.0.1:$port
"$as" record --http -q -o "$tmp/out.jsonl" -- curl -sS --http2 --cacert "$certs/ca.pem" \
	"$url/v1/chat/completions" -H 'content-type: application/json' \
	-d '{"model":"h2-model","messages":[{"role":"user","content":"hi over h2"}]}' \
	--next --http2 --cacert "$certs/ca.pem" "$url/data.json" >"$tmp/curl.out" ||
	fail "agentsight record or curl failed"
grep -q 'Hello over HTTP/2' "$tmp/curl.out" || fail "curl did not get the file: $(cat "$tmp/curl.out")"

node -e '
const fs = require("fs");
const lines = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const ev = lines.filter(l => l.type === "event");
const llm = ev.filter(e => e.kind === "llm");
const http = ev.filter(e => e.kind === "http");
const bad = [];
if (llm.length !== 1) bad.push(`${llm.length} llm events, want 1`);
else {
  const x = llm[0];
  if (x.http.version !== 20) bad.push(`llm over HTTP version ${x.http.version}`);
  if (x.exchange.messages[0].text !== "hi over h2") bad.push("prompt " + x.exchange.messages[0].text);
  if (x.exchange.reply.text !== "Hello over HTTP/2") bad.push("reply " + x.exchange.reply.text);
  if (x.exchange.usage.input !== 9 || x.exchange.usage.output !== 4) bad.push("usage");
}
if (http.length !== 1 || http[0].http.path !== "/data.json" || http[0].http.version !== 20 ||
    http[0].http.status !== 200 || http[0].http.response_bytes !== 21)
  bad.push("the GET: " + JSON.stringify(http.map(h => h.http)));
const st = lines.find(l => l.type === "stats");
if (!st || st.http_errors !== 0 || st.tls_bytes_lost !== 0) bad.push("stats " + JSON.stringify(st));
if (bad.length) { console.log(bad.join("\n")); process.exit(1); }
' "$tmp/out.jsonl" || fail "the recording is not what curl and nghttpd exchanged"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "h2_capture_test: all checks passed"
