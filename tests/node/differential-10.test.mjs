// Differential parity with ably-js, tenth round (the harness: differential.mjs): the
// connection's lifecycle when a fixed token (options.token, no authUrl, authCallback or
// key) runs out.
import { test } from 'node:test';
import { skip } from './ably.mjs';
import { differential } from './differential.mjs';

const opts = { skip, timeout: 120_000 };

// ably-js 2.x (RTN15h1 as it implements it): the server's DISCONNECTED for the expired
// token is a disconnection (40142) and a reconnect at once; the reconnect finds no way to
// renew the token and fails the connection with 40171 (403). connect() again: the server
// refuses the token, and the connection fails with 40171 again. Roster failed at once with
// the server's 40142.
test('a fixed token that expires: disconnected (40142), then failed (40171), and again after connect()', opts, async () => {
  await differential(async (t) => {
    const { token } = await t.rest('ada', { ttl: 2000 }).auth.requestToken();
    const fixed = t.client('fixed', 'ada', { token, authUrl: undefined, authParams: undefined });
    await t.op('connected', fixed.connection.whenState('connected'));
    await t.op('connecting, connected, disconnected, connecting, failed', t.until('fixed connection', 5));
    t.read('failed', { state: fixed.connection.state, errorReason: t.error(fixed.connection.errorReason) });
    fixed.connect();
    await t.op('connecting, failed', t.until('fixed connection', 7));
    t.read('failed again', { state: fixed.connection.state, errorReason: t.error(fixed.connection.errorReason) });
  });
});

// A released channel object (channels.release) is a channel of its own whose attach the
// server's answers never reach (differential-3): ably-js 2.28 still retries it every
// channelRetryTimeout while connected (RTL13b), each retry timing out to suspended again,
// until the app detaches it. Roster's released object stayed suspended.
test('a released channel object retries its attach every channelRetryTimeout until detached', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada', { realtimeRequestTimeout: 500, channelRetryTimeout: 300 });
    const old = ada.channels.get(t.name);
    await t.op('attach', old.attach());
    const detached = old.once('detached');
    ada.channels.release(t.name);
    await t.op('detached', detached);
    t.watchChannel('old', old);
    await t.op('attach released', old.attach());
    await t.op('attaching, suspended, attaching, suspended', t.until('old channel', 4));
    await t.op('detach', old.detach());
    t.read('after detach', old.state);
    // Detached: no retry comes any more.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    t.read('later', old.state);
  });
});
