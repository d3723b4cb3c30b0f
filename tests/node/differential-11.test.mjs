// Differential parity with ably-js, eleventh round (the harness: differential.mjs): how
// channels follow a closing connection, and a token given as TokenDetails that has
// already expired.
import { test } from 'node:test';
import { skip } from './ably.mjs';
import { differential } from './differential.mjs';

const opts = { skip, timeout: 120_000 };

// ably-js 2.x (propogateConnectionInterruption): close() detaches the channels when the
// connection goes closing, before the server's CLOSED; Roster detached them at closed.
test('close() detaches the channels at closing, before closed', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const channel = ada.channels.get(t.name);
    await t.op('attach', channel.attach());
    ada.connection.on((c) => t.record('order', `connection ${c.current}`));
    channel.on((c) => t.record('order', `channel ${c.current} ${c.reason?.code ?? ''}`));
    ada.close();
    await t.op('closing, closed', t.until('order', 3));
    t.read('channel', { state: channel.state, errorReason: t.error(channel.errorReason) });
  });
});

// ably-js 2.x checks a TokenDetails' `expires` before connecting only once it knows the
// server's clock (RSA4b1: client.time() or queryTime); otherwise it connects with it and
// the server refuses it (40142). With no means to renew: failed (40171, as RSA4a); with an
// authUrl: a new token, connected.
test('a token given as TokenDetails that has expired: refused by the server, renewed if it can be', opts, async () => {
  await differential(async (t) => {
    const token = await t.rest('ada', { ttl: 1000 }).auth.requestToken();
    // The server's tokens (JWT) expire on a whole second: wait past that too.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    t.read('expired', token.expires < Date.now());
    const fixed = t.client('fixed', 'ada', { token, authUrl: undefined, authParams: undefined });
    await t.op('fixed: connecting, failed', t.until('fixed connection', 2));
    t.read('fixed', { state: fixed.connection.state, errorReason: t.error(fixed.connection.errorReason) });
    const renewable = t.client('renewable', 'ada', { token });
    await t.op('renewable: connected', renewable.connection.whenState('connected'));
    t.read('renewable', { state: renewable.connection.state, clientId: renewable.auth.clientId });
  });
});
