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
