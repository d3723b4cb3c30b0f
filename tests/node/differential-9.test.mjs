// Differential parity with ably-js, ninth round (the harness: differential.mjs): values an
// app passes in another type than the one declared, on a Realtime client.
import { test } from 'node:test';
import { skip } from './ably.mjs';
import { differential } from './differential.mjs';

const opts = { skip, timeout: 120_000 };

// As ably-js, setOptions(null) and setOptions() are options with nothing in them: no
// re-attach, resolved. Roster's destructured the null and rejected with a TypeError.
test('channel.setOptions(null) and setOptions() resolve as options with nothing given', opts, async () => {
  await differential(async (t) => {
    const channel = t.client('ada', 'ada').channels.get(t.name);
    t.watchChannel('ada', channel);
    await t.op('setOptions(null) before attaching', channel.setOptions(null));
    await t.op('attach', channel.attach());
    await t.op('setOptions(null) attached', channel.setOptions(null));
    await t.op('setOptions() attached', channel.setOptions());
    t.read('state', channel.state);
  });
});

// ably-js puts Realtime presence.history's params in the query string as text, as Rest's:
// a limit or a start time given as text (from a form field, a URL) applies. Roster's
// Realtime took numbers only and skipped the rest, so it listed every event.
test('Realtime presence.history with a limit and a start given as text', opts, async () => {
  await differential(async (t) => {
    const agent = t.client('agent', '*');
    const presence = agent.channels.get(t.name).presence;
    for (const id of ['a', 'b', 'c']) await t.op(`enterClient ${id}`, presence.enterClient(id));
    const page = (p) => p.then((r) => ({ items: r.items.map((m) => [m.clientId, m.action]), hasNext: r.hasNext() }), (e) => t.error(e));
    t.read("history({ limit: '2' })", await page(presence.history({ limit: '2' })));
    const later = String(Date.now() + 60_000);
    t.read('history({ start: later, as text })', await page(presence.history({ start: later })));
    t.read('history({ end: later, as text })', await page(presence.history({ end: later, direction: 'forwards' })));
  });
});
