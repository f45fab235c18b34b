// as_web_ui: AgentSight's web UI in a real browser (headless chromium,
// driven by playwright-core) over the scenario store (tests/store/scenario.c)
// served by as_web_fixture.
//
// Proves, as a person would see it: the sessions list shows both sessions;
// the first session's timeline shows the LLM exchange (model, tool call) and
// the exec it caused, grouped under it with its link score; the reasoning-
// loop alert is visible; clicking the alert's evidence jumps to the timeline
// and highlights that event, with its details; the conversation shows the
// prompt, the tool call and the tool result; the process tree nests pytest
// under python3; the page logs no error (a CSP violation would be one).
// Screenshots go to the output folder.
//
//   node ui_test.mjs FIXTURE OUT_DIR NODE_MODULES CHROMIUM
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [fixture, outDir, nodeModules, chromiumPath] = process.argv.slice(2);
const require = createRequire(path.join(nodeModules, 'noop.js'));
const { chromium } = require('playwright-core');

let failures = 0;
function check(cond, what) {
  if (!cond) {
    failures++;
    console.log('FAIL: ' + what);
  } else {
    console.log('ok: ' + what);
  }
}

function startFixture() {
  return new Promise((resolve, reject) => {
    const child = spawn(fixture, [outDir], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d.toString();
      const m = buf.match(/(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})/);
      if (m) resolve({ child, url: m[1], output: () => buf });
    });
    child.on('exit', (code) => reject(new Error('fixture exited early with ' + code + ': ' + buf)));
  });
}

const { child, url, output } = await startFixture();
const profile = mkdtempSync(path.join(tmpdir(), 'as-web-ui-'));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
  });
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.setDefaultTimeout(20000);

  await page.goto(url);
  await page.waitForSelector('table.sessions tbody tr');
  const rows = await page.locator('table.sessions tbody tr').count();
  check(rows === 2, 'the sessions list shows 2 sessions (saw ' + rows + ')');
  check(!page.url().includes('token='), 'the token is removed from the address bar');
  await page.screenshot({ path: path.join(outDir, 'ui-sessions.png') });

  await page.locator('table.sessions tbody tr', { hasText: 'python3 agent.py --task fix-tests' }).click();
  await page.waitForSelector('#timeline .row');
  const llm = page.locator('#timeline .row.llm[data-event-id="3"]');
  check(await llm.isVisible(), 'the timeline shows the LLM exchange #3');
  const llmText = await llm.innerText();
  check(llmText.includes('test-model') && llmText.includes('run_command'),
    'the exchange row names the model and the tool call: ' + llmText.replace(/\s+/g, ' '));
  const exec = page.locator('#timeline .row.child[data-event-id="5"][data-llm="3"]');
  check(await exec.isVisible(), 'the exec #5 is grouped under the exchange that caused it');
  const execText = await exec.innerText();
  check(execText.includes('pytest -q') && execText.includes('0.95'),
    'the exec row shows its argv and link score: ' + execText.replace(/\s+/g, ' '));
  const order = await page.$$eval('#timeline .row', (els) => els.map((e) => e.getAttribute('data-event-id') || 'alert'));
  check(order.indexOf('3') >= 0 && order.indexOf('3') + 2 === order.indexOf('5'),
    'exec #5 follows exchange #3 after fork #4: ' + order.join(','));
  check(order.indexOf('1') === 0, 'the unlinked agent exec #1 comes first');
  const score = await exec.locator('.score').getAttribute('title');
  check(score && score.includes('argv matches tool call run_command'), 'the score explains itself on hover: ' + score);
  const alertRow = page.locator('#timeline .row.alert-row');
  check(await alertRow.isVisible() && (await alertRow.innerText()).includes('twice'),
    'the alert is visible in the timeline');
  check(await page.locator('.banner').isVisible(), 'an alert banner is shown');
  await exec.click();
  await page.waitForSelector('#detail h2');
  check((await page.locator('#detail').innerText()).includes('argv matches tool call run_command'),
    'clicking the exec shows why it is linked');
  await page.screenshot({ path: path.join(outDir, 'ui-timeline.png'), fullPage: true });

  await page.locator('.tab[data-tab="alerts"]').click();
  await page.waitForSelector('.alert');
  const alertText = (await page.locator('.alert').textContent()) || '';
  check(alertText.includes('reasoning_loop') && alertText.includes('medium') &&
    alertText.includes('twice with the same arguments'), 'the alerts view shows the alert');
  await page.screenshot({ path: path.join(outDir, 'ui-alerts.png'), fullPage: true });
  await page.locator('.alert a.evidence[data-event-id="11"]').click();
  await page.waitForSelector('#timeline .row.highlight[data-event-id="11"]');
  const hl = page.locator('#timeline .row.highlight');
  check(await hl.count() === 1 && await hl.getAttribute('data-event-id') === '11',
    'the evidence link highlights event #11 and only it');
  check(await hl.isVisible() && await hl.evaluate((e) => {
    const r = e.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  }), 'the highlighted event is scrolled into view');
  check((await page.locator('#detail h2').innerText()).includes('#11'), 'its details are shown');
  check(page.url().endsWith('#/s/1/timeline?ev=11'), 'the URL points at the event: ' + page.url());
  await page.screenshot({ path: path.join(outDir, 'ui-evidence.png'), fullPage: true });

  await page.locator('.tab[data-tab="conversation"]').click();
  await page.waitForSelector('.turn');
  const convo = await page.locator('.convo').innerText();
  check(await page.locator('.turn').count() === 3, 'three calls in the conversation');
  check(convo.includes('Run the tests and fix what fails.') && convo.includes('1 failed: test_add') &&
    convo.includes('write_file') && convo.includes('The add function subtracts'),
  'the conversation shows prompt, tool result, reply and tool call');
  await page.screenshot({ path: path.join(outDir, 'ui-conversation.png'), fullPage: true });

  await page.locator('.tab[data-tab="processes"]').click();
  await page.waitForSelector('.tree .proc');
  const nested = await page.locator('.tree li:has(> .proc[data-pid="100"]) .proc[data-pid="101"]').count();
  check(nested === 1, 'pytest (101) is nested under python3 (100)');
  await page.screenshot({ path: path.join(outDir, 'ui-processes.png') });

  check(errors.length === 0, 'no errors in the page: ' + errors.join(' | '));
} catch (e) {
  failures++;
  console.log('FAIL: ' + (e && e.stack ? e.stack : e));
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
  child.stdin.end();
}
const code = await new Promise((resolve) => {
  if (child.exitCode !== null) resolve(child.exitCode);
  else child.on('exit', resolve);
});
check(code === 0 && output().includes('stopped'), 'the server stopped cleanly (exit ' + code + ')');
console.log(failures ? failures + ' check(s) failed' : 'all checks passed');
process.exit(failures ? 1 : 0);
