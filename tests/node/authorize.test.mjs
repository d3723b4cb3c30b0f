// `realtime.auth.authorize()` as ably-js 2.x has it (RSA10, RTC8), through the built
// package in headless Chromium against the real roster-server: a new token (new
// capabilities after a login) without dropping the connection, the failures an app sees,
// and a client not connected yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, skip } from './ably.mjs';
import { chromiumForTests, inRosterTab } from './chromium.mjs';

const chromium = chromiumForTests(BASE);

// `body(roster, options, name)` in a fresh tab (chromium.mjs's inRosterTab).
const inTab = (body) => inRosterTab(chromium.get(), 'authorize', body);

test('a connected client gets a new token in band: update event, same connection, members stay', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options, name) => {
    const within = (promise, what) => Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), 8000))]);
    // A token for channels `${name}*` only, until authorize() asks for one for every channel.
    const narrow = JSON.stringify({ [`${name}*`]: ['*'] });
    const client = new roster.Realtime(options('ada', { capability: narrow }));
    const watcher = new roster.Realtime(options('watcher'));
    const room = client.channels.get(name);
    await room.presence.enter('here');
    const watched = watcher.channels.get(name);
    const left = [];
    await watched.presence.subscribe('leave', (m) => left.push(m.clientId));
    const elsewhere = `other-${name}`;
    const refused = await client.channels.get(elsewhere).attach().then(() => 'attached', (e) => e.code);

    const id = client.connection.id;
    const seen = [];
    client.connection.on((change) => seen.push(`${change.event}:${change.current}`));
    const { authUrl } = options('ada');
    const details = await within(client.auth.authorize({ ttl: 600_000 }, { authUrl, authParams: { clientId: 'ada', capability: JSON.stringify({ '*': ['*'] }) } }), 'authorize');
    const seenAtResolve = [...seen];
    const attached = await within(client.channels.get(`${elsewhere}-2`).attach().then(() => 'attached', (e) => e.code), 'attach');
    const members = (await watched.presence.get()).map((m) => m.clientId);
    const result = {
      details: { isInstance: details instanceof Object, token: typeof details.token, clientId: details.clientId, capability: details.capability, ttl: details.expires - details.issued },
      refused, attached, seenAtResolve, state: client.connection.state, sameId: client.connection.id === id, members, left,
    };
    client.close();
    watcher.close();
    return result;
  });
  assert.equal(result.refused, 40160, 'the first token does not allow that channel');
  assert.deepEqual(result.details, { isInstance: true, token: 'string', clientId: 'ada', capability: '{"*":["*"]}', ttl: 600_000 });
  assert.deepEqual(result.seenAtResolve, ['update:connected'], 'one update, heard before authorize() resolved');
  assert.equal(result.state, 'connected');
  assert.equal(result.sameId, true, 'the same connection');
  assert.equal(result.attached, 'attached', 'the new capability took effect on the connection');
  assert.deepEqual(result.members, ['ada'], 'the member stayed present to the other client');
  assert.deepEqual(result.left, []);
});

test('authCallback gets the token params; a later authorize() uses the stored callback and params', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options) => {
    const client = new roster.Realtime(options('ada'));
    await client.connection.whenState('connected');
    const { authUrl } = options('ada');
    const asked = [];
    const authCallback = (params, callback) => {
      asked.push(params);
      fetch(`${authUrl}?clientId=${params.clientId}&ttl=${params.ttl}`).then((r) => r.json()).then((request) => callback(null, request), (e) => callback(e, null));
    };
    const details = await client.auth.authorize({ clientId: 'ada', ttl: 300_000 }, { authCallback });
    // Without arguments: the stored callback with the stored params (RSA10g).
    const again = await client.auth.authorize();
    const result = { asked, ttl: details.expires - details.issued, againTtl: again.expires - again.issued, state: client.connection.state };
    client.close();
    return result;
  });
  assert.deepEqual(result.asked, [{ clientId: 'ada', ttl: 300_000 }, { clientId: 'ada', ttl: 300_000 }]);
  assert.equal(result.ttl, 300_000);
  assert.equal(result.againTtl, 300_000);
  assert.equal(result.state, 'connected');
});

// The app's authCallback runs while the SDK waits for its answer, and may call back into
// it: here, authorize() with other token params from inside the first call.
test('an authCallback may call auth.authorize() before it answers', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options) => {
    const within = (promise, what) => Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), 8000))]);
    const { authUrl } = options('ada');
    const asked = [];
    let client;
    let inner;
    const authCallback = (params, callback) => {
      asked.push(params.ttl ?? null);
      if (asked.length === 1) {
        inner = client.auth.authorize({ clientId: 'ada', ttl: 300_000 }).then((d) => d.expires - d.issued, (e) => `${e.name} ${e.code} ${e.message}`);
      }
      const query = `clientId=ada${params.ttl ? `&ttl=${params.ttl}` : ''}`;
      fetch(`${authUrl}?${query}`).then((r) => r.json()).then((request) => callback(null, request), (e) => callback(e, null));
    };
    client = new roster.Realtime({ ...options('ada'), authCallback, authUrl: undefined });
    const state = await within(client.connection.whenState('connected').then(() => 'connected'), 'connected').catch((e) => e.message);
    const ttl = await within(inner, 'authorize').catch((e) => e.message);
    const result = { state, ttl, asked, after: client.connection.state };
    client.close();
    return result;
  });
  assert.equal(result.state, 'connected');
  assert.equal(result.ttl, 300_000, 'authorize() made inside the callback resolves with its token');
  assert.deepEqual(result.asked, [null, 300_000]);
  assert.equal(result.after, 'connected');
});

test('a failing authUrl rejects with an ErrorInfo and the connection stays connected', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options) => {
    const client = new roster.Realtime(options('ada'));
    await client.connection.whenState('connected');
    const id = client.connection.id;
    const seen = [];
    client.connection.on((change) => seen.push(change.current));
    const error = await client.auth.authorize(null, { authUrl: `${location.origin}/no-such-auth` }).then(() => null, (e) => e);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = {
      error: error && [error instanceof roster.ErrorInfo, error.code, error.statusCode],
      state: client.connection.state, sameId: client.connection.id === id, seen: [...seen],
    };
    client.close();
    return result;
  });
  // The server's 404 is an Ably error (X-Ably-Errorcode): reported as it is, as ably-js
  // does (tests/node/differential-3.test.mjs).
  assert.deepEqual(result.error, [true, 40400, 404]);
  assert.equal(result.state, 'connected');
  assert.equal(result.sameId, true);
  assert.deepEqual(result.seen, []);
});

test('a token for another clientId is refused with 40102', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options) => {
    const client = new roster.Realtime(options('ada'));
    await client.connection.whenState('connected');
    const { authUrl } = options('bob');
    const error = await client.auth.authorize({ clientId: 'bob' }, { authUrl }).then(() => null, (e) => e);
    const result = { error: error && [error instanceof roster.ErrorInfo, error.code], state: client.connection.state };
    client.close();
    return result;
  });
  assert.deepEqual(result.error, [true, 40102]);
  assert.equal(result.state, 'failed', 'as ably-js, incompatible credentials fail the connection');
});

test('a client not connected yet connects with the new token, and authorize() resolves then (realtime entry)', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options) => {
    const { Realtime } = await import('/pkg/realtime.js');
    const client = new Realtime({ ...options('ada'), autoConnect: false });
    const before = client.connection.state;
    const details = await client.auth.authorize({ ttl: 120_000 });
    const after = client.connection.state;
    // As ably-js, a closed client connects again too.
    client.close();
    await client.connection.whenState('closed');
    await client.auth.authorize();
    const result = { before, after, ttl: details.expires - details.issued, clientId: client.auth.clientId, reopened: client.connection.state };
    client.close();
    return result;
  });
  assert.deepEqual(result, { before: 'initialized', after: 'connected', ttl: 120_000, clientId: 'ada', reopened: 'connected' });
});
