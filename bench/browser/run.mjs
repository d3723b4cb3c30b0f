// Headless Chromium benches: client convergence (Roster vs ably-js on the same
// roster-server) and core throughput through the wasm build (vs the native figure of the
// same run). Prints result rows (JSON lines) on stdout, progress on stderr.
// Usage: node run.mjs --server BIN --pkg DIR --out DIR [--results FILE] [--rounds N] [--clients roster,ably]
//        [--profile idle|join|updates] [--join-timeline] [--members N (10,000)]
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join, dirname, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const serverBin = arg('--server');
const pkgDir = arg('--pkg');
const outDir = arg('--out');
const resultsFile = arg('--results') ?? join(outDir, 'results.jsonl');
const loaderBin = join(dirname(serverBin), 'loader');
const MEMBERS = Number(arg('--members') ?? 10_000);
const UPDATES = 100_000;
const BURST = 1_000;
const log = (...a) => console.error('browser:', ...a);
const row = (r) => console.log(JSON.stringify(r));

// Lines of a child's stdout, awaited one at a time.
function lineReader(stream) {
  const queue = [];
  const waiting = [];
  createInterface({ input: stream }).on('line', (l) => (waiting.length ? waiting.shift()(l) : queue.push(l)));
  return (ms, what) => new Promise((resolve, reject) => {
    if (queue.length) return resolve(queue.shift());
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    waiting.push((l) => { clearTimeout(timer); resolve(l); });
  });
}

async function startServer() {
  if (!existsSync(serverBin)) throw new Error(`no server binary at ${serverBin}`);
  // The loader sends 100,000 updates in bursts of 1,000 on one connection, past the
  // default inbound rate of 250 a second.
  const flags = ['--max-inbound-rate', '1000000'];
  log(`roster-server ${flags.join(' ')}: the loader sends past the default inbound rate of 250`);
  const child = spawn(serverBin, ['--bind', '127.0.0.1:0', ...flags], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RUST_LOG: 'warn' } });
  child.on('error', (e) => log(`roster-server: ${e.message}`));
  const next = lineReader(child.stdout);
  let port; let key;
  while (!port || !key) {
    const line = await next(20_000, 'roster-server start');
    port ??= /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line)?.[1];
    key ??= /dev key: (\S+)/.exec(line)?.[1];
  }
  return { child, port: Number(port), key };
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
function startStatic(mounts) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const [prefix, dir] = mounts.find(([p]) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`)) ?? [];
    const rel = prefix === undefined ? null : normalize(path.slice(prefix.length)).replace(/^(\.\.(\/|$))+/, '');
    let file = rel === null ? null : join(dir, rel);
    if (file && existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file || !existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// A page's own main-thread work in a phase, from the DevTools Protocol Performance
// counters read before and after it: TaskDuration (every task the renderer's main thread
// ran) and ScriptDuration (the JS and wasm run inside those tasks). Idle time between
// tasks, and the server's and loader's pace, do not count. The rows use thread ticks, the
// main thread's CPU time, because on shared cores wall time also counts the time the thread
// waited for a core (a 200 ms busy loop read 201 ms of wall time and 148 ms of CPU time at
// load 3 on 2 cores); the wall-time TaskDuration goes to the log. ScriptDuration leaves out
// promise continuations (microtasks): a 100 ms busy loop in a message handler read 55 ms of
// it, the same loop in a .then() from that handler 0 ms, while TaskDuration counted both.
// So the task time is the client's whole main-thread work, the figure in the table; the
// script time, only the JS + wasm run directly from event handlers and timers, goes to the
// log alone: ably-js does about half its work in promise continuations (a CPU profile of
// the updates found the same JS + wasm time for both clients, where ScriptDuration put
// ably-js at half of Roster), so as a row it would compare unlike things. With `--profile PHASE` the phase
// also runs under the CPU profiler: its top functions are logged and the profile written to
// the --out directory (the profiler's own cost then inflates that run's figures).
const IDLE_MS = 300;
const PROFILE = arg('--profile');
let profiles = 0;
async function workMeter(page, which) {
  const session = async (timeDomain) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain });
    return cdp;
  };
  const cpu = await session('threadTicks');
  const wall = await session('timeTicks');
  const read = async (cdp) => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
  };
  return async (name, run) => {
    if (name === PROFILE) await startProfile(cpu);
    const [before, wallBefore] = [await read(cpu), await read(wall)];
    const result = await run();
    const [after, wallAfter] = [await read(cpu), await read(wall)];
    if (name === PROFILE) {
      const { profile } = await cpu.send('Profiler.stop');
      logProfile(`${which} ${name}`, profile);
      const file = join(outDir, `${which}-${name}-${++profiles}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      log(`  whole profile (DevTools can open it): ${file}`);
    }
    const ms = (a, b, key) => (b[key] - a[key]) * 1000;
    return {
      result, taskMs: ms(before, after, 'TaskDuration'), scriptMs: ms(before, after, 'ScriptDuration'),
      wallTaskMs: ms(wallBefore, wallAfter, 'TaskDuration'),
    };
  };
}

// `--join-timeline`: only the join, each client ROUNDS times, logging when each of its steps
// happened (medians; the page notes frames and timer callbacks) and what the renderer's
// main thread did meanwhile, from a trace: time in tasks (wall), the CPU time of those
// tasks (the rest of it the thread waited, for a core or otherwise), and time outside
// tasks. Writes no rows.
const JOIN_TIMELINE = process.argv.includes('--join-timeline');

// The main thread's tasks between the page's join-start and join-end marks, from a trace.
function mainThreadIn(trace) {
  const events = trace.traceEvents ?? trace;
  const start = events.find((e) => e.name === 'join-start');
  const end = events.find((e) => e.name === 'join-end');
  let wall = 0;
  let cpu = 0;
  for (const e of events) {
    if (e.pid !== start.pid || e.tid !== start.tid || e.ph !== 'X' || e.name !== 'ThreadControllerImpl::RunTask') continue;
    const inside = Math.min(e.ts + e.dur, end.ts) - Math.max(e.ts, start.ts);
    if (inside <= 0) continue;
    wall += inside;
    cpu += (e.tdur ?? 0) * (inside / e.dur);
  }
  const span = end.ts - start.ts;
  return { tasks: wall / 1000, cpu: cpu / 1000, outside: (span - wall) / 1000 };
}

// The join's steps for one client, as medians over its runs, on stderr.
function logTimeline(which, runs) {
  const SYNC = 16;
  const at = (run, pick) => pick(run.joined.steps)?.at;
  const of = (pick) => median(runs.map(pick).filter((v) => v !== undefined))?.toFixed(1) ?? '-';
  const syncs = (steps) => steps.filter((s) => s.what === 'received' && s.action === SYNC);
  const busy = (steps) => steps.reduce((ms, s) => ms + (s.at - s.start), 0);
  log(`${which} join timeline, ms after attach() (median of ${runs.length}): ATTACH sent ${of((r) => at(r, (s) => s.find((x) => x.what === 'sent' && x.action === 10)))}`
    + `, ATTACHED received ${of((r) => at(r, (s) => s.find((x) => x.what === 'received' && x.action === 11)))}`
    + `, first SYNC received ${of((r) => syncs(r.joined.steps)[0]?.start)}, last SYNC received ${of((r) => syncs(r.joined.steps).at(-1)?.start)}`
    + ` (handled by ${of((r) => syncs(r.joined.steps).at(-1)?.at)}), get() resolved ${of((r) => r.joined.ms)}`
    + ` (${of((r) => r.joined.ms - syncs(r.joined.steps).at(-1)?.start)} after the last SYNC came in)`);
  // Between the last SYNC's handler and get() resolving: the time no callback ran (for
  // Roster, the waits between its conversion slices).
  const waits = (run) => {
    const last = syncs(run.joined.steps).at(-1);
    const after = run.joined.steps.filter((s) => s.what === 'timer' && s.start >= last.at);
    return run.joined.ms - last.at - busy(after);
  };
  log(`  SYNC handlers ${of((r) => busy(syncs(r.joined.steps)))} ms in all, timer and port callbacks ${of((r) => busy(r.joined.steps.filter((s) => s.what === 'timer')))} ms`
    + ` (${of((r) => r.joined.steps.filter((s) => s.what === 'timer').length)} of them), no callback running between the last SYNC's handler and get() ${of(waits)} ms;`
    + ` main thread: in tasks ${of((r) => r.joined.mainThread.tasks)} ms, their CPU time ${of((r) => r.joined.mainThread.cpu)} ms, outside tasks ${of((r) => r.joined.mainThread.outside)} ms`);
}

async function startProfile(cdp) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
}

// A CPU profile's samples summed by function (self time): the split between JS + wasm, the
// browser's own work ("(program)") and GC, then by script file (builtins such as
// TextDecoder's decode have none), then the top 20 functions, on stderr.
const NOT_SCRIPT = ['(idle)', '(program)', '(garbage collector)', '(root)'];
function logProfile(label, profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const files = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const { functionName, url, lineNumber, columnNumber } = byId.get(id).callFrame;
    const file = url.replace(/^https?:\/\/[^/]+/, '');
    const key = `${functionName || '(anonymous)'}${file && ` ${file}:${lineNumber + 1}:${columnNumber + 1}`}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    if (!NOT_SCRIPT.includes(functionName)) files.set(file || '(no file)', (files.get(file || '(no file)') ?? 0) + dt);
    total += dt;
  });
  const of = (key) => (self.get(key) ?? 0) / 1000;
  const script = total / 1000 - NOT_SCRIPT.reduce((n, key) => n + of(key), 0);
  log(`${label} CPU profile (wall-clock samples): ${(total / 1000).toFixed(0)} ms sampled, not idle ${(total / 1000 - of('(idle)')).toFixed(0)} ms:`
    + ` JS + wasm ${script.toFixed(0)} ms, (program) ${of('(program)').toFixed(0)} ms, GC ${of('(garbage collector)').toFixed(0)} ms`);
  log(`  JS + wasm by file: ${[...files].sort((a, b) => b[1] - a[1]).map(([f, us]) => `${f} ${(us / 1000).toFixed(0)} ms`).join(', ')}`);
  log('  top self time:');
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    log(`  ${(us / 1000).toFixed(1).padStart(8)} ms ${(100 * us / total).toFixed(1).padStart(5)}%  ${key}`);
  }
}

async function convergence(browser, base, server, which) {
  const channel = `conv-${which}-${Date.now()}`;
  const loader = spawn(loaderBin, ['--port', String(server.port), '--key', server.key, '--channel', channel, '--members', String(MEMBERS)],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  loader.on('error', (e) => log(`loader: ${e.message}`));
  const next = lineReader(loader.stdout);
  try {
    await next(120_000, 'loader ready');
    const page = await browser.newPage();
    page.on('pageerror', (e) => log(`${which} page error: ${e.message}`));
    await page.goto(`${base}/`);
    await page.waitForFunction(() => window.benchReady === true);
    const api = `http://127.0.0.1:${server.port}`;
    const options = {
      authUrl: `${api}/auth/token-request`, authParams: { clientId: `bench-${which}` }, clientId: `bench-${which}`,
      endpoint: '127.0.0.1', port: server.port, tls: false, useBinaryProtocol: false,
      ...(which === 'ably' ? { transports: ['web_socket'], fallbackHosts: [], disableConnectivityCheck: true, logLevel: 0 } : {}),
    };
    await page.evaluate((args) => window.bench.connect(...args), [which, options, channel, JOIN_TIMELINE]);
    const meter = await workMeter(page, which);
    const idle = await meter('idle', () => page.evaluate((ms) => window.bench.idle(ms), IDLE_MS));
    log(`${which} idle ${IDLE_MS} ms: main thread CPU ${idle.taskMs.toFixed(1)} ms in tasks, ${idle.scriptMs.toFixed(1)} ms in script, wall ${idle.wallTaskMs.toFixed(1)} ms in tasks (should be ~0)`);
    if (JOIN_TIMELINE) await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing', 'disabled-by-default-devtools.timeline'] });
    const join = await meter('join', () => page.evaluate(() => window.bench.join()));
    const joined = join.result;
    if (JOIN_TIMELINE) joined.mainThread = mainThreadIn(JSON.parse(await browser.stopTracing()));
    log(`${which} join: ${joined.ms.toFixed(1)} ms, ${joined.members} members, long tasks ${joined.longTasks.count} (${joined.longTasks.ms.toFixed(0)} ms), main thread CPU ${join.taskMs.toFixed(0)} ms in tasks, ${join.scriptMs.toFixed(0)} ms in script, wall ${join.wallTaskMs.toFixed(0)} ms in tasks`);
    if (JOIN_TIMELINE) {
      await page.close();
      return { joined };
    }
    await page.evaluate(([n, every]) => window.bench.listen(n, every), [UPDATES, BURST]);
    let t0;
    const updates = await meter('updates', () => {
      t0 = Date.now();
      loader.stdin.write(`updates ${UPDATES} ${BURST}\n`);
      return page.evaluate((ms) => window.bench.waitUpdates(ms), 150_000);
    });
    const waited = updates.result;
    await next(60_000, 'loader sent');
    const rounds = Math.ceil(UPDATES / MEMBERS);
    const verified = await page.evaluate(([n, d]) => window.bench.verify(n, d), [MEMBERS, `r${rounds}`]);
    const getMs = await page.evaluate(() => window.bench.getCost());
    const getChangedMs = await page.evaluate(() => window.bench.getAfterChange());
    log(`${which} presence.get(): ${getMs.toFixed(2)} ms, after a change ${getChangedMs.toFixed(2)} ms`);
    const memory = await page.evaluate(() => window.bench.memory());
    const updatesMs = waited.doneAt ? waited.doneAt - t0 : null;
    log(`${which} updates: ${updatesMs} ms, saw ${waited.count}, set right ${verified.right} (${verified.members}), long tasks ${waited.longTasks.count} (${waited.longTasks.ms.toFixed(0)} ms), main thread CPU ${updates.taskMs.toFixed(0)} ms in tasks, ${updates.scriptMs.toFixed(0)} ms in script, wall ${updates.wallTaskMs.toFixed(0)} ms in tasks, JS heap ${memory.js} B, wasm ${memory.wasm} B`);
    await page.close();
    return { joined, join, waited, updates, updatesMs, verified, getMs, getChangedMs, memory };
  } finally {
    loader.stdin.end();
    loader.kill();
  }
}

// Convergence figures swing by a third between runs on a shared machine, so each client
// runs ROUNDS times, interleaved (ably-js first on odd rounds), and the rows give medians.
// `--rounds N` and `--clients roster` (or `ably`) make quicker runs while working on one.
const ROUNDS = Number(arg('--rounds') ?? 3);
const CLIENTS = (arg('--clients') ?? 'roster,ably').split(',');
const median = (values) => {
  const v = values.filter((x) => x !== null).sort((a, b) => a - b);
  return v.length ? v[(v.length - 1) >> 1] : null;
};

async function browserRows(browser, base, server) {
  const runs = { roster: [], ably: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const which of (round % 2 ? ['ably', 'roster'] : ['roster', 'ably']).filter((c) => CLIENTS.includes(c))) {
      try {
        runs[which].push(await convergence(browser, base, server, which));
      } catch (e) {
        log(`${which} convergence failed (round ${round + 1}): ${e.message}`);
      }
    }
  }
  if (JOIN_TIMELINE) {
    for (const which of CLIENTS.filter((c) => runs[c].length)) logTimeline(which, runs[which]);
    return;
  }
  const section = 'Browser convergence';
  if (!runs.roster.length && !runs.ably.length) {
    row({ section, skipped: 'both clients failed; see the log above the table' });
    return;
  }
  const flag = (list) => {
    const bad = [];
    if (list.length < ROUNDS) bad.push(`${ROUNDS - list.length} of ${ROUNDS} runs failed`);
    for (const r of list) {
      if (r.joined.members !== MEMBERS) bad.push(`get() gave ${r.joined.members}`);
      if (r.waited.count < UPDATES) bad.push(`saw ${r.waited.count} updates`);
      if (!r.verified.right) bad.push(`final set wrong (${r.verified.members} members)`);
    }
    return bad.length ? ` [${bad.join(', ')}]` : '';
  };
  const note = `${flag(runs.roster) && ` Roster${flag(runs.roster)}`}${flag(runs.ably) && ` ably-js${flag(runs.ably)}`}`;
  const figures = [
    [`join ${MEMBERS} members: attach() → presence.get()`, 'ms', (r) => r.joined.ms],
    ['join: long tasks', 'count', (r) => r.joined.longTasks.count],
    ['join: long-task time', 'ms', (r) => r.joined.longTasks.ms],
    ['join: main-thread CPU time in tasks, attach() → get() and 200 ms after (CDP TaskDuration, thread ticks)', 'ms', (r) => r.join.taskMs],
    [`${UPDATES} updates in bursts of ${BURST}: until the listener saw all`, 'ms', (r) => r.updatesMs],
    ['updates: long tasks', 'count', (r) => r.waited.longTasks.count],
    ['updates: long-task time', 'ms', (r) => r.waited.longTasks.ms],
    ['updates: main-thread CPU time in tasks, first burst → last update seen and 200 ms after (CDP TaskDuration, thread ticks)', 'ms', (r) => r.updates.taskMs],
    [`presence.get() of the ${MEMBERS} synced members (median of 21 calls)`, 'ms', (r) => r.getMs],
    [`presence.get() of the ${MEMBERS} members right after one changed (median of 21 calls)`, 'ms', (r) => r.getChangedMs],
    ['JS heap after a full GC (performance.memory)', 'MiB', (r) => (r.memory.js === null ? null : r.memory.js / 2 ** 20)],
    ['memory after (JS heap + wasm linear memory)', 'MiB', (r) => (r.memory.js === null ? null : (r.memory.js + r.memory.wasm) / 2 ** 20)],
  ];
  for (const [figure, unit, get] of figures) {
    row({ section, figure: `${figure} (median of ${ROUNDS})${note}`, unit, roster: median(runs.roster.map(get)),
      anchor_name: 'ably-js 2.28.0', anchor: median(runs.ably.map(get)), better: 'lower' });
  }
  for (const r of runs.roster) {
    log(`roster memory: JS heap ${r.memory.js} B, wasm ${r.memory.wasm} B`);
    logPhases(r.memory.phases);
  }
}

// Roster's wasm memory at each phase (join, each burst, end): linear memory and, with an
// `alloc-stats` build, the heap's live bytes and the peak since the phase before.
function logPhases(phases) {
  const kib = (b) => (b === undefined ? '-' : `${(b / 1024).toFixed(0)}K`);
  const show = (p) => `${p.name}: memory ${kib(p.bytes)}, live ${kib(p.live)}, peak ${kib(p.peak)}, ${p.allocations ?? '-'} allocations`;
  const bursts = phases.filter((p) => p.name.startsWith('update'));
  const counted = bursts.filter((p) => p.peak !== undefined);
  const peakest = counted.reduce((a, p) => (a && a.peak >= p.peak ? a : p), null);
  for (const p of phases.filter((p, i) => !p.name.startsWith('update') || i < 3 || p === peakest || p === bursts.at(-1))) {
    log(`  ${show(p)}${p === peakest ? ' (highest burst peak)' : ''}`);
  }
}

async function coreRows(browser, base) {
  if (!existsSync(join(outDir, 'wasm-core', 'roster_bench_core.js'))) {
    row({ section: 'Core throughput (wasm)', skipped: 'bench/wasm-core was not built' });
    return;
  }
  const native = {};
  for (const line of readFileSync(resultsFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line);
    if (r.figure?.includes('SYNC decode+apply (native')) native.sync = r.roster;
    if (r.figure?.includes('updates decode+apply (native')) native.rate = r.roster;
  }
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.waitForFunction(() => window.benchReady === true);
  const core = await page.evaluate(() => window.bench.core());
  await page.close();
  const rate = core.updates / (core.updatesMs / 1000);
  log(`core wasm: SYNC ${core.syncMs.toFixed(2)} ms, updates ${core.updatesMs.toFixed(1)} ms = ${rate.toFixed(0)} msg/s`);
  const section = 'Core throughput';
  row({ section, figure: `${core.members}-member SYNC decode+apply (wasm in Chromium, best of 5)`, unit: 'ms', roster: core.syncMs,
    anchor_name: 'native, same frames', anchor: native.sync ?? null, better: 'lower' });
  row({ section, figure: `${core.updates} updates decode+apply (wasm in Chromium, best of 5)`, unit: 'msg/s', roster: rate,
    anchor_name: 'native, same frames', anchor: native.rate ?? null, better: 'higher' });
}

const ablyBundle = join(outDir, 'browser', 'ably.js');
await build({ stdin: { contents: "export { Realtime } from 'ably';", resolveDir: here }, bundle: true, minify: true, format: 'esm',
  platform: 'browser', target: 'es2022', outfile: ablyBundle, logLevel: 'warning' });
const statics = await startStatic([
  ['/pkg', pkgDir], ['/wasm-core', join(outDir, 'wasm-core')], ['/ably.js', ablyBundle],
  ['/core-frames.json', join(outDir, 'core-frames.json')], ['/', join(here, 'page')],
]);
const base = `http://127.0.0.1:${statics.address().port}`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--enable-precise-memory-info', '--js-flags=--expose-gc'],
  timeout: 30_000,
});
try {
  if (!JOIN_TIMELINE) await coreRows(browser, base).catch((e) => { log(`core wasm failed: ${e.message}`); row({ section: 'Core throughput (wasm)', skipped: e.message.split('\n')[0] }); });
  let server;
  try {
    server = await startServer();
    log(`roster-server on port ${server.port}`);
    await browserRows(browser, base, server);
  } catch (e) {
    log(`convergence failed: ${e.message}`);
    row({ section: 'Browser convergence', skipped: e.message.split('\n')[0] });
  } finally {
    server?.child.kill();
  }
} finally {
  await browser.close();
  statics.close();
}
