// Differential parity with ably-js, thirteenth round (the harness: differential.mjs): the
// retryIn of the immediate reconnect, setOptions() with options ably-js refuses, a REST
// page without first/current links, the reason a connection is suspended with, and a key
// with useTokenAuth.
import { after, before, test } from 'node:test';
import { createServer } from 'node:http';
import { BASE, skip } from './ably.mjs';
import { differential } from './differential.mjs';
import { startProxy } from './proxy.mjs';
import { startServer } from './server.mjs';

const opts = { skip, timeout: 120_000 };
let proxy;
// A roster-server that keeps a dropped connection's state for 2 s only (a client cut off
// is suspended within a test), and a proxy in front of it.
let brief;
let briefPort;
let briefProxy;
// A REST server of our own on 127.0.0.1 that records the requests it gets: a token for a
// token request, else a presence page without a Link header.
let fake;
let fakePort;
let fakeRequests = [];

before(async () => {
  if (!BASE) return;
  proxy = await startProxy(Number(new URL(BASE).port));
  ({ child: brief, port: briefPort } = await startServer(['--connection-state-ttl', '2000'], 'the short-TTL roster-server'));
  briefProxy = await startProxy(briefPort);
  fake = createServer(async (req, res) => {
    // The page is on roster-server's origin: CORS, preflights included, with credentials
    // (ably-js's XHR sends an Authorization header withCredentials).
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? '*');
    if (req.method === 'OPTIONS') return res.end();
    const { pathname } = new URL(req.url, 'http://fake');
    const authorization = req.headers.authorization ?? '';
    const credential = authorization.split(' ')[1];
    const token = credential === 'fake-token' ? 'the token' : credential === Buffer.from('fake-token').toString('base64') ? 'the token in base64' : credential ? 'other' : '<none>';
    fakeRequests.push([req.method, pathname.replace(/^\/channels\/[^/]+/, '/channels/<name>'), authorization.split(' ')[0] || '<none>', token]);
    let body = '';
    for await (const chunk of req) body += chunk;
    res.setHeader('Content-Type', 'application/json');
    if (/^\/keys\/[^/]+\/requestToken$/.test(pathname)) {
      // What the TokenRequest says (its signature is not checked here).
      let request = {};
      try {
        request = JSON.parse(body);
      } catch {}
      fakeRequests.push(['token request', { keyName: request.keyName ?? null, hasMac: typeof request.mac === 'string' }]);
      const now = Date.now();
      return res.end(JSON.stringify({ token: 'fake-token', keyName: 'app.key', issued: now, expires: now + 3_600_000, capability: '{"*":["*"]}' }));
    }
    // A presence page without a Link header: no first, current or next page.
    res.end('[]');
  });
  await new Promise((resolve) => fake.listen(0, '127.0.0.1', resolve));
  fakePort = fake.address().port;
});

after(async () => {
  await proxy?.close();
  await briefProxy?.close();
  brief?.kill();
  await new Promise((resolve) => (fake ? fake.close(resolve) : resolve()));
});

const controls = () => ({
  cut: () => proxy.cut(),
  refuseBrief: (on) => briefProxy.refuse(on),
  cutBrief: () => briefProxy.cut(),
  requests: () => {
    const list = fakeRequests;
    fakeRequests = [];
    return list;
  },
});

// A connected connection that drops reconnects at once (RTN15a), yet its change to
// disconnected carries the wait ably-js computed for that disconnection (the first after
// connected: disconnectedRetryTimeout less up to 20 % jitter), not 0. Roster said 0.
test('the change to disconnected before the immediate reconnect: retryIn is the computed wait', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada', { port: t.params.proxyPort, disconnectedRetryTimeout: 1500 });
    ada.connection.on('disconnected', (c) => t.record('retryIn', c.retryIn >= 1200 && c.retryIn <= 1500 ? '1200 to 1500' : c.retryIn ?? '<absent>'));
    await t.within(ada.connection.whenState('connected'), 'connected');
    await t.node('cut');
    await t.until('ada connection', 5);
    await t.within(ada.connection.whenState('connected'), 'connected again');
  }, undefined, { params: { proxyPort: proxy?.port }, expose: controls() });
});

// Channel options ably-js refuses with 40000 whatever the channel's state: params or
// modes given but not an object (null, undefined, an array) or not an array (undefined,
// a string), and a mode that is not a mode's name string. Roster took `params: undefined`
// and `modes: undefined` as none given.
test('setOptions() with params or modes given but invalid, undefined included: 40000', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const channel = ada.channels.get(t.name);
    await t.op('attach', channel.attach());
    const cases = [
      ['params: undefined', { params: undefined }], ['params: null', { params: null }],
      ['params: []', { params: [] }], ['params: a Map', { params: new Map() }],
      ['modes: undefined', { modes: undefined }], ['modes: a string', { modes: 'presence' }],
      ['modes: [a String object]', { modes: [new String('presence')] }],
      ['none', {}], ['params: {}', { params: {} }],
    ];
    for (const [what, options] of cases) await t.op(`setOptions({ ${what} })`, channel.setOptions(options));
    t.read('state', channel.state);
  });
});

// A REST page whose response had no Link header: next() resolves with null; first() and
// current() reject with 40400 (404), as ably-js does. Roster resolved them with null.
test('a REST page without links: next() null, first() and current() 40400', opts, async () => {
  await differential(async (t) => {
    const rest = t.rest(null, { token: 'fake-token', authUrl: undefined, authParams: undefined, port: t.params.fakePort });
    const page = await t.within(rest.channels.get(t.name).presence.get(), 'get');
    t.read('page', { items: page.items.length, hasNext: page.hasNext(), isLast: page.isLast() });
    await t.op('next()', page.next());
    await t.op('first()', page.first());
    await t.op('current()', page.current());
    t.read('requests: method, path, scheme, the token', await t.node('requests'));
  }, undefined, { params: { fakePort }, expose: controls() });
});

// How many attempts fail before connectionStateTtl runs out is the timers': the
// connection's changes are left out, the reason is read.
const withoutRetries = ({ 'ada connection': _, ...trace }) => trace;

// Past connectionStateTtl without a transport, ably-js suspends the connection with its
// own reason, 80002 "Connection to server unavailable"; Roster's said "connection
// suspended: connection not connected".
test('suspended once connectionStateTtl has passed: the reason ably-js gives', opts, async () => {
  try {
    await differential(async (t) => {
      const ada = t.client('ada', 'ada', {
        authUrl: `http://127.0.0.1:${t.params.briefPort}/auth/token-request`, port: t.params.briefProxyPort,
        disconnectedRetryTimeout: 400, suspendedRetryTimeout: 5000,
      });
      await t.within(ada.connection.whenState('connected'), 'connected');
      await t.node('refuseBrief', true);
      await t.node('cutBrief');
      const suspended = await t.within(ada.connection.whenState('suspended'), 'suspended');
      const reason = (e) => e && { code: e.code, statusCode: e.statusCode, message: e.message };
      t.read('suspended change', reason(suspended.reason));
      t.read('errorReason', reason(ada.connection.errorReason));
      await t.node('refuseBrief', false);
    }, withoutRetries, { params: { briefPort, briefProxyPort: briefProxy?.port }, expose: controls() });
  } finally {
    briefProxy?.refuse(false);
  }
});

// A key with useTokenAuth: true: REST requests carry a token the client asks for with the
// key (a TokenRequest it signs, exchanged at /keys/{keyName}/requestToken), not the key
// (basic auth), so no TLS is needed. Roster ignored useTokenAuth and refused a key
// without TLS (RSC18).
test('Rest with a key and useTokenAuth: a token requested with the key, then bearer auth', opts, async () => {
  await differential(async (t) => {
    let rest;
    try {
      rest = t.rest(null, { key: 'app.key:secret', useTokenAuth: true, authUrl: undefined, authParams: undefined, port: t.params.fakePort });
    } catch (e) {
      t.read('constructor throws', t.error(e));
      return;
    }
    await t.op('get', rest.channels.get(t.name).presence.get().then((p) => p.items));
    await t.op('get again', rest.channels.get(t.name).presence.get().then((p) => p.items));
    t.read('requests: method, path, scheme, the token', await t.node('requests'));
  }, undefined, { params: { fakePort }, expose: controls() });
});
