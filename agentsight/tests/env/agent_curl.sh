#!/bin/bash
# agent_curl.sh: a scripted test agent in bash whose HTTPS goes through the
# curl CLI (Debian's curl: libcurl over OpenSSL's libssl.so).
#
#   agent_curl.sh --url https://HOST:PORT --workdir DIR [--api openai|anthropic]
#                 [--stream|--no-stream] [--cacert PEM] [--prompt TEXT]
#                 [--model NAME] [--max-turns N]
#
# Each turn is one curl process (a new TLS connection each time, as a shell
# script that calls curl makes). The script runs the tools itself:
# run_command through /bin/sh -c in a child, write_file and read_file with
# bash's own redirections. JSON is left to agent_json (agent_core's logic),
# found beside this script or through $AS_ENV_AGENT_JSON. Progress goes to
# stderr as "agent: ..." lines like the C agents'; the final text to stdout.
set -u

usage() {
	sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

url= api=openai stream=1 workdir= cacert= prompt= model= max_turns=20
while (($#)); do
	case $1 in
	--stream) stream=1 ;;
	--no-stream) stream=0 ;;
	--url | --api | --workdir | --cacert | --prompt | --model | --max-turns)
		(($# >= 2)) || usage
		v=$2
		case $1 in
		--url) url=$v ;;
		--api) api=$v ;;
		--workdir) workdir=$v ;;
		--cacert) cacert=$v ;;
		--prompt) prompt=$v ;;
		--model) model=$v ;;
		--max-turns) max_turns=$v ;;
		esac
		shift
		;;
	-h | --help) usage ;;
	*)
		echo "agent_curl: unknown option $1" >&2
		usage
		;;
	esac
	shift
done
[[ -n $url && -n $workdir ]] || usage
[[ $api == openai || $api == anthropic ]] || {
	echo "agent_curl: --api $api: openai or anthropic" >&2
	exit 2
}
[[ $max_turns =~ ^[0-9]+$ ]] || usage

json=${AS_ENV_AGENT_JSON:-$(dirname "$(readlink -f "$0")")/agent_json}
[[ -x $json ]] || {
	echo "agent_curl: no agent_json helper at $json (set AS_ENV_AGENT_JSON)" >&2
	exit 1
}

url=${url%/}
url=${url%/v1}
if [[ $api == openai ]]; then
	path=/v1/chat/completions
	headers=(-H 'Authorization: Bearer mock-key')
else
	path=/v1/messages
	headers=(-H 'x-api-key: mock-key' -H 'anthropic-version: 2023-06-01')
fi
if ((stream)); then
	headers+=(-H 'Accept: text/event-stream')
	streamflag=--stream
else
	headers+=(-H 'Accept: application/json')
	streamflag=--no-stream
fi
tls=()
# Absolute, since the script works from the agent's working directory.
[[ -n $cacert ]] && tls=(--cacert "$(readlink -f -- "$cacert")")

cd "$workdir" || {
	echo "agent: cannot enter working directory $workdir" >&2
	exit 1
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/agent_curl.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
state=$tmp/request.json

init=("$json" init --api "$api" "$streamflag")
[[ -n $model ]] && init+=(--model "$model")
[[ -n $prompt ]] && init+=(--prompt "$prompt")
"${init[@]}" "$state" || exit 1

# Reads a whole file into the variable named $1, trailing newlines included.
slurp() {
	IFS= read -r -d '' "$1" <"$2"
	return 0
}

in_total=0 out_total=0
for ((turn = 0; turn < max_turns; turn++)); do
	code=$(curl -sS --http1.1 -N "${tls[@]}" -X POST -H 'Content-Type: application/json' \
		"${headers[@]}" --data-binary @"$state" -o "$tmp/response" -w '%{http_code}' \
		"$url$path") || {
		echo "agent: turn $turn: POST $path failed (curl exit $?)" >&2
		exit 1
	}
	if [[ $code != 200 ]]; then
		echo "agent: turn $turn: POST $path answered $code: $(head -c 300 "$tmp/response")" >&2
		exit 1
	fi
	rm -rf "$tmp/calls" && mkdir "$tmp/calls" || exit 1
	"$json" reply --api "$api" "$state" "$tmp/response" "$tmp/calls" || {
		echo "agent: turn $turn: bad reply" >&2
		exit 1
	}
	read -r n <"$tmp/calls/count"
	read -r in out <"$tmp/calls/usage"
	((in_total += in, out_total += out))
	echo "agent: turn $turn: $path stream=$stream tool_calls=$n usage input=$in output=$out" >&2
	if ((n == 0)); then
		slurp text "$tmp/calls/text"
		printf '%s\n' "$text"
		echo "agent: done after $((turn + 1)) turns, usage input_tokens=$in_total output_tokens=$out_total" >&2
		exit 0
	fi
	for ((i = 0; i < n; i++)); do
		d=$tmp/calls/$i
		slurp name "$d/name"
		slurp id "$d/id"
		err=
		: >"$tmp/output"
		case $name in
		run_command)
			if [[ -f $d/command ]]; then
				slurp command "$d/command"
				/bin/sh -c "$command" >"$tmp/output" 2>&1 </dev/null
				st=$?
				if ((st)); then
					# A newline before the note unless the output ends with one
					# ($(...) drops a trailing newline, leaving "").
					[[ -s $tmp/output && -n $(tail -c 1 "$tmp/output") ]] &&
						printf '\n' >>"$tmp/output"
					printf '[exit status %d]' "$st" >>"$tmp/output"
					err=1
				fi
			else
				printf 'run_command needs a string "command"' >"$tmp/output"
				err=1
			fi
			;;
		write_file)
			if [[ -f $d/path && -f $d/content ]]; then
				slurp p "$d/path"
				slurp content "$d/content"
				if printf '%s' "$content" >"$p"; then
					printf 'wrote %d bytes to %s' "$(wc -c <"$d/content")" "$p" >"$tmp/output"
				else
					printf 'cannot write %s' "$p" >"$tmp/output"
					err=1
				fi
			else
				printf 'write_file needs strings "path" and "content"' >"$tmp/output"
				err=1
			fi
			;;
		read_file)
			if [[ -f $d/path ]]; then
				slurp p "$d/path"
				if [[ -r $p ]] && exec 3<"$p"; then
					IFS= read -r -d '' data <&3
					exec 3<&-
					printf '%s' "$data" >"$tmp/output"
				else
					printf 'cannot open %s' "$p" >"$tmp/output"
					err=1
				fi
			else
				printf 'read_file needs a string "path"' >"$tmp/output"
				err=1
			fi
			;;
		*)
			printf 'unknown tool %s' "$name" >"$tmp/output"
			err=1
			;;
		esac
		outcome=ok
		[[ -n $err ]] && outcome=error
		echo "agent: tool $name -> $outcome, $(wc -c <"$tmp/output") bytes" >&2
		"$json" result --api "$api" ${err:+--error} "$state" "$id" "$tmp/output" || exit 1
	done
done
echo "agent: still asked for tools after $max_turns turns; giving up" >&2
exit 1
