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

// ably-js sends a message's `extras` as whatever JSON value the app gave, and refuses a
// name that is not a string in publish(name, data) with 40013. Roster's publish dropped
// extras given as text, refused a number or boolean as unsupported data (40013), and
// sent a numeric name as no name.
test('publish: extras of any JSON value go as given; a name that is not a string is refused', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    const heard = (m) => t.record('bob hears', { name: m.name ?? '<none>', data: m.data, extras: m.extras ?? '<none>' });
    await t.op('bob subscribe', bobs.subscribe(heard));
    await t.op('extras as text', adas.publish({ name: 'a', data: '1', extras: 'text' }));
    await t.op('extras as a number', adas.publish({ name: 'b', data: '2', extras: 5 }));
    await t.op('extras as true', adas.publish({ name: 'c', data: '3', extras: true }));
    await t.op('extras as an array', adas.publish([{ name: 'd', data: '4', extras: [1, { k: 'v' }] }]));
    await t.op('publish(5, data)', adas.publish(5, '5'));
    await t.op('publish(true, data)', adas.publish(true, '6'));
    await t.op('publish after them', adas.publish('z', 'last'));
    await t.until('bob hears', 5);
  });
});
