// Differential parity with ably-js, eighth round (the harness: differential.mjs): what
// REST presence calls make of params an app gives in another type than the one declared.
import { test } from 'node:test';
import { skip } from './ably.mjs';
import { differential } from './differential.mjs';

const opts = { skip, timeout: 120_000 };

// ably-js puts params in the query string as text: a numeric clientId (an app's user id)
// finds the member of that id, a limit given as text limits. Roster's wasm skipped a
// param that was not of the declared type, so it listed every member. (Realtime
// presence.history: differential-9.)
test('REST presence.get and history with a numeric clientId and a limit given as text', opts, async () => {
  await differential(async (t) => {
    const agent = t.client('agent', '*');
    const presence = agent.channels.get(t.name).presence;
    for (const id of ['41', '42', '43']) await t.op(`enterClient ${id}`, presence.enterClient(id, `d${id}`));
    const rest = t.rest('reader');
    const channel = rest.channels.get(t.name);
    const page = (p) => p.then((r) => ({ items: r.items.map((m) => [m.clientId, m.action, m.data]), hasNext: r.hasNext() }), (e) => t.error(e));
    t.read('get({ clientId: 42 })', await page(channel.presence.get({ clientId: 42 })));
    t.read("get({ limit: '2' })", await page(channel.presence.get({ limit: '2' })));
    t.read("history({ limit: '2' })", await page(channel.presence.history({ limit: '2' })));
  });
});
