// Differential parity with ably-js, second round (the harness and the first round:
// differential.mjs, differential.test.mjs): connection loss and resume through a loopback
// proxy that cuts sockets, a reconnect the server cannot resume, a server that cannot be
// reached, REST pagination and auth shapes, token expiry and authorize(), listeners that
// throw, and released channel objects.
import { after, before, test } from 'node:test';
import net from 'node:net';
import { BASE, skip } from './ably.mjs';
import { differential, withoutUncaught } from './differential.mjs';
import { startProxy } from './proxy.mjs';

const opts = { skip, timeout: 120_000 };
let proxy;
// A port nothing listens on, and a server that takes connections and never answers.
let closedPort;
let silent;
const held = new Set();

before(async () => {
  if (!BASE) return;
  proxy = await startProxy(Number(new URL(BASE).port));
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = probe.address().port;
  await new Promise((resolve) => probe.close(resolve));
  silent = net.createServer((socket) => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  await proxy?.close();
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => (silent ? silent.close(resolve) : resolve()));
});

// What the scenarios may do to the proxy from the page.
const proxyControls = () => ({
  cut: () => proxy.cut(),
  spoilResumes: (on) => proxy.spoilResumes(on),
});

test('connection loss: the transport drops, the client resumes; others see no leave or enter', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada', {
      port: t.params.proxyPort, transportParams: { remainPresentFor: 3000 }, disconnectedRetryTimeout: 500,
    });
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    await t.op('bob subscribe', t.watchPresence('bob sees', bobs).subscribed);
    await t.op('ada subscribe', t.watchPresence('ada sees', adas).subscribed);
    await t.op('ada enter', adas.presence.enter('here'));
    await t.until('bob sees', 1);
    await t.until('ada sees', 1);
    t.watchChannel('ada', adas);
    const id = ada.connection.id;
    await t.node('cut');
    await t.op('ada connected again', t.until('ada connection', 5));
    t.read('after the reconnect', {
      sameId: ada.connection.id === id, errorReason: ada.connection.errorReason ? t.error(ada.connection.errorReason) : null,
    });
    await t.op('ada channel attached again', t.until('ada channel', 2));
    // Read once in sync: ably-js may still be taking the resumed channel's SYNC when
    // 'attached' fires (one CI run read syncComplete false there). Only waited for.
    await t.within(adas.presence.get(), 'ada in sync');
    t.read('channel', { state: adas.state, syncComplete: adas.presence.syncComplete });
    await t.op('ada update', adas.presence.update('back'));
    await t.until('bob sees', 2);
    await t.until('ada sees', 2);
    await t.op('bob get', bobs.presence.get());
    await t.op('ada get', adas.presence.get());
  }, undefined, { params: { proxyPort: proxy?.port }, expose: proxyControls() });
});

test('a reconnect the server cannot resume: new connection, the member re-entered (RTP17)', opts, async () => {
  try {
    await differential(async (t) => {
      const ada = t.client('ada', 'ada', {
        port: t.params.proxyPort, transportParams: { remainPresentFor: 3000 }, disconnectedRetryTimeout: 500,
      });
      const bob = t.client('bob', 'bob');
      const adas = ada.channels.get(t.name);
      const bobs = bob.channels.get(t.name);
      await t.op('bob subscribe', t.watchPresence('bob sees', bobs).subscribed);
      await t.op('ada subscribe', t.watchPresence('ada sees', adas).subscribed);
      await t.op('ada enter', adas.presence.enter({ here: true }));
      await t.until('bob sees', 1);
      t.watchChannel('ada', adas);
      const id = ada.connection.id;
      // The old connection's member leaving, as ada hears it (not recorded: only waited for).
      const adaHearsTheLeave = new Promise((resolve) => {
        const heard = (m) => m.connectionId === id && (adas.presence.unsubscribe('leave', heard), resolve());
        adas.presence.subscribe('leave', heard);
      });
      await t.node('spoilResumes', true);
      await t.node('cut');
      await t.op('ada connected again', t.until('ada connection', 5));
      t.read('after the reconnect', {
        newId: ada.connection.id !== id, errorReason: ada.connection.errorReason ? t.error(ada.connection.errorReason) : null,
      });
      await t.op('ada channel attached again', t.until('ada channel', 2));
      // The re-entry on the new connection at once, the old connection's member leaving
      // after remainPresentFor: 3 s, so a reconnect slowed by a loaded machine still
      // comes first and both clients see the same order.
      await t.op('bob sees the re-entry and the leave', t.until('bob sees', 3));
      await t.op('bob get', bobs.presence.get());
      // Bob having heard the leave says nothing of ada: wait for hers too.
      await t.within(adaHearsTheLeave, 'ada hears the leave');
      await t.op('ada get', adas.presence.get());
      await t.op('ada update', adas.presence.update('later'));
      await t.until('bob sees', 4);
    }, undefined, { params: { proxyPort: proxy?.port }, expose: proxyControls() });
  } finally {
    proxy?.spoilResumes(false);
  }
});

// A presence enter queued while disconnected: on close() ably-js 2.28 leaves its promise
// pending for good (and rejects an internal promise nobody handles, 80017); Roster rejects
// the enter with 80017, as it does attach() and get() (README, API).
const closedWhileQueued = (trace, side) => (side === 'roster' ? trace : {
  ...trace,
  ops: trace.ops.map(([what, outcome]) => [what, what === 'enter while disconnected, then closed' && outcome?.timedOut
    ? { rejected: { code: 80017, statusCode: 400, isError: true, causeCode: null } } : outcome]),
  uncaught: trace.uncaught?.filter(([kind, code]) => !(kind === 'unhandled rejection' && code === 80017)),
});

test('a server that cannot be reached: states, reasons, operations meanwhile, close() while connecting and disconnected', opts, async () => {
  await differential(async (t) => {
    // A token: the failure is the WebSocket's alone.
    const { token } = await t.rest('ada').auth.requestToken();
    const lost = t.client('lost', 'ada', {
      port: t.params.closedPort, token, authUrl: undefined, authParams: undefined, disconnectedRetryTimeout: 500,
    });
    await t.op('connecting, disconnected, connecting, disconnected', t.until('lost connection', 4));
    t.read('disconnected', { state: lost.connection.state, errorReason: t.error(lost.connection.errorReason), id: lost.connection.id ?? null });
    const channel = lost.channels.get(t.name);
    t.watchChannel('lost', channel);
    const attaching = t.settle(channel.attach());
    const entering = t.settle(channel.presence.enter('x'));
    const getting = t.settle(channel.presence.get());
    t.read('channel while disconnected', channel.state);
    lost.close();
    t.read('right after close()', lost.connection.state);
    await t.op('whenState(closed)', lost.connection.whenState('closed'));
    t.read('attach while disconnected, then closed', await attaching);
    t.read('enter while disconnected, then closed', await entering);
    t.read('get while disconnected, then closed', await getting);
    t.read('closed', { state: lost.connection.state, channel: channel.state, errorReason: t.error(lost.connection.errorReason) });

    const hung = t.client('hung', 'ada', { port: t.params.silentPort });
    await t.op('connecting', t.until('hung connection', 1));
    // Long enough for the token and the socket to be under way.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const hungChannel = hung.channels.get(t.name);
    const hungAttach = t.settle(hungChannel.attach());
    hung.close();
    t.read('close() while connecting', hung.connection.state);
    await t.op('whenState(closed) after connecting', hung.connection.whenState('closed'));
    t.read('attach while connecting, then closed', await hungAttach);
    t.read('closed after connecting', { state: hung.connection.state, errorReason: hung.connection.errorReason ? t.error(hung.connection.errorReason) : null });
  }, closedWhileQueued, { params: { closedPort, silentPort: silent?.address().port } });
});

// ably-js 2.28 hands batchPresence's members over as the server sent them: wire actions
// (1 for present) and data still JSON-encoded with its `encoding`. Roster decodes them as
// every other presence message (README, API): ably-js's are decoded here to compare.
const batchDecoded = (trace, side) => (side === 'roster' ? trace : {
  ...trace,
  ops: trace.ops.map(([what, outcome]) => [what, what !== 'batchPresence' ? outcome : {
    resolved: {
      ...outcome.resolved,
      results: outcome.resolved.results.map((r) => ({
        ...r,
        presence: r.presence.map(([clientId, action, data, encoding]) => [
          clientId, ['absent', 'present', 'enter', 'leave', 'update'][action], encoding === 'json' ? JSON.parse(data) : data,
        ]).sort(),
      })),
    },
  }]),
});

test('REST: presence.get and history pages, batchPresence, time, token requests; Realtime presence.history', opts, async () => {
  await differential(async (t) => {
    const agent = t.client('agent', '*');
    const presence = agent.channels.get(t.name).presence;
    for (const n of [1, 2, 3, 4, 5]) await presence.enterClient(`c${n}`, { n });
    // A time between the enters and what follows, clear of both.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const middle = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await presence.updateClient('c1', 'updated');
    await presence.leaveClient('c5', 'bye');
    const rest = t.rest('reader');
    // What an app reads off a message: its fields that have a value, and their content.
    // `encoding` null counts as none: ably-js sets it to null once it has decoded JSON data.
    const item = (m) => ({ ...t.message(m), fields: Object.keys(m).filter((k) => m[k] !== undefined && m[k] !== null).sort() });
    const page = (result) => (result && typeof result === 'object' && 'items' in result
      ? { items: result.items.map(item), hasNext: result.hasNext(), isLast: result.isLast() }
      : t.shape(result));
    // `what` resolving with a page, in the ops stream; the page for the next step.
    const outcome = (promise, form) => t.within(promise, 'a REST call').then((r) => ({ resolved: form(r) }), (e) => ({ rejected: t.error(e) }));
    const paged = async (what, promise) => {
      t.read(what, await outcome(promise, page));
      return promise.catch(() => null);
    };
    const channel = rest.channels.get(t.name);
    await paged('get()', channel.presence.get());
    const first = await paged('get({ limit: 2 })', channel.presence.get({ limit: 2 }));
    const second = await paged('next()', first.next());
    await paged('next() on the last page', second.next());
    await paged('first()', second.first());
    await paged('current()', second.current());
    await paged('get({ clientId: c2 })', channel.presence.get({ clientId: 'c2' }));
    await paged('get({ connectionId })', channel.presence.get({ connectionId: agent.connection.id, limit: 10 }));
    await paged('history()', channel.presence.history());
    const backwards = await paged('history({ limit: 3 })', channel.presence.history({ limit: 3 }));
    await paged('history next()', backwards.next());
    await paged('history({ direction: forwards, limit: 4 })', channel.presence.history({ direction: 'forwards', limit: 4 }));
    await paged('history({ start })', channel.presence.history({ start: middle }));
    await paged('history({ end, direction: forwards })', channel.presence.history({ end: middle, direction: 'forwards' }));
    await paged('Realtime history({ limit: 2 })', presence.history({ limit: 2 }));
    await paged('get() on a channel never used', rest.channels.get(`${t.name}-empty`).presence.get());
    await paged('history() on a channel never used', rest.channels.get(`${t.name}-empty`).presence.history());

    // ably-js hands batch bodies over undecoded (see `batchDecoded`).
    const batch = await outcome(rest.batchPresence([t.name, `${t.name}-empty`]), (result) => ({
      keys: Object.keys(result).sort(),
      successCount: result.successCount,
      failureCount: result.failureCount,
      results: result.results.map((r) => ({
        channel: r.channel.replace(t.name, 'NAME'),
        presence: r.presence.map((m) => [m.clientId, m.action, m.data, ...(m.encoding ? [m.encoding] : [])]).sort(),
      })),
    }));
    t.read('batchPresence', batch);
    const time = await rest.time();
    t.read('time()', { type: typeof time, isNow: Math.abs(Date.now() - time) < 60_000 });

    // TLS: Roster refuses a key without it (RSC18) where ably-js 2.28 does not check; no
    // request is made.
    const signer = t.rest(null, { key: 'app.key:secret', authUrl: undefined, authParams: undefined, tls: true });
    const request = await signer.auth.createTokenRequest({ clientId: 'bob', capability: { room: ['presence'] }, ttl: 60_000 });
    t.read('createTokenRequest', {
      fields: Object.keys(request).sort(),
      keyName: request.keyName, clientId: request.clientId, capability: request.capability, ttl: request.ttl,
      nonce: typeof request.nonce, mac: /^[A-Za-z0-9+/]{43}=$/.test(request.mac),
      timestampIsNow: Math.abs(Date.now() - request.timestamp) < 60_000,
    });
    const details = await rest.auth.requestToken();
    t.read('requestToken', {
      fields: Object.keys(details).filter((k) => details[k] !== undefined).sort(),
      token: typeof details.token, clientId: details.clientId, capability: details.capability,
      ttlIsHour: details.expires - details.issued === 3_600_000,
    });
    await t.op('createTokenRequest without a key', rest.auth.createTokenRequest());
  }, batchDecoded);
});

test('token expiry with authUrl renews and resumes; authorize() with no arguments, with tokenParams, with a fixed token', opts, async () => {
  await differential(async (t) => {
    const tim = t.client('tim', 'tim', { ttl: 3000, transportParams: { remainPresentFor: 1500 } });
    const bob = t.client('bob', 'bob');
    const tims = tim.channels.get(t.name);
    await t.op('bob subscribe', t.watchPresence('bob sees', bob.channels.get(t.name)).subscribed);
    await t.op('tim enter', tims.presence.enter('here'));
    t.watchChannel('tim', tims);
    const id = tim.connection.id;
    await t.op('renewed', t.until('tim connection', 5));
    // The channel re-attaches after the connection resumes; an update sent while it is
    // still attaching races ably-js's re-entry of its own member (it was seen re-entering
    // the old data after the update), so both sides wait for the re-attach.
    await t.until('tim channel', 2);
    t.read('after renewal', { sameId: tim.connection.id === id, state: tims.state });
    await t.op('tim update', tims.presence.update('renewed'));
    await t.until('bob sees', 2);

    const ada = t.client('ada', 'ada');
    await t.within(ada.connection.whenState('connected'), 'ada connected');
    const details = (d) => ({
      fields: Object.keys(d).filter((k) => d[k] !== undefined).sort(), token: typeof d.token, clientId: d.clientId,
    });
    t.read('authorize()', await t.within(ada.auth.authorize().then(details, t.error), 'authorize()'));
    t.read('authorize({ ttl })', await t.within(ada.auth.authorize({ ttl: 60_000 }).then(details, t.error), 'authorize({ ttl })'));
    t.read('state', ada.connection.state);

    const token = (await t.rest('fixed').auth.requestToken()).token;
    const fixed = t.client('fixed', 'fixed', { token, authUrl: undefined, authParams: undefined });
    await t.within(fixed.connection.whenState('connected'), 'fixed connected');
    t.read('fixed token authorize()', await t.settle(fixed.auth.authorize()));
    await t.settle(new Promise((resolve) => setTimeout(resolve, 100)));
    t.read('fixed after authorize()', { state: fixed.connection.state, errorReason: fixed.connection.errorReason ? t.error(fixed.connection.errorReason) : null });
  });
});

// A failed token request while connecting is 80019 (401) with the failure as its cause
// (RSA4c1), here 40170 for the TokenRequest that could not be exchanged.
test('a token request that fails while connecting: 80019 with the failure as the cause', opts, async () => {
  await differential(async (t) => {
    // authUrl's TokenRequest is exchanged for a token at the unreachable server.
    const exchange = t.client('exchange', 'ada', { port: t.params.closedPort, disconnectedRetryTimeout: 500 });
    await t.op('exchange: connecting, disconnected', t.until('exchange connection', 2));
    t.read('exchange disconnected', { state: exchange.connection.state, errorReason: t.error(exchange.connection.errorReason) });
    exchange.close();
    await t.op('exchange closed', exchange.connection.whenState('closed'));
  }, undefined, { params: { closedPort } });
});

// A listener's exception: ably-js logs it; Roster throws it again from a fresh task, so it
// reaches window.onerror and error monitoring (README, API). Both go on delivering.
const listenerErrors = (trace) => withoutUncaught(trace, ([kind, message]) => kind === 'error' && / listener boom$/.test(message));

test('a listener that throws: the other listeners still hear every event', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    ada.connection.on('connected', () => { throw new Error('connection listener boom'); });
    ada.connection.on('connected', () => t.record('second connection listener', 'connected'));
    const channel = bob.channels.get(t.name);
    channel.on('attached', () => { throw new Error('channel listener boom'); });
    channel.on('attached', () => t.record('second channel listener', 'attached'));
    await t.op('bob subscribe a throwing listener', channel.presence.subscribe(() => { throw new Error('presence listener boom'); }));
    await t.op('bob subscribe', t.watchPresence('bob sees', channel).subscribed);
    await t.op('ada enter', ada.channels.get(t.name).presence.enter('x'));
    await t.op('ada update', ada.channels.get(t.name).presence.update('y'));
    await t.until('bob sees', 2);
    await t.until('second connection listener', 1);
    await t.op('bob get', channel.presence.get());
  }, listenerErrors, { expectedPageErrors: / listener boom$/ });
});

test('a released channel object keeps its last state; a new one of the same name is another object', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const old = ada.channels.get(t.name);
    t.watchChannel('old', old);
    await t.op('attach', old.attach());
    await t.op('enter', old.presence.enter('x'));
    const detached = old.once('detached');
    ada.channels.release(t.name);
    await t.op('detached', detached);
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Not errorReason: ably-js's is the 90001 it makes up for a detach the app asked for.
    const read = (channel) => ({ state: channel.state, inAll: channel === ada.channels.all[t.name] });
    t.read('released', read(old));
    const fresh = ada.channels.get(t.name);
    t.watchChannel('fresh', fresh);
    t.read('same object', fresh === old);
    t.read('fresh', read(fresh));
    await t.op('fresh attach', fresh.attach());
    t.read('released while the new one is attached', read(old));
    t.read('fresh attached', read(fresh));
    const idle = ada.channels.get(`${t.name}-idle`);
    ada.channels.release(idle.name);
    t.read('released initialized', idle.state);
  });
});
