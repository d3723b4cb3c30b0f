// Differential parity with ably-js, fifteenth round (the harness: differential.mjs):
// once()/on() with a function as the event and a second argument, a released channel
// detached while attaching, a Date in presence.history() params, a TokenRequest exchange
// refused by a host that is not Ably, Realtime with a key and useTokenAuth, presence and
// publish on a channel attached without their modes; and, with the
// `ably` client alone, roster-server's idempotent publishing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServer } from 'node:http';
import { BASE, realtime, skip, uniqueChannel, within } from './ably.mjs';
import { chromiumForTests, inRosterTab } from './chromium.mjs';
import { differential } from './differential.mjs';
import { startServer } from './server.mjs';

const opts = { skip, timeout: 120_000 };
const chromium = chromiumForTests(BASE);
const KEY = 'app.fifteen:fifteen-secret';
// A roster-server whose key the tests know.
let keyed;
let keyedPort;
// A REST host that is not Ably: its /keys/{keyName}/requestToken answers with the status
// the key name gives (`app.404`: 404), without X-Ably-Errorcode, as a proxy or a
// misrouted host would; the body JSON for `app.500json`, text otherwise.
let foreign;
let foreignPort;

before(async () => {
  if (!BASE) return;
  ({ child: keyed, port: keyedPort } = await startServer(['--key', KEY], 'the keyed roster-server'));
  foreign = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? '*');
    if (req.method === 'OPTIONS') return res.end();
    const match = /^\/keys\/app\.(\d+)(json)?\/requestToken$/.exec(new URL(req.url, 'http://foreign').pathname);
    res.statusCode = match ? Number(match[1]) : 404;
    if (match?.[2]) {
      res.setHeader('Content-Type', 'application/json');
      return res.end(JSON.stringify({ error: { message: 'not here', code: 50000, statusCode: 500 } }));
    }
    res.setHeader('Content-Type', 'text/plain');
    res.end('no such thing');
  });
  await new Promise((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  foreignPort = foreign.address().port;
});

after(async () => {
  keyed?.kill();
  await new Promise((resolve) => (foreign ? foreign.close(resolve) : resolve()));
});

// A function as the event with a second argument: ably-js's once() throws whatever the
// second is (undefined included, when given), and its on() too (only one that is not
// undefined is compared here: Roster's on() takes an undefined one as none); neither adds
// a listener. Roster took the function as
// a listener for every event and ignored the second argument.
test('once(listener, x) and on(listener, x) throw and add nothing', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada', { autoConnect: false });
    const outcome = t.returned;
    const { connection } = ada;
    const heard = (what) => function () { t.record('heard', [what, this.event]); };
    t.read('once(fn, fn)', outcome(() => connection.once(heard('once(fn, fn) first'), heard('once(fn, fn) second'))));
    t.read('once(fn, null)', outcome(() => connection.once(heard('once(fn, null)'), null)));
    t.read('once(fn, undefined)', outcome(() => connection.once(heard('once(fn, undefined)'), undefined)));
    t.read('once(fn, connected)', outcome(() => connection.once(heard('once(fn, connected)'), 'connected')));
    t.read('on(fn, fn)', outcome(() => connection.on(heard('on(fn, fn) first'), heard('on(fn, fn) second'))));
    t.read('on(fn, null)', outcome(() => connection.on(heard('on(fn, null)'), null)));
    t.read('once(fn)', outcome(() => connection.once(heard('once(fn)'))));
    connection.connect();
    await t.within(connection.whenState('connected'), 'connected');
    await t.until('heard', 1);
  });
});

// An attach the app's next call takes over rejects with ably-js's 90000/409 and its words:
// apps show `message`. Roster's said "attach request superseded by a subsequent detach",
// lower case and without "request" (and a detach taken over by an attach likewise; the
// core now says ably-js's words for both).
test("a superseded attach rejects with ably-js's message", opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const channel = ada.channels.get(t.name);
    await t.within(ada.connection.whenState('connected'), 'connected');
    const said = (promise) => promise.then(() => 'resolved', (e) => [e.code, e.statusCode, e.message]);
    const attach = said(channel.attach());
    await t.op('detach', channel.detach());
    t.read('attach taken over by a detach', await attach);
    // On a channel of its own: after a detach, ably-js 2.28 rejects this attach with the
    // change's made-up reason; and it rejects the listener's detach (README, API).
    const other = ada.channels.get(`${t.name}-2`);
    other.once('attached', () => { other.detach().catch(() => {}); });
    t.read('attach taken over by a listener\'s detach', await said(other.attach()));
  });
});

// A released channel object (channels.release) detached while its attach waits: ably-js
// goes to detaching (the attach rejects, 90000/409), sends a DETACH nobody answers and,
// after realtimeRequestTimeout, goes back to attached with 90007 "Channel detach timed
// out", with which detach() rejects; a detach from there does the same. Roster went to
// detached at once and resolved.
test('a released channel detached while attaching: detaching, then attached with 90007', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada', { realtimeRequestTimeout: 500 });
    const old = ada.channels.get(t.name);
    await t.op('attach', old.attach());
    const detached = old.once('detached');
    ada.channels.release(t.name);
    await t.op('detached', detached.then(() => null));
    t.watchChannel('old', old);
    const attaching = old.attach();
    t.read('state after attach()', old.state);
    const detaching = old.detach();
    t.read('state after detach()', old.state);
    await t.op('attach', attaching);
    await t.op('detach', detaching);
    t.read('state', old.state);
    t.read('errorReason', t.error(old.errorReason));
    await t.op('attach from there', old.attach());
    await t.op('detach again', old.detach());
    // An attach takes over a detach that waits (90000/409), and times out in its turn.
    const detachAgain = t.settle(old.detach());
    await t.op('attach while detaching', old.attach());
    t.read('that detach', await detachAgain);
    t.read('state at last', old.state);
    // The new channel of that name is not touched. (Not attached here: ably-js's
    // released object sends its ATTACH and DETACH frames, which the server takes as the
    // connection's for that name, so after the last ATTACH a new channel's attach is
    // resumed there; Roster sends none.)
    t.read('new channel', ada.channels.get(t.name).state);
  });
});

// presence.history() with a Date as start or end: ably-js sends it as text (String(date))
// and roster-server refuses that, as Ably does, with 40000; Roster sent its ms and got a
// page.
test('presence.history() with a Date as start or end is refused, as ably-js is', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const channel = ada.channels.get(t.name);
    await t.op('enter', channel.presence.enter('here'));
    const since = Date.now() - 60_000;
    const items = (page) => page.items.map((m) => [m.clientId, m.action]);
    await t.op('start: a Date', channel.presence.history({ start: new Date(since) }).then(items));
    await t.op('end: a Date', channel.presence.history({ end: new Date() }).then(items));
    await t.op('start: ms', channel.presence.history({ start: since }).then((p) => p.items.length));
    await t.op('start: ms as text', channel.presence.history({ start: String(since) }).then((p) => p.items.length));
    const rest = t.rest('bob');
    await t.op('Rest start: a Date', rest.channels.get(t.name).presence.history({ start: new Date(since) }).then(items));
  });
});

// A TokenRequest exchanged at a REST host that is not Ably, which refuses it without
// X-Ably-Errorcode: ably-js makes the refusal 40170/401 (a 403 stays 403 with 40300),
// as for an authUrl's; Roster gave a code derived from the status (40400, 50000).
test('a TokenRequest exchange refused by a host that is not Ably: 40170, or 40300 for 403', opts, async () => {
  await differential(async (t) => {
    for (const name of ['404', '500json', '403', '401']) {
      const rest = t.rest(null, { key: `app.${name}:secret`, useTokenAuth: true, authUrl: undefined, authParams: undefined, port: t.params.foreignPort });
      await t.op(`get with ${name}`, rest.channels.get(t.name).presence.get().then((p) => p.items));
    }
  }, undefined, { params: { foreignPort } });
});

// Realtime with a key and useTokenAuth: true: ably-js signs TokenRequests with the key,
// exchanges them, and connects with the token (no TLS needed, its clientId the one the
// options name). Roster sent the key (basic auth), refused without TLS (40103).
test('Realtime with a key and useTokenAuth connects with tokens it signs', opts, async () => {
  await differential(async (t) => {
    let ada;
    try {
      ada = t.client('ada', 'ada', { key: t.params.key, useTokenAuth: true, authUrl: undefined, authParams: undefined, port: t.params.keyedPort });
    } catch (e) {
      t.read('constructor throws', t.error(e));
      return;
    }
    await t.within(ada.connection.whenState('connected'), 'connected');
    t.read('clientId', ada.auth.clientId);
    const channel = ada.channels.get(t.name);
    await t.op('enter', channel.presence.enter('here'));
    await t.op('get', channel.presence.get());
    await t.op('history', channel.presence.history().then((p) => p.items.map((m) => [m.clientId, m.action])));
    await t.op('authorize()', ada.auth.authorize().then((details) => typeof details?.token));
  }, undefined, { params: { key: KEY, keyedPort } });
});

// The realtime entry has no HMAC to sign TokenRequests with: it refuses a key with
// useTokenAuth from the constructor (40000), saying which entry can, rather than sending
// the key or failing the connection later.
test('Realtime from the realtime entry refuses a key with useTokenAuth (40000)', opts, async () => {
  const result = await inRosterTab(chromium.get(), 'realtime-entry', async (roster, options) => {
    const { Realtime } = await import('/pkg/realtime.js');
    try {
      new Realtime({ ...options('ada'), authUrl: undefined, key: 'app.key:secret', useTokenAuth: true, autoConnect: false });
      return 'constructed';
    } catch (e) {
      return { code: e.code, statusCode: e.statusCode, names: /full package entry/.test(e.message) };
    }
  });
  assert.deepEqual(result, { code: 40000, statusCode: 400, names: true });
});

// Idempotent publishing (RSL1k): Ably delivers a message whose client-given id it has
// seen on the channel recently only once; the second publish is still acknowledged.
// roster-server delivered both.
test('roster-server delivers a message published twice with one id once', opts, async () => {
  const name = uniqueChannel('idempotent');
  const publisher = realtime('ada');
  const subscriber = realtime('bob');
  try {
    const seen = [];
    const ended = new Promise((resolve) => {
      subscriber.channels.get(name).subscribe((m) => {
        seen.push([m.name, m.id]);
        if (m.name === 'end') resolve();
      });
    });
    await within(subscriber.channels.get(name).attach(), 10_000, 'attach');
    const channel = publisher.channels.get(name);
    await within(channel.publish({ name: 'first', data: 'one', id: `${name}-a` }), 10_000, 'publish');
    await within(channel.publish({ name: 'again', data: 'two', id: `${name}-a` }), 10_000, 'publish again');
    // Each message of a batch is one id: the second batch's repeat goes, its new one stays.
    await within(channel.publish([{ name: 'b1', id: `${name}-b:0` }, { name: 'b2', id: `${name}-b:1` }]), 10_000, 'batch');
    await within(channel.publish([{ name: 'b2 again', id: `${name}-b:1` }, { name: 'c', id: `${name}-c` }]), 10_000, 'batch again');
    // Without an id nothing is deduplicated.
    await within(channel.publish('plain', 'one'), 10_000, 'plain');
    await within(channel.publish('plain', 'two'), 10_000, 'plain again');
    // The same id on another channel is another message.
    const other = publisher.channels.get(`${name}-other`);
    const otherSeen = new Promise((resolve) => subscriber.channels.get(`${name}-other`).subscribe(resolve));
    await within(subscriber.channels.get(`${name}-other`).attach(), 10_000, 'attach other');
    await within(other.publish({ name: 'elsewhere', id: `${name}-a` }), 10_000, 'publish elsewhere');
    assert.equal((await within(otherSeen, 10_000, 'the other channel\'s message')).name, 'elsewhere');
    await within(channel.publish('end', null), 10_000, 'end');
    await within(ended, 10_000, 'the end message');
    assert.deepEqual(seen.map(([n]) => n), ['first', 'b1', 'b2', 'c', 'plain', 'plain', 'end']);
  } finally {
    publisher.close();
    subscriber.close();
  }
});

// A channel attached without the PRESENCE or PUBLISH mode, though the token allows both:
// as on Ably, the server refuses an enter or a publish there with 40165 (401), and both
// SDKs reject with it. roster-server let them through.
test('enter and publish on a channel attached without their modes: 40165', opts, async () => {
  const ably = await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const watching = ada.channels.get(t.name, { modes: ['PRESENCE_SUBSCRIBE', 'SUBSCRIBE'] });
    await t.op('attach watching', watching.attach());
    t.read('modes', [...(watching.modes ?? [])].sort());
    await t.op('enter', watching.presence.enter('here'));
    await t.op('publish', watching.publish('chat', 'hello'));
    const talking = ada.channels.get(`${t.name}-talk`, { modes: ['PRESENCE', 'PUBLISH'] });
    await t.op('attach talking', talking.attach());
    await t.op('enter where asked', talking.presence.enter('here'));
    await t.op('publish where asked', talking.publish('chat', 'hello'));
  });
  const outcome = (what) => ably.ops.find(([name]) => name === what)?.[1];
  for (const what of ['enter', 'publish']) {
    assert.deepEqual(outcome(what)?.rejected, { code: 40165, statusCode: 401, isError: true, causeCode: null }, what);
  }
});
