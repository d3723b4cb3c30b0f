// What an app gets when it uses the SDK the way apps written for ably-js 2.x do, at the
// edges: values of other types than the types say, listeners changed while an event is
// being delivered, calls in quick succession. The built package in headless Chromium
// against the real roster-server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { BASE, rosterOptions, skip } from './ably.mjs';
import { chromiumForTests, inRosterTab, openTab } from './chromium.mjs';

// gc() exposed: a test checks what stays alive.
const chromium = chromiumForTests(BASE, { exposeGc: true });

// `body(roster, options, name)` in a fresh tab (chromium.mjs's inRosterTab).
const inTab = (body) => inRosterTab(chromium.get(), 'app-input', body);

// As ably-js (String(name)): a numeric room id names the channel of its digits. The wasm
// takes names as strings, and a number reached it as an empty name: every such room one
// channel, "".
test('a channel name given as a number is that number as a string', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options) => {
    const id = Math.floor(Math.random() * 1e9);
    const ada = new roster.Realtime(options('ada'));
    const rest = new roster.Rest(options('reader'));
    const channel = ada.channels.get(id);
    await channel.presence.enter('here');
    const members = async (name) => (await rest.channels.get(name).presence.get()).items.map((m) => m.clientId);
    const result = {
      name: channel.name, same: ada.channels.get(String(id)) === channel, inAll: Object.keys(ada.channels.all),
      byDigits: await members(String(id)), byNumber: await members(id), empty: await members(''),
      batch: (await rest.batchPresence([id])).results.map((r) => [r.channel, r.presence?.map((m) => m.clientId)]),
    };
    await channel.detach();
    ada.channels.release(id);
    result.released = Object.keys(ada.channels.all);
    ada.close();
    return { ...result, id: String(id) };
  });
  const { id, ...seen } = result;
  assert.deepEqual(seen, {
    name: id, same: true, inAll: [id], byDigits: ['ada'], byNumber: ['ada'], empty: [], batch: [[id, ['ada']]], released: [],
  });
});

// As ably-js, whose emit() takes the listeners there are when the event comes: one added
// by a listener (a once() for the next attach, a presence listener a component mounts
// when it hears an enter) hears the next event, not the one being delivered; one removed
// meanwhile still hears this one.
test('a listener added while an event is delivered hears the next one, not that one', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options, name) => {
    const client = new roster.Realtime(options('ada'));
    const channel = client.channels.get(name);
    const heard = [];
    channel.on('attached', () => {
      heard.push('attached');
      channel.once('attached', () => heard.push('added by a listener'));
    });
    // A listener for every event that removes the 'detached' one, which comes after it.
    const onDetached = () => heard.push('detached');
    channel.on((change) => change.current === 'detached' && channel.off('detached', onDetached));
    channel.on('detached', onDetached);
    await channel.attach();
    const afterFirst = heard.slice();
    await channel.detach();
    await channel.attach();
    const presence = [];
    await channel.presence.subscribe('enter', (m) => {
      presence.push(`first ${m.data}`);
      channel.presence.subscribe('enter', (later) => presence.push(`second ${later.data}`));
    });
    await channel.presence.enter('one');
    await channel.presence.leave();
    await channel.presence.enter('two');
    const start = Date.now();
    while (presence.length < 3 && Date.now() - start < 5000) await new Promise((resolve) => setTimeout(resolve, 10));
    client.close();
    return { afterFirst, heard, presence };
  });
  assert.deepEqual(result.afterFirst, ['attached']);
  // The once() added at the first attach hears the second, before the on() listener (ably-js
  // calls once() listeners first, differential-audit-1.test.mjs).
  assert.deepEqual(result.heard, ['attached', 'detached', 'added by a listener', 'attached']);
  assert.deepEqual(result.presence.slice(0, 3), ['first one', 'first two', 'second two']);
});

// As ably-js: connect() right after close() (a reconnect button, a component remounted)
// connects again; the close ends at once, the channels detached by it. It stayed closed:
// connect() was ignored while closing; and the client, once connected, was not held as
// every open client is (the closed event let go of it), so it could be collected.
test('connect() right after close() connects again, and the client lives on connected', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options, name) => {
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    let collected = false;
    const registry = new FinalizationRegistry(() => { collected = true; });
    const seen = [];
    // As where there is no global addEventListener (Node): no page listeners, which
    // hold the client too, so only the SDK's hold on an open client keeps it alive.
    globalThis.addEventListener = undefined;
    const weak = await (async () => {
      const client = new roster.Realtime(options('ada'));
      const channel = client.channels.get(name);
      await channel.presence.enter('here');
      client.connection.on((change) => seen.push(change.current));
      channel.on((change) => seen.push(`channel ${change.current}`));
      client.close();
      client.connect();
      await Promise.race([client.connection.whenState('connected'), sleep(5000)]);
      registry.register(client, 'client');
      return new WeakRef(client);
    })();
    delete globalThis.addEventListener;
    for (let round = 0; round < 20 && !collected; round++) {
      globalThis.gc();
      await sleep(50);
    }
    const result = { seen: seen.slice(), state: weak.deref()?.connection.state, collected };
    weak.deref()?.close();
    return result;
  });
  assert.deepEqual(result, {
    seen: ['channel detached', 'closing', 'closed', 'connecting', 'connected'], state: 'connected', collected: false,
  });
});

// As ably-js (httpRequestTimeout, 10 s by default): a REST request or a token request to
// a server that takes the connection and never answers fails after 10 s, with 80000 as
// Roster's network failures (README). It never settled: presence.history(), a Rest call
// or authorize() hung for as long as the page lived.
test('a REST or token request that gets no answer fails after 10 s', { skip, timeout: 90_000 }, async () => {
  const silent = net.createServer((socket) => socket.on('error', () => {}));
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address();
  const errors = [];
  const { context, page } = await openTab(chromium.get(), `${BASE}/health`, { name: 'silent', errors, timeout: 60_000 });
  try {
    const result = await page.evaluate(async ({ port, options }) => {
      const roster = await import('/pkg/index.js');
      const start = Date.now();
      const settle = (p) => Promise.race([
        p.then(() => 'resolved', (e) => ({ code: e.code, statusCode: e.statusCode, seconds: Math.round((Date.now() - start) / 1000) })),
        new Promise((resolve) => setTimeout(() => resolve('pending after 20 s'), 20_000)),
      ]);
      const rest = new roster.Rest({ token: 'any', endpoint: '127.0.0.1', port, tls: false });
      const client = new roster.Realtime({ ...options, authParams: { clientId: 'ada' }, clientId: 'ada' });
      await client.connection.whenState('connected');
      const [history, authorize] = await Promise.all([
        settle(rest.channels.get('room').presence.history()),
        settle(client.auth.authorize(null, { authUrl: `http://127.0.0.1:${port}/token` })),
      ]);
      const state = client.connection.state;
      client.close();
      return { history, authorize, state };
    }, { port, options: rosterOptions('x') });
    assert.deepEqual(result, {
      history: { code: 80000, statusCode: 500, seconds: 10 },
      authorize: { code: 40170, statusCode: 401, seconds: 10 },
      state: 'connected',
    });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    silent.close();
  }
});

// As ably-js: an authCallback that never calls back (an error path that forgets to) fails
// the token request after realtimeRequestTimeout with 40170. authorize() never settled.
test('authorize() with an authCallback that never answers fails with 40170', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options) => {
    const client = new roster.Realtime({ ...options('ada'), realtimeRequestTimeout: 2000 });
    await client.connection.whenState('connected');
    const start = Date.now();
    const outcome = await Promise.race([
      client.auth.authorize(null, { authCallback: () => {} }).then(() => 'resolved', (e) => ({
        code: e.code, statusCode: e.statusCode, seconds: Math.round((Date.now() - start) / 1000),
      })),
      new Promise((resolve) => setTimeout(() => resolve('pending after 8 s'), 8000)),
    ]);
    const result = { outcome, state: client.connection.state };
    client.close();
    return result;
  });
  assert.deepEqual(result, { outcome: { code: 40170, statusCode: 401, seconds: 2 }, state: 'connected' });
});

// ably-js throws when a listener is not a function; Roster took it, and then every event
// threw a TypeError from a task of its own ("listener.apply is not a function"), far
// from the call that was wrong: subscribe('chat') with the listener forgotten.
test('a listener that is not a function is refused with 40000 where it is added', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options, name) => {
    const client = new roster.Realtime(options('ada'));
    const channel = client.channels.get(name);
    const code = (call) => { try { call(); return 'added'; } catch (e) { return [e instanceof roster.ErrorInfo, e.code]; } };
    const settle = (p) => p.then(() => 'resolved', (e) => [e instanceof roster.ErrorInfo, e.code]);
    const result = {
      on: code(() => client.connection.on('connected', 'not a function')),
      channelOn: code(() => channel.on(['attached'], undefined)),
      subscribe: await settle(channel.subscribe('chat')),
      presence: await settle(channel.presence.subscribe('enter')),
    };
    // Events still come, with nobody to throw.
    const heard = [];
    await channel.subscribe((m) => heard.push(m.data));
    await channel.presence.enter('here');
    await channel.publish('chat', 'hello');
    const start = Date.now();
    while (!heard.length && Date.now() - start < 5000) await new Promise((resolve) => setTimeout(resolve, 10));
    client.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { ...result, heard };
  });
  assert.deepEqual(result, {
    on: [true, 40000], channelOn: [true, 40000], subscribe: [true, 40000], presence: [true, 40000], heard: ['hello'],
  });
});

// detach() while the connection is down is detached at once, as in ably-js 2.28, but the
// connection comes back resumed with the server still holding the attachment and this
// client's member: nothing told the server, so the member the app took out of the room
// stayed present to everyone (and its messages kept coming) for the rest of the
// connection. The DETACH now goes once connected again.
test('detach() while the connection is down takes the member out once it is back', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options, name) => {
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const ada = new roster.Realtime(options('ada'));
    const rest = new roster.Rest(options('reader'));
    const channel = ada.channels.get(name);
    await channel.presence.enter('here');
    const id = ada.connection.id;
    const seen = [];
    channel.on((change) => seen.push(change.current));
    // The network goes: the connection drops at once and tries again (page-lifecycle).
    window.dispatchEvent(new Event('offline'));
    const down = ada.connection.state;
    const settled = await channel.detach().then(() => 'resolved', (e) => `${e.code}/${e.statusCode}`);
    const state = channel.state;
    await Promise.race([ada.connection.whenState('connected'), sleep(5000)]);
    const resumed = ada.connection.id === id;
    const members = async () => (await rest.channels.get(name).presence.get()).items.map((m) => m.clientId);
    let present = await members();
    for (let i = 0; i < 30 && present.length; i++) {
      await sleep(100);
      present = await members();
    }
    ada.close();
    return { down, settled, state, seen, resumed, present };
  });
  assert.deepEqual(result, {
    down: 'connecting', settled: 'resolved', state: 'detached', seen: ['detached'], resumed: true, present: [],
  });
});

// The same, with the channel released before the connection is back (a component that
// detaches and releases its channel as it unmounts): releasing forgot the DETACH owed, so
// the resumed connection kept the attachment, the member stayed present to everyone and
// the channel's messages kept coming for the rest of the connection.
test('a channel detached and released while the connection is down is detached once it is back', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options, name) => {
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const ada = new roster.Realtime(options('ada'));
    const rest = new roster.Rest(options('reader'));
    await ada.channels.get(name).presence.enter('here');
    const id = ada.connection.id;
    window.dispatchEvent(new Event('offline'));
    await ada.channels.get(name).detach();
    ada.channels.release(name);
    const released = !(name in ada.channels.all);
    await Promise.race([ada.connection.whenState('connected'), sleep(5000)]);
    const resumed = ada.connection.id === id;
    const members = async () => (await rest.channels.get(name).presence.get()).items.map((m) => m.clientId);
    let present = await members();
    for (let i = 0; i < 30 && present.length; i++) {
      await sleep(100);
      present = await members();
    }
    // A channel of that name made afresh starts as any new one does.
    const state = ada.channels.get(name).state;
    ada.close();
    return { released, resumed, present, state };
  });
  assert.deepEqual(result, { released: true, resumed: true, present: [], state: 'initialized' });
});

// ably-js sends publish({ name: 5 }) as it is, and the server, which takes names as
// strings only, fails the whole connection (40000). Roster's sent it without its name.
// Now refused with 40013 as ably-js refuses publish(5, data), the connection left up.
test('publish({ name: 5 }) is refused with 40013 and the connection stays up', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options, name) => {
    const ada = new roster.Realtime(options('ada'));
    const channel = ada.channels.get(name);
    const heard = [];
    await channel.subscribe((m) => heard.push([m.name ?? null, m.data]));
    const refused = await channel.publish({ name: 5, data: 'numbered' }).then(() => 'sent', (e) => [e.code, e.statusCode]);
    const batch = await channel.publish([{ name: 'a', data: 'kept' }, { name: true, data: 'named true' }]).then(() => 'sent', (e) => [e.code, e.statusCode]);
    await channel.publish('after', 'next');
    const start = Date.now();
    while (!heard.length && Date.now() - start < 5000) await new Promise((resolve) => setTimeout(resolve, 10));
    const state = ada.connection.state;
    ada.close();
    return { refused, batch, heard, state };
  });
  assert.deepEqual(result, { refused: [40013, 400], batch: [40013, 400], heard: [['after', 'next']], state: 'connected' });
});
