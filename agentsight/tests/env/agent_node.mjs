// agent_node.mjs: a scripted test agent in Node.js whose HTTPS goes through
// fetch() (undici over the OpenSSL that the official Node.js build links in
// statically), as in the Node.js agents AgentSight watches.
//
//   NODE_EXTRA_CA_CERTS=ca.pem node agent_node.mjs --url https://HOST:PORT
//       --workdir DIR [--api openai|anthropic] [--stream|--no-stream]
//       [--cacert PEM] [--prompt TEXT] [--model NAME] [--max-turns N]
//       [--chunked|--no-chunked]
//
// Node.js reads NODE_EXTRA_CA_CERTS only at start, so the CA comes through
// that variable; --cacert only checks that it names the same file. The loop
// and the message shapes are those of agent_core.c, written again in
// JavaScript: stream replies are parsed as they arrive, tools run for real
// (run_command through /bin/sh -c in a child, fs writes and reads), and
// progress goes to stderr as "agent: ..." lines; the final text to stdout.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import process from 'node:process';

const MAX_OUTPUT = 64 * 1024;
const SYSTEM_PROMPT =
	'You are a scripted test agent. Use the tools run_command, write_file and ' +
	'read_file to do what the user asks.';

function usage(code) {
	process.stderr.write(
		'usage: node agent_node.mjs --url https://HOST:PORT --workdir DIR\n' +
			'       [--api openai|anthropic] [--stream|--no-stream] [--cacert PEM]\n' +
			'       [--prompt TEXT] [--model NAME] [--max-turns N] [--chunked|--no-chunked]\n');
	process.exit(code);
}

function parseArgs(argv) {
	const o = { api: 'openai', stream: true, maxTurns: 20, chunked: false };
	const valued = {
		'--url': 'url', '--api': 'api', '--workdir': 'workdir', '--cacert': 'cacert',
		'--prompt': 'prompt', '--model': 'model', '--max-turns': 'maxTurns',
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--stream') o.stream = true;
		else if (a === '--no-stream') o.stream = false;
		else if (a === '--chunked') o.chunked = true;
		else if (a === '--no-chunked') o.chunked = false;
		else if (a === '-h' || a === '--help') usage(0);
		else if (valued[a] && i + 1 < argv.length) o[valued[a]] = argv[++i];
		else {
			process.stderr.write(`agent_node: unknown option or missing value: ${a}\n`);
			usage(2);
		}
	}
	if (!o.url || !o.workdir) usage(2);
	if (o.api !== 'openai' && o.api !== 'anthropic') {
		process.stderr.write(`agent_node: --api ${o.api}: openai or anthropic\n`);
		usage(2);
	}
	o.maxTurns = Number(o.maxTurns);
	if (!Number.isInteger(o.maxTurns) || o.maxTurns < 1) usage(2);
	o.url = o.url.replace(/\/+$/, '').replace(/\/v1$/, '');
	return o;
}

function tools(api) {
	const schema = (props) => ({
		type: 'object',
		properties: Object.fromEntries(props.map((p) => [p, { type: 'string' }])),
		required: props,
	});
	const list = [
		['run_command', 'Run a shell command; returns its output.', ['command']],
		['write_file', 'Write content to a file.', ['path', 'content']],
		['read_file', 'Read a file; returns its content.', ['path']],
	];
	return list.map(([name, description, props]) =>
		api === 'openai'
			? { type: 'function', function: { name, description, parameters: schema(props) } }
			: { name, description, input_schema: schema(props) });
}

function firstBody(o) {
	const prompt = o.prompt ?? 'Please do the task.';
	const model = o.model ?? 'mock-model';
	if (o.api === 'openai') {
		const b = {
			model,
			messages: [
				{ role: 'system', content: SYSTEM_PROMPT },
				{ role: 'user', content: prompt },
			],
			tools: tools('openai'),
			stream: o.stream,
		};
		if (o.stream) b.stream_options = { include_usage: true };
		return b;
	}
	return {
		model, max_tokens: 1024, system: SYSTEM_PROMPT,
		messages: [{ role: 'user', content: prompt }],
		tools: tools('anthropic'), stream: o.stream,
	};
}

// Splits server-sent events as bytes arrive; calls onData(data) per event.
class SseSplitter {
	constructor(onData) {
		this.onData = onData;
		this.buf = '';
		this.data = null;
	}
	push(text) {
		this.buf += text;
		let m;
		while ((m = /\r\n|\n|\r/.exec(this.buf)) !== null) {
			// A CR at the very end may be the first half of CRLF.
			if (m[0] === '\r' && m.index === this.buf.length - 1) break;
			const line = this.buf.slice(0, m.index);
			this.buf = this.buf.slice(m.index + m[0].length);
			this.line(line);
		}
	}
	line(line) {
		if (line === '') {
			if (this.data !== null) this.onData(this.data);
			this.data = null;
			return;
		}
		if (line.startsWith(':')) return;
		const c = line.indexOf(':');
		const field = c < 0 ? line : line.slice(0, c);
		let v = c < 0 ? '' : line.slice(c + 1);
		if (v.startsWith(' ')) v = v.slice(1);
		if (field === 'data') this.data = this.data === null ? v : `${this.data}\n${v}`;
	}
	end() {
		if (this.buf !== '') this.line(this.buf);
		this.buf = '';
		if (this.data !== null) this.onData(this.data);
		this.data = null;
	}
}

function newReply() {
	return { text: '', calls: [], usage: { input: 0, output: 0 }, stop: '', events: 0, done: false };
}

function apiError(obj) {
	if (obj && obj.error) {
		const e = obj.error;
		throw new Error(`the API answered an error: ${e.message ?? JSON.stringify(e)}`);
	}
}

function call(r, i) {
	if (!Number.isInteger(i) || i < 0 || i >= 64) throw new Error(`tool call index ${i} out of range`);
	while (r.calls.length <= i) r.calls.push({ id: '', name: '', args: '' });
	return r.calls[i];
}

function openaiChunk(r, c) {
	apiError(c);
	if (c.usage) {
		r.usage.input = c.usage.prompt_tokens ?? 0;
		r.usage.output = c.usage.completion_tokens ?? 0;
	}
	for (const choice of c.choices ?? []) {
		if ((choice.index ?? 0) !== 0) continue;
		const d = choice.delta ?? {};
		if (typeof d.content === 'string') r.text += d.content;
		(d.tool_calls ?? []).forEach((tc, j) => {
			const k = call(r, tc.index ?? j);
			if (tc.id) k.id = tc.id;
			if (tc.function?.name) k.name = tc.function.name;
			if (typeof tc.function?.arguments === 'string') k.args += tc.function.arguments;
		});
		if (choice.finish_reason) r.stop = choice.finish_reason;
	}
}

function anthropicEvent(r, ev, blocks) {
	apiError(ev);
	switch (ev.type) {
	case 'error':
		throw new Error('stream: an error event');
	case 'message_start':
		if (ev.message?.usage) {
			r.usage.input = ev.message.usage.input_tokens ?? r.usage.input;
			r.usage.output = ev.message.usage.output_tokens ?? r.usage.output;
		}
		break;
	case 'content_block_start': {
		const b = ev.content_block ?? {};
		if (b.type === 'text') r.text += b.text ?? '';
		else if (b.type === 'tool_use') {
			const k = call(r, r.calls.length);
			k.id = b.id ?? '';
			k.name = b.name ?? '';
			if (b.input && Object.keys(b.input).length) k.args = JSON.stringify(b.input);
			blocks.set(ev.index, k);
		}
		break;
	}
	case 'content_block_delta': {
		const d = ev.delta ?? {};
		if (d.type === 'text_delta') r.text += d.text ?? '';
		else if (d.type === 'input_json_delta') {
			const k = blocks.get(ev.index);
			if (!k) throw new Error(`input_json_delta for block ${ev.index}, which is no tool_use`);
			k.args += d.partial_json ?? '';
		}
		break;
	}
	case 'message_delta':
		if (ev.delta?.stop_reason) r.stop = ev.delta.stop_reason;
		if (ev.usage) {
			r.usage.input = ev.usage.input_tokens ?? r.usage.input;
			r.usage.output = ev.usage.output_tokens ?? r.usage.output;
		}
		break;
	case 'message_stop':
		r.done = true;
		break;
	default:
		break;
	}
}

function parseWhole(api, body) {
	const r = newReply();
	const obj = JSON.parse(body);
	apiError(obj);
	if (api === 'openai') {
		const choice = obj.choices?.[0];
		if (!choice?.message) throw new Error('reply has no choices[0].message');
		if (typeof choice.message.content === 'string') r.text = choice.message.content;
		(choice.message.tool_calls ?? []).forEach((tc, i) => {
			const k = call(r, i);
			k.id = tc.id ?? '';
			k.name = tc.function?.name ?? '';
			k.args = tc.function?.arguments ?? '';
		});
		r.stop = choice.finish_reason ?? '';
		if (obj.usage) r.usage = { input: obj.usage.prompt_tokens, output: obj.usage.completion_tokens };
	} else {
		if (!Array.isArray(obj.content)) throw new Error('reply has no content array');
		for (const b of obj.content) {
			if (b.type === 'text') r.text += b.text ?? '';
			else if (b.type === 'tool_use') {
				const k = call(r, r.calls.length);
				k.id = b.id ?? '';
				k.name = b.name ?? '';
				k.args = JSON.stringify(b.input ?? {});
			}
		}
		r.stop = obj.stop_reason ?? '';
		if (obj.usage) r.usage = { input: obj.usage.input_tokens, output: obj.usage.output_tokens };
	}
	return r;
}

function finishCalls(r) {
	r.calls.forEach((k, i) => {
		if (!k.name || !k.id) throw new Error(`tool call ${i} has no ${k.name ? 'id' : 'name'}`);
		k.input = k.args === '' ? {} : JSON.parse(k.args);
		if (typeof k.input !== 'object' || k.input === null || Array.isArray(k.input))
			throw new Error(`tool call ${i} (${k.name}): arguments are not a JSON object`);
	});
	return r;
}

function post(o, path, body) {
	const headers = {
		'Content-Type': 'application/json',
		Accept: o.stream ? 'text/event-stream' : 'application/json',
	};
	if (o.api === 'openai') headers.Authorization = 'Bearer mock-key';
	else {
		headers['x-api-key'] = 'mock-key';
		headers['anthropic-version'] = '2023-06-01';
	}
	const text = JSON.stringify(body);
	const init = { method: 'POST', headers, body: text };
	if (o.chunked) {
		// A stream body goes out with Transfer-Encoding: chunked, in pieces.
		const bytes = new TextEncoder().encode(text);
		const third = Math.ceil(bytes.length / 3);
		init.body = new ReadableStream({
			start(ctl) {
				for (let i = 0; i < bytes.length; i += third) ctl.enqueue(bytes.slice(i, i + third));
				ctl.close();
			},
		});
		init.duplex = 'half';
	}
	return fetch(o.url + path, init);
}

async function readReply(o, res) {
	let reads = 0;
	if (!o.stream) {
		const text = await res.text();
		return { reply: finishCalls(parseWhole(o.api, text)), reads };
	}
	const r = newReply();
	const blocks = new Map();
	const sse = new SseSplitter((data) => {
		r.events++;
		if (o.api === 'openai' && data === '[DONE]') {
			r.done = true;
			return;
		}
		const ev = JSON.parse(data);
		if (o.api === 'openai') openaiChunk(r, ev);
		else anthropicEvent(r, ev, blocks);
	});
	const dec = new TextDecoder();
	for await (const chunk of res.body) {
		reads++;
		sse.push(dec.decode(chunk, { stream: true }));
	}
	sse.push(dec.decode());
	sse.end();
	if (!r.done)
		throw new Error(`the stream ended before ${o.api === 'openai' ? 'data: [DONE]' : 'message_stop'}`);
	return { reply: finishCalls(r), reads };
}

function readLimited(path) {
	const fd = openSync(path, 'r');
	try {
		const buf = Buffer.alloc(MAX_OUTPUT);
		let n = 0;
		for (;;) {
			const got = readSync(fd, buf, n, MAX_OUTPUT - n, null);
			if (got === 0 || n + got >= MAX_OUTPUT) {
				n += got;
				break;
			}
			n += got;
		}
		return buf.subarray(0, n).toString('utf8');
	} finally {
		closeSync(fd);
	}
}

function runTool(k) {
	const a = k.input;
	try {
		switch (k.name) {
		case 'run_command': {
			if (typeof a.command !== 'string') return { output: 'run_command needs a string "command"', error: true };
			const p = spawnSync('/bin/sh', ['-c', a.command], {
				stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * MAX_OUTPUT,
			});
			let out = Buffer.concat([p.stdout ?? Buffer.alloc(0), p.stderr ?? Buffer.alloc(0)]);
			let text = out.subarray(0, MAX_OUTPUT).toString('utf8');
			if (out.length > MAX_OUTPUT) text += '\n[output truncated]';
			if (p.status) {
				if (text && !text.endsWith('\n')) text += '\n';
				return { output: `${text}[exit status ${p.status}]`, error: true };
			}
			if (p.signal) return { output: `${text}\n[killed by signal ${p.signal}]`, error: true };
			if (p.error) return { output: `cannot run: ${p.error.message}`, error: true };
			return { output: text, error: false };
		}
		case 'write_file':
			if (typeof a.path !== 'string' || typeof a.content !== 'string')
				return { output: 'write_file needs strings "path" and "content"', error: true };
			writeFileSync(a.path, a.content);
			return { output: `wrote ${Buffer.byteLength(a.content)} bytes to ${a.path}`, error: false };
		case 'read_file':
			if (typeof a.path !== 'string') return { output: 'read_file needs a string "path"', error: true };
			return { output: readLimited(a.path), error: false };
		default:
			return { output: `unknown tool ${k.name}`, error: true };
		}
	} catch (e) {
		return { output: `${k.name} failed: ${e.message}`, error: true };
	}
}

function addReply(api, body, r) {
	if (api === 'openai') {
		const m = { role: 'assistant', content: r.text === '' ? null : r.text };
		if (r.calls.length)
			m.tool_calls = r.calls.map((k) => ({
				id: k.id, type: 'function', function: { name: k.name, arguments: k.args === '' ? '{}' : k.args },
			}));
		body.messages.push(m);
		return;
	}
	const content = [];
	if (r.text !== '') content.push({ type: 'text', text: r.text });
	for (const k of r.calls) content.push({ type: 'tool_use', id: k.id, name: k.name, input: k.input });
	body.messages.push({ role: 'assistant', content });
}

function addResult(api, body, id, res) {
	if (api === 'openai') {
		body.messages.push({ role: 'tool', tool_call_id: id, content: res.output });
		return;
	}
	const block = { type: 'tool_result', tool_use_id: id, content: res.output };
	if (res.error) block.is_error = true;
	const last = body.messages[body.messages.length - 1];
	if (last.role === 'user' && Array.isArray(last.content) && last.content[0]?.type === 'tool_result')
		last.content.push(block);
	else body.messages.push({ role: 'user', content: [block] });
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	if (o.cacert && process.env.NODE_EXTRA_CA_CERTS !== o.cacert) {
		process.stderr.write(`agent_node: Node.js takes the CA at start: run it with NODE_EXTRA_CA_CERTS=${o.cacert}\n`);
		return 2;
	}
	try {
		process.chdir(o.workdir);
	} catch (e) {
		process.stderr.write(`agent: cannot enter working directory ${o.workdir}: ${e.message}\n`);
		return 1;
	}
	const path = o.api === 'openai' ? '/v1/chat/completions' : '/v1/messages';
	const body = firstBody(o);
	let inTotal = 0;
	let outTotal = 0;
	for (let turn = 0; turn < o.maxTurns; turn++) {
		let res;
		try {
			res = await post(o, path, body);
		} catch (e) {
			process.stderr.write(`agent: turn ${turn}: POST ${path} failed: ${e.message}${e.cause ? ` (${e.cause.message ?? e.cause})` : ''}\n`);
			return 1;
		}
		if (res.status !== 200) {
			const t = await res.text();
			process.stderr.write(`agent: turn ${turn}: POST ${path} answered ${res.status}: ${t.slice(0, 300)}\n`);
			return 1;
		}
		let reply;
		let reads;
		try {
			({ reply, reads } = await readReply(o, res));
		} catch (e) {
			process.stderr.write(`agent: turn ${turn}: bad reply: ${e.message}\n`);
			return 1;
		}
		inTotal += reply.usage.input;
		outTotal += reply.usage.output;
		process.stderr.write(`agent: turn ${turn}: ${path} stream=${o.stream ? 1 : 0} reads=${reads} events=${reply.events} ` +
			`tool_calls=${reply.calls.length} stop=${reply.stop} usage input=${reply.usage.input} output=${reply.usage.output}\n`);
		addReply(o.api, body, reply);
		if (!reply.calls.length) {
			process.stdout.write(`${reply.text}\n`);
			process.stderr.write(`agent: done after ${turn + 1} turns, usage input_tokens=${inTotal} output_tokens=${outTotal}\n`);
			return 0;
		}
		for (const k of reply.calls) {
			const r = runTool(k);
			process.stderr.write(`agent: tool ${k.name} ${k.args.slice(0, 150)} -> ${r.error ? 'error' : 'ok'}, ${Buffer.byteLength(r.output)} bytes\n`);
			addResult(o.api, body, k.id, r);
		}
	}
	process.stderr.write(`agent: still asked for tools after ${o.maxTurns} turns; giving up\n`);
	return 1;
}

process.exitCode = await main();
