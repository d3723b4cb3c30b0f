// Interop in msgpack: the real `ably` client in Node with its DEFAULT options
// (useBinaryProtocol: true, as a backend bot or service uses it) against roster-server,
// next to JSON clients (ably-js with useBinaryProtocol: false, and the Roster package in
// headless Chromium): presence and messages
// with string, object and binary data both ways, presence.get (SYNC), REST presence,
// history and batchPresence pages, a resume that replays what a dropped transport
// missed, and a malformed msgpack frame refused with 40000 while others are served.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Ably from 'ably';
import WebSocket from 'ws';
import { ablyOptions, BASE, closeAll, connected, devAuth, nextPresence, realtime, rosterOptions, skip, uniqueChannel, until, within } from './ably.mjs';
import { chromiumForTests, openTab } from './chromium.mjs';
import { startProxy } from './proxy.mjs';

const opts = { skip, timeout: 60_000 };
const WAIT = 15_000;

/** ably-js's own defaults for the local server: no useBinaryProtocol, no transports. */
function withDefaults(extra) {
  const { useBinaryProtocol, transports, ...options } = ablyOptions(extra);
  return options;
}

/** Default options with dev-auth tokens for `clientId`. */
const defaults = (clientId, extra = {}) => withDefaults({ ...devAuth(clientId), ...extra });

/** An ably-js Realtime client with default options (msgpack). */
const bot = (clientId, extra) => new Ably.Realtime(defaults(clientId, extra));

/** An ably-js Rest client with default options (msgpack). */
const rest = (clientId = 'rest-reader') => new Ably.Rest(defaults(clientId));

const bytes = (data) => [...Buffer.from(data)];

/** The data of one presence event as comparable values (binary as an array of bytes). */
const plain = (data) => (Buffer.isBuffer(data) || data instanceof Uint8Array ? { binary: bytes(data) } : data);

const chromium = chromiumForTests(BASE);
let proxy;
before(async () => {
  if (BASE) proxy = await startProxy(Number(new URL(BASE).port));
});
after(async () => {
  await proxy?.close();
});

test('default options are msgpack, and such a client connects and attaches', opts, async () => {
  const client = bot('bot');
  try {
    assert.equal(client.options.useBinaryProtocol, true, 'ably-js in Node defaults to msgpack');
    await connected(client);
    const channel = client.channels.get(uniqueChannel('msgpack-attach'));
    await within(channel.attach(), WAIT, 'attach');
    assert.equal(channel.state, 'attached');
  } finally {
    await closeAll([client]);
  }
});

test('presence and messages cross between msgpack and JSON clients with their data', opts, async () => {
  const name = uniqueChannel('msgpack-cross');
  const b = bot('bot');
  const w = realtime('web');
  try {
    const bc = b.channels.get(name);
    const wc = w.channels.get(name);
    await Promise.all([bc.attach(), wc.attach()]);
    const values = ['hello', { a: 1, list: [1, 'two'], nested: { ok: true } }, Buffer.from([0, 1, 2, 254, 255])];

    // msgpack -> JSON: enter, update, update, leave.
    const seenByWeb = [];
    wc.presence.subscribe((m) => m.clientId === 'bot' && seenByWeb.push([m.action, plain(m.data)]));
    await bc.presence.enter(values[0]);
    await bc.presence.update(values[1]);
    await bc.presence.update(values[2]);
    await bc.presence.leave(values[0]);
    const expected = [['enter', values[0]], ['update', values[1]], ['update', plain(values[2])], ['leave', values[0]]];
    await until(() => seenByWeb.length >= 4, 'web to see the bot enter, update twice, leave');
    assert.deepEqual(seenByWeb, expected);

    // JSON -> msgpack, binary sent as a Uint8Array.
    const seenByBot = [];
    bc.presence.subscribe((m) => m.clientId === 'web' && seenByBot.push([m.action, plain(m.data)]));
    await wc.presence.enter(values[0]);
    await wc.presence.update(values[1]);
    await wc.presence.update(new Uint8Array([9, 8, 7]));
    await wc.presence.leave(values[0]);
    await until(() => seenByBot.length >= 4, 'bot to see web enter, update twice, leave');
    assert.deepEqual(seenByBot, [['enter', values[0]], ['update', values[1]], ['update', { binary: [9, 8, 7] }], ['leave', values[0]]]);

    // Channel messages, both ways.
    const toWeb = [];
    const toBot = [];
    await wc.subscribe((m) => m.name === 'from-bot' && toWeb.push(plain(m.data)));
    await bc.subscribe((m) => m.name === 'from-web' && toBot.push(plain(m.data)));
    for (const data of values) await bc.publish('from-bot', data);
    for (const data of values) await wc.publish('from-web', data);
    await until(() => toWeb.length >= 3 && toBot.length >= 3, 'messages both ways');
    assert.deepEqual(toWeb, values.map(plain));
    assert.deepEqual(toBot, values.map(plain));
  } finally {
    await closeAll([b, w]);
  }
});

test('the Roster package (JSON, in Chromium) and a msgpack ably-js client see each other\'s presence data', opts, async () => {
  const name = uniqueChannel('msgpack-roster');
  const errors = [];
  const { context, page } = await openTab(chromium.get(), `${BASE}/health`, { name: 'roster', errors, timeout: WAIT });
  const b = bot('bot');
  try {
    await page.evaluate(async ({ name, options }) => {
      const { Realtime } = await import('/pkg/realtime.js');
      const plain = (d) => (d instanceof ArrayBuffer ? { binary: [...new Uint8Array(d)] } : d);
      window.seen = [];
      window.client = new Realtime(options);
      await window.client.channels.get(name).presence.subscribe((m) => {
        if (m.clientId === 'bot') window.seen.push([m.action, plain(m.data)]);
      });
    }, { name, options: rosterOptions('web') });

    // msgpack -> Roster.
    const bc = b.channels.get(name);
    await bc.presence.enter('hello');
    await bc.presence.update({ a: 1, list: [1, 'two'] });
    await bc.presence.update(Buffer.from([0, 1, 255]));
    await bc.presence.leave('bye');
    await until(async () => (await page.evaluate(() => window.seen.length)) >= 4, 'Roster to see the bot enter, update twice, leave');
    assert.deepEqual(await page.evaluate(() => window.seen), [
      ['enter', 'hello'], ['update', { a: 1, list: [1, 'two'] }], ['update', { binary: [0, 1, 255] }], ['leave', 'bye'],
    ]);

    // Roster -> msgpack, binary sent as an ArrayBuffer.
    const seenByBot = [];
    await bc.presence.subscribe((m) => m.clientId === 'web' && seenByBot.push([m.action, plain(m.data)]));
    await page.evaluate(async (name) => {
      const presence = window.client.channels.get(name).presence;
      await presence.enter('hi');
      await presence.update({ b: [true, null] });
      await presence.update(new Uint8Array([4, 5]).buffer);
      await presence.leave('later');
    }, name);
    await until(() => seenByBot.length >= 4, 'the bot to see Roster enter, update twice, leave');
    assert.deepEqual(seenByBot, [['enter', 'hi'], ['update', { b: [true, null] }], ['update', { binary: [4, 5] }], ['leave', 'later']]);
  } finally {
    await closeAll([b]);
    await page.evaluate(() => window.client?.close()).catch(() => {});
    await context.close();
  }
  assert.deepEqual(errors, [], 'no page errors');
});

test('presence.get over msgpack (SYNC) and REST presence, history and batch pages', opts, async () => {
  const name = uniqueChannel('msgpack-reads');
  const webClients = ['ann', 'ben'].map((id) => realtime(id));
  const b = bot('bot');
  try {
    await webClients[0].channels.get(name).presence.enter({ i: 0 });
    await webClients[1].channels.get(name).presence.enter(new Uint8Array([1, 2]));
    await b.channels.get(name).presence.enter(Buffer.from([3, 4]));
    await b.channels.get(name).presence.update('text');
    const want = [['ann', { i: 0 }], ['ben', { binary: [1, 2] }], ['bot', 'text']];
    const rows = (items) => items.map((m) => [m.clientId, plain(m.data)]).sort((x, y) => x[0].localeCompare(y[0]));

    // Realtime presence.get on a fresh msgpack client: what the SYNC brought.
    const late = bot('late');
    try {
      assert.deepEqual(rows(await late.channels.get(name).presence.get()), want);
    } finally {
      await closeAll([late]);
    }

    const channel = rest().channels.get(name);
    const first = await channel.presence.get({ limit: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.hasNext(), 'a Link to the next page');
    const second = await first.next();
    assert.equal(second.hasNext(), false);
    assert.deepEqual(rows([...first.items, ...second.items]), want);
    assert.deepEqual(rows((await channel.presence.get({ clientId: 'ben' })).items), [want[1]]);

    const history = [];
    let page = await channel.presence.history({ limit: 2, direction: 'forwards' });
    for (;;) {
      history.push(...page.items.map((m) => [m.action, m.clientId, plain(m.data)]));
      if (!page.hasNext()) break;
      page = await page.next();
    }
    assert.deepEqual(history, [
      ['enter', 'ann', { i: 0 }],
      ['enter', 'ben', { binary: [1, 2] }],
      ['enter', 'bot', { binary: [3, 4] }],
      ['update', 'bot', 'text'],
    ]);

    // Batch presence gives members as on the wire (ably-js does not decode them): in
    // msgpack, binary data is binary, as Ably answers it.
    const batch = await rest().batchPresence([name]);
    assert.equal(batch.successCount, 1);
    assert.equal(batch.failureCount, 0);
    const members = batch.results[0].presence.map((m) => m.clientId).sort();
    assert.deepEqual(members, ['ann', 'ben', 'bot']);
    const ben = batch.results[0].presence.find((m) => m.clientId === 'ben');
    assert.ok(Buffer.isBuffer(ben.data), `binary, not ${JSON.stringify(ben.data)}`);
    assert.deepEqual([bytes(ben.data), ben.encoding], [[1, 2], undefined]);
    const ann = batch.results[0].presence.find((m) => m.clientId === 'ann');
    assert.deepEqual([ann.data, ann.encoding], ['{"i":0}', 'json']);
    const decoded = await Ably.Realtime.PresenceMessage.fromEncoded(ben);
    assert.deepEqual(plain(decoded.data), { binary: [1, 2] });

    assert.equal(typeof (await rest().time()), 'number');
  } finally {
    await closeAll([b, ...webClients]);
  }
});

test('a REST error reaches a msgpack client with its code', opts, async () => {
  const client = new Ably.Rest(withDefaults({ key: 'app.unknown:secret' }));
  await assert.rejects(client.channels.get(uniqueChannel('msgpack-error')).presence.get(), (err) => {
    assert.equal(err.code, 40130, `${err.code} ${err.message}`);
    assert.equal(err.statusCode, 401);
    assert.match(err.message, /not recognised/);
    return true;
  });
  // As Ably answers: the error body in the format asked for.
  const response = await fetch(`${BASE}/channels/any/presence`, {
    headers: { accept: 'application/x-msgpack', authorization: `Basic ${Buffer.from('app.unknown:secret').toString('base64')}` },
  });
  assert.equal(response.status, 401);
  assert.equal(response.headers.get('content-type'), 'application/x-msgpack');
  assert.equal(response.headers.get('x-ably-errorcode'), '40130');
  const body = client._MsgPack.decode(Buffer.from(await response.arrayBuffer()));
  assert.equal(body.error.code, 40130);
});

test('a msgpack client resumes after a dropped transport and gets what it missed', opts, async () => {
  const name = uniqueChannel('msgpack-resume');
  const b = bot('bot', { port: proxy.port, disconnectedRetryTimeout: 500 });
  const w = realtime('web');
  try {
    const bc = b.channels.get(name);
    const seen = [];
    await bc.subscribe((m) => seen.push(['message', plain(m.data)]));
    await bc.presence.subscribe((m) => m.clientId === 'web' && seen.push([m.action, plain(m.data)]));
    await connected(b);
    const connectionId = b.connection.id;
    const resumed = [];
    bc.on('attached', (change) => resumed.push(change.resumed));

    proxy.blackhole();
    const wc = w.channels.get(name);
    await wc.presence.enter(new Uint8Array([5, 6]));
    await wc.publish('missed', { kept: true });
    await wc.publish('missed', new Uint8Array([7]));
    proxy.cut();

    await until(() => seen.length >= 3, 'the missed presence and messages after the resume');
    assert.equal(b.connection.id, connectionId, 'the same connection, resumed');
    assert.deepEqual(seen, [['enter', { binary: [5, 6] }], ['message', { kept: true }], ['message', { binary: [7] }]]);
    assert.ok(!resumed.includes(false), `channel continuity kept: ${JSON.stringify(resumed)}`);
  } finally {
    await closeAll([b, w]);
  }
});

test('a malformed msgpack frame gets ERROR 40000 and the server serves others', opts, async () => {
  const tokens = rest('raw');
  const { token } = await tokens.auth.requestToken();
  const url = new URL(BASE);
  const ws = new WebSocket(`ws://${url.host}/?format=msgpack&v=6&access_token=${encodeURIComponent(token)}`);
  const frames = [];
  const closed = new Promise((resolve) => ws.on('close', resolve));
  ws.on('message', (data, isBinary) => frames.push({ isBinary, msg: tokens._MsgPack.decode(data) }));
  try {
    await until(() => frames.length >= 1, 'CONNECTED');
    assert.equal(frames[0].isBinary, true, 'frames in msgpack are binary');
    assert.equal(frames[0].msg.action, 4);
    ws.send(Buffer.from([0xc1, 0x01, 0x02]));
    const error = await until(() => frames.find((f) => f.msg.action === 9), 'ERROR');
    assert.equal(error.isBinary, true);
    assert.equal(error.msg.error.code, 40000);
    await within(closed, WAIT, 'the server to close the socket');

    // Someone else is still served, in both formats.
    const name = uniqueChannel('msgpack-after-bad');
    const b = bot('bot');
    const w = realtime('web');
    try {
      const entered = nextPresence(w.channels.get(name), 'enter', (m) => m.clientId === 'bot');
      await w.channels.get(name).attach();
      await b.channels.get(name).presence.enter('still here');
      assert.equal((await entered).data, 'still here');
    } finally {
      await closeAll([b, w]);
    }
  } finally {
    ws.terminate();
  }
});
