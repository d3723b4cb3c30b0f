// Differential parity with ably-js, thirteenth round (the harness: differential.mjs): the
// retryIn of the immediate reconnect, and setOptions() with options ably-js refuses.
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
