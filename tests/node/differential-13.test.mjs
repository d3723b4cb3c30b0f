// Differential parity with ably-js, thirteenth round (the harness: differential.mjs): the
// retryIn of the immediate reconnect.
import { after, before, test } from 'node:test';
import { BASE, skip } from './ably.mjs';
import { differential } from './differential.mjs';
import { startProxy } from './proxy.mjs';

const opts = { skip, timeout: 120_000 };
let proxy;

before(async () => {
  if (!BASE) return;
  proxy = await startProxy(Number(new URL(BASE).port));
});

after(async () => {
  await proxy?.close();
});

const controls = () => ({
  cut: () => proxy.cut(),
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
