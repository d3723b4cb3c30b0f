// Differential parity with ably-js, fourteenth round (the harness: differential.mjs): the
// clientId a token gave carried into later token requests, Rest's auth.clientId, a
// client-given message id kept by the server, the released channel's retry backoff, and
// once() with a listener given as null or undefined.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServer } from 'node:http';
import { BASE, skip } from './ably.mjs';
import { differential } from './differential.mjs';

const opts = { skip, timeout: 120_000 };
// An authUrl of our own on 127.0.0.1 that records the clientId its requests ask for and
// answers with roster-server's TokenRequest for clientId `ada`, whatever they ask.
let authServer;
let authPort;
let authRequests = [];

before(async () => {
  if (!BASE) return;
  authServer = createServer(async (req, res) => {
    // The page is on roster-server's origin: CORS.
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? '*');
    if (req.method === 'OPTIONS') return res.end();
    const query = new URL(req.url, 'http://auth').searchParams;
    authRequests.push(query.get('clientId') ?? '<none>');
    const answer = await fetch(`${BASE}/auth/token-request?clientId=ada`);
    res.setHeader('Content-Type', 'application/json');
    res.end(await answer.text());
  });
  await new Promise((resolve) => authServer.listen(0, '127.0.0.1', resolve));
  authPort = authServer.address().port;
});

after(async () => {
  await new Promise((resolve) => (authServer ? authServer.close(resolve) : resolve()));
});

const controls = () => ({
  authRequests: () => {
    const list = authRequests;
    authRequests = [];
    return list;
  },
});

// A client given no clientId learns it from its token when connected (RSA7b2, RSA12a):
// ably-js then puts it in the tokenParams of every later token request, so authCallback
// gets it (authorize() and renewal on expiry alike). Roster left it out.
test('a clientId learnt from the token goes into later tokenParams: authCallback', opts, async () => {
  await differential(async (t) => {
    const authCallback = (params, callback) => {
      t.record('authCallback params', { clientId: params.clientId ?? '<none>' });
      fetch(`${location.origin}/auth/token-request?clientId=ada&ttl=3000`).then((r) => r.json())
        .then((request) => callback(null, request), (e) => callback(e, null));
    };
    const ada = t.client('ada', null, { authCallback, authUrl: undefined, authParams: undefined });
    await t.within(ada.connection.whenState('connected'), 'connected');
    t.read('clientId', ada.auth.clientId);
    await t.op('authorize()', ada.auth.authorize().then(() => null));
    // The token authorize() got expires: the server disconnects (40142), the client renews.
    await t.until('authCallback params', 3);
    await t.within(ada.connection.whenState('connected'), 'connected again');
  }, ({ 'ada connection': _, ...trace }) => trace);
});

// The same with authUrl: the learnt clientId is in the query of later token requests.
test('a clientId learnt from the token goes into later tokenParams: authUrl query', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', null, { authUrl: `http://127.0.0.1:${t.params.authPort}/token`, authParams: undefined });
    await t.within(ada.connection.whenState('connected'), 'connected');
    t.read('clientId', ada.auth.clientId);
    await t.op('authorize()', ada.auth.authorize().then(() => null));
    t.read('clientIds asked for', await t.node('authRequests'));
  }, undefined, { params: { authPort }, expose: controls() });
});

// ably-js's Rest has auth.clientId: the clientId option (null if given as null), else
// undefined; a Rest client never learns one from its token. Roster's Rest had no
// auth.clientId at all (undefined whatever the options).
test('Rest auth.clientId: the option\'s, else undefined, a token\'s not learnt', opts, async () => {
  await differential(async (t) => {
    const show = (value) => (value === undefined ? '<undefined>' : value);
    const named = t.rest('ada');
    t.read('clientId option', show(named.auth.clientId));
    const anonymous = t.rest(null, { authParams: { clientId: 'bob' } });
    t.read('no clientId option', show(anonymous.auth.clientId));
    await t.op('get', anonymous.channels.get(t.name).presence.get().then(() => null));
    t.read('after a request with a token for bob', show(anonymous.auth.clientId));
    t.read('clientId: null', show(t.rest(null, { clientId: null }).auth.clientId));
    t.read('Rest has no clientId', show(named.clientId));
  });
});

// A message published with an id keeps it (as Ably keeps a client-supplied id, the basis
// of idempotent publishing); roster-server replaced it with its own. The id of a message
// without one is still the server's.
test('a published message keeps the id its publisher gave it', opts, async () => {
  const ably = await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const bobs = bob.channels.get(t.name);
    await t.op('bob subscribe', bobs.subscribe((m) => t.record('bob sees', {
      name: m.name, data: m.data, id: m.id === `${t.name}-given` ? 'the given id' : typeof m.id,
      connection: m.connectionId === ada.connection.id ? 'ada' : typeof m.connectionId,
    })));
    const adas = ada.channels.get(t.name);
    await t.op('publish with an id', adas.publish({ name: 'a', data: 'one', id: `${t.name}-given` }));
    await t.op('publish without', adas.publish('b', 'two'));
    await t.until('bob sees', 2);
  });
  assert.equal(ably['bob sees'][0].id, 'the given id', 'ably-js sees the id kept too');
});

// A released channel object's attach times out to suspended and is tried again (RTL13b)
// after channelRetryTimeout grown and jittered as RTB1 says: times (n + 2) / 3, at most
// 2, for the nth retry since it was last neither attaching nor suspended, less up to
// 20 %. Each wait is recorded as whether it was at least the least RTB1 allows (a timer
// never fires early); Roster waited channelRetryTimeout each time.
test('a released channel object retries its attach with RTB1 backoff', opts, async () => {
  await differential(async (t) => {
    const retry = 300;
    const ada = t.client('ada', 'ada', { realtimeRequestTimeout: 300, channelRetryTimeout: retry });
    const old = ada.channels.get(t.name);
    await t.op('attach', old.attach());
    const detached = old.once('detached');
    ada.channels.release(t.name);
    await t.op('detached', detached);
    let suspendedAt;
    let n = 0;
    old.on('suspended', () => { suspendedAt = performance.now(); });
    old.on('attaching', () => {
      if (suspendedAt === undefined) return;
      n += 1;
      const least = retry * Math.min((n + 2) / 3, 2) * 0.8;
      t.record('retries', { n, atLeastRtb1: performance.now() - suspendedAt >= least - 1 });
      suspendedAt = undefined;
    });
    await t.op('attach released', old.attach());
    await t.until('retries', 4);
    // Detached from suspended (a detach while attaching waits for an answer that never
    // comes in ably-js, but not in Roster: left alone here).
    await t.op('suspended', old.once('suspended').then(() => null));
    await t.op('detach', old.detach());
  });
});

// once(event, listener) with the listener null or undefined (given, unlike once(event)):
// ably-js adds nothing and returns undefined for an event name or array of names, and
// throws for no event (null or undefined). Roster returned a Promise.
test('once() with a listener given as null or undefined', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const outcome = t.returned;
    const { connection } = ada;
    t.read('once(connected, null)', outcome(() => connection.once('connected', null)));
    t.read('once(connected, undefined)', outcome(() => connection.once('connected', undefined)));
    t.read('once([connected], null)', outcome(() => connection.once(['connected'], null)));
    t.read('once(null, null)', outcome(() => connection.once(null, null)));
    t.read('once(undefined, undefined)', outcome(() => connection.once(undefined, undefined)));
    t.read('once(connected)', outcome(() => connection.once('connected')));
    t.read('once()', outcome(() => connection.once()));
    const channel = ada.channels.get(t.name);
    t.read('channel once(attached, null)', outcome(() => channel.once('attached', null)));
    await t.within(connection.whenState('connected'), 'connected');
    await t.op('attach', channel.attach());
  });
});
