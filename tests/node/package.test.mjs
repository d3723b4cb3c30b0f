// The built npm package (pkg/, from `bash js/build.sh`) used as an app would: imported
// by name ('roster-presence', 'roster-presence/realtime') in headless Chromium through an
// import map made from the package's `exports`, against a live roster-server (env
// ROSTER_URL, or one started here), next to the real ably-js browser build. Also bundles
// the realtime entry with esbuild as an app would and type-checks usage files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { cp, readFile, mkdtemp, mkdir, symlink, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, extname } from 'node:path';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const files = {
  '/pkg/': join(root, 'pkg'),
  // The package again, from a server that sends its wasm as application/octet-stream
  // (instantiateStreaming refuses that), and from one that has no wasm file at all.
  '/pkg-untyped/': join(root, 'pkg'),
  '/pkg-no-wasm/': join(root, 'pkg'),
  '/ably/': join(root, 'tests', 'node_modules', 'ably', 'build'),
};

let rosterUrl = process.env.ROSTER_URL;
let serverProcess;
let pageServer;
let pageUrl;
let browser;
let importMap;

async function startRosterServer() {
  serverProcess = spawn(join(root, 'target', 'debug', 'roster-server'), ['--bind', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let seen = '';
    serverProcess.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = /roster-server listening on (http:\/\/[0-9.:]+)/.exec(seen);
      if (match) resolve(match[1]);
    });
    serverProcess.on('exit', (code) => reject(new Error(`roster-server exited with ${code}`)));
    setTimeout(() => reject(new Error('roster-server printed no URL in 10 s')), 10_000);
  });
}

before(async () => {
  if (!existsSync(join(root, 'pkg', 'index.js'))) {
    execFileSync('bash', [join(root, 'js', 'build.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  if (!rosterUrl) {
    execFileSync('cargo', ['build', '-q', '-p', 'roster-server'], { cwd: root, stdio: 'inherit' });
    rosterUrl = await startRosterServer();
  }
  // What a CDN or import-map generator makes of the package: each `exports` entry's
  // import target under its public name.
  const { name, exports } = JSON.parse(readFileSync(join(root, 'pkg', 'package.json'), 'utf8'));
  const imports = {};
  for (const [subpath, target] of Object.entries(exports)) {
    if (target.import) imports[name + subpath.slice(1)] = `/pkg/${target.import.slice(2)}`;
  }
  importMap = { imports };
  pageServer = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(`<!doctype html><title>roster package test</title>
        <script type="importmap">${JSON.stringify(importMap)}</script><script src="/ably/ably.js"></script>`);
    }
    const mount = Object.keys(files).find((prefix) => path.startsWith(prefix));
    try {
      if (mount === '/pkg-no-wasm/' && extname(path) === '.wasm') throw new Error('not here');
      const body = await readFile(join(files[mount], path.slice(mount.length)));
      const untyped = mount === '/pkg-untyped/' && extname(path) === '.wasm';
      const type = untyped ? undefined : types[extname(path)];
      res.writeHead(200, { 'content-type': type ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${pageServer.address().port}/`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  pageServer?.close();
  serverProcess?.kill();
});

// Runs `body(url)` in a fresh page with the package entry `entry` imported as `roster`
// and returns its result; page errors and unhandled rejections fail the test.
async function inPage(body, entry = 'roster-presence') {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  try {
    await page.goto(pageUrl);
    await page.evaluate(() => {
      window.unhandled = [];
      window.addEventListener('unhandledrejection', (e) => window.unhandled.push(String(e.reason?.message ?? e.reason)));
    });
    const result = await page.evaluate(
      async ([source, url, entry]) => {
        const roster = await import(entry);
        const u = new URL(url);
        const options = (clientId, extra = {}) => ({
          authUrl: `${url}/auth/token-request`, clientId, endpoint: u.hostname, port: Number(u.port), tls: false,
          transportParams: { remainPresentFor: 1000 }, ...extra,
        });
        const until = async (condition, ms = 5000) => {
          for (let waited = 0; waited < ms && !condition(); waited += 20) await new Promise((r) => setTimeout(r, 20));
          return condition();
        };
        const channelName = (test) => `${test}-${Math.random().toString(36).slice(2)}`;
        return new Function('roster', 'url', 'options', 'until', 'channelName', `return (${source})()`)(
          roster, url, options, until, channelName);
      },
      [body.toString(), rosterUrl, entry],
    );
    const unhandled = await page.evaluate(() => window.unhandled);
    assert.deepEqual(problems, []);
    assert.deepEqual(unhandled, [], 'no unhandled promise rejections');
    return result;
  } finally {
    await page.close();
  }
}

test('connect with authUrl, enter, subscribe to one action, get, leave', async () => {
  const result = await inPage(async () => {
    const name = channelName('pkg');
    const ada = new roster.Realtime(options('ada'));
    const bob = new roster.Realtime(options('bob'));
    const states = [];
    ada.connection.on((change) => states.push(change.current));
    await ada.connection.whenState('connected');
    const enters = [];
    const everything = [];
    await bob.channels.get(name).presence.subscribe('enter', (m) => enters.push(m));
    bob.channels.get(name).presence.subscribe((m) => everything.push(m.action));
    const channel = ada.channels.get(name);
    await channel.presence.enter({ mood: 'hi' });
    await channel.presence.update('busy');
    await until(() => everything.length >= 2);
    const members = await bob.channels.get(name).presence.get();
    await channel.presence.leave();
    await until(() => everything.length >= 3);
    const result = {
      states: [...states], enters: enters.map((m) => [m.action, m.clientId, m.data]), everything,
      members: members.map((m) => [m.clientId, m.action, m.data]),
      channelState: channel.state, syncComplete: bob.channels.get(name).presence.syncComplete,
      connectionId: typeof ada.connection.id, ping: typeof (await ada.connection.ping()),
    };
    ada.close();
    bob.close();
    return result;
  });
  assert.deepEqual(result.states, ['connecting', 'connected']);
  assert.deepEqual(result.enters, [['enter', 'ada', { mood: 'hi' }]], 'only enter reached the enter listener');
  assert.deepEqual(result.everything, ['enter', 'update', 'leave']);
  assert.deepEqual(result.members, [['ada', 'present', 'busy']]);
  assert.equal(result.channelState, 'attached');
  assert.equal(result.syncComplete, true);
  assert.equal(result.connectionId, 'string');
  assert.equal(result.ping, 'number');
});

test('failures are ErrorInfo errors with Ably codes', async () => {
  const result = await inPage(async () => {
    const anonymous = new roster.Realtime(options(undefined));
    // Connected without a clientId: refused at once (before, the server refuses it, 91000).
    await anonymous.connection.whenState('connected');
    const noClientId = await anonymous.channels.get(channelName('anon')).presence.enter().catch((e) => e);
    anonymous.close();
    let overPlainText;
    try {
      new roster.Realtime({ key: 'app.key:secret', tls: false, endpoint: '127.0.0.1' });
    } catch (e) {
      overPlainText = e;
    }
    const describe = (e) => ({ isError: e instanceof Error, name: e.name, code: e.code, statusCode: e.statusCode });
    return { noClientId: describe(noClientId), overPlainText: describe(overPlainText) };
  });
  assert.deepEqual(result.noClientId, { isError: true, name: 'ErrorInfo', code: 40012, statusCode: 400 });
  assert.deepEqual(result.overPlainText, { isError: true, name: 'ErrorInfo', code: 40103, statusCode: 401 });
});

test('Rest auth through the package: signed TokenRequest, authCallback token, 40103 over http', async () => {
  const result = await inPage(async () => {
    const request = await new roster.Rest({ key: 'app.key:secret' }).auth.createTokenRequest({
      clientId: 'bob', capability: { room: ['presence'] },
    });
    const viaCallback = new roster.Rest({ authCallback: (params, callback) => callback(null, `token-for-${params.clientId}`), clientId: 'cid' });
    const details = await viaCallback.auth.requestToken();
    let refused;
    try {
      new roster.Rest({ key: 'app.key:secret', tls: false });
    } catch (e) {
      refused = [e.name, e.code, e.statusCode];
    }
    // Options as a string, as ably-js takes them: a key, or a token without ':'.
    const fromKeyString = await new roster.Rest('app.key:secret').auth.createTokenRequest();
    const tokenString = typeof new roster.Rest('a-token').channels.get;
    return { request, details, refused, fromKeyString, tokenString };
  });
  assert.equal(result.request.keyName, 'app.key');
  assert.equal(result.request.clientId, 'bob');
  assert.equal(result.request.capability, '{"room":["presence"]}');
  assert.match(result.request.mac, /^[A-Za-z0-9+/]{43}=$/, 'an HMAC-SHA256 in base64');
  assert.ok(Math.abs(result.request.timestamp - Date.now()) < 60_000);
  assert.deepEqual(result.details, { token: 'token-for-cid' });
  assert.deepEqual(result.refused, ['ErrorInfo', 40103, 401]);
  assert.equal(result.fromKeyString.keyName, 'app.key');
  assert.equal(result.tokenString, 'function');
});

test('a closed port gives disconnected, then a retry, and no unhandled rejection', async () => {
  const states = await inPage(async () => {
    const client = new roster.Realtime({ token: 'x', endpoint: '127.0.0.1', port: 9, tls: false, disconnectedRetryTimeout: 300 });
    const seen = [];
    client.connection.on((change) => seen.push([change.current, change.reason?.code ?? null, change.retryIn ?? null]));
    await until(() => seen.filter(([s]) => s === 'connecting').length >= 2);
    client.close();
    return seen;
  });
  assert.deepEqual(states.slice(0, 3).map(([s]) => s), ['connecting', 'disconnected', 'connecting']);
  assert.ok(states[1][1] > 0, 'disconnected has a reason code');
  assert.ok(states[1][2] > 0, 'disconnected says when it retries');
});

test('Rest through the package: paginated presence.get and time', async () => {
  const result = await inPage(async () => {
    const name = channelName('rest');
    const clients = ['m1', 'm2', 'm3'].map((id) => new roster.Realtime(options(id)));
    await Promise.all(clients.map((c) => c.channels.get(name).presence.enter()));
    const rest = new roster.Rest(options('reader'));
    const first = await rest.channels.get(name).presence.get({ limit: 2 });
    const second = await first.next();
    const history = await rest.channels.get(name).presence.history({ limit: 10 });
    const time = await rest.time();
    clients.forEach((c) => c.close());
    return {
      pages: [first.items.length, first.hasNext(), second.items.length, second.isLast()],
      ids: [...first.items, ...second.items].map((m) => m.clientId).sort(),
      history: history.items.map((m) => m.action),
      timeIsNow: Math.abs(time - Date.now()) < 60_000,
    };
  });
  assert.deepEqual(result.pages, [2, true, 1, true]);
  assert.deepEqual(result.ids, ['m1', 'm2', 'm3']);
  assert.deepEqual(result.history, ['enter', 'enter', 'enter']);
  assert.equal(result.timeIsNow, true);
});

test('interop: ably-js and Roster in one page see each other enter, update and leave', async () => {
  const result = await inPage(async () => {
    const name = channelName('interop');
    const u = new URL(url);
    const ably = new Ably.Realtime({
      authUrl: `${url}/auth/token-request`, clientId: 'ably-user', endpoint: u.hostname, port: Number(u.port),
      tls: false, useBinaryProtocol: false, fallbackHosts: [],
    });
    const ours = new roster.Realtime(options('roster-user'));
    const seenByAbly = [];
    const seenByRoster = [];
    await ably.channels.get(name).presence.subscribe((m) => seenByAbly.push([m.action, m.clientId, m.data]));
    await ours.channels.get(name).presence.subscribe((m) => seenByRoster.push([m.action, m.clientId, m.data]));
    await ours.channels.get(name).presence.enter('r1');
    await ably.channels.get(name).presence.enter('a1');
    await ours.channels.get(name).presence.update('r2');
    await ably.channels.get(name).presence.update('a2');
    await ours.channels.get(name).presence.leave('r3');
    await ably.channels.get(name).presence.leave('a3');
    await until(() => seenByAbly.length >= 6 && seenByRoster.length >= 6);
    ably.close();
    ours.close();
    return { seenByAbly, seenByRoster };
  });
  const expected = [
    ['enter', 'roster-user', 'r1'], ['enter', 'ably-user', 'a1'], ['update', 'roster-user', 'r2'],
    ['update', 'ably-user', 'a2'], ['leave', 'roster-user', 'r3'], ['leave', 'ably-user', 'a3'],
  ];
  assert.deepEqual(result.seenByAbly, expected);
  assert.deepEqual(result.seenByRoster, expected);
});

test('object, string and binary presence data reach listeners as they were sent, both ways with ably-js', async () => {
  const result = await inPage(async () => {
    const name = channelName('data');
    const u = new URL(url);
    const ably = new Ably.Realtime({
      authUrl: `${url}/auth/token-request`, clientId: 'ably-user', endpoint: u.hostname, port: Number(u.port),
      tls: false, useBinaryProtocol: false, fallbackHosts: [],
    });
    const ours = new roster.Realtime(options('roster-user'));
    // What a listener got: its kind, and the value in a form that survives page.evaluate.
    const shape = (data) => (ArrayBuffer.isView(data) || data instanceof ArrayBuffer
      ? [data.constructor.name, Array.from(new Uint8Array(data.buffer ?? data))]
      : [typeof data, data]);
    const seenByAbly = [];
    const seenByRoster = [];
    await ably.channels.get(name).presence.subscribe((m) => seenByAbly.push([m.clientId, ...shape(m.data)]));
    await ours.channels.get(name).presence.subscribe((m) => seenByRoster.push([m.clientId, ...shape(m.data)]));
    for (const client of [ours, ably]) {
      const presence = client.channels.get(name).presence;
      await presence.enter({ mood: 'hi', tags: ['a', 1, null], nested: { t: 'é "q"' } });
      await presence.update(new Uint8Array([0, 1, 255]));
      await presence.leave('bye');
    }
    await until(() => seenByAbly.length >= 6 && seenByRoster.length >= 6);
    ably.close();
    ours.close();
    return { seenByAbly, seenByRoster };
  });
  // Binary reaches listeners as an ArrayBuffer on both (ably-js in a browser).
  const expected = ['roster-user', 'ably-user'].flatMap((clientId) => [
    [clientId, 'object', { mood: 'hi', tags: ['a', 1, null], nested: { t: 'é "q"' } }],
    [clientId, 'ArrayBuffer', [0, 1, 255]],
    [clientId, 'string', 'bye'],
  ]);
  assert.deepEqual(result.seenByAbly, expected);
  assert.deepEqual(result.seenByRoster, expected);
});

test('roster-presence/realtime: a presence round trip and history, Realtime only', async () => {
  const result = await inPage(async () => {
    const name = channelName('realtime-entry');
    const ada = new roster.Realtime(options('ada'));
    const bob = new roster.default.Realtime(options('bob'));
    const seen = [];
    await bob.channels.get(name).presence.subscribe((m) => seen.push([m.action, m.clientId, m.data]));
    const presence = ada.channels.get(name).presence;
    await presence.enter({ mood: 'hi' });
    await presence.update('busy');
    await until(() => seen.length >= 2);
    const members = await bob.channels.get(name).presence.get();
    await presence.leave('bye');
    await until(() => seen.length >= 3);
    const history = await bob.channels.get(name).presence.history({ direction: 'forwards' });
    let overPlainText;
    try {
      new roster.Realtime({ key: 'app.key:secret', tls: false, endpoint: '127.0.0.1' });
    } catch (e) {
      overPlainText = [e.name, e.code, e.statusCode];
    }
    ada.close();
    bob.close();
    // The wasm glue this entry loads: its module has no Rest class at all.
    const glue = await import('/pkg/roster_realtime.js');
    return {
      exports: Object.keys(roster).sort(), defaultExports: Object.keys(roster.default),
      glueHasRest: 'Rest' in glue, seen, members: members.map((m) => [m.clientId, m.action, m.data]),
      history: history.items.map((m) => [m.action, m.clientId]), overPlainText,
    };
  }, 'roster-presence/realtime');
  assert.deepEqual(result.exports, ['ErrorInfo', 'Realtime', 'default']);
  assert.deepEqual(result.defaultExports, ['Realtime', 'ErrorInfo']);
  assert.equal(result.glueHasRest, false);
  assert.deepEqual(result.seen, [['enter', 'ada', { mood: 'hi' }], ['update', 'ada', 'busy'], ['leave', 'ada', 'bye']]);
  assert.deepEqual(result.members, [['ada', 'present', 'busy']]);
  assert.deepEqual(result.history, [['enter', 'ada'], ['update', 'ada'], ['leave', 'ada']]);
  assert.deepEqual(result.overPlainText, ['ErrorInfo', 40103, 401], 'a key is refused over plain HTTP here too (RSC18)');
});

test('exports name files that exist; an app bundled from roster-presence/realtime has no Rest code', async () => {
  const pkg = JSON.parse(readFileSync(join(root, 'pkg', 'package.json'), 'utf8'));
  // Each file a condition names, conditions nested in conditions (`node`: `require` or not).
  const targets = (t) => (typeof t === 'string' ? [t] : Object.values(t).flatMap(targets));
  for (const target of targets(pkg.exports)) {
    assert.ok(existsSync(join(root, 'pkg', target)), `${target} is in pkg/`);
    assert.ok(pkg.files.includes(target.slice(2)), `${target} is in package.json files`);
  }
  // As installed: node_modules/roster-presence, resolved by esbuild through `exports`.
  const app = await mkdtemp(join(tmpdir(), 'roster-app-'));
  try {
    await mkdir(join(app, 'node_modules'));
    await symlink(join(root, 'pkg'), join(app, 'node_modules', 'roster-presence'), 'dir');
    const esbuild = join(root, 'tests', 'node_modules', '.bin', 'esbuild');
    const bundle = (entry, client = 'Realtime') => execFileSync(esbuild, ['--bundle', '--format=esm', '--log-level=error'], {
      cwd: app, encoding: 'utf8',
      input: `import { ${client} } from '${entry}'; new ${client}({ authUrl: '/auth' });`,
    });
    const realtimeOnly = bundle('roster-presence/realtime');
    const restOnly = ['batchPresence', 'createTokenRequest', 'requestToken', 'class Rest'];
    for (const name of restOnly) {
      assert.ok(!realtimeOnly.includes(name), `no ${name} in the realtime entry's bundle`);
    }
    // The full entry's Rest glue too is left out of an app that uses Realtime only.
    const fullRealtime = bundle('roster-presence');
    for (const name of restOnly) {
      assert.ok(!fullRealtime.includes(name), `no ${name} in the full entry's bundle of a Realtime app`);
    }
    const full = bundle('roster-presence', 'Rest');
    for (const name of restOnly) assert.ok(full.includes(name), `${name} in a Rest app's bundle (so the checks above can fail)`);
    assert.match(realtimeOnly, /roster_realtime_bg\.wasm/);
    assert.doesNotMatch(realtimeOnly, /roster_wasm_bg\.wasm/);
  } finally {
    await rm(app, { recursive: true, force: true });
  }
});

test('the wasm loads from a server that does not send it as application/wasm', async () => {
  const result = await inPage(async () => {
    const ada = new roster.Realtime(options('ada'));
    const channel = ada.channels.get(channelName('untyped'));
    await channel.presence.enter('here');
    const members = await channel.presence.get();
    ada.close();
    return members.map((m) => [m.clientId, m.data]);
  }, '/pkg-untyped/realtime.js');
  assert.deepEqual(result, [['ada', 'here']]);
});

test('a wasm file that cannot be fetched fails the import with its URL and status', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(pageUrl);
    const failure = await page.evaluate(() => import('/pkg-no-wasm/realtime.js').then(
      () => 'imported', (e) => e.message));
    assert.match(failure, /failed to fetch http:\/\/127\.0\.0\.1:\d+\/pkg-no-wasm\/roster_realtime_bg\.wasm: 404/);
  } finally {
    await page.close();
  }
});

test('the TypeScript types compile for a typical app (tsc --noEmit)', () => {
  const tsc = join(root, 'tests', 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['--noEmit', '-p', join(root, 'tests', 'types', 'tsconfig.json')], { stdio: 'inherit' });
});

// TypeScript's Node resolutions (node16, nodenext) through the package's `exports`, from a
// CommonJS module (require: index.d.cts) and an ES module (import: index.d.ts), as
// installed (node_modules/roster-presence), with the declarations checked too.
test('the TypeScript types compile for CommonJS and ESM under module node16 and nodenext', async () => {
  const tsc = join(root, 'tests', 'node_modules', '.bin', 'tsc');
  const app = await mkdtemp(join(tmpdir(), 'roster-ts-'));
  try {
    await mkdir(join(app, 'node_modules'));
    await symlink(join(root, 'pkg'), join(app, 'node_modules', 'roster-presence'), 'dir');
    const files = ['usage.cts', 'usage.mts'];
    for (const name of files) await cp(join(root, 'tests', 'types', 'node16', name), join(app, name));
    for (const module of ['node16', 'nodenext']) {
      execFileSync(tsc, ['--noEmit', '--strict', '--module', module, '--lib', 'es2022,dom', ...files], {
        cwd: app, stdio: 'inherit',
      });
    }
  } finally {
    await rm(app, { recursive: true, force: true });
  }
});
