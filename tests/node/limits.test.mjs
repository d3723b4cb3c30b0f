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

/** roster-server's default --max-inbound-rate (messages a second, a second's worth at once). */
const INBOUND_RATE = 250;

test('enters past the inbound rate are refused with 42911 and the connection stays connected', { skip, timeout: 60_000 }, async () => {
  const name = uniqueChannel('rate');
  const loader = realtime('*');
  const bob = realtime('bob');
  try {
    await connected(loader);
    assert.equal(loader.connection.connectionManager.connectionDetails.maxInboundRate, INBOUND_RATE);
    const channel = loader.channels.get(name);
    await channel.attach();
    // Twice a second's worth at once, each its own PRESENCE: some must be refused.
    const outcomes = await within(Promise.all(Array.from({ length: 2 * INBOUND_RATE }, (_, i) =>
      channel.presence.enterClient(`m-${i}`, 'd').then(() => null, (e) => e))), 30_000, 'the enters');
    const refused = outcomes.filter(Boolean);
    const entered = outcomes.length - refused.length;
    assert.ok(entered >= INBOUND_RATE, `${entered} entered`);
    assert.ok(refused.length >= INBOUND_RATE / 2, `${refused.length} refused`);
    for (const error of refused) {
      assert.equal(error.code, 42911);
      assert.equal(error.statusCode, 429);
    }
    assert.equal(loader.connection.state, 'connected');
    assert.equal(channel.state, 'attached');

    // Others see exactly the members that were entered.
    const members = await within(bob.channels.get(name).presence.get(), 30_000, 'bob gets the members');
    assert.equal(members.length, entered);

    // After a second the connection is let through again.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await within(channel.presence.enterClient('later', 'd'), 10_000, 'the enter a second later');
    assert.equal(loader.connection.state, 'connected');
  } finally {
    await closeAll([loader, bob]);
  }
});

/** roster-server's default --max-presence-data-per-channel. */
const MAX_PRESENCE_DATA = 16 << 20;

test('presence data past the channel total is refused with 91006, and a leave makes room', { skip, timeout: 120_000 }, async () => {
  const name = uniqueChannel('data-cap');
  const loader = realtime('*');
  const bob = realtime('bob');
  try {
    await connected(loader);
    const channel = loader.channels.get(name);
    await channel.attach();
    // As many members of 60,000 bytes each as the total holds; one more would pass it.
    // Batches of 20, one every 20 / INBOUND_RATE seconds (80 ms), keep within the
    // server's inbound rate.
    const data = 'x'.repeat(60_000);
    const fit = Math.floor(MAX_PRESENCE_DATA / data.length);
    for (let i = 0; i < fit; i += 20) {
      const batch = [];
      for (let j = i; j < Math.min(i + 20, fit); j++) batch.push(channel.presence.enterClient(`m-${j}`, data));
      const paced = new Promise((resolve) => setTimeout(resolve, 20_000 / INBOUND_RATE));
      await within(Promise.all([...batch, paced]), 30_000, `enters ${i}..${i + batch.length}`);
    }
    const error = await within(channel.presence.enterClient('over', data).then(() => null, (e) => e), 10_000, 'the refused enter');
    assert.ok(error, 'the enter past the total is refused');
    assert.equal(error.code, 91006);
    assert.equal(error.statusCode, 400);
    assert.equal(loader.connection.state, 'connected');
    assert.equal(channel.state, 'attached');

    // Another client sees every member that fit, and not the refused one.
    const members = await within(bob.channels.get(name).presence.get(), 30_000, 'bob gets the members');
    assert.equal(members.length, fit);
    assert.ok(!members.some((m) => m.clientId === 'over'));

    // A member's leave gives its bytes back.
    await channel.presence.leaveClient('m-0');
    await within(channel.presence.enterClient('over', data), 10_000, 'the enter after a leave');
  } finally {
    await closeAll([loader, bob]);
  }
});
