#!/bin/bash
# mockllm_test.sh: mockllm's HTTP behaviour, seen through the curl CLI (an
# independent client): its command line, the port file, keep-alive,
# Content-Length and chunked request bodies, streamed replies as SSE ending
# the way each API documents, errors (400, 404, 405) and a clean stop on
# SIGTERM.
#
#   mockllm_test.sh MOCKLLM CERTDIR SCENARIOS TMPDIR
set -u
mockllm=$1 certs=$2 scenarios=$3 tmp=$4
rm -rf "$tmp" && mkdir -p "$tmp" || exit 1
pass=0 fail=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAILED: $what" >&2
	fi
}
srv=
cleanup() { [[ -n $srv ]] && kill -KILL "$srv" 2>/dev/null; }
trap cleanup EXIT

# The command line.
"$mockllm" --port 0 >/dev/null 2>&1
check "missing options exit 2" test $? -eq 2
printf '{"turns":[{"text":"a"}],"colour":1}' >"$tmp/bad.json"
"$mockllm" --port 0 --cert "$certs/server.pem" --key "$certs/server.key" \
	--scenario "$tmp/bad.json" 2>"$tmp/bad.err"
check "a bad scenario exits 1" test $? -eq 1
check "the message names the file and the key" grep -q "bad.json: unknown key \"colour\"" "$tmp/bad.err"

# Start it.
"$mockllm" --port 0 --cert "$certs/server.pem" --key "$certs/server.key" \
	--scenario "$scenarios/basic.json" --port-file "$tmp/port" --log "$tmp/log" \
	2>"$tmp/mockllm.err" &
srv=$!
for ((i = 0; i < 3000; i++)); do
	[[ -s $tmp/port ]] && break
	kill -0 "$srv" 2>/dev/null || break
	sleep 0.01
done
port=$(cat "$tmp/port" 2>/dev/null)
if [[ ! $port =~ ^[0-9]+$ ]]; then
	echo "FAILED: no port file" >&2
	cat "$tmp/mockllm.err" >&2
	exit 1
fi
url=https://127.0.0.1:$port
c=(curl -sS --http1.1 --cacert "$certs/ca.pem")
if command -v ss >/dev/null; then
	check "it listens on 127.0.0.1 only" bash -c "ss -ltnH 'sport = :$port' | grep -q '127.0.0.1:$port' && ! ss -ltnH 'sport = :$port' | grep -qv '127.0.0.1:$port'"
fi

body='{"model":"m","messages":[{"role":"user","content":"hi"}]}'
# Keep-alive: two requests in one curl run share the connection.
"${c[@]}" -v -H 'Content-Type: application/json' -d "$body" "$url/v1/chat/completions" \
	--next "${c[@]:1}" -H 'Content-Type: application/json' -d "$body" \
	"$url/v1/chat/completions" >"$tmp/two.out" 2>"$tmp/two.err"
check "two replies" test "$(grep -o '"object":"chat.completion"' "$tmp/two.out" | wc -l)" -eq 2
check "curl reused the connection" grep -q "Re-using existing connection" "$tmp/two.err"
ports=$(grep -o '"client_port":[0-9]*' "$tmp/log" | sort -u | wc -l)
check "the server saw one client port" test "$ports" -eq 1
check "Content-Length was logged" grep -q "\"content_length\":\"${#body}\"" "$tmp/log"

# A chunked request body.
printf '%s' "$body" >"$tmp/body.json"
"${c[@]}" -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' \
	--data-binary @"$tmp/body.json" "$url/v1/chat/completions" >"$tmp/chunked.out"
check "a chunked body is answered" grep -q '"finish_reason":"tool_calls"' "$tmp/chunked.out"
check "the chunked body was logged whole" bash -c "grep '\"transfer_encoding\":\"chunked\"' '$tmp/log' | grep -q '\"body\":{\"model\":\"m\"'"

# Streams.
"${c[@]}" -N -d '{"stream":true,"stream_options":{"include_usage":true},"messages":[]}' \
	"$url/v1/chat/completions" >"$tmp/stream.out"
check "OpenAI stream ends with data: [DONE]" bash -c "tail -n 2 '$tmp/stream.out' | head -n 1 | grep -qx 'data: \[DONE\]'"
check "OpenAI stream has a usage chunk" grep -q '"choices":\[\],"usage":{"prompt_tokens":101,"completion_tokens":21,"total_tokens":122}' "$tmp/stream.out"
events=$(grep -c '^data: ' "$tmp/stream.out")
check "every piece the server logged is one event ($events)" grep -q "\"pieces\":$events," "$tmp/log"
"${c[@]}" -N -d '{"stream":true,"messages":[]}' "$url/v1/messages" >"$tmp/astream.out"
check "Anthropic stream starts with message_start" bash -c "head -n 1 '$tmp/astream.out' | grep -qx 'event: message_start'"
check "Anthropic stream ends with message_stop" bash -c "grep '^event: ' '$tmp/astream.out' | tail -n 1 | grep -qx 'event: message_stop'"
check "Anthropic stream is text/event-stream" bash -c "'${c[0]}' -sS --http1.1 --cacert '$certs/ca.pem' -o /dev/null -w '%{content_type}' -d '{\"stream\":true,\"messages\":[]}' '$url/v1/messages' | grep -q text/event-stream"

# Errors.
code=$("${c[@]}" -o "$tmp/e400" -w '%{http_code}' -d '{"messages":' "$url/v1/chat/completions")
check "bad JSON is 400" test "$code" = 400
check "the 400 body is an OpenAI error" grep -q '^{"error":{"message":"request body is not JSON' "$tmp/e400"
code=$("${c[@]}" -o "$tmp/e400a" -w '%{http_code}' -d '{}' "$url/v1/messages")
check "no messages is 400" test "$code" = 400
check "the 400 body is an Anthropic error" grep -q '^{"type":"error","error":{"type":"invalid_request_error"' "$tmp/e400a"
code=$("${c[@]}" -o /dev/null -w '%{http_code}' "$url/v1/models")
check "an unknown path is 404" test "$code" = 404
code=$("${c[@]}" -o /dev/null -w '%{http_code}' "$url/v1/chat/completions")
check "GET is 405" test "$code" = 405

# A clean stop.
kill -TERM "$srv"
wait "$srv"
rc=$?
srv=
check "SIGTERM ends it with status 0" test $rc -eq 0
check "it said it was stopping" grep -q "stopping" "$tmp/mockllm.err"

echo "$pass passed, $fail failed"
((fail == 0))
