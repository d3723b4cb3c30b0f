// Differential parity with ably-js, seventh round (the harness: differential.mjs): presence
// end to end as apps read it: every field of every member wherever it is read, re-entry and
// re-sync after a reconnect the server cannot resume, get({ waitForSync: false }) during a
// sync, REST paging and refusals, recovery keys that do not recover, calls before
// connecting and in one go, channel names with reserved characters, and text cut inside
// an emoji.
import { after, before, test } from 'node:test';
import { BASE, skip } from './ably.mjs';
import { differential, presenceRefusals, refusedRetriesAsOne } from './differential.mjs';
import { startProxy } from './proxy.mjs';

const opts = { skip, timeout: 120_000 };
let proxy;

before(async () => {
  if (!BASE) return;
  proxy = await startProxy(Number(new URL(BASE).port));
});

after(async () => {
  await proxy?.close();
});

/** `entries` in a fixed order, for streams whose order depends on timing. */
const sorted = (entries) => entries?.slice().sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

// What the scenarios may do to the proxy from the page.
const proxyControls = () => ({
  cut: () => proxy.cut(),
  refuse: (on) => proxy.refuse(on),
  spoilResumes: (on) => proxy.spoilResumes(on),
});

// A scenario whose clients may connect through the proxy (`t.params.proxyPort`); the proxy
// takes connections and resumes again afterwards, whether it passed or not.
const throughProxy = (scenario, normalize) =>
  differential(scenario, normalize, { params: { proxyPort: proxy?.port }, expose: proxyControls() })
    .finally(() => { proxy?.refuse(false); proxy?.spoilResumes(false); });

// A member as an app reads it: every field that has a value, with ids reduced to form and
// data with its type. Source text, made a function in the page.
const fieldsOf = `(t, m) => {
  const describe = (value) => {
    if (value instanceof ArrayBuffer) return { ArrayBuffer: [...new Uint8Array(value)] };
    if (ArrayBuffer.isView(value)) return { [value.constructor.name]: [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)] };
    return { [value === null ? 'null' : typeof value]: value === undefined ? '<undefined>' : value };
  };
  return { ...t.message(m), data: describe(m.data), fields: Object.keys(m).filter((k) => m[k] !== undefined && m[k] !== null && typeof m[k] !== 'function').sort() };
}`;

test('members read from get(), a late joiner\'s get(), history and REST: every field, every data type', opts, async () => {
  await differential(async (t) => {
    const fields = new Function(`return ${t.params.fieldsOf}`)();
    const agent = t.client('agent', '*');
    const presence = agent.channels.get(t.name).presence;
    const values = [
      ['s', 'text'], ['empty', ''], ['obj', { a: 1, b: [true, null] }], ['arr', [1, 'two']],
      ['bin', new Uint8Array([0, 1, 255])], ['buf', new Uint8Array([7, 8]).buffer], ['none', undefined], ['nul', null],
    ];
    for (const [clientId, value] of values) await t.op(`enterClient ${clientId}`, presence.enterClient(clientId, value));
    const list = async (what, promise) => {
      const result = await t.within(promise, what).catch((e) => ({ error: t.error(e) }));
      const items = Array.isArray(result) ? result : result?.items;
      t.read(what, items ? items.map((m) => fields(t, m)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : result);
      return result;
    };
    await list('agent get', presence.get());
    const late = t.client('late', 'late');
    await list('late get', late.channels.get(t.name).presence.get());
    await list('realtime history', presence.history({ direction: 'forwards' }));
    const rest = t.rest('reader');
    await list('rest get', rest.channels.get(t.name).presence.get());
    await list('rest history', rest.channels.get(t.name).presence.history({ direction: 'forwards' }));
    for (const [clientId, value] of values) await t.op(`leaveClient ${clientId}`, presence.leaveClient(clientId, value));
    await list('realtime history after leaves', presence.history({ direction: 'backwards', limit: 8 }));
  }, undefined, { params: { fieldsOf } });
});

test('a reconnect the server cannot resume: enterClient members re-entered with their data, others\' changes meanwhile heard (RTP17, RTP19)', opts, async () => {
  await throughProxy(async (t) => {
    const agent = t.client('agent', '*', {
      port: t.params.proxyPort, transportParams: { remainPresentFor: 3000 }, disconnectedRetryTimeout: 500,
    });
    const bob = t.client('bob', 'bob');
    const carol = t.client('carol', 'carol');
    const mine = agent.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    await t.op('bob subscribe', t.watchPresence('bob sees', bobs).subscribed);
    await t.op('bob enter', bobs.presence.enter('b'));
    await t.op('agent subscribe', t.watchPresence('agent sees', mine).subscribed);
    await t.until('agent sees', 1);
    await t.op('enterClient x', mine.presence.enterClient('x', { v: 1 }));
    await t.op('enterClient y', mine.presence.enterClient('y', 'why'));
    await t.op('updateClient x', mine.presence.updateClient('x', { v: 2 }));
    await t.op('enterClient z', mine.presence.enterClient('z'));
    await t.op('leaveClient z', mine.presence.leaveClient('z'));
    await t.until('agent sees', 6);
    await t.until('bob sees', 6);
    t.watchChannel('agent', mine);
    await t.node('refuse', true);
    await t.node('spoilResumes', true);
    await t.node('cut');
    await t.op('bob leave meanwhile', bobs.presence.leave('gone'));
    await t.op('carol enter meanwhile', carol.channels.get(t.name).presence.enter('c'));
    await t.node('refuse', false);
    // Connected by the retry after the refusals, however many there were before it.
    await t.op('agent connected again', t.within(agent.connection.whenState('connected'), 'agent connected again').then(() => 'connected'));
    await t.op('agent channel attached again', t.until('agent channel', 2));
    // The old connection's members leave after remainPresentFor.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    await t.op('agent get', mine.presence.get());
    await t.op('bob get', bobs.presence.get().catch((e) => e));
    await t.op('carol get', carol.channels.get(t.name).presence.get());
    await t.node('spoilResumes', false);
    // Re-entries, the re-sync's events and the old connection's leaves race each other:
    // compared as sets. On a slow machine the calls made meanwhile can outlast a retry:
    // refused retries after the first are one.
  }, (trace) => ({ ...trace, 'bob sees': sorted(trace['bob sees']), 'agent sees': sorted(trace['agent sees']), 'agent connection': refusedRetriesAsOne(trace['agent connection']) }));
});

test('REST paging forwards and backwards through history and get(), batchPresence with a channel the token may not read', opts, async () => {
  await differential(async (t) => {
    const agent = t.client('agent', '*');
    const presence = agent.channels.get(t.name).presence;
    for (const n of [1, 2, 3, 4, 5, 6, 7]) await presence.enterClient(`c${n}`, n % 2 ? `d${n}` : { n });
    await presence.leaveClient('c7');
    const outcome = (promise, form) => t.within(promise, 'a REST call').then((r) => ({ resolved: form(r) }), (e) => ({ rejected: t.error(e) }));
    const page = (result) => (result && typeof result === 'object' && 'items' in result
      ? { items: result.items.map((m) => [m.clientId, m.action, m.data]), hasNext: result.hasNext(), isLast: result.isLast() }
      : t.shape(result));
    const walk = async (what, promise) => {
      let result = await promise.catch((e) => e);
      for (let i = 0; i < 6; i += 1) {
        t.read(`${what} page ${i}`, await outcome(Promise.resolve(result), page));
        if (!result || !result.items) break;
        const next = result.next();
        if (i === 1) t.read(`${what} first() from page 1`, await outcome(result.first(), page));
        result = await next.catch((e) => e);
      }
    };
    const rest = t.rest('reader');
    const channel = rest.channels.get(t.name);
    await walk('history forwards limit 3', channel.presence.history({ direction: 'forwards', limit: 3 }));
    await walk('history backwards limit 3', channel.presence.history({ direction: 'backwards', limit: 3 }));
    await walk('get limit 2', channel.presence.get({ limit: 2 }));
    await walk('realtime history forwards limit 4', presence.history({ direction: 'forwards', limit: 4 }));
    const narrow = t.rest('narrow', { capability: { [t.name]: ['subscribe', 'presence'] } });
    const batch = await outcome(narrow.batchPresence([t.name, `${t.name}-other`]), (result) => ({
      keys: Object.keys(result).sort(),
      successCount: result.successCount,
      failureCount: result.failureCount,
      results: result.results.map((r) => ({
        keys: Object.keys(r).sort(),
        channel: r.channel.replace(t.name, 'NAME'),
        count: r.presence?.length,
        // ably-js hands the failures over as the server's JSON, not as ErrorInfo (README).
        error: r.error ? { ...t.error(r.error), isError: null } : null,
      })),
    }));
    t.read('batchPresence partly refused', batch);
    t.read('batchPresence all refused', await outcome(narrow.batchPresence([`${t.name}-other`]), (r) => ({ keys: Object.keys(r).sort(), successCount: r.successCount, failureCount: r.failureCount, errors: r.results.map((x) => x.error && { ...t.error(x.error), isError: null }) })));
    t.read('history refused', await outcome(narrow.channels.get(`${t.name}-other`).presence.history(), page));
    t.read('get refused', await outcome(narrow.channels.get(`${t.name}-other`).presence.get(), page));
  });
});

test('get({ waitForSync: false }) while a channel syncs: on the first attach and on a re-attach after a reconnect not resumed', opts, async () => {
  await throughProxy(async (t) => {
    const agent = t.client('agent', '*');
    const presence = agent.channels.get(t.name).presence;
    await Promise.all(Array.from({ length: 250 }, (_, n) => presence.enterClient(`m${n}`, `d${n}`)));
    const late = t.client('late', 'late', { port: t.params.proxyPort, disconnectedRetryTimeout: 500 });
    const channel = late.channels.get(t.name);
    const seen = [];
    channel.on('attached', () => {
      seen.push(channel.presence.get({ waitForSync: false }).then((m) => ['attached', m.length > 0, m.length === 250, channel.presence.syncComplete]));
    });
    await t.op('attach', channel.attach());
    await t.op('get', channel.presence.get().then((m) => m.length));
    // Listened for before the cut: the reconnect and re-attach over loopback can be done
    // before the page hears back from node that the cut was made.
    const attachedAgain = new Promise((resolve) => channel.once('attached', resolve));
    await t.node('spoilResumes', true);
    await t.node('cut');
    await t.within(attachedAgain, 'attached again');
    await t.op('get after', channel.presence.get().then((m) => m.length));
    t.read('seen', await Promise.all(seen));
    await t.node('spoilResumes', false);
  });
});

test('recover with a key of a closed connection, an unknown one and garbage: what the app sees', opts, async () => {
  await differential(async (t) => {
    const old = t.client('old', 'ada');
    await t.within(old.connection.whenState('connected'), 'old connected');
    const oldChannel = old.channels.get(t.name);
    await t.op('old enter', oldChannel.presence.enter('old'));
    const key = old.connection.createRecoveryKey();
    t.read('key fields', Object.keys(JSON.parse(key)).sort());
    const bob = t.client('bob', 'bob');
    await t.op('bob subscribe', t.watchPresence('bob sees', bob.channels.get(t.name)).subscribed);
    old.close();
    await t.within(old.connection.whenState('closed'), 'old closed');
    await t.until('bob sees', 2);
    const state = (c) => ({ state: c.connection.state, errorReason: c.connection.errorReason ? t.error(c.connection.errorReason) : null, hasId: !!c.connection.id });
    const recovered = t.client('closedKey', 'ada', { recover: key });
    await t.within(recovered.connection.whenState('connected'), 'recovered connected');
    t.read('closed key', state(recovered));
    const ch = recovered.channels.get(t.name);
    t.watchChannel('closedKey', ch);
    await t.op('closedKey get', ch.presence.get());
    await t.op('closedKey enter', ch.presence.enter('new'));
    await t.until('bob sees', 3);
    const unknown = t.client('unknownKey', 'ada', { recover: JSON.stringify({ connectionKey: 'nope-nope', msgSerial: 5, channelSerials: { [t.name]: 'x:1' } }) });
    await t.within(unknown.connection.whenState('connected'), 'unknown connected');
    t.read('unknown key', state(unknown));
    const uch = unknown.channels.get(t.name);
    t.watchChannel('unknownKey', uch);
    await t.op('unknownKey enter', uch.presence.enter('u'));
    await t.until('bob sees', 4);
    const garbage = t.client('garbage', 'ada', { recover: 'not json' });
    await t.within(garbage.connection.whenState('connected'), 'garbage connected');
    t.read('garbage key', state(garbage));
  });
});

test('autoConnect: false: enter, get and history before connect(), then connect()', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada', { autoConnect: false });
    const bob = t.client('bob', 'bob');
    await t.op('bob subscribe', t.watchPresence('bob sees', bob.channels.get(t.name)).subscribed);
    const ch = ada.channels.get(t.name);
    t.watchChannel('ada', ch);
    const enter = t.op('enter before connect', ch.presence.enter('early'));
    const get = t.op('get before connect', ch.presence.get());
    const history = t.op('history before connect', ch.presence.history().then((p) => p.items.length));
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.read('states before connect', { connection: ada.connection.state, channel: ch.state });
    ada.connect();
    await Promise.all([enter, get, history]);
    await t.until('bob sees', 1);
  });
});

test('a reconnect not resumed onto a channel emptied meanwhile: the members that left are gone (RTP19a)', opts, async () => {
  await throughProxy(async (t) => {
    const ada = t.client('ada', 'ada', { port: t.params.proxyPort, disconnectedRetryTimeout: 500 });
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    await t.op('ada subscribe', t.watchPresence('ada sees', adas).subscribed);
    await t.op('bob enter', bobs.presence.enter('b'));
    await t.until('ada sees', 1);
    t.watchChannel('ada', adas);
    await t.node('refuse', true);
    await t.node('spoilResumes', true);
    await t.node('cut');
    await t.op('bob leave meanwhile', bobs.presence.leave());
    await t.node('refuse', false);
    await t.op('ada channel attached again', t.until('ada channel', 2));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await t.op('ada get', adas.presence.get());
    await t.op('ada get no wait', adas.presence.get({ waitForSync: false }));
    t.read('syncComplete', adas.presence.syncComplete);
    await t.node('spoilResumes', false);
  }, (trace) => ({ ...trace, 'ada connection': trace['ada connection'].filter((c) => c.current !== 'connecting' && !(c.current === 'disconnected' && c.previous === 'connecting')) }));
});

test('presence calls made in one go, without waiting: what each settles with, what everyone ends with', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', '*');
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    await t.op('bob subscribe', t.watchPresence('bob sees', bobs).subscribed);
    // A fixed pseudo-random sequence, one with refusals (a leave of a member not there).
    let seed = 42;
    const random = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return Math.floor(seed / 65536) % n; };
    const ops = [];
    for (let i = 0; i < 40; i += 1) {
      const who = ['x', 'y', 'z'][random(3)];
      const action = ['enter', 'update', 'leave'][random(3)];
      const data = [undefined, `v${i}`, { i }, ''][random(4)];
      ops.push(t.op(`${action} ${who} ${JSON.stringify(data)} (${i})`, adas.presence[`${action}Client`](who, data)));
    }
    await Promise.all(ops);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // The last changes reach ada and bob after the ACKs, on a loaded machine later than
    // any fixed wait: wait (bounded) until both list the members the server lists, then
    // read. A set that never gets there is read as it is after 5 s, and compared.
    const rest = t.rest('reader');
    const listed = (members) => JSON.stringify(members.map((m) => [m.clientId, m.data]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
    const caughtUp = async () => {
      const server = listed((await rest.channels.get(t.name).presence.get()).items);
      return listed(await adas.presence.get()) === server && listed(await bobs.presence.get()) === server;
    };
    for (const start = Date.now(); !(await caughtUp()) && Date.now() - start < 5000;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await t.op('ada get', adas.presence.get());
    await t.op('bob get', bobs.presence.get());
    const page = await rest.channels.get(t.name).presence.get();
    t.read('rest get', t.members(page.items));
  }, (trace) => {
    // Settled in another order by ably-js (README: Roster keeps the order of presence
    // calls); refusals compared by code (presenceRefusals).
    const { ops, ...rest } = presenceRefusals(trace);
    return { ...rest, ops: sorted(ops) };
  });
});

test('channel names with reserved characters: realtime members reach REST get, history and batchPresence', opts, async () => {
  await differential(async (t) => {
    const agent = t.client('agent', '*');
    const rest = t.rest('reader');
    for (const suffix of [':room 1', '/a/b', '?x=1&y', '#frag', '%41%', 'é€😀', '+plus', 'semi;colon', 'a,b']) {
      const name = t.name + suffix;
      await t.op(`enter ${suffix}`, agent.channels.get(name).presence.enterClient('m', suffix));
      const get = await rest.channels.get(name).presence.get().then((p) => p.items.map((m) => m.data), (e) => t.error(e));
      const history = await rest.channels.get(name).presence.history().then((p) => p.items.map((m) => m.data), (e) => t.error(e));
      const realtimeHistory = await agent.channels.get(name).presence.history().then((p) => p.items.map((m) => m.data), (e) => t.error(e));
      const batch = await rest.batchPresence([name]).then((r) => r.results.map((x) => [x.channel === name, x.presence?.length]), (e) => t.error(e));
      t.read(`reads ${suffix}`, { get, history, realtimeHistory, batch });
    }
  });
});

test('presence data with a lone surrogate (an emoji cut in half)', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const bobs = bob.channels.get(t.name);
    let seen = 0;
    await t.op('bob subscribe', bobs.presence.subscribe((m) => { seen += 1; t.record('bob sees', [m.action, escape(JSON.stringify(m.data))]); }));
    const adas = ada.channels.get(t.name);
    await t.op('enter string', adas.presence.enter('ok \uD83D'));
    await t.until('bob sees', 1);
    await t.op('update object', adas.presence.update({ t: 'ok \uD83D' }));
    await t.until('bob sees', 2);
    const [m] = await adas.presence.get();
    t.read('ada get', escape(JSON.stringify(m.data)));
  });
});
