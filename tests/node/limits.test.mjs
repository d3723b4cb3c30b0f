// Server limits as the real ably-js client meets them (the server runs with its defaults).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, connected, nextPresence, realtime, skip, uniqueChannel, within } from './ably.mjs';

/** roster-server's default --max-channels-per-connection (Ably's default). */
const MAX_CHANNELS = 200;

test('an attach past the per-connection channel cap fails that channel only, with 90010', { skip, timeout: 120_000 }, async () => {
  const prefix = uniqueChannel('cap');
  const alice = realtime('alice');
  const bob = realtime('bob');
  try {
    await connected(alice);
    const names = Array.from({ length: MAX_CHANNELS + 1 }, (_, n) => `${prefix}-${n}`);
    for (const name of names.slice(0, MAX_CHANNELS)) {
      await within(alice.channels.get(name).attach(), 10_000, `attach ${name}`);
    }
    const over = alice.channels.get(names[MAX_CHANNELS]);
    const error = await within(over.attach().then(() => null, (e) => e), 10_000, 'the refused attach');
    assert.ok(error, 'the attach past the cap is refused');
    assert.equal(error.code, 90010);
    assert.equal(error.statusCode, 400);
    assert.equal(over.state, 'failed');
    assert.equal(alice.connection.state, 'connected');

    // Its other channels go on: bob hears alice enter on the first.
    const first = bob.channels.get(names[0]);
    await first.attach();
    const entered = nextPresence(first, 'enter', (m) => m.clientId === 'alice');
    await alice.channels.get(names[0]).presence.enter('here');
    assert.equal((await entered).data, 'here');

    // A detach makes room for the refused channel.
    await alice.channels.get(names[1]).detach();
    await within(over.attach(), 10_000, 'the attach after a detach');
    assert.equal(over.state, 'attached');
  } finally {
    await closeAll([alice, bob]);
  }
});
