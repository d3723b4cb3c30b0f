// roster-server sends a message past 2 KiB as a fragmented WebSocket message (so each
// socket's write buffer stays small); the real clients must get it whole: ably-js over
// node's `ws`, and the built package in headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, closeAll, nextPresence, realtime, rosterOptions, skip, uniqueChannel, within } from './ably.mjs';
import { chromiumForTests, openTab } from './chromium.mjs';

const WAIT = 10_000;
const chromium = chromiumForTests(BASE);

/** 60,000 bytes of 3-byte characters that differ along the string, so a fragment lost,
 * repeated or out of order changes it; fragment boundaries fall inside characters. */
const large = (seed) => Array.from({ length: 20_000 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7 + seed) % 2000))).join('');

test('ably-js gets large messages and presence data whole, live and in a SYNC', { skip, timeout: 60_000 }, async () => {
  const name = uniqueChannel('large');
  const [alice, bob, carol] = [realtime('alice'), realtime('bob'), realtime('carol')];
  try {
    const heard = bob.channels.get(name);
    await within(heard.attach(), WAIT, 'bob attaches');
    const message = new Promise((resolve) => heard.subscribe('big', resolve));
    await within(alice.channels.get(name).publish('big', large(1)), WAIT, 'alice publishes');
    assert.ok((await within(message, WAIT, 'the message')).data === large(1), 'the message arrives whole');

    const entered = nextPresence(heard, 'enter', (m) => m.clientId === 'alice');
    await within(alice.channels.get(name).presence.enter(large(2)), WAIT, 'alice enters');
    assert.ok((await entered).data === large(2), 'the ENTER arrives whole');

    const members = await within(carol.channels.get(name).presence.get(), WAIT, 'carol gets the members');
    assert.deepEqual(members.map((m) => m.clientId), ['alice']);
    assert.ok(members[0].data === large(2), 'the SYNC arrives whole');
  } finally {
    await closeAll([alice, bob, carol]);
  }
});

test('the package in Chromium gets large presence data whole', { skip, timeout: 60_000 }, async () => {
  const errors = [];
  const { context, page } = await openTab(chromium.get(), `${BASE}/health`, { name: 'large', errors, timeout: WAIT });
  const name = uniqueChannel('large');
  const alice = realtime('alice');
  try {
    await within(alice.channels.get(name).presence.enter(large(3)), WAIT, 'alice enters');
    // The attach brings alice in a SYNC, then her UPDATE comes live.
    const synced = await page.evaluate(async ({ name, options, expected }) => {
      const { Realtime } = await import('/pkg/realtime.js');
      window.channel = new Realtime(options).channels.get(name);
      window.updates = [];
      await window.channel.presence.subscribe('update', (m) => window.updates.push(m.data));
      const members = await window.channel.presence.get();
      return { members: members.map((m) => m.clientId), whole: members[0]?.data === expected };
    }, { name, options: rosterOptions('watcher'), expected: large(3) });
    assert.deepEqual(synced, { members: ['alice'], whole: true });
    await within(alice.channels.get(name).presence.update(large(4)), WAIT, 'alice updates');
    await page.waitForFunction(() => window.updates.length === 1);
    const updated = await page.evaluate((expected) => window.updates[0] === expected, large(4));
    assert.ok(updated, 'the UPDATE arrives whole');
  } finally {
    await closeAll([alice]);
    await context.close();
  }
  assert.deepEqual(errors, []);
});
