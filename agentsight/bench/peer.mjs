// The TLS benchmark's peer: an HTTPS server answering every request with one
// small chat-completions JSON body, keep-alive; a request with "stream": true
// gets a streamed reply instead, 20 SSE chunks 5 ms apart, the pace of a model
// writing tokens.
//
// It stands in for the remote LLM API, which never runs on the agent's
// machine: it uses Node.js's own OpenSSL, linked into `node`, which AgentSight
// does not hook unless a traced process runs node, so the server side pays no
// probe. (overhead.sh measures the other case too: a peer in a hooked
// library.)
//
//   node peer.mjs CERT_DIR PORT_FILE
import fs from 'node:fs';
import https from 'node:https';

const [certs, portFile] = process.argv.slice(2);
const body = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', model: 'mock-bench',
  choices: [{index: 0, message: {role: 'assistant', content: 'pong'}, finish_reason: 'stop'}],
  usage: {prompt_tokens: 3, completion_tokens: 1},
});
const server = https.createServer({
  cert: fs.readFileSync(`${certs}/server.pem`),
  key: fs.readFileSync(`${certs}/server.key`),
}, (req, res) => {
  const parts = [];
  req.on('data', (d) => parts.push(d));
  req.on('end', () => {
    if (!Buffer.concat(parts).toString().includes('"stream":true')) {
      res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)});
      res.end(body);
      return;
    }
    res.writeHead(200, {'content-type': 'text/event-stream'});
    let n = 0;
    const tick = setInterval(() => {
      if (n < 20) {
        const delta = {id: 'chatcmpl-bench', object: 'chat.completion.chunk', model: 'mock-bench',
          choices: [{index: 0, delta: {content: `token${n} `}, finish_reason: null}]};
        res.write(`data: ${JSON.stringify(delta)}\n\n`);
        n++;
      } else {
        clearInterval(tick);
        res.end('data: [DONE]\n\n');
      }
    }, 5);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => fs.writeFileSync(portFile, String(server.address().port)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
