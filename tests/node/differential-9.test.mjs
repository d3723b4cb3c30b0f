// Differential parity with ably-js, ninth round (the harness: differential.mjs): the
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
