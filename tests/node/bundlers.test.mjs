// The npm package as a web developer gets it (`npm pack` of pkg/, installed from the
// tarball into a fresh app) built by the common bundler setups, then run in headless
// Chromium against the roster-server at ROSTER_URL: an app per entry ('roster-presence',
// 'roster-presence/realtime') connects, enters presence and must find itself in
// presence.get(), loading its own wasm file. The setups:
// - Vite 8 (the current major, Rolldown-based) with no config: its production build, and
//   its dev server, which pre-bundles dependencies into node_modules/.vite/deps; the dev
//   server also with the README's vite.config.js, as an app upgraded from Vite 7 keeps it.
// - Vite 7's dev server with the README's vite.config.js: the one setup that needs it
//   (without, the wasm 404s). Vite 7's build is not run: 7.3.8's passed with no config
//   when this file moved to Vite 8, and it differs from Vite 8's in no config we document.
// - webpack 5's production build, with its defaults.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromiumForTests, openTab } from './chromium.mjs';

const ROSTER_URL = process.env.ROSTER_URL;
const skip = !ROSTER_URL && 'ROSTER_URL is not set (tests/run.sh sets it)';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
/** How long one page may take to load, connect, enter and get. */
const PAGE_WAIT = 20_000;

/** Each app: its page, the package entry it imports, the package's wasm file it must load. */
const APPS = [
  { name: 'full', entry: 'roster-presence', wasm: 'roster_wasm_bg.wasm' },
  { name: 'realtime', entry: 'roster-presence/realtime', wasm: 'roster_realtime_bg.wasm' },
];

const chromium = chromiumForTests(ROSTER_URL);
let work;
/** The app that Vite 8 and webpack build. */
let app;
/** The same app with Vite 7 as its Vite. */
let app7;

// An app's one module: enter presence on a fresh channel of the server named in the page's
// query, read the members back, and leave the outcome on window for the test.
const appSource = (entry) => `import { Realtime } from '${entry}';

const server = new URL(new URLSearchParams(location.search).get('server'));
const client = new Realtime({
  authUrl: server.origin + '/auth/token-request', clientId: 'bundled',
  endpoint: server.hostname, port: Number(server.port), tls: false,
});
const channel = client.channels.get('bundlers-' + Math.random().toString(36).slice(2));
channel.presence.enter({ entry: '${entry}' })
  .then(() => channel.presence.get())
  .then(
    (members) => { window.result = members.map((m) => [m.clientId, m.action, m.data]); },
    (error) => { window.failure = String(error); },
  )
  .finally(() => client.close());
`;

const html = (script) => `<!doctype html><meta charset="utf-8"><title>roster bundler app</title>${script}`;

/**
 * A fresh app at `dir`: the package installed from `tarball`, tests/node_modules/`vite` as
 * its own Vite (its vite.config.js imports it, as `npm install -D vite` would give), the
 * package README's vite.config.js (taken from the README as installed) and a page per entry.
 */
async function makeApp(dir, tarball, vite) {
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({
    name: 'bundler-app', private: true, type: 'module',
    dependencies: { 'roster-presence': `file:../${tarball}` },
  }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeout: 60_000 });
  await symlink(join(root, 'tests', 'node_modules', vite), join(dir, 'node_modules', 'vite'), 'dir');
  const readme = await readFile(join(dir, 'node_modules', 'roster-presence', 'README.md'), 'utf8');
  const viteConfig = /```js\n(\/\/ vite\.config\.js\n[^`]*)```/.exec(readme);
  assert.ok(viteConfig, 'the README gives a vite.config.js');
  await writeFile(join(dir, 'vite.config.js'), viteConfig[1]);
  for (const { name, entry } of APPS) {
    await writeFile(join(dir, 'src', `${name}.js`), appSource(entry));
    await writeFile(join(dir, `${name}.html`), html(`<script type="module" src="/src/${name}.js"></script>`));
  }
}

before(async () => {
  if (skip) return;
  if (!existsSync(join(root, 'pkg', 'index.js'))) {
    await run('bash', [join(root, 'js', 'build.sh')], { timeout: 600_000 });
  }
  work = await mkdtemp(join(tmpdir(), 'roster-bundlers-'));
  // As published: npm pack honours package.json `files`, and the app installs the tarball.
  const { stdout } = await run('npm', ['pack', join(root, 'pkg'), '--pack-destination', work, '--json'], {
    cwd: work, timeout: 60_000,
  });
  const tarball = JSON.parse(stdout)[0].filename;
  app = join(work, 'app');
  app7 = join(work, 'app-vite7');
  await makeApp(app, tarball, 'vite');
  await makeApp(app7, tarball, 'vite7');
}, { timeout: 700_000 });

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** A static file server for `dir` on a free loopback port, as any host of a built site. */
async function serve(dir) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    try {
      const body = await readFile(join(dir, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/**
 * Opens each app's page under `base` and checks it ends with itself present on its
 * channel, with no page error, having fetched its entry's wasm file as installed in `dir`.
 */
async function checkApps(base, label, dir) {
  for (const { name, entry, wasm } of APPS) {
    const errors = [];
    const tab = `${label} ${name}`;
    const { context, page } = await openTab(chromium.get(), `${base}/${name}.html?server=${encodeURIComponent(ROSTER_URL)}`, {
      name: tab, errors, timeout: PAGE_WAIT,
    });
    try {
      const deadline = Date.now() + PAGE_WAIT;
      let outcome;
      while (!outcome && !errors.length && Date.now() < deadline) {
        outcome = await page.evaluate(() => (window.result || window.failure ? { result: window.result, failure: window.failure } : undefined));
        if (!outcome) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(errors, [], `${tab}: no page errors`);
      assert.ok(outcome, `${tab}: the app finished within ${PAGE_WAIT} ms`);
      assert.equal(outcome.failure, undefined, `${tab}: enter and get succeed`);
      assert.deepEqual(outcome.result, [['bundled', 'present', { entry }]], `${tab}: get() returns the member`);
      // Bundlers rename the wasm file (webpack: to its hash), so compare what was served.
      const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name));
      const wasmUrls = fetched.filter((url) => /\.wasm(\?|$)/.test(url));
      assert.equal(wasmUrls.length, 1, `${tab}: one wasm file fetched (${wasmUrls})`);
      const served = Buffer.from(await (await fetch(wasmUrls[0], { signal: AbortSignal.timeout(10_000) })).arrayBuffer());
      assert.ok(served.equals(await readFile(join(dir, 'node_modules', 'roster-presence', wasm))), `${tab}: ${wasm} was served`);
    } finally {
      await context.close();
    }
  }
}

/** A logger from `vite` (a Vite module) that keeps the warnings and errors a developer would see in `problems`. */
function viteLogger(vite, problems) {
  const logger = vite.createLogger('warn');
  logger.warn = logger.warnOnce = logger.error = (message) => problems.push(message);
  return logger;
}

/**
 * Serves `dir` with the dev server of `vite` (a Vite module) on a free loopback port,
 * with `configFile` (false: no config at all), and checks the apps through it. Vite 7
 * reads port 0 as unset: it starts at 5173 and moves up while a port is taken.
 */
async function checkDevServer(vite, dir, configFile, label) {
  const problems = [];
  const server = await vite.createServer({
    root: dir, configFile, customLogger: viteLogger(vite, problems), server: { host: '127.0.0.1', port: 0 },
  });
  try {
    await server.listen();
    await checkApps(server.resolvedUrls.local[0].replace(/\/$/, ''), label, dir);
  } finally {
    await server.close();
  }
  assert.deepEqual(problems, [], `${label}: the dev server warns of nothing`);
}

test('Vite 8: production build with no config, served from dist/', { skip, timeout: 120_000 }, async () => {
  const vite = await import('vite');
  const problems = [];
  // logLevel: Vite 8's build reporter prints its progress unless the level is above info.
  await vite.build({
    root: app, configFile: false, logLevel: 'warn', customLogger: viteLogger(vite, problems),
    build: { rollupOptions: { input: Object.fromEntries(APPS.map(({ name }) => [name, join(app, `${name}.html`)])) } },
  });
  assert.deepEqual(problems, [], 'vite build warns of nothing');
  const site = await serve(join(app, 'dist'));
  try {
    await checkApps(site.url, 'vite 8 build', app);
  } finally {
    site.close();
  }
});

// Vite 8 pre-bundles the package with Rolldown, which points its `new URL(…,
// import.meta.url)` back at the wasm file in node_modules.
test('Vite 8: dev server with no config, and with the README config', { skip, timeout: 120_000 }, async () => {
  const vite = await import('vite');
  await checkDevServer(vite, app, false, 'vite 8 dev');
  await checkDevServer(vite, app, join(app, 'vite.config.js'), 'vite 8 dev, README config');
});

// Vite 7 pre-bundles with esbuild into node_modules/.vite/deps, away from the wasm files,
// unless the README's config leaves the package out.
test('Vite 7: dev server with the README config', { skip, timeout: 120_000 }, async () => {
  await checkDevServer(await import('vite7'), app7, join(app7, 'vite.config.js'), 'vite 7 dev, README config');
});

test('webpack 5: production build', { skip, timeout: 120_000 }, async () => {
  const { default: webpack } = await import('webpack');
  const outDir = join(app, 'dist-webpack');
  // webpack's defaults as they are: no `experiments` (top-level await is on since 5.83) and
  // no rule for .wasm (a `new URL(…, import.meta.url)` file is emitted as an asset).
  const compiler = webpack({
    mode: 'production', context: app,
    entry: Object.fromEntries(APPS.map(({ name }) => [name, `./src/${name}.js`])),
    output: { path: outDir, filename: '[name].js' },
  });
  const stats = await new Promise((resolve, reject) => {
    compiler.run((error, result) => compiler.close(() => (error ? reject(error) : resolve(result))));
  });
  const { errors, warnings } = stats.toJson({ all: false, errors: true, warnings: true });
  assert.deepEqual([...errors, ...warnings].map((e) => e.message), [], 'webpack builds without errors or warnings');
  for (const { name } of APPS) await writeFile(join(outDir, `${name}.html`), html(`<script src="${name}.js"></script>`));
  const site = await serve(outDir);
  try {
    await checkApps(site.url, 'webpack', app);
  } finally {
    site.close();
  }
});
