// The npm package as a web developer gets it (`npm pack` of pkg/, installed from the
// tarball into a fresh app) built by the common bundler setups — Vite's production build
// served from dist/, Vite's dev server (which pre-bundles dependencies with esbuild) and a
// webpack 5 production build — then run in headless Chromium against the roster-server at
// ROSTER_URL: an app per entry ('roster-presence', 'roster-presence/realtime') connects,
// enters presence and must find itself in presence.get(), loading its own wasm file.
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
let app;

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
  await mkdir(join(app, 'src'), { recursive: true });
  await writeFile(join(app, 'package.json'), JSON.stringify({
    name: 'bundler-app', private: true, type: 'module',
    dependencies: { 'roster-presence': `file:../${tarball}` },
  }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, timeout: 60_000 });
  // The app's own Vite (its vite.config.js imports it), as `npm install -D vite` would give.
  await symlink(join(root, 'tests', 'node_modules', 'vite'), join(app, 'node_modules', 'vite'), 'dir');
  // The Vite config the package's README gives, taken from the README as installed.
  const readme = await readFile(join(app, 'node_modules', 'roster-presence', 'README.md'), 'utf8');
  const viteConfig = /```js\n(\/\/ vite\.config\.js\n[^`]*)```/.exec(readme);
  assert.ok(viteConfig, 'the README gives a vite.config.js');
  await writeFile(join(app, 'vite.config.js'), viteConfig[1]);
  for (const { name, entry } of APPS) {
    await writeFile(join(app, 'src', `${name}.js`), appSource(entry));
    await writeFile(join(app, `${name}.html`), html(`<script type="module" src="/src/${name}.js"></script>`));
  }
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
 * channel, with no page error, having fetched its entry's wasm file.
 */
async function checkApps(base, label) {
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
      assert.ok(served.equals(await readFile(join(app, 'node_modules', 'roster-presence', wasm))), `${tab}: ${wasm} was served`);
    } finally {
      await context.close();
    }
  }
}

/** A Vite logger that keeps the warnings and errors a developer would see in `problems`. */
async function viteLogger(problems) {
  const { createLogger } = await import('vite');
  const logger = createLogger('warn');
  logger.warn = logger.warnOnce = logger.error = (message) => problems.push(message);
  return logger;
}

test('Vite: production build with the README config, served from dist/', { skip, timeout: 120_000 }, async () => {
  const { build } = await import('vite');
  const problems = [];
  await build({
    root: app, customLogger: await viteLogger(problems),
    build: { rollupOptions: { input: Object.fromEntries(APPS.map(({ name }) => [name, join(app, `${name}.html`)])) } },
  });
  assert.deepEqual(problems, [], 'vite build warns of nothing');
  const site = await serve(join(app, 'dist'));
  try {
    await checkApps(site.url, 'vite build');
  } finally {
    site.close();
  }
});

// The dev server pre-bundles dependencies with esbuild into node_modules/.vite/deps, away
// from their wasm files, unless the README's config leaves the package out.
test('Vite: dev server with the README config', { skip, timeout: 120_000 }, async () => {
  const { createServer: createViteServer } = await import('vite');
  const problems = [];
  const server = await createViteServer({ root: app, customLogger: await viteLogger(problems), server: { host: '127.0.0.1' } });
  try {
    await server.listen();
    await checkApps(server.resolvedUrls.local[0].replace(/\/$/, ''), 'vite dev');
  } finally {
    await server.close();
  }
  assert.deepEqual(problems, [], 'the dev server warns of nothing');
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
    await checkApps(site.url, 'webpack');
  } finally {
    site.close();
  }
});
