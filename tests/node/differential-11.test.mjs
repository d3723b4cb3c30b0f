// Differential parity with ably-js, eleventh round (the harness: differential.mjs): how
// channels follow a closing connection.
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
