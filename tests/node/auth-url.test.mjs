// The request an `authUrl` makes (RSA8c), through the built package in headless Chromium:
// authParams and the token params as query (GET) or form body (authMethod POST), a token
// param replacing an authParam of the same name (RSA8c2), values that are not strings as
// JSON, and authHeaders. The page's `fetch` records each request and answers with a token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, skip } from './ably.mjs';
import { chromiumForTests, inRosterTab } from './chromium.mjs';

const chromium = chromiumForTests(BASE);

test('authUrl requests carry authParams, token params and authHeaders, by GET or POST', { skip, timeout: 60_000 }, async () => {
  const requests = await inRosterTab(chromium.get(), 'auth-url', async (roster, options) => {
    const seen = [];
    globalThis.fetch = async (url, init) => {
      // Each request can be aborted (the 10 s limit on an answer): the signal by its kind.
      const { signal, ...rest } = init;
      seen.push({ url: String(url), init: { ...JSON.parse(JSON.stringify(rest)), signal: signal instanceof AbortSignal } });
      // A refusal for the Realtime client: a 403 fails its connection, so it asks once.
      const status = String(url).startsWith('/auth/realtime') ? 403 : 200;
      return new Response(' a-token\n', { status, headers: { 'content-type': 'text/plain' } });
    };
    const authParams = {
      clientId: 'ada', keep: 'a b&c=d/é', n: 5, flag: true, nothing: null, list: [1, 'x'], object: { k: 'v' },
      gone: undefined, method() {}, constructor: 'kept', 'odd name?': '*()!~\'',
    };
    const authHeaders = { 'X-One': 'one', 'X-Two': 2, 'X-Gone': undefined };
    const results = [];
    // The client's own authUrl by GET, onto a URL with a query, the token params replacing
    // authParams of their names (tokenParams given replace the client's: no clientId).
    const get = new roster.Rest({ authUrl: '/auth/get?app=1', authParams, authHeaders, clientId: 'ada' });
    results.push(await get.auth.requestToken({ ttl: 60_000, capability: '{"*":["*"]}' }));
    // authOptions in place of the client's: POST (any case), a form body.
    const post = { authUrl: '/auth/post', authMethod: 'PoSt', authParams, authHeaders: { 'content-type': 'text/x-mine', 'X-Three': '3' } };
    results.push(await get.auth.requestToken({ clientId: 'bob' }, post));
    results.push(await get.auth.requestToken({}, { ...post, authParams: undefined, authHeaders: 'not an object' }));
    // Neither params nor headers: the URL as it is; a method that is not POST is GET.
    const bare = new roster.Rest({ authUrl: '/auth/bare', authMethod: 'put' });
    results.push(await bare.auth.requestToken());
    results.push(await get.auth.requestToken());
    // A Realtime client's authUrl.
    const realtimeOptions = { ...options(), authUrl: '/auth/realtime', authParams: { a: 1 }, clientId: undefined, autoConnect: false };
    const client = new roster.Realtime(realtimeOptions);
    const refused = await client.auth.authorize({ ttl: 1000 }).catch((e) => e.code);
    // An authUrl that is not a string is none.
    let ignored;
    try {
      new roster.Rest({ authUrl: { toString: () => '/x' }, authParams });
    } catch (e) {
      ignored = e.code;
    }
    return { seen, tokens: results.map((r) => r.token), refused, ignored };
  });
  assert.deepEqual(requests.tokens, ['a-token', 'a-token', 'a-token', 'a-token', 'a-token']);
  assert.equal(requests.refused, 40300);
  assert.equal(requests.ignored, 40106, 'no authentication options');
  const get = { method: 'GET', headers: { 'X-One': 'one', 'X-Two': '2' }, signal: true };
  const form = 'keep=a%20b%26c%3Dd%2F%C3%A9&n=5&flag=true&nothing=null&list=%5B1%2C%22x%22%5D&object=%7B%22k%22%3A%22v%22%7D'
    + "&constructor=kept&odd%20name%3F=*()!~'";
  const postHeaders = { 'Content-Type': 'application/x-www-form-urlencoded', 'content-type': 'text/x-mine', 'X-Three': '3' };
  assert.deepEqual(requests.seen, [
    { url: `/auth/get?app=1&clientId=ada&${form}&ttl=60000&capability=%7B%22*%22%3A%5B%22*%22%5D%7D`, init: get },
    { url: '/auth/post', init: { method: 'POST', headers: postHeaders, body: `${form}&clientId=bob`, signal: true } },
    // Given token params ({}) replace the client's, its clientId too (RSA8e).
    { url: '/auth/post', init: { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '', signal: true } },
    { url: '/auth/bare', init: { method: 'GET', headers: {}, signal: true } },
    // No tokenParams: the client's, its clientId.
    { url: `/auth/get?app=1&${form}&clientId=ada`, init: get },
    { url: '/auth/realtime?a=1&ttl=1000', init: { method: 'GET', headers: {}, signal: true } },
  ]);
});
