// Helpers for tests that drive the real `ably` npm client (2.x) against roster-server.
import Ably from 'ably';

/** Server address from tests/run.sh, e.g. http://127.0.0.1:PORT. */
export const BASE = process.env.ROSTER_URL;

/** node:test `skip` value: a reason when there is no server to talk to. */
export const skip = !BASE && 'ROSTER_URL is not set (tests/run.sh sets it)';

/** ably-js options for the local server: JSON over ws://, no fallbacks, no internet checks. */
export function ablyOptions(extra = {}) {
  const url = new URL(BASE);
  return {
    endpoint: url.hostname,
    port: Number(url.port),
    tls: false,
    useBinaryProtocol: false,
    transports: ['web_socket'],
    fallbackHosts: [],
    disableConnectivityCheck: true,
    realtimeRequestTimeout: 10_000,
    httpRequestTimeout: 10_000,
    logLevel: 0,
    ...extra,
  };
}

/** Token auth through the server's dev endpoint; clientId '*' may act for any clientId. */
export function devAuth(clientId) {
  const auth = { authUrl: `${BASE}/auth/token-request`, authParams: { clientId } };
  return clientId === '*' ? auth : { ...auth, clientId };
}

/**
 * Options for a Roster client in a browser tab on the server's own pages: dev-auth
 * tokens for `clientId` (none: an anonymous token), plain ws:// to the server, `extra`
 * over them. Plain data, for page.evaluate.
 */
export function rosterOptions(clientId, extra = {}) {
  const url = new URL(BASE);
  const auth = clientId ? { authParams: { clientId }, clientId } : {};
  return { authUrl: `${BASE}/auth/token-request`, ...auth, endpoint: url.hostname, port: Number(url.port), tls: false, ...extra };
}

/** A connected-on-demand ably-js Realtime client. */
export function realtime(clientId, extra = {}) {
  return new Ably.Realtime(ablyOptions({ ...devAuth(clientId), ...extra }));
}

/** An ably-js Rest client. */
export function rest(clientId = 'rest-reader', extra = {}) {
  return new Ably.Rest(ablyOptions({ ...devAuth(clientId), ...extra }));
}

/** A channel name no other test uses. */
export const uniqueChannel = (prefix) => `${prefix}-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

/** Rejects with a clear message when `promise` has not settled within `ms`. */
export function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves once `check()` is truthy (polled every 50 ms), or rejects after `ms` naming `what`. */
export async function until(check, what, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The next presence event on `channel` with `action` that satisfies `match`. */
export function nextPresence(channel, action, match = () => true, ms = 15_000) {
  let listener;
  const seen = new Promise((resolve) => {
    listener = (msg) => {
      if (match(msg)) resolve(msg);
    };
    channel.presence.subscribe(action, listener);
  });
  return within(seen, ms, `presence ${action} on ${channel.name}`).finally(() => channel.presence.unsubscribe(action, listener));
}

/** Waits until the client is connected. */
export async function connected(client, ms = 15_000) {
  if (client.connection.state !== 'connected') await within(client.connection.once('connected'), ms, 'connected');
}

/** Closes every client and waits (bounded) for each to reach closed/failed. */
export async function closeAll(clients) {
  await Promise.all(clients.map(async (client) => {
    const state = client.connection.state;
    if (state === 'closed' || state === 'failed') return;
    const done = new Promise((resolve) => client.connection.on((change) => {
      if (change.current === 'closed' || change.current === 'failed') resolve();
    }));
    client.close();
    await within(done, 5000, 'close').catch(() => {});
  }));
}

/** One member's clientId/data pairs, sorted, for order-free comparison. */
export const summary = (members) => members
  .map((m) => ({ clientId: m.clientId, data: m.data }))
  .sort((a, b) => a.clientId.localeCompare(b.clientId));
