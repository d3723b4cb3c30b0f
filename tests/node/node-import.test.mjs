// The built package (pkg/) in Node, as server-side rendering, unit tests and scripts use
// it: each case runs in a child Node process of its own, in an app directory where
// node_modules/roster-presence is a copy of pkg/ (so 'roster-presence' resolves through the
// package's `exports`, with Node's `node` condition), against a roster-server of this
// file's own on loopback, next to the real ably-js (Node build) in this process:
// - both entries import, and Realtime (autoConnect: false) and Rest construct;
// - Rest reads presence (get and history) of a channel an ably-js client entered;
// - Realtime, over the WebSocket of Node 22 (or Node 20's --experimental-websocket),
//   enters presence and an ably-js client sees it, and it sees the ably-js member;
// - in a Node without WebSocket, Realtime fails with a reason that says so: no crash,
//   no unhandled rejection, and the process ends by itself (no retries keep it alive);
// - React's renderToString of a component module that imports roster-presence, as
//   SSR frameworks do with client components, and the same from a Vite SSR build and
//   from a webpack build for Node that bundles the package.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ably from 'ably';
import { startServer } from './server.mjs';
import { uniqueChannel, within } from './ably.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bound on one child process's run, in ms: one that outlives it has hung. */
const CHILD_WAIT = 30_000;

let server;
let base;
let app;
const clients = [];

before(async () => {
  if (!existsSync(join(root, 'pkg', 'index.node.js'))) {
    execFileSync('bash', [join(root, 'js', 'build.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  server = await startServer([], 'roster-server');
  base = `http://127.0.0.1:${server.port}`;
  app = await mkdtemp(join(tmpdir(), 'roster-node-'));
  await mkdir(join(app, 'node_modules'));
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'node-app', private: true, type: 'module' }));
  // A copy, as npm installs it (a linked package Vite would bundle, not leave to Node).
  await cp(join(root, 'pkg'), join(app, 'node_modules', 'roster-presence'), { recursive: true });
  for (const name of ['react', 'react-dom']) {
    await symlink(join(root, 'tests', 'node_modules', name), join(app, 'node_modules', name), 'dir');
  }
}, { timeout: 600_000 });

after(async () => {
  for (const client of clients) client.close();
  server?.child.kill();
  if (app) await rm(app, { recursive: true, force: true });
});

/** Roster client options for the server: dev-auth tokens for `clientId`, plain ws://. */
const rosterOptions = (clientId, extra = {}) => ({
  authUrl: `${base}/auth/token-request`, authParams: { clientId }, clientId,
  endpoint: '127.0.0.1', port: server.port, tls: false, ...extra,
});

/** An ably-js (Node build) Realtime client for `clientId` on the server. */
function ablyRealtime(clientId) {
  const client = new Ably.Realtime({
    authUrl: `${base}/auth/token-request`, authParams: { clientId }, clientId,
    endpoint: '127.0.0.1', port: server.port, tls: false, useBinaryProtocol: false,
    transports: ['web_socket'], fallbackHosts: [], disableConnectivityCheck: true, logLevel: 0,
  });
  clients.push(client);
  return client;
}

/** Whether this Node has a WebSocket without flags (Node 22 and later). */
const nodeHasWebSocket = typeof globalThis.WebSocket === 'function';
/** Node flags for a child with a WebSocket, and for one without. */
const WITH_WEBSOCKET = nodeHasWebSocket ? [] : ['--experimental-websocket'];
const WITHOUT_WEBSOCKET = nodeHasWebSocket ? ['--no-experimental-websocket'] : [];

/**
 * Writes `source` as `name` in the app (null: it is there) and runs it with Node and `flags`; `onLine` hears
 * each line it prints (with the child, to write to its stdin). Resolves with its exit
 * code, the lines it printed (JSON, one value a line) and its stderr, once it ends by
 * itself; a child still running after CHILD_WAIT is killed and the test fails.
 */
async function runChild(name, source, flags = [], onLine = () => {}) {
  if (source !== null) await writeFile(join(app, name), source);
  const child = spawn(process.execPath, [...flags, join(app, name)], {
    cwd: app, env: { ...process.env, ROSTER: JSON.stringify({ base, port: server.port }) },
  });
  const lines = [];
  let stderr = '';
  let pending = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  child.stdout.on('data', (chunk) => {
    pending += chunk;
    for (let at; (at = pending.indexOf('\n')) >= 0;) {
      const line = JSON.parse(pending.slice(0, at));
      pending = pending.slice(at + 1);
      lines.push(line);
      onLine(line, child);
    }
  });
  const code = await within(new Promise((resolve) => child.on('exit', resolve)), CHILD_WAIT, `${name} ends by itself`)
    .finally(() => child.kill());
  return { code, lines, stderr };
}

/** The start of each child: the server's address, and a way to print one JSON value a line. */
const PRELUDE = `const { base, port } = JSON.parse(process.env.ROSTER);
const print = (value) => console.log(JSON.stringify(value));
const unhandled = [];
process.on('unhandledRejection', (reason) => unhandled.push(String(reason)));
process.on('exit', () => unhandled.length && print({ unhandled }));
`;

test('both entries import in Node; Realtime (autoConnect: false) and Rest construct', { timeout: 60_000 }, async () => {
  const { code, lines, stderr } = await runChild('import.mjs', `${PRELUDE}
import * as full from 'roster-presence';
import * as realtimeOnly from 'roster-presence/realtime';
const options = { authUrl: base + '/auth/token-request', endpoint: '127.0.0.1', port, tls: false, autoConnect: false };
const client = new full.Realtime(options);
const other = new realtimeOnly.Realtime(options);
const rest = new full.Rest(options);
print({
  full: Object.keys(full).sort(), realtime: Object.keys(realtimeOnly).sort(),
  states: [client.connection.state, other.connection.state],
  rest: typeof rest.channels.get('a').presence.get,
  errorInfo: String(new full.ErrorInfo('m', 40000, 400)),
});
`);
  assert.equal(stderr, '');
  assert.equal(code, 0, 'the process ends by itself, with nothing left open');
  assert.deepEqual(lines, [{
    full: ['ErrorInfo', 'Realtime', 'Rest', 'default'], realtime: ['ErrorInfo', 'Realtime', 'default'],
    states: ['initialized', 'initialized'], rest: 'function',
    errorInfo: '[ErrorInfo: m; statusCode=400; code=40000]',
  }]);
});

test('Rest in Node: presence.get and history of a channel an ably-js client entered', { timeout: 60_000 }, async () => {
  const channelName = uniqueChannel('node-rest');
  const ably = ablyRealtime('ably-member');
  const channel = ably.channels.get(channelName);
  await within(channel.presence.enter({ from: 'ably-js' }), 10_000, 'ably-js enters');
  const { code, lines, stderr } = await runChild('rest.mjs', `${PRELUDE}
import { Rest } from 'roster-presence';
const rest = new Rest({ authUrl: base + '/auth/token-request', authParams: { clientId: 'node-rest' }, endpoint: '127.0.0.1', port, tls: false });
const presence = rest.channels.get(${JSON.stringify(channelName)}).presence;
const members = await presence.get();
const history = await presence.history();
print({
  members: members.items.map((m) => [m.clientId, m.action, m.data]),
  history: history.items.map((m) => [m.clientId, m.action, m.data]),
});
`);
  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.deepEqual(lines, [{
    members: [['ably-member', 'present', { from: 'ably-js' }]],
    history: [['ably-member', 'enter', { from: 'ably-js' }]],
  }]);
});

/**
 * A child Node process (`load`: an import or a require of the realtime entry, in `file`)
 * whose Realtime enters presence as `clientId` with `{ from }` beside an ably-js member:
 * each sees the other, then it leaves and closes by itself.
 */
async function enterFromNode({ file, load, clientId, from }) {
  const channelName = uniqueChannel(`node-${clientId}`);
  const ably = ablyRealtime('ably-watcher');
  const channel = ably.channels.get(channelName);
  await within(channel.presence.enter('watching'), 10_000, 'ably-js enters');
  let seenByAbly;
  const { code, lines, stderr } = await runChild(file, `${PRELUDE}
${load}
const client = new Realtime({ authUrl: base + '/auth/token-request', authParams: { clientId: '${clientId}' }, clientId: '${clientId}', endpoint: '127.0.0.1', port, tls: false });
const presence = client.channels.get(${JSON.stringify(channelName)}).presence;
(async () => {
  await presence.enter({ from: '${from}' });
  const members = await presence.get();
  print({ state: client.connection.state, members: members.map((m) => [m.clientId, m.data]).sort() });
  // Until the test has looked (it closes stdin), then leave and close.
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.on('end', resolve));
  client.close();
  await client.connection.once('closed');
  print({ closed: true });
})();
`, WITH_WEBSOCKET, async (line, child) => {
    if (!line.members) return;
    seenByAbly = (await channel.presence.get()).map((m) => [m.clientId, m.data]).sort();
    child.stdin.end();
  });
  assert.equal(stderr, '');
  assert.equal(code, 0);
  const both = [['ably-watcher', 'watching'], [clientId, { from }]];
  assert.deepEqual(lines, [{ state: 'connected', members: both }, { closed: true }]);
  assert.deepEqual(seenByAbly, both);
}

test('Realtime in Node with a WebSocket: enters presence, seen by ably-js, and sees ably-js', { timeout: 60_000 }, () => enterFromNode({
  file: 'realtime.mjs', load: "import { Realtime } from 'roster-presence/realtime';", clientId: 'node-client', from: 'node',
}));

test('Realtime in Node without a WebSocket: failed with a reason that says so, no crash, no hang', { timeout: 60_000 }, async () => {
  const { code, lines, stderr } = await runChild('no-websocket.mjs', `${PRELUDE}
import { Realtime } from 'roster-presence';
print({ webSocket: typeof WebSocket });
const client = new Realtime({ authUrl: base + '/auth/token-request', endpoint: '127.0.0.1', port, tls: false });
client.connection.on((change) => print({ state: change.current, reason: change.reason && { message: change.reason.message, code: change.reason.code, statusCode: change.reason.statusCode } }));
// An operation meanwhile is refused with the same reason.
client.channels.get('no-websocket').presence.enter().catch((error) => print({ enter: error.code }));
`, WITHOUT_WEBSOCKET);
  assert.equal(stderr, '');
  assert.equal(code, 0, 'the process ends by itself: nothing retries');
  const reason = {
    message: 'no WebSocket in this Node.js: Node 22 or later has one; run Node 20 with --experimental-websocket, or set globalThis.WebSocket (from the ws package) before connecting',
    code: 80000, statusCode: 400,
  };
  assert.deepEqual(lines.filter((line) => !line.enter), [
    { webSocket: 'undefined' },
    { state: 'connecting' },
    { state: 'failed', reason },
  ]);
  assert.deepEqual(lines.filter((line) => line.enter), [{ enter: 80000 }]);
});

// CommonJS (scripts, and Jest, which runs tests as CommonJS): require() takes the
// package's `require` condition, a CommonJS build of the same entries whose wasm is
// instantiated synchronously, as ably-js's require('ably') works.
test('require() of both entries: the same names, Realtime constructs, Rest reads presence an ably-js client entered', { timeout: 60_000 }, async () => {
  const channelName = uniqueChannel('node-cjs-rest');
  const ably = ablyRealtime('ably-member');
  await within(ably.channels.get(channelName).presence.enter({ from: 'ably-js' }), 10_000, 'ably-js enters');
  const { code, lines, stderr } = await runChild('require.cjs', `${PRELUDE}
const full = require('roster-presence');
const realtimeOnly = require('roster-presence/realtime');
const options = { authUrl: base + '/auth/token-request', endpoint: '127.0.0.1', port, tls: false, autoConnect: false };
const client = new full.Realtime(options);
const other = new realtimeOnly.Realtime(options);
print({
  full: Object.keys(full).sort(), realtime: Object.keys(realtimeOnly).sort(),
  defaults: [full.default.Realtime === full.Realtime, full.default.Rest === full.Rest, realtimeOnly.default.ErrorInfo === realtimeOnly.ErrorInfo],
  states: [client.connection.state, other.connection.state],
  errorInfo: String(new full.ErrorInfo('m', 40000, 400)),
});
const rest = new full.Rest({ authUrl: base + '/auth/token-request', authParams: { clientId: 'node-rest' }, endpoint: '127.0.0.1', port, tls: false });
rest.channels.get(${JSON.stringify(channelName)}).presence.get().then((members) => {
  print({ members: members.items.map((m) => [m.clientId, m.action, m.data]) });
});
`);
  assert.equal(stderr, '');
  assert.equal(code, 0, 'the process ends by itself, with nothing left open');
  assert.deepEqual(lines, [{
    full: ['ErrorInfo', 'Realtime', 'Rest', 'default'], realtime: ['ErrorInfo', 'Realtime', 'default'],
    defaults: [true, true, true], states: ['initialized', 'initialized'],
    errorInfo: '[ErrorInfo: m; statusCode=400; code=40000]',
  }, { members: [['ably-member', 'present', { from: 'ably-js' }]] }]);
});

test('require() of Realtime with a WebSocket: enters presence, seen by ably-js, and sees ably-js', { timeout: 60_000 }, () => enterFromNode({
  file: 'realtime.cjs', load: "const { Realtime } = require('roster-presence/realtime');", clientId: 'node-cjs', from: 'require',
}));

// A component module as an SSR framework renders a client component on the server: it
// creates its client at module level, connecting only in a browser, as ably-js's docs
// advise (`autoConnect: typeof window !== 'undefined'`).
const COMPONENT = `import { createElement, useEffect, useState } from 'react';
import { Realtime } from 'roster-presence';

const client = new Realtime({ authUrl: '/auth/token-request', autoConnect: typeof window !== 'undefined' });

export default function Members() {
  const [members, setMembers] = useState([]);
  useEffect(() => {
    const presence = client.channels.get('room').presence;
    const update = () => presence.get().then(setMembers);
    presence.subscribe(update);
    return () => presence.unsubscribe(update);
  }, []);
  return createElement('p', null, 'connection ' + client.connection.state + ', ' + members.length + ' here');
}
`;
const RENDER = `import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import Members from './members.mjs';
console.log(JSON.stringify(renderToString(createElement(Members))));
`;
const RENDERED = '<p>connection initialized, 0 here</p>';

test('SSR: react-dom/server renders a component module that imports roster-presence', { timeout: 60_000 }, async () => {
  await writeFile(join(app, 'members.mjs'), COMPONENT);
  const { code, lines, stderr } = await runChild('render.mjs', RENDER);
  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.deepEqual(lines, [RENDERED]);
});

// Vite's SSR build leaves packages in node_modules out of the bundle by default (Node
// imports them as above: SvelteKit, Remix, Nuxt in dev); webpack building for Node, as
// Next.js does its server bundles, puts the package in, and emits its wasm file as an
// asset (from `new URL(…, import.meta.url)`) next to the bundle, where the Node glue
// reads it.
test('SSR: a Vite SSR build, and a webpack build for Node that bundles the package, render the component', { timeout: 120_000 }, async () => {
  await writeFile(join(app, 'members.mjs'), COMPONENT);
  await writeFile(join(app, 'render.mjs'), RENDER);
  const vite = await import('vite');
  const problems = [];
  const logger = vite.createLogger('warn');
  logger.warn = logger.warnOnce = logger.error = (message) => problems.push(message);
  await vite.build({
    root: app, configFile: false, logLevel: 'warn', customLogger: logger,
    build: { ssr: join(app, 'render.mjs'), outDir: join(app, 'dist-vite') },
  });
  assert.deepEqual(problems, [], 'vite build warns of nothing');
  const viteRun = await runChild('dist-vite/render.js', null);
  assert.deepEqual(viteRun, { code: 0, lines: [RENDERED], stderr: '' }, 'the Vite SSR build');

  const { default: webpack } = await import('webpack');
  const compiler = webpack({
    mode: 'production', target: 'node', context: app, entry: './render.mjs',
    output: { path: join(app, 'dist-webpack'), filename: 'render.mjs', module: true, chunkFormat: 'module' },
    experiments: { outputModule: true },
  });
  const stats = await new Promise((resolve, reject) => {
    compiler.run((error, result) => compiler.close(() => (error ? reject(error) : resolve(result))));
  });
  const { errors, warnings } = stats.toJson({ all: false, errors: true, warnings: true });
  assert.deepEqual([...errors, ...warnings].map((e) => e.message), [], 'webpack builds without errors or warnings');
  const bundle = await readFile(join(app, 'dist-webpack', 'render.mjs'), 'utf8');
  assert.ok(bundle.includes('no WebSocket in this Node.js'), 'the package is in the bundle');
  const webpackRun = await runChild('dist-webpack/render.mjs', null);
  assert.deepEqual(webpackRun, { code: 0, lines: [RENDERED], stderr: '' }, 'the webpack build');
});
