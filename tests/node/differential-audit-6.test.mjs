// Differential parity with ably-js, a sixth audit as a web developer migrating from
// ably-js (the harness: differential.mjs): the app's auth endpoint or authCallback failing
// in the ways they fail in production (a 401, a 500, a body that is no token, no answer, a
// network error, an invalid token), while connecting, at a token's expiry and in
// authorize(); what the app sees: states, reasons, errorReason, its pending attach() and
// enter(), and whether the client asks again.
import { after, before, test } from 'node:test';
import http from 'node:http';
import { BASE, skip } from './ably.mjs';
import { differential, refusedRetriesAsOne, withoutUncaught } from './differential.mjs';

const opts = { skip, timeout: 180_000 };

// The app's auth endpoint, answering each path in one way; CORS as for a web app's. Its
// requests are counted by the query's `run`, so a scenario can read how often it asked.
const answers = {
  '401-text': [401, { 'content-type': 'text/plain' }, 'unauthorized'],
  // Fails the connection (RSA4d): what the pending attach() and enter() reject with.
  '403-text': [403, { 'content-type': 'text/plain' }, 'forbidden'],
  '500-json': [500, { 'content-type': 'application/json' }, '{"error":"boom"}'],
  'json-garbage': [200, { 'content-type': 'application/json' }, '{"token": nope'],
  'no-content-type': [200, {}, 'some-token-text'],
  'html': [200, { 'content-type': 'text/html' }, '<html>login</html>'],
  'empty-text': [200, { 'content-type': 'text/plain' }, ''],
  'double-encoded': [200, { 'content-type': 'text/plain' }, '{"token":"abc"}'],
  'invalid-token': [200, { 'content-type': 'text/plain' }, 'not-a-real-token'],
  'json-no-token': [200, { 'content-type': 'application/json' }, '{"user":"ada"}'],
};
let authServer;
let authBase;
const hits = new Map();
const hanging = new Set();

before(async () => {
  if (skip) return;
  authServer = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://x');
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' };
    if (request.method === 'OPTIONS') return response.writeHead(204, cors).end();
    const run = url.searchParams.get('run');
    hits.set(run, (hits.get(run) ?? 0) + 1);
    const kind = url.pathname.slice(1);
    // No answer at all: the app's server stuck.
    if (kind === 'hang') return hanging.add(response);
    const [status, headers, body] = answers[kind] ?? [404, {}, ''];
    response.writeHead(status, { ...cors, ...headers }).end(body);
  });
  await new Promise((resolve) => authServer.listen(0, '127.0.0.1', resolve));
  authBase = `http://127.0.0.1:${authServer.address().port}`;
});

after(async () => {
  for (const response of hanging) response.destroy();
  await new Promise((resolve) => (authServer ? authServer.close(resolve) : resolve()));
});

// The connection's changes with every refused retry after the first as one.
const retriesAsOne = (trace) => Object.fromEntries(Object.entries(trace)
  .map(([stream, entries]) => [stream, / connection$/.test(stream) ? refusedRetriesAsOne(entries) : entries]));

// For each way the auth endpoint fails: a client connecting with it, an attach() and an
// enter() made at once; what it reaches (failed, or disconnected twice: it asked again),
// the reasons, the calls' outcomes by then, and how often it asked the endpoint.
const endpointScenario = async (t) => {
  const reason = (client) => (client.connection.errorReason ? t.error(client.connection.errorReason) : null);
  const { authBase, kinds = [
    'callback: an invalid token', 'callback: an empty string', 'callback: null', 'callback: a number',
    'callback: an object without a token', 'callback: a token without issued', 'callback: an ErrorInfo 500',
    'callback: an error with a code only', 'callback: no answer',
  ], closedPort } = t.params;
  for (const kind of kinds) {
    const run = `${t.name}-${kind}`;
    let asked = 0;
    const callbacks = {
      'callback: an invalid token': (cb) => cb(null, 'not-a-real-token'),
      'callback: an empty string': (cb) => cb(null, ''),
      'callback: null': (cb) => cb(null, null),
      'callback: a number': (cb) => cb(null, 42),
      'callback: an object without a token': (cb) => cb(null, { user: 'ada' }),
      'callback: a token without issued': (cb) => cb(null, { token: 'not-a-real-token' }),
      'callback: an ErrorInfo 500': (cb) => cb(new t.ErrorInfo('down', 50000, 500), null),
      'callback: an error with a code only': (cb) => cb({ message: 'nope', code: 40100 }, null),
      'callback: no answer': () => {},
    };
    const auth = callbacks[kind]
      ? { authCallback: (params, cb) => { asked += 1; callbacks[kind](cb); }, authUrl: undefined }
      : { authUrl: kind === 'network error' ? `http://127.0.0.1:${closedPort}/x` : `${authBase}/${kind}?run=${encodeURIComponent(run)}` };
    const client = t.client(kind, 'ada', { ...auth, authParams: undefined, disconnectedRetryTimeout: 1500, realtimeRequestTimeout: 1500 });
    const channel = client.channels.get(`${t.name}-${kind}`);
    const outcomes = { attach: 'pending', enter: 'pending' };
    channel.attach().then(() => (outcomes.attach = 'resolved'), (e) => (outcomes.attach = t.error(e)));
    channel.presence.enter('x').then(() => (outcomes.enter = 'resolved'), (e) => (outcomes.enter = t.error(e)));
    // Failed, or asked again and refused again.
    await t.within(new Promise((resolve) => {
      let disconnects = 0;
      client.connection.on((c) => {
        if (c.current === 'disconnected') disconnects += 1;
        if (c.current === 'failed' || disconnects === 2) resolve();
      });
    }), `${kind}: failed or disconnected twice`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    t.read(`${kind}: where it ended`, {
      state: client.connection.state, errorReason: reason(client), channel: channel.state, ...outcomes,
      asked: kind === 'network error' ? null : callbacks[kind] ? asked : await t.node('hits', run),
    });
    client.close();
    await t.within(client.connection.whenState(client.connection.state === 'failed' ? 'failed' : 'closed'), 'closed');
  }
};

test('an authUrl that fails while connecting: 401, 500, garbage, no token, an invalid token, no answer, no network', opts, async () => {
  await differential(endpointScenario, retriesAsOne, {
    params: { authBase, kinds: [...Object.keys(answers), 'hang', 'network error'], closedPort: 9 },
    expose: { hits: (run) => hits.get(run) ?? 0 },
  });
});

test('an authCallback that gives no usable token while connecting: invalid, empty, null, a number, an error, no answer', opts, async () => {
  await differential(endpointScenario, retriesAsOne);
});

// A failed connection refuses publish and presence with its errorReason: Roster's is that
// object, whose cause is the auth failure; ably-js's a copy with the errorReason as its
// cause, the same code, which the harness leaves out. Compared without the cause.
const refusalCauses = (trace) => ({
  ...trace,
  ops: trace.ops.map(([what, outcome]) => [what, /where it ended$/.test(what) && outcome.state === 'failed'
    ? { ...outcome, ...Object.fromEntries(['publish', 'update'].map((op) => [op, { ...outcome[op], causeCode: null }])) }
    : outcome]),
});

// A token that expires while connected, entered on a channel, when renewing it then fails:
// the authCallback's first token is good for 3 s, then it calls back a 500 (the app's auth
// server is down), a 403 (the user was logged out) or nothing. States and reasons until
// failed or disconnected twice after the expiry, the channel's, and a publish and an
// update made meanwhile.
test('a token that expires while connected, and renewing it fails: 500, 403, no answer', opts, async () => {
  await differential(async (t) => {
    const reason = (client) => (client.connection.errorReason ? t.error(client.connection.errorReason) : null);
    const failures = {
      500: (cb) => cb(new t.ErrorInfo('auth server down', 50000, 500), null),
      403: (cb) => cb(new t.ErrorInfo('logged out', 40300, 403), null),
      'no answer': () => {},
    };
    for (const [kind, fail] of Object.entries(failures)) {
      let asked = 0;
      const authCallback = (params, cb) => {
        asked += 1;
        if (asked > 1) return fail(cb);
        fetch(`/auth/token-request?clientId=ada&ttl=3000`).then((r) => r.json()).then((request) => cb(null, request), (e) => cb(e, null));
      };
      const ada = t.client(kind, 'ada', { authCallback, authUrl: undefined, authParams: undefined, disconnectedRetryTimeout: 1500, realtimeRequestTimeout: 1500 });
      const channel = ada.channels.get(`${t.name}-${kind}`);
      t.watchChannel(kind, channel);
      await t.op(`${kind}: enter`, channel.presence.enter('here'));
      const ended = new Promise((resolve) => {
        let disconnects = 0;
        ada.connection.on((c) => {
          if (c.current === 'disconnected') disconnects += 1;
          if (c.current === 'failed' || disconnects === 2) resolve();
        });
      });
      await t.within(ended, `${kind}: failed or disconnected twice`);
      // Keys in a fixed order: which settles first is not compared (README, publish).
      const outcomes = { publish: 'pending', update: 'pending' };
      channel.publish('chat', 'meanwhile').then(() => (outcomes.publish = 'resolved'), (e) => (outcomes.publish = t.error(e)));
      channel.presence.update('meanwhile').then(() => (outcomes.update = 'resolved'), (e) => (outcomes.update = t.error(e)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      t.read(`${kind}: where it ended`, { state: ada.connection.state, errorReason: reason(ada), channel: channel.state, asked, ...outcomes });
      ada.close();
      await t.within(ada.connection.whenState(ada.connection.state === 'failed' ? 'failed' : 'closed'), 'closed');
    }
  }, (trace) => retriesAsOne(refusalCauses(trace)));
});

// authorize() on a connected client with a source that gives no usable token: an authUrl
// that does not answer, answers HTML or an invalid token; an authCallback that calls back
// null or an invalid token. What it rejects with, and the connection afterwards.
test('authorize() that gets no usable token: no answer, HTML, null, an invalid token', opts, async () => {
  await differential(async (t) => {
    const reason = (client) => (client.connection.errorReason ? t.error(client.connection.errorReason) : null);
    const { authBase } = t.params;
    const sources = {
      'authUrl: no answer': { authUrl: `${authBase}/hang` },
      'authUrl: html': { authUrl: `${authBase}/html` },
      'authUrl: an invalid token': { authUrl: `${authBase}/invalid-token` },
      'authCallback: null': { authCallback: (params, cb) => cb(null, null) },
      'authCallback: an invalid token': { authCallback: (params, cb) => cb(null, 'not-a-real-token') },
    };
    for (const [kind, authOptions] of Object.entries(sources)) {
      const ada = t.client(kind, 'ada', { realtimeRequestTimeout: 1500, disconnectedRetryTimeout: 1500 });
      const channel = ada.channels.get(`${t.name}-${kind}`);
      await t.op(`${kind}: enter`, channel.presence.enter('here'));
      await t.op(`${kind}: authorize()`, ada.auth.authorize(null, authOptions));
      await new Promise((resolve) => setTimeout(resolve, 100));
      t.read(`${kind}: after`, { state: ada.connection.state, errorReason: reason(ada), channel: channel.state });
      ada.close();
      await t.within(ada.connection.whenState(ada.connection.state === 'failed' ? 'failed' : 'closed'), 'closed');
    }
  }, retriesAsOne, { params: { authBase } });
});

// What a chat app does with messages: a batch of several in one publish (text, JSON,
// binary, extras) by a client with echoMessages: false, name filters and arrays of
// names on and off, unsubscribe() with no arguments, subscribe before attach and across
// detach and attach, and messages near and over the server's size limit (64 KiB), one
// at a time and in a batch.
test('chat messages: batches, name filters on and off, detach and attach, sizes near the limit', opts, async () => {
  await differential(async (t) => {
    // ada, who sends, hears none of her own messages; bob's she does.
    const ada = t.client('ada', 'ada', { echoMessages: false });
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    t.watchChannel('bob', bobs);
    await t.op('ada subscribe', adas.subscribe((m) => t.record('ada hears', [m.name, m.data])));
    const describe = (value) => {
      if (value instanceof ArrayBuffer) return { ArrayBuffer: value.byteLength > 8 ? value.byteLength : [...new Uint8Array(value)] };
      if (ArrayBuffer.isView(value)) return { [value.constructor.name]: value.byteLength > 8 ? value.byteLength : [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)] };
      if (typeof value === 'string' && value.length > 20) return { string: value.length };
      return { [value === null ? 'null' : typeof value]: value === undefined ? '<undefined>' : value };
    };
    const hear = (tag) => (m) => t.record('bob hears', [tag, m.name ?? null, describe(m.data), m.extras ?? null, m.encoding ?? null]);
    const all = hear('all');
    const typing = hear('typing');
    const chat = hear('chat names');
    t.read('subscribe before attach: channel state', bobs.state);
    await t.op('subscribe all', bobs.subscribe(all));
    await t.op('subscribe typing', bobs.subscribe('typing', typing));
    await t.op('subscribe [chat, edit]', bobs.subscribe(['chat', 'edit'], chat));
    await t.op('publish a batch', adas.publish([
      { name: 'chat', data: 'hello' },
      { name: 'chat', data: { text: 'json', n: [1, 2] } },
      { name: 'edit', data: new Uint8Array([1, 2, 3]) },
      { name: 'typing', data: new Uint8Array([7]).buffer },
      { name: 'chat', data: 'with extras', extras: { headers: { lang: 'en' } } },
      { data: 'no name' },
    ]));
    await t.until('bob hears', 11);
    bobs.unsubscribe(['edit'], chat);
    bobs.unsubscribe('typing');
    await t.op('publish edit, typing, chat', adas.publish([{ name: 'edit', data: 'e' }, { name: 'typing', data: 't' }, { name: 'chat', data: 'c' }]));
    await t.until('bob hears', 15);

    // Detached: nothing heard; listeners kept; subscribe() attaches again.
    await t.op('bob detach', bobs.detach());
    await t.op('publish while bob is detached', adas.publish('chat', 'unheard'));
    await t.op('bob subscribe typing again', bobs.subscribe('typing', typing));
    t.read('bob after subscribe', bobs.state);
    await t.op('publish after re-attach', adas.publish([{ name: 'chat', data: 'back' }, { name: 'typing', data: 'again' }]));
    await t.until('bob hears', 19);
    bobs.unsubscribe();
    await t.op('publish after unsubscribe()', adas.publish('chat', 'nobody'));

    // Sizes: name and data counted as ably-js counts them, against the server's 65536,
    // which counts them the same way (TO3l8): 60000 bytes of binary are 60000, not the
    // 80000 characters of their base64.
    // By name: the message just sent to no listener may still be on its way.
    await t.op('subscribe for sizes', bobs.subscribe(['big', 'a', 'b', 'bin', 'x', 'small'], hear('size')));
    // Messages come in order: the last one heard, all before it are.
    const last = new Promise((resolve) => bobs.subscribe('small', resolve));
    await t.op('65400 bytes, name and data', adas.publish('big', 'x'.repeat(65397)));
    await t.op('65537 bytes', adas.publish('big', 'x'.repeat(65534)));
    await t.op('a batch of two 40000-byte messages', adas.publish([{ name: 'a', data: 'y'.repeat(40000) }, { name: 'b', data: 'y'.repeat(40000) }]));
    await t.op('60000 bytes of binary', adas.publish('bin', new Uint8Array(60000)));
    await t.op('extras over the limit', adas.publish({ name: 'x', data: 'small', extras: { headers: { pad: 'z'.repeat(70000) } } }));
    await t.op('a small one after', adas.publish('small', 'ok'));
    await t.within(last, 'the small one heard');
    await t.op('bob publishes', bobs.publish('chat', 'from bob'));
    await t.until('ada hears', 1);
    t.read('states', [ada.connection.state, adas.state, bobs.state]);
  });
});

// An authCallback written as an async function: one that calls back works alike; one
// that throws before calling back is, for ably-js, a callback never called (40170 after
// realtimeRequestTimeout) and an unhandled rejection. Roster takes the promise the
// callback returns (README, authorize): its rejection fails the token request at once
// with the same 40170, handled, so the page sees no unhandled rejection.
test('an async authCallback: calls back, or throws before it calls back', opts, async () => {
  await differential(async (t) => {
    const reason = (client) => (client.connection.errorReason ? t.error(client.connection.errorReason) : null);
    const request = () => fetch('/auth/token-request?clientId=ada').then((r) => r.json());
    const callbacks = {
      'calls back': async (params, cb) => cb(null, await request()),
      throws: async () => { await request(); throw new Error('token service down'); },
    };
    for (const [kind, authCallback] of Object.entries(callbacks)) {
      const ada = t.client(kind, 'ada', { authCallback, authUrl: undefined, authParams: undefined, realtimeRequestTimeout: 1500, disconnectedRetryTimeout: 60_000 });
      await t.until(`${kind} connection`, 2);
      t.read(`${kind}: state`, { state: ada.connection.state, errorReason: reason(ada) });
      ada.close();
      await t.within(ada.connection.whenState('closed'), 'closed');
    }
  }, (trace) => withoutUncaught(trace, ([kind, what]) => kind === 'unhandled rejection' && what === 'token service down'));
});
