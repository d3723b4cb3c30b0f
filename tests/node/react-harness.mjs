// The harness of the React differential tests (react-hooks.test.mjs, react-audit.test.mjs):
// tests/node/fixtures/react-app.jsx, a React app on ably-js's hooks (`ably/react`),
// bundled with esbuild (React's development build, so <StrictMode> mounts, cleans up and
// mounts again every effect) once with Roster's `roster-presence/realtime` (pkg/) and once
// with ably-js's Realtime, each run on a fresh page in headless Chromium against the
// roster-server at ROSTER_URL. sameAsAbly() runs a scenario on both and asserts that the
// traces (what the hooks gave the components, the unhandled rejections, the console's
// errors) are equal. A test file calls setupApps() in before() and closeApps() in after().
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BASE, ablyOptions, rosterOptions } from './ably.mjs';
import { chromiumForTests } from './chromium.mjs';
import { difference, lines } from './trace-lines.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bound on each wait for the app to reach a checkpoint, in ms. */
const WAIT = 15_000;
const chromium = chromiumForTests(BASE);

/** Each SDK: what 'realtime-sdk' is in its bundle, and its client options for a clientId (`extra` over them). */
const SIDES = {
  ably: {
    sdk: 'ably',
    // ably-js's default log level (errors), where ably/react reports an attach it made that failed.
    options: (clientId, extra) => ablyOptions({ authUrl: `${BASE}/auth/token-request`, authParams: { clientId }, clientId, logLevel: 1, ...extra }),
  },
  roster: { sdk: join(root, 'pkg', 'realtime.js'), options: (clientId, extra) => rosterOptions(clientId, extra) },
};
const bundles = {};
let apps;

/** Builds the app's two bundles and serves them (once per test file, in before()). */
export async function setupApps() {
  if (!existsSync(join(root, 'pkg', 'realtime.js'))) {
    await promisify(execFile)('bash', [join(root, 'js', 'build.sh')], { timeout: 600_000 });
  }
  const { build } = await import('esbuild');
  for (const [side, { sdk }] of Object.entries(SIDES)) {
    const { outputFiles } = await build({
      entryPoints: [join(root, 'tests', 'node', 'fixtures', 'react-app.jsx')],
      // Aliases resolve from tests/, where 'ably', 'react' and 'react-dom' are installed.
      absWorkingDir: join(root, 'tests'),
      bundle: true, format: 'esm', platform: 'browser', jsx: 'automatic', write: false, logLevel: 'error',
      define: { 'process.env.NODE_ENV': '"development"' },
      alias: { 'realtime-sdk': sdk },
    });
    bundles[side] = outputFiles[0].text;
  }
  // ably/react brings only the hooks: the app on Roster carries none of ably-js's client.
  assert.doesNotMatch(bundles.roster, /ConnectionManager/);
  assert.match(bundles.ably, /ConnectionManager/, 'the check above can fail');
  apps = await serveApps();
}

/** Stops serving the app (in after()). */
export const closeApps = () => apps?.close();

/**
 * Serves the app's page (`/SIDE.html`), its bundle (`/SIDE.js`) and the package's wasm
 * on a loopback port. Not through Playwright's routing: Chromium's local network access
 * checks block WebSockets to loopback from a page so served (ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS).
 */
async function serveApps() {
  const server = createServer(async (req, res) => {
    const file = basename(new URL(req.url, 'http://x').pathname);
    const [side, type] = file.split('.');
    if (type === 'html' && bundles[side]) {
      return res.writeHead(200, { 'content-type': 'text/html' })
        .end(`<!doctype html><meta charset="utf-8"><script type="module" src="${side}.js"></script>`);
    }
    if (type === 'js' && bundles[side]) return res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundles[side]);
    if (type === 'wasm') return res.writeHead(200, { 'content-type': 'application/wasm' }).end(await readFile(join(root, 'pkg', file)));
    // No favicon: nothing for the console to report.
    res.writeHead(file === 'favicon.ico' ? 204 : 404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/**
 * The app's page for `side` in a fresh context. Page errors go to `errors`, console
 * errors and warnings to `consoleLines`.
 */
async function openApp(side) {
  const errors = [];
  const consoleLines = [];
  const context = await chromium.get().newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => /^(error|warning)$/.test(m.type()) && consoleLines.push(`${m.type()}: ${m.text()}`));
  await page.goto(`http://127.0.0.1:${apps.address().port}/${side}.html`);
  await page.waitForFunction(() => window.app);
  return { context, page, errors, consoleLines };
}

/** Waits (bounded) until `user`'s member list, as last rendered, is `expected`. */
export async function membersAre(page, user, expected, what) {
  try {
    await page.waitForFunction(([u, e]) => JSON.stringify(window.app.log[u]?.members?.at(-1)) === JSON.stringify(e), [user, expected]);
  } catch {
    const log = await page.evaluate(() => window.app.log);
    assert.fail(`${what}: ${user}'s members never became ${JSON.stringify(expected)}; log: ${JSON.stringify(log)}`);
  }
}

// Consecutive equal entries as one: StrictMode runs each effect twice.
const collapse = (entries) => entries.filter((e, i, all) => i === 0 || JSON.stringify(e) !== JSON.stringify(all[i - 1]));

/**
 * What the app's log says that does not depend on timing, as streams named "USER WHAT":
 * connection and channel state changes, messages, errors (collapsed), the presence
 * events about each member in order (the order between members is the network's), and
 * the last member list (the ones before depend on when each get() ran; the scenarios
 * wait for the lists they expect). `uncaught` are the page's unhandled rejections.
 */
function trace({ log, uncaught }) {
  const streams = { uncaught };
  for (const [user, { members, errors, events, ...rest }] of Object.entries(log)) {
    for (const [what, entries] of Object.entries(rest)) streams[`${user} ${what}`] = entries;
    if (errors) streams[`${user} errors`] = collapse(errors);
    if (members) streams[`${user} members at the end`] = [members.at(-1)];
    for (const [action, clientId, data] of events ?? []) {
      (streams[`${user} events about ${clientId}`] ??= []).push([action, data]);
    }
  }
  return streams;
}

/**
 * A console error or warning as the trace has it. ably/react reports an attach it made
 * that failed through ably-js's logger (a console.warn, as ably-js's own errors, which
 * Roster does not log); the logger is not there with Roster, so the hooks print the
 * error with console.error instead: both become "hooks report: MESSAGE". ably-js's own
 * logging is left out (null), and so are Chromium's reports of WebSockets it could not
 * open (how many, and how each failed, is the network's timing; the connection's states
 * are in the trace); anything else stays as it is.
 */
function hooksReport(line) {
  const report = /^warning: .*Ably: \[react-hooks\] \[_ErrorInfo: (.*?); statusCode=/.exec(line)
    ?? /^error: Unable to access ably-js logger, while sending \[ErrorInfo: (.*?); statusCode=/.exec(line);
  if (report) return `hooks report: ${report[1]}`;
  return /^warning: [\d:.]+ Ably: /.test(line) || /^error: WebSocket connection to '.*' failed: /.test(line) ? null : line;
}

/**
 * Runs `scenario(page, options)` in `side`'s app page, `options(clientId)` being that
 * SDK's client options, then waits a moment for stragglers, closes the clients and
 * returns the trace, with what the scenario returned (streams of its own) and the
 * console's errors added. Every page error must be an unhandled rejection the trace has.
 */
export async function run(side, scenario) {
  const { context, page, errors, consoleLines } = await openApp(side);
  try {
    const reads = await scenario(page, SIDES[side].options);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const result = { ...trace(await page.evaluate(() => ({ log: window.app.log, uncaught: window.app.uncaught }))), ...reads };
    await page.evaluate(() => window.app.closeAll());
    assert.equal(errors.length, result.uncaught.length, `${side}: page errors ${JSON.stringify(errors)} are the unhandled rejections`);
    const reports = consoleLines.map(hooksReport).filter((line) => line !== null);
    if (reports.length) result.console = reports;
    return result;
  } finally {
    await context.close();
  }
}

/**
 * Runs `scenario` with ably-js, then Roster, and asserts the two traces are equal, each
 * as `normalize` makes it (for what is the network's timing); returns ably-js's.
 */
export async function sameAsAbly(scenario, normalize = (trace) => trace) {
  const ably = normalize(await run('ably', scenario));
  const [theirs, ours] = [lines(ably), lines(normalize(await run('roster', scenario)))];
  // DIFFERENTIAL_TRACE=1 shows what was compared, to check a scenario does what it says.
  if (process.env.DIFFERENTIAL_TRACE) console.log(theirs.join('\n'));
  assert.deepEqual(ours, theirs, `Roster (+) differs from ably-js (-):\n${difference(ours, theirs).join('\n')}`);
  return ably;
}

