// Differential parity with ably-js, sixth round (the harness: differential.mjs): the
// Message objects a subscriber gets, `auth.requestToken()` with a key and `queryTime`,
// and an authCallback that fails with something other than an Error.
import { after, before, test } from 'node:test';
import http from 'node:http';
import { skip } from './ably.mjs';
import { differential } from './differential.mjs';
import { startServer } from './server.mjs';

const opts = { skip, timeout: 120_000 };

// A roster-server whose key the tests know, behind an HTTP proxy whose `/time` is five
// minutes ahead, as a server whose clock differs from the browser's (within the 10 minutes
// roster-server accepts a TokenRequest's timestamp off its own): a TokenRequest signed at
// the server's time carries the proxy's. The proxy keeps the timestamp of each
// TokenRequest it forwards for the scenario to read.
const KEY = 'app.first:first-secret';
const SKEW = 300_000;
let keyed;
let proxy;
let proxyPort;
const signedAt = [];

before(async () => {
  if (skip) return;
  const server = await startServer(['--key', KEY], 'the keyed roster-server');
  keyed = server.child;
  const keyedPort = server.port;
  proxy = http.createServer((request, response) => {
    if (new URL(request.url, 'http://x').pathname === '/time') {
      const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' };
      response.writeHead(request.method === 'OPTIONS' ? 204 : 200, { ...cors, 'content-type': 'application/json' });
      response.end(request.method === 'OPTIONS' ? '' : JSON.stringify([Date.now() + SKEW]));
      return;
    }
    const body = [];
    request.on('data', (chunk) => body.push(chunk));
    request.on('end', () => {
      const bytes = Buffer.concat(body);
      if (request.method === 'POST' && /\/requestToken$/.test(new URL(request.url, 'http://x').pathname)) signedAt.push(JSON.parse(bytes).timestamp);
      const upstream = http.request({ port: keyedPort, host: '127.0.0.1', method: request.method, path: request.url, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode, answer.headers);
        answer.pipe(response);
      });
      upstream.on('error', () => response.destroy());
      upstream.end(bytes);
    });
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyPort = proxy.address().port;
});

after(async () => {
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve()));
  keyed?.kill();
});

// ably-js 2.28 gives every Message it hands a listener `action` by name (TM2j, from the
// wire's number; absent is message.create), `version` (TM2s: serial and timestamp unless
// the wire has one) and `annotations` ({ summary: {} } unless the wire has them). Roster's
// had none of them, and its publish dropped `extras`. What a subscriber gets for each
// publish form, every field compared.
test('a subscriber\'s Message: action, version, annotations and every other field', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    // Each own field with its value, ids, timestamps and the connection by their form;
    // an ably-js `encoding` of null is absent in Roster (README, differences by design).
    const fields = (m) => Object.fromEntries(Object.keys(m).sort()
      .filter((key) => !(key === 'encoding' && m[key] == null) && m[key] !== undefined)
      .map((key) => {
        const value = m[key];
        switch (key) {
          case 'id': return [key, typeof value === 'string' && value.startsWith(`${m.connectionId}:`)];
          case 'timestamp': return [key, Math.abs(Date.now() - value) < 60_000];
          case 'connectionId': return [key, t.message(m).connection];
          case 'serial': return [key, typeof value];
          case 'version': return [key, { ...value, ...('timestamp' in value ? { timestamp: value.timestamp === m.timestamp } : {}) }];
          case 'data': return [key, value instanceof ArrayBuffer ? [...new Uint8Array(value)] : value];
          default: return [key, value];
        }
      }));
    await t.op('bob subscribe', bobs.subscribe((m) => t.record('bob hears', fields(m))));
    await t.op('publish a string', adas.publish('greeting', 'hi'));
    await t.op('publish an object with extras', adas.publish({ name: 'note', data: { n: 1 }, extras: { headers: { k: 'v' } } }));
    await t.op('publish binary', adas.publish('bytes', new Uint8Array([1, 2, 3])));
    await t.op('publish without a name', adas.publish(undefined, 'nameless'));
    await t.until('bob hears', 4);
  });
});

// RSA8e/RSA9d: requestToken() with a key signs a TokenRequest as createTokenRequest() does,
// so `queryTime` (in the authOptions or the client's options) takes the server's clock,
// asked once. The proxy's clock is five minutes ahead: so was the TokenRequest's timestamp.
test('requestToken(tokenParams, { key, queryTime }): signed at the server\'s clock, asked once', opts, async () => {
  await differential(async (t) => {
    const { key, port, skew } = t.params;
    performance.clearResourceTimings();
    const timeRequests = async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === '/time').length;
    };
    const token = (promise) => promise.then((d) => ({ token: typeof d.token, clientId: d.clientId ?? null }), t.error);
    const signed = async () => {
      const at = await t.node('signedAt');
      return Math.abs(at - (Date.now() + skew)) < 30_000 ? 'at the server\'s clock' : Math.abs(at - Date.now()) < 30_000 ? 'at ours' : at;
    };
    const plain = t.rest('ada', { port });
    t.read('without queryTime', await token(plain.auth.requestToken({ clientId: 'ada' }, { key })));
    t.read('signed', await signed());
    t.read('time requests', await timeRequests());
    t.read('queryTime', await token(plain.auth.requestToken({ clientId: 'ada' }, { key, queryTime: true })));
    t.read('signed with queryTime', await signed());
    t.read('time requests after queryTime', await timeRequests());
    t.read('queryTime again', await token(plain.auth.requestToken(null, { key, queryTime: true })));
    t.read('signed again', await signed());
    t.read('time requests after queryTime again', await timeRequests());
    // queryTime in the client's options: the authOptions given replace its key, not that.
    const asking = t.rest('bob', { port, queryTime: true });
    t.read('queryTime in the options', await token(asking.auth.requestToken({ clientId: 'bob' }, { key })));
    t.read('signed with the options\' queryTime', await signed());
    t.read('time requests after the options\' queryTime', await timeRequests());
  }, undefined, { params: { key: KEY, port: proxyPort, skew: SKEW }, expose: { signedAt: () => signedAt.splice(0).at(-1) ?? null } });
});

// RSA8e: tokenParams given to requestToken() replace the client's, its clientId included
// (Roster added the client's clientId to them); none given, the client's are used. Given
// authOptions with no way to get a token fail as ably-js's do: 40171/403 (Roster's was
// 40106, the constructor's refusal).
test('requestToken(): given tokenParams replace the client\'s; authOptions without a source', opts, async () => {
  await differential(async (t) => {
    const { key, port } = t.params;
    const token = (promise) => promise.then((d) => ({ token: typeof d.token, clientId: d.clientId ?? null }), t.error);
    const ada = t.rest('ada', { port });
    t.read('tokenParams without clientId', await token(ada.auth.requestToken({ ttl: 60_000 }, { key })));
    t.read('no tokenParams', await token(ada.auth.requestToken(null, { key })));
    t.read('authOptions without a source', await token(ada.auth.requestToken(null, {})));
    // The constructor's refusal of no auth at all: 40106/401 (Roster's was 400).
    try {
      t.rest(null, { authUrl: undefined });
      t.read('no auth options', 'constructed');
    } catch (e) {
      t.read('no auth options', t.error(e));
    }
  }, undefined, { params: { key: KEY, port: proxyPort } });
});

// An authCallback that throws something other than an Error (a string, a plain object):
// ably-js 2.28 rejects authorize() with the value as it is, and makes it the cause of the
// connection's 80019; Roster makes it an ErrorInfo as ably-js does a value the callback
// calls back with (RSA4c: 40170/401 unless it carries its own code and statusCode), a
// difference by design (README): an app's `catch (e)` gets a code and a message whatever
// the callback threw. The ably-js trace is normalized to that; the rest (the connection's
// state and errorReason, a 403 failing it, the cause's code: 40170 for one without) is
// compared as it is. (An authCallback that
// returns a rejected Promise is not compared: ably-js 2.28 takes only the callback.)
const thrownValues = (trace, side) => (side === 'roster' ? trace : {
  ...trace,
  // The 80019 of a state change caused by a value without a code: 40170.
  ...Object.fromEntries(Object.entries(trace).filter(([stream]) => / connection$/.test(stream))
    .map(([stream, changes]) => [stream, changes.map((c) => (c.reason?.code === 80019 && c.reason.causeCode === undefined
      ? { ...c, reason: { ...c.reason, causeCode: 40170 } }
      : c))])),
  ops: trace.ops.map(([what, outcome]) => {
    if (!/authorize\(\)$/.test(what) || outcome?.isError !== false) return [what, outcome];
    const { value } = outcome;
    const made = typeof value === 'object' && value !== null
      ? { code: value.code || 40170, statusCode: value.statusCode || 401, message: value.message }
      : { code: 40170, statusCode: 401, message: String(value) };
    return [what, { ...made, isError: true }];
  }),
});

test('an authCallback that throws a string or a plain object: an ErrorInfo, as if called back with it', opts, async () => {
  await differential(async (t) => {
    // What authorize() rejects with; a connection's errorReason with its cause's code.
    const thrown = (e) => (e instanceof Error
      ? { code: e.code ?? null, statusCode: e.statusCode ?? null, message: e.message, isError: true }
      : { value: e, isError: false });
    const reason = (client) => {
      const e = client.connection.errorReason;
      return e && { code: e.code, statusCode: e.statusCode, cause: e.cause && { code: e.cause.code ?? 40170 } };
    };
    const failures = {
      'throws a string': () => { throw 'boom'; },
      'throws an object 403': () => { throw { message: 'no', statusCode: 403 }; },
      'throws an object with a code': () => { throw { message: 'not now', code: 40150 }; },
    };
    for (const [kind, authCallback] of Object.entries(failures)) {
      const connecting = t.client(`${kind} connecting`, null, { authCallback, authUrl: undefined, disconnectedRetryTimeout: 60_000 });
      await t.until(`${kind} connecting connection`, 2);
      t.read(`${kind} connecting`, { state: connecting.connection.state, errorReason: reason(connecting) });
      connecting.close();
      const ada = t.client(`${kind} authorize`, 'ada');
      await t.within(ada.connection.whenState('connected'), 'connected');
      t.read(`${kind} authorize()`, await ada.auth.authorize(null, { authCallback }).then(() => 'resolved', thrown));
      await new Promise((resolve) => setTimeout(resolve, 100));
      t.read(`${kind} after authorize()`, { state: ada.connection.state, errorReason: reason(ada) });
    }
  }, thrownValues);
});
