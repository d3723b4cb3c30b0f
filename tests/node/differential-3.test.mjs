// Differential parity with ably-js, third round (the harness: differential.mjs): what the
// app's own auth server or authCallback refuses with — a 403 fails the connection with
// 80019 (RSA4d), anything else leaves it retrying or up (RSA4c) — what
// auth.createTokenRequest() does with authOptions, released channel objects, and an attach
// and a detach at once.
import { after, before, test } from 'node:test';
import http from 'node:http';
import { skip } from './ably.mjs';
import { differential, presenceRefusals, withoutUncaught } from './differential.mjs';
import { startServer } from './server.mjs';

const opts = { skip, timeout: 120_000 };

// The app's auth server, refusing in each of the ways an app's can; the page is on
// roster-server's origin, so it answers CORS as an auth server for a web app must.
const refusals = {
  // An Ably-shaped JSON error body without X-Ably-Errorcode: ably-js reads only the status.
  'json-403': [403, { 'content-type': 'application/json' }, '{"error":{"code":40160,"statusCode":403,"message":"not you"}}'],
  'text-403': [403, { 'content-type': 'text/plain' }, 'forbidden'],
  // With X-Ably-Errorcode (exposed to the page): ably-js takes the body's error as it is.
  'ably-403': [403, { 'content-type': 'application/json', 'x-ably-errorcode': '40160', 'access-control-expose-headers': 'x-ably-errorcode' },
    '{"error":{"code":40160,"statusCode":403,"message":"not you"}}'],
  'ably-404': [404, { 'content-type': 'application/json', 'x-ably-errorcode': '40400', 'access-control-expose-headers': 'x-ably-errorcode' },
    '{"error":{"code":40400,"statusCode":404,"message":"no such thing"}}'],
  'text-500': [500, { 'content-type': 'text/plain' }, 'broken'],
};
let authServer;
let authBase;
// A second roster-server whose keys the tests know (the shared one's dev key is its own):
// TokenRequests signed with them are exchanged there.
const KEYS = ['app.first:first-secret', 'app.second:second-secret'];
let keyed;
let keyedPort;

before(async () => {
  if (skip) return;
  ({ child: keyed, port: keyedPort } = await startServer([...KEYS.flatMap((key) => ['--key', key])], 'the keyed roster-server'));
  authServer = http.createServer((request, response) => {
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' };
    const refusal = refusals[new URL(request.url, 'http://x').pathname.slice(1)];
    if (request.method === 'OPTIONS' || !refusal) {
      response.writeHead(request.method === 'OPTIONS' ? 204 : 404, cors).end();
      return;
    }
    const [status, headers, body] = refusal;
    response.writeHead(status, { ...cors, ...headers }).end(body);
  });
  await new Promise((resolve) => authServer.listen(0, '127.0.0.1', resolve));
  authBase = `http://127.0.0.1:${authServer.address().port}`;
});

after(async () => {
  await new Promise((resolve) => (authServer ? authServer.close(resolve) : resolve()));
  keyed?.kill();
});

// For each refusal: a client connecting with it (a 403 fails it, other errors leave it
// disconnected to retry), and a connected client's authorize() with it (rejects with the
// refusal; a 403 fails the connection too). The refusals are the auth server's answers
// (`t.params.authBase`) or, without it, authCallbacks made here in the page.
const refusalScenario = async (t) => {
  // Closes a client and waits for it; a failed one is left as it is (ably-js's close()
  // from failed goes through closing, which is not what this is about).
  const closed = async (client) => {
    if (client.connection.state === 'failed') return;
    client.close();
    await t.within(client.connection.whenState('closed'), 'closed');
  };
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const reason = (client) => (client.connection.errorReason ? t.error(client.connection.errorReason) : null);
  const callbackErrors = {
    'object 403': () => ({ message: 'not you', statusCode: 403 }),
    'object with a code': () => ({ message: 'not you', code: 40160, statusCode: 403 }),
    'ErrorInfo 403': () => new t.ErrorInfo('not you', 40160, 403),
    'ErrorInfo 401': () => new t.ErrorInfo('not now', 40150, 401),
    'Error': () => new Error('broken'),
    'string': () => 'broken',
  };
  const throws = {
    'throws an Error': () => { throw new Error('boom'); },
    'throws an Error with statusCode 403': () => { throw Object.assign(new Error('no'), { statusCode: 403 }); },
  };
  const { authBase, kinds } = t.params;
  const refusals = authBase
    ? kinds.map((kind) => [kind, { authUrl: `${authBase}/${kind}` }])
    : Object.entries(callbackErrors)
      .map(([kind, error]) => [kind, (params, callback) => callback(error(), null)])
      .concat(Object.entries(throws))
      .map(([kind, authCallback]) => [kind, { authCallback, authUrl: undefined }]);
  for (const [kind, authOptions] of refusals) {
    const connecting = t.client(`${kind} connecting`, null, { ...authOptions, disconnectedRetryTimeout: 60_000 });
    await t.until(`${kind} connecting connection`, 2);
    t.read(`${kind} connecting`, { state: connecting.connection.state, errorReason: reason(connecting) });
    await closed(connecting);

    const ada = t.client(`${kind} authorize`, 'ada');
    await t.within(ada.connection.whenState('connected'), 'connected');
    const { authUrl, authCallback } = authOptions;
    await t.op(`${kind} authorize()`, ada.auth.authorize(null, authUrl ? { authUrl } : { authCallback }));
    await wait(100);
    t.read(`${kind} after authorize()`, { state: ada.connection.state, errorReason: reason(ada) });
    await closed(ada);
  }
};

test('an authUrl that refuses: a 403 fails the connection with 80019, other statuses do not', opts, async () => {
  await differential(refusalScenario, undefined, { params: { authBase, kinds: Object.keys(refusals) } });
});

test('an authCallback that calls back an error or throws: a 403 fails the connection with 80019', opts, async () => {
  await differential(refusalScenario);
});

// RSA9h: given authOptions replace the client's (key, queryTime), given tokenParams the
// client's defaults (its clientId). Each TokenRequest signed with another key than the
// client's (or with one a key-less client never had) is exchanged at a server that knows
// that key, so a wrong signature would be refused there (40101).
test('createTokenRequest(tokenParams, authOptions): authOptions and tokenParams replace the client\'s', opts, async () => {
  await differential(async (t) => {
    const [first, second] = t.params.keys;
    const request = (r) => ({
      keyName: r.keyName, clientId: r.clientId, ttl: r.ttl, timestampIsNow: Math.abs(Date.now() - r.timestamp) < 60_000,
    });
    const exchanged = (r) => {
      const exchanger = t.rest(null, { authCallback: (params, callback) => callback(null, r), authUrl: undefined, authParams: undefined, port: t.params.keyedPort });
      return exchanger.auth.requestToken().then((d) => ({ token: typeof d.token, clientId: d.clientId }));
    };
    // A client without a key (dev authUrl, clientId ada).
    const ada = t.rest('ada');
    const withKey = await ada.auth.createTokenRequest(null, { key: second });
    t.read('key in authOptions, no tokenParams', request(withKey));
    await t.op('exchanged', exchanged(withKey).then((d) => t.record('exchanged', d)));
    const withParams = await ada.auth.createTokenRequest({ ttl: 60_000 }, { key: second });
    t.read('key in authOptions, tokenParams', request(withParams));
    await t.op('exchanged with tokenParams', exchanged(withParams).then((d) => t.record('exchanged', d)));
    await t.op('authOptions without a key', ada.auth.createTokenRequest(null, {}));
    await t.op('authOptions with a malformed key', ada.auth.createTokenRequest(null, { key: 'no-secret' }));
    // A client with a key: another key in authOptions signs instead.
    const keyed = t.rest(null, { key: first, authUrl: undefined, authParams: undefined, tls: true });
    const other = await keyed.auth.createTokenRequest({ clientId: 'bob' }, { key: second });
    t.read('another key than the client\'s', request(other));
    await t.op('exchanged another key\'s', exchanged(other).then((d) => t.record('exchanged', d)));
    // queryTime: the server's clock, asked once (the offset is kept for later requests).
    performance.clearResourceTimings();
    const timeRequests = async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === '/time').length;
    };
    t.read('queryTime', request(await ada.auth.createTokenRequest(null, { key: second, queryTime: true })));
    t.read('time requests after queryTime', await timeRequests());
    t.read('queryTime again', request(await ada.auth.createTokenRequest(null, { key: second, queryTime: true })));
    t.read('time requests after queryTime again', await timeRequests());
  }, undefined, { params: { keys: KEYS, keyedPort } });
});

// ably-js 2.28 detaches a channel before releasing it, and the released object stays a
// channel of its own: the server's answers for its name go to `channels.all` only, so an
// attach from it (or an enter or get, which attach) is never answered and times out
// (suspended, 90007), while a publish, which needs no attach, is sent and acknowledged.
// Roster used to forward all of it to the core by name, attaching a channel there that
// `channels.all` did not have: the enter succeeded and others saw the member.
test('a released channel object: attach times out, enter and get fail with it, publish is sent', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada', { realtimeRequestTimeout: 1000, channelRetryTimeout: 60_000 });
    const bob = t.client('bob', 'bob');
    const bobs = bob.channels.get(t.name);
    await t.op('bob presence.subscribe', t.watchPresence('bob sees', bobs).subscribed);
    await t.op('bob subscribe', bobs.subscribe((m) => t.record('bob messages', [m.name, m.data])));
    const old = ada.channels.get(t.name);
    t.watchChannel('old', old);
    await t.op('attach', old.attach());
    const detached = old.once('detached');
    ada.channels.release(t.name);
    await t.op('detached', detached);
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Not the 90001 ably-js makes up for a detach the app asked for (differential-2).
    const read = () => ({
      state: old.state, inAll: t.name in ada.channels.all,
      errorReason: old.errorReason && old.errorReason.code !== 90001 ? t.error(old.errorReason) : null,
    });
    t.read('released', read());
    await t.op('publish', old.publish('greeting', 'hi'));
    await t.until('bob messages', 1);
    await t.op('attach again', old.attach());
    t.read('after attach', read());
    await t.op('enter while suspended', old.presence.enter('here'));
    await t.op('get while suspended', old.presence.get());
    await t.op('get while suspended, not waiting for a sync', old.presence.get({ waitForSync: false }));
    await t.op('publish while suspended', old.publish('greeting', 'again'));
    await t.op('detach', old.detach());
    t.read('after detach', read());
    await t.op('enter while detached', old.presence.enter('here'));
    t.read('after enter', read());
    await t.op('detach again', old.detach());
    await t.op('get while detached', old.presence.get());
    t.read('after get', read());
    await t.op('bob get', bobs.presence.get());
    t.read('a new channel of the name', ada.channels.get(t.name).state);
  }, (trace) => {
    // ably-js leaves the attach an enter starts unhandled: its timeout reaches the page as
    // an unhandled rejection (90007); Roster's enter settles with it, nothing else.
    return withoutUncaught(presenceRefusals(trace), ([kind, code]) => kind === 'unhandled rejection' && code === 90007);
  });
});

test('attach and detach at once, while connecting and while connected: what each settles with', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const channel = ada.channels.get(t.name);
    t.watchChannel('channel', channel);
    // A component that mounts and unmounts at once: attach() then detach().
    const attach = t.op('attach while connecting', channel.attach());
    await t.op('detach while connecting', channel.detach());
    await attach;
    await t.op('connected', ada.connection.whenState('connected'));
    const again = t.op('attach while connected', channel.attach());
    await t.op('detach while connected', channel.detach());
    await again;
    // ably-js answers an ATTACHED that comes while detaching with another DETACH (RTL5k);
    // its DETACHED comes later and changes nothing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.read('state', channel.state);
  });
});

// A component mounted, unmounted and mounted again in one go, as React's StrictMode does,
// on a client still connecting (a page that has just loaded): each presence call acts
// once the calls made with it have run, so all three reach the server in order. (On a
// connected client ably-js suspends the channel when the DETACHED comes back while it
// attaches again; Roster does not: parity.test.mjs.)
test('a component mounted, unmounted and mounted again at once (React StrictMode): enter, leave, detach, enter', opts, async () => {
  await differential(async (t) => {
    const bob = t.client('bob', 'bob');
    const bobs = bob.channels.get(t.name);
    await t.op('bob presence.subscribe', t.watchPresence('bob sees', bobs).subscribed);
    const ada = t.client('ada', 'ada');
    const channel = ada.channels.get(t.name);
    t.watchChannel('ada', channel);
    // Mount: listen, enter. Unmount: stop listening, leave, detach. Mount again.
    const mount = (data) => {
      const { listener, subscribed } = t.watchPresence('ada sees', channel);
      return { listener, settled: Promise.all([t.op(`subscribe ${data}`, subscribed), t.op(`enter ${data}`, channel.presence.enter(data))]) };
    };
    const first = mount('first');
    channel.presence.unsubscribe(first.listener);
    const left = t.op('leave', channel.presence.leave());
    const detached = t.op('detach', channel.detach());
    const second = mount('second');
    await Promise.all([first.settled, left, detached, second.settled]);
    await t.until('bob sees', 3);
    t.read('state', channel.state);
    await t.op('ada get', channel.presence.get());
    await t.op('bob get', bobs.presence.get());
  });
});
