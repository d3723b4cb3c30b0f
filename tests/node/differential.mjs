// The differential harness: a scenario runs twice in one Chromium page against the same
// roster-server, once with ably-js's classes (its browser build) and once with Roster's
// (the built package at /pkg), with the same options apart from the class. Each run
// records what an app observes (state changes, presence events, get() results, what
// promises resolve or reject with, the properties it reads, uncaught errors and unhandled
// rejections), with connection ids, message ids and timestamps normalized; `differential`
// asserts the two traces are equal.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { BASE, ablyOptions, uniqueChannel, within } from './ably.mjs';
import { chromiumForTests, openTab } from './chromium.mjs';
import { difference, lines } from './trace-lines.mjs';

const ABLY_BUILD = fileURLToPath(new URL('../node_modules/ably/build/ably.js', import.meta.url));
/** The bound on every wait inside a scenario, in ms. */
export const WAIT = 10_000;
const chromium = chromiumForTests(BASE);

// In the page: `window.runScenario(side, source, name, params)` runs the scenario `source`
// with the side's classes and returns its trace. Set up once per page from this function's
// source; `within` is ably.mjs's, `options` the ably-js options for the server.
function installHarness({ options, withinSource, wait }) {
  const within = new Function(`return (${withinSource})`)();
  window.runScenario = async (side, source, name, params) => {
    const { Realtime, Rest, ErrorInfo } = side === 'ably' ? window.Ably : window.roster;
    const trace = { ops: [] };
    const clients = [];
    // Connection ids by the label of the connection they belong to: the client's tag for
    // its first connection, `tag#2` for its second, and so on; the same on both sides.
    const connectionIds = new Map();
    const label = (tag, connectionId) => {
      if (!connectionIds.has(connectionId)) {
        const count = [...connectionIds.values()].filter((l) => l === tag || l.startsWith(`${tag}#`)).length;
        connectionIds.set(connectionId, count ? `${tag}#${count + 1}` : tag);
      }
      return connectionIds.get(connectionId);
    };
    let recording = true;
    const record = (stream, entry) => {
      if (recording) (trace[stream] ??= []).push(entry);
    };
    // What reaches the window uncaught, kept until the clients are closed.
    const uncaught = [];
    const onError = (e) => uncaught.push(['error', e.message]);
    const onRejection = (e) => uncaught.push(['unhandled rejection', e.reason?.code ?? String(e.reason?.message ?? e.reason)]);
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    const who = (connectionId) => {
      if (connectionIds.has(connectionId)) return connectionIds.get(connectionId);
      const live = clients.find(({ client }) => client.connection.id && client.connection.id === connectionId);
      return live ? label(live.tag, connectionId) : `unknown ${typeof connectionId}`;
    };
    const data = (value) => (value === undefined ? '<undefined>' : value);
    // What a presence message tells an app, its ids and timestamp reduced to their form.
    const message = (m) => ({
      action: m.action,
      clientId: m.clientId,
      data: data(m.data),
      connection: who(m.connectionId),
      idIsString: typeof m.id === 'string' && m.id.length > 0,
      idHasConnection: typeof m.id === 'string' && m.id.startsWith(`${m.connectionId}:`),
      timestampIsRecent: typeof m.timestamp === 'number' && Math.abs(Date.now() - m.timestamp) < 60_000,
      encoding: m.encoding ?? null,
    });
    // A get() result as the members an app lists: sorted, without ids.
    const members = (list) => list
      .map((m) => [m.clientId, m.action, who(m.connectionId), data(m.data)])
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    // ably-js gives its refusals the connection's errorReason as the cause: 80017 caused
    // by 80017 once closed, which tells nothing; a cause with the error's own code is dropped.
    const error = (e) => ({
      code: e?.code ?? null,
      statusCode: e?.statusCode ?? null,
      isError: e instanceof Error,
      causeCode: e?.cause && e.cause.code !== e.code ? e.cause.code : null,
    });
    // A state change, normalized where the two differ by design:
    // - no `event`: Roster's carry one (features spec TA5/TH5), ably-js 2.28's objects do
    //   not (an extra field no ably-js app misses); listeners see it as `this.event` in
    //   both, and the watchers record that;
    // - `resumed` only for a change to attached: Roster's are all booleans, as ably.d.ts
    //   declares; ably-js 2.28 sets it on changes to attached only;
    // - no reason for detaching → detached: ably-js makes up 90001 "Channel detached"
    //   for a detach the app asked for; Roster, like the server's DETACHED, gives none;
    // - `retryIn` as whether there is one (its value is a timer's).
    const change = (c) => ({
      previous: c.previous,
      current: c.current,
      reason: c.reason && !(c.previous === 'detaching' && c.current === 'detached') ? error(c.reason) : null,
      resumed: c.current === 'attached' ? c.resumed : null,
      ...(c.retryIn !== undefined ? { retryIn: typeof c.retryIn } : {}),
    });
    // Any value an SDK call resolves with, in a form both sides can be compared in.
    const shape = (value) => {
      if (value === undefined) return '<undefined>';
      if (value === null) return null;
      if (value instanceof Error) return { error: error(value) };
      if (Array.isArray(value)) return { members: members(value) };
      if (typeof value === 'object' && 'current' in value && 'previous' in value) return { change: change(value) };
      return { type: typeof value };
    };
    // What `promise` settled with, within the bound.
    const settle = (promise) => within(Promise.resolve(promise), wait, 'an SDK promise')
      .then((value) => ({ resolved: shape(value) }), (e) => (
        /^timed out/.test(e?.message) ? { timedOut: true } : { rejected: error(e) }));
    // Dev-auth token options: `clientId` a name, '*' (any clientId) or null (anonymous);
    // `capability` restricts the token, `ttl` (ms) shortens it; `extra` more options.
    const authOptions = (clientId, { capability, ttl, ...extra }) => ({
      ...options,
      authUrl: `${location.origin}/auth/token-request`,
      authParams: {
        ...(clientId ? { clientId } : {}),
        ...(capability ? { capability: JSON.stringify(capability) } : {}),
        ...(ttl ? { ttl: String(ttl) } : {}),
      },
      ...(clientId && clientId !== '*' ? { clientId } : {}),
      ...extra,
    });
    const t = {
      name,
      // What node passed for this test (ports and the like).
      params,
      // Calls the node-side function `fn` the test exposed (e.g. to cut sockets).
      node: (fn, ...args) => window[`node_${fn}`](...args),
      // A Realtime client with dev-auth tokens (see authOptions); its connection's state
      // changes go to the stream `${tag} connection`.
      client(tag, clientId, extra = {}) {
        const client = new Realtime(authOptions(clientId, extra));
        clients.push({ tag, client });
        client.connection.on('connected', () => label(tag, client.connection.id));
        client.connection.on(function (c) { record(`${tag} connection`, { event: this.event, ...change(c) }); });
        return client;
      },
      // A Rest client with dev-auth tokens (see authOptions).
      rest: (clientId, extra = {}) => new Rest(authOptions(clientId, extra)),
      // The side's ErrorInfo class, for what an app's authCallback calls back with.
      ErrorInfo,
      // `what` with its outcome, in the ops stream.
      async op(what, promise) {
        const outcome = await settle(promise);
        record('ops', [what, outcome]);
        return outcome;
      },
      // A value an app reads, in the ops stream.
      read(what, value) { record('ops', [what, value]); },
      // An entry in stream `stream`.
      record,
      // Channel state changes into the stream `${tag} channel`.
      watchChannel(tag, channel) { channel.on(function (c) { record(`${tag} channel`, { event: this.event, ...change(c) }); }); },
      // A presence listener recording into the stream `stream`; returns the subscribe promise.
      watchPresence(stream, channel, action) {
        const listener = (m) => record(stream, message(m));
        const subscribed = action === undefined ? channel.presence.subscribe(listener) : channel.presence.subscribe(action, listener);
        return { listener, subscribed };
      },
      // Waits (bounded) until stream `stream` holds `count` entries.
      async until(stream, count) {
        const start = Date.now();
        while ((trace[stream]?.length ?? 0) < count) {
          if (Date.now() - start > wait) throw new Error(`timed out waiting for ${count} entries in ${stream}: ${JSON.stringify(trace[stream])}`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      },
      // What a synchronous call gave back, as a word: 'a Promise', '<undefined>', its
      // type, or 'throws'.
      returned(call) {
        try {
          const value = call();
          return value instanceof Promise ? 'a Promise' : value === undefined ? '<undefined>' : typeof value;
        } catch {
          return 'throws';
        }
      },
      members,
      message,
      shape,
      settle,
      error,
      change,
      within: (promise, what) => within(promise, wait, what),
    };
    let failure = null;
    try {
      await new Function('t', `return (${source})(t)`)(t);
    } catch (e) {
      failure = `${e?.name}: ${e?.message}`;
    }
    recording = false;
    await Promise.all(clients.map(async ({ client }) => {
      if (['closed', 'failed'].includes(client.connection.state)) return;
      const gone = new Promise((resolve) => client.connection.on((c) => ['closed', 'failed'].includes(c.current) && resolve()));
      client.close();
      await within(gone, wait, 'close').catch(() => {});
    }));
    // A rejection nobody handles is reported after the microtasks that could handle it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
    if (uncaught.length) trace.uncaught = uncaught;
    return { trace, failure };
  };
}

/**
 * Runs `scenario` with both sides in one page (ably-js first) and asserts the traces are
 * equal; `normalize(trace, side)` may adjust a trace for a documented difference. Options:
 * `params` (plain data) reach the scenario as `t.params`; each function in `expose` runs in
 * node when the scenario calls `t.node(name, ...args)`; Roster's page errors fail the test
 * unless they match `expectedPageErrors` (a RegExp). Returns the ably-js trace.
 */
export async function differential(scenario, normalize = (trace) => trace, { params = {}, expose = {}, expectedPageErrors } = {}) {
  const errors = [];
  const { context, page } = await openTab(chromium.get(), `${BASE}/health`, { name: 'differential', errors, timeout: WAIT });
  try {
    for (const [fn, body] of Object.entries(expose)) await page.exposeFunction(`node_${fn}`, body);
    await page.addScriptTag({ path: ABLY_BUILD });
    await page.evaluate(async () => { window.roster = await import('/pkg/index.js'); });
    await page.evaluate(installHarness, { options: ablyOptions(), withinSource: within.toString(), wait: WAIT });
    const runs = {};
    for (const side of ['ably', 'roster']) {
      const { trace, failure } = await page.evaluate(
        ([s, source, name, p]) => window.runScenario(s, source, name, p),
        [side, scenario.toString(), uniqueChannel(`diff-${side}`), params],
      );
      assert.equal(failure, null, `the scenario itself failed with ${side}; its trace:\n${lines(trace).join('\n')}`);
      // ably-js's own uncaught errors show in its trace (`uncaught`), to be compared.
      if (side === 'roster') assert.deepEqual(errors.filter((e) => !expectedPageErrors?.test(e)), [], 'page errors with Roster');
      errors.length = 0;
      runs[side] = normalize(trace, side);
    }
    const [ours, theirs] = [lines(runs.roster), lines(runs.ably)];
    // DIFFERENTIAL_TRACE=1 shows what was compared, to check a scenario does what it says.
    if (process.env.DIFFERENTIAL_TRACE) console.log(theirs.join('\n'));
    assert.deepEqual(ours, theirs, `Roster (+) differs from ably-js (-):\n${difference(ours, theirs).join('\n')}`);
    return runs.ably;
  } finally {
    await context.close();
  }
}

/** `trace` without the uncaught entries `expected` accepts (and no `uncaught` if none is left). */
export const withoutUncaught = ({ uncaught = [], ...trace }, expected) => {
  const others = uncaught.filter((entry) => !expected(entry));
  return others.length ? { ...trace, uncaught: others } : trace;
};

/**
 * A connection's recorded changes with every refused retry after the first of an outage
 * left out (connecting and disconnected in turn): how many fit in a wait is the machine's
 * timing. The first refused attempt (the immediate retry after a drop, RTN15a) is kept, and
 * so is the attempt that connects; an outage is the changes between two others.
 */
export const refusedRetriesAsOne = (changes) => {
  const isRetry = (c) => /^(connecting|disconnected)$/.test(c.previous) && /^(connecting|disconnected)$/.test(c.current);
  let refusedOnce = false;
  return changes?.filter((c, i) => {
    if (!isRetry(c)) {
      refusedOnce = false;
      return true;
    }
    if (!refusedOnce) {
      refusedOnce = c.current === 'disconnected';
      return true;
    }
    return c.current === 'connecting' && changes[i + 1]?.current === 'connected';
  });
};

/**
 * Normalizes presence refusals: ably-js refuses presence enter/update/leave on a channel
 * that cannot take them with a PartialErrorInfo, 90001 without statusCode or cause.
 * Roster's refusal carries 400 and the channel's failure as the cause, as ably-js's own
 * get/subscribe/publish refusals do (tests/node/parity.test.mjs); only the code is compared.
 */
export const presenceRefusals = (trace) => ({
  ...trace,
  ops: trace.ops.map(([what, outcome]) => (/^(enter|update|leave)\b/.test(what) && outcome?.rejected?.code === 90001
    ? [what, { rejected: { ...outcome.rejected, statusCode: null, causeCode: null } }]
    : [what, outcome])),
});
