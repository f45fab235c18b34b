#!/usr/bin/env bash
# agentsight analyze (and replay --text), end to end without root: a recording
# kept as raw records
# (tests/engine/corpus: the gnutls agent on the basic scenario) is replayed
# into a store, then analyzed through lib/llm against mockllm over HTTPS.
# Checked: the digest sent to the model holds what the recording holds (the
# tool's command, the written file, the causal links), the review printed is
# the model's, the token counts are the model's; and a missing API key or a
# bad store is refused with a message.
#
#   analyze_test.sh AGENTSIGHT MOCKLLM CERTS SOURCE_DIR TMP
set -u
as=$1 mock=$2 certs=$3 src=$4 tmp=$5
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
rm -rf "$tmp" && mkdir -p "$tmp"
trap 'kill $mock_pid 2>/dev/null; wait 2>/dev/null' EXIT
mock_pid=

"$as" replay -q -o /dev/null --db "$tmp/s.db" "$src/tests/engine/corpus/fuzz_as_replay/openai-stream.raw" ||
	{ echo "FAIL: replay into the store"; exit 1; }

"$mock" --port 0 --cert "$certs/server.pem" --key "$certs/server.key" \
	--scenario "$src/tests/e2e/analyze-scenario.json" --port-file "$tmp/port" \
	--log "$tmp/requests.jsonl" >"$tmp/mock.out" 2>&1 &
mock_pid=$!
for _ in $(seq 300); do [ -s "$tmp/port" ] && break; sleep 0.02; done
url="https://127.0.0.1:$(cat "$tmp/port")/v1"

# The same recording as text for people (replay --text).
"$as" replay --text -q "$src/tests/engine/corpus/fuzz_as_replay/openai-stream.raw" >"$tmp/text.txt" ||
	fail "replay --text failed"
for want in 'prompt: "Please do the task."' 'reply: "I will run the command and write the file."' \
	'exec "sh" "-c" "echo agentsight-e2e-basic-output && touch agentsight-e2e-basic.marker"' \
	'wrote 63 bytes to /tmp/e2e/work/agentsight-e2e-basic.txt' 'caused by #4 (score'; do
	grep -qF "$want" "$tmp/text.txt" || fail "--text lacks: $want"
done
grep -q '"type":' "$tmp/text.txt" && fail "--text printed JSON"

# The digest alone: no model needed.
"$as" analyze --db "$tmp/s.db" --digest >"$tmp/digest.txt" || fail "--digest failed"
grep -qF 'echo agentsight-e2e-basic-output && touch agentsight-e2e-basic.marker' "$tmp/digest.txt" ||
	fail "the digest lacks the tool's command"
grep -qF 'agentsight-e2e-basic.txt' "$tmp/digest.txt" || fail "the digest lacks the written file"
grep -qF 'caused by #' "$tmp/digest.txt" || fail "the digest lacks the causal links"
grep -qF 'tool call run_command' "$tmp/digest.txt" || fail "the digest lacks the tool calls"

env -u OPENAI_API_KEY -u ISTHMUS_LLM_API_KEY "$as" analyze --db "$tmp/s.db" \
	--llm base_url="$url" --llm api_key=test-key --llm ca_file="$certs/ca.pem" \
	--llm model=mock-reviewer >"$tmp/review.txt" 2>"$tmp/review.err" ||
	fail "analyze failed: $(cat "$tmp/review.err")"
grep -qF 'SUSPICIOUS' "$tmp/review.txt" || fail "the model's review was not printed"
grep -qF '1234 tokens in, 56 out' "$tmp/review.txt" || fail "the token counts are not the model's"
# What the model was sent: the digest, whole.
node -e '
const fs = require("fs");
const [log, digest] = process.argv.slice(1);
const req = JSON.parse(fs.readFileSync(log, "utf8").trim().split("\n")[0]);
const user = req.body.messages.find(m => m.role === "user");
if (!user || user.content !== fs.readFileSync(digest, "utf8")) process.exit(1);
' "$tmp/requests.jsonl" "$tmp/digest.txt" 2>/dev/null || fail "the model was not sent the digest"

env -u OPENAI_API_KEY -u ISTHMUS_LLM_API_KEY "$as" analyze --db "$tmp/s.db" \
	--llm base_url="$url" 2>"$tmp/err" >/dev/null && fail "no API key was accepted"
grep -q 'OPENAI_API_KEY' "$tmp/err" || fail "the missing key's variable is not named: $(cat "$tmp/err")"
echo junk >"$tmp/bad.db"
"$as" analyze --db "$tmp/bad.db" --digest 2>"$tmp/err" >/dev/null && fail "a bad store was accepted"
grep -q 'bad.db' "$tmp/err" || fail "the bad store is not named: $(cat "$tmp/err")"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "analyze_test: all checks passed"
