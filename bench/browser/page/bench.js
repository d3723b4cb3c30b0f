// Browser side of the benches, driven by run.mjs through page.evaluate(window.bench.*).
// The same steps run for the Roster package (/pkg/index.js) and for the ably-js browser
// bundle (/ably.js); one client per page so neither shares a heap or main thread.

const longTasks = [];
new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({ type: 'longtask', buffered: true });

// Long tasks that started inside [from, to): count and total main-thread time blocked.
function tasksBetween(from, to) {
  const inside = longTasks.filter((t) => t.startTime >= from && t.startTime < to);
  return { count: inside.length, ms: inside.reduce((n, t) => n + t.duration, 0) };
}

// With run.mjs --join-timeline: when each step of the join happened, ms after attach()
// was called: frames sent and received (from a WebSocket wrapped before the client loads,
// so both clients' frames pass through it; a handler's start and end), and the callbacks
// of timers and MessagePorts (Roster's get() converts its members a slice per task, each
// queued by a MessageChannel message).
let timeline = null;
const note = (what, extra) => timeline?.push({ at: performance.now(), what, ...extra });
// The protocol action of a JSON frame (useBinaryProtocol is false for both clients).
const action = (data) => (typeof data === 'string' ? Number(/^\{"action":(\d+)/.exec(data)?.[1]) : undefined);
function traceFrames() {
  timeline = [];
  window.WebSocket = class extends WebSocket {
    send(data) { note('sent', { action: action(data) }); super.send(data); }
    set onmessage(handler) {
      super.onmessage = handler && ((event) => {
        const start = performance.now();
        handler.call(this, event);
        note('received', { action: action(event.data), start });
      });
    }
    get onmessage() { return super.onmessage; }
  };
  const { setTimeout } = window;
  window.setTimeout = (callback, ...rest) => setTimeout((...args) => {
    const start = performance.now();
    callback(...args);
    note('timer', { start });
  }, ...rest);
  const port = Object.getOwnPropertyDescriptor(MessagePort.prototype, 'onmessage');
  Object.defineProperty(MessagePort.prototype, 'onmessage', {
    ...port,
    set(handler) {
      port.set.call(this, handler && ((event) => {
        const start = performance.now();
        handler.call(this, event);
        note('timer', { start });
      }));
    },
  });
}

let client;
let channel;
let kind;
const seen = { count: 0, expected: 0, done: null };
// Roster's wasm glue and memory, and the wasm figures taken at each phase.
let glue;
let wasmMemory;
const phases = [];

async function load(which) {
  kind = which;
  if (which !== 'roster') return import('/ably.js');
  const api = await import('/pkg/index.js');
  glue = await import('/pkg/roster_wasm.js');
  const exports = await glue.default();
  // js/build.sh shortens export names, so find the memory by its type.
  wasmMemory = Object.values(exports).find((v) => v instanceof WebAssembly.Memory);
  return api;
}

// Roster's wasm linear memory now and, in a build with `alloc-stats` (ROSTER_WASM_FEATURES
// in js/build.sh), the heap's live bytes and its peak since the last phase.
function phase(name) {
  if (kind !== 'roster') return;
  const [live, peak, allocations] = glue.allocStats?.(true) ?? [];
  phases.push({ name, bytes: wasmMemory.buffer.byteLength, live, peak, allocations });
}

window.bench = {
  // Load the client and connect (untimed; run.mjs reads the main-thread counters after).
  async connect(which, options, channelName, withTimeline) {
    if (withTimeline) traceFrames();
    const { Realtime } = await load(which);
    client = new Realtime(options);
    await new Promise((resolve, reject) => {
      client.connection.once('connected', resolve);
      client.connection.once('failed', (change) => reject(new Error(`connection failed: ${change?.reason?.message}`)));
    });
    channel = client.channels.get(channelName);
    await new Promise((r) => setTimeout(r, 100));
    return true;
  },

  // Do nothing for `ms`: run.mjs checks that such a phase reads ~0 main-thread work.
  async idle(ms) {
    await new Promise((r) => setTimeout(r, ms));
    return true;
  },

  // Time attach() → presence.get() resolving (between the marks join-start and join-end,
  // which a trace of the page can find).
  async join() {
    timeline &&= [];
    performance.mark('join-start');
    const t0 = performance.now();
    await channel.attach();
    const members = await channel.presence.get();
    const t1 = performance.now();
    performance.mark('join-end');
    phase('join');
    const steps = timeline?.filter((step) => step.at <= t1)
      .map(({ at, start, ...step }) => ({ ...step, at: at - t0, start: start === undefined ? undefined : start - t0 }));
    // Let any work queued behind the resolution (listeners, GC) show up as long tasks.
    await new Promise((r) => setTimeout(r, 200));
    return { ms: t1 - t0, members: members.length, longTasks: tasksBetween(t0, performance.now()), steps };
  },

  // Count UPDATE events from now on; take the wasm figures every `every` of them.
  async listen(expected, every) {
    seen.count = 0;
    seen.expected = expected;
    seen.start = performance.now();
    seen.finished = new Promise((resolve) => { seen.done = resolve; });
    await channel.presence.subscribe('update', () => {
      seen.count += 1;
      if (seen.count % every === 0) phase(`update ${seen.count}`);
      if (seen.count === seen.expected) seen.done(Date.now());
    });
    return true;
  },

  // Resolve with the wall-clock time the last expected update was seen (or give up).
  async waitUpdates(limitMs) {
    const gaveUp = new Promise((resolve) => setTimeout(() => resolve(null), limitMs));
    const doneAt = await Promise.race([seen.finished, gaveUp]);
    const end = performance.now();
    await new Promise((r) => setTimeout(r, 200));
    return { doneAt, count: seen.count, longTasks: tasksBetween(seen.start, end) };
  },

  // Is the set right: every member present with the last round's data?
  async verify(members, lastData) {
    const list = await channel.presence.get();
    const right = list.length === members && list.every((m) => m.data === lastData);
    return { members: list.length, right };
  },

  // presence.get() on the synced set, as apps call it on every presence event: the
  // median time of 21 calls.
  async getCost() {
    const times = [];
    for (let i = 0; i < 21; i++) {
      const t0 = performance.now();
      await channel.presence.get();
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[10];
  },

  // presence.get() right after a member changed, as an app calling it from its presence
  // listener sees it: this client enters, then updates 21 times; median of the gets.
  async getAfterChange() {
    await channel.presence.enter('x');
    const times = [];
    for (let i = 0; i < 21; i++) {
      const seen = new Promise((resolve) => {
        const listener = () => { channel.presence.unsubscribe('update', listener); resolve(); };
        channel.presence.subscribe('update', listener);
      });
      await channel.presence.update(`u${i}`);
      await seen;
      const t0 = performance.now();
      await channel.presence.get();
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[10];
  },

  // JS heap in use after a full GC (run.mjs exposes gc), plus wasm linear memory for
  // Roster; without the GC the figure is mostly how much garbage is still uncollected.
  async memory() {
    await new Promise((r) => setTimeout(r, 500));
    globalThis.gc?.();
    const js = performance.memory ? performance.memory.usedJSHeapSize : null;
    phase('end');
    return { js, wasm: kind === 'roster' ? wasmMemory.buffer.byteLength : 0, phases };
  },

  // Core throughput through the wasm build: the frames run.mjs serves, best of 5.
  async core() {
    const doc = await (await fetch('/core-frames.json')).json();
    const { default: init, Core } = await import('/wasm-core/roster_bench_core.js');
    await init();
    const runs = [];
    for (let run = 0; run < 5; run++) {
      const core = new Core();
      const t0 = performance.now();
      for (let i = 0; i < doc.syncFrames; i++) core.apply(doc.frames[i]);
      const t1 = performance.now();
      for (let i = doc.syncFrames; i < doc.frames.length; i++) core.apply(doc.frames[i]);
      const t2 = performance.now();
      if (core.members() !== doc.expected) throw new Error(`wasm set has ${core.members()} members, expected ${doc.expected}`);
      runs.push({ sync: t1 - t0, updates: t2 - t1 });
      core.free();
    }
    return {
      members: doc.members, updates: doc.updates,
      syncMs: Math.min(...runs.map((r) => r.sync)), updatesMs: Math.min(...runs.map((r) => r.updates)),
    };
  },
};
window.benchReady = true;
