// Runs a wasm32-wasi module under Node.js's WASI, an engine independent of
// Isthmus, with the conventions of `vessel run`, so that run_guest.sh can
// check a guest against both:
//   node run_wasi_node.mjs [--dir HOST::GUEST]... [--env K=V]... MODULE.wasm [ARGS...]
// Exit status: the guest's; 134 with the message on stderr when it traps.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
while (argv.length && argv[0].startsWith('--')) {
  const opt = argv.shift();
  const val = argv.shift();
  if (opt === '--dir') {
    const [host, guest] = val.includes('::') ? val.split('::') : [val, val];
    preopens[guest] = host;
  } else if (opt === '--env') {
    const i = val.indexOf('=');
    env[val.slice(0, i)] = val.slice(i + 1);
  } else {
    console.error(`run_wasi_node: unknown option ${opt}`);
    process.exit(2);
  }
}
const [file, ...args] = argv;
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env, preopens, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
try {
  process.exitCode = wasi.start(instance) & 255;
} catch (e) {
  process.stderr.write(`node: trap: ${e.message}\n`);
  process.exitCode = 134;
}
