// Channel continuity across a resume. A client's transport goes through a loopback proxy
// that swallows what the server sends and then dies, as a flaky network does; meanwhile
// others publish, enter and leave. The client resumes (same connection id) and must get
// exactly what it missed, in order, once (RTN15c6, RTL4c1, RTL15b); its own member's
// re-entry (RTP17i, with the stored id, RTP17g1) must not show others an update.
// Run for a real ably-js client in node, and for the Roster package in headless Chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, closeAll, realtime, rosterOptions, skip, uniqueChannel, until, within } from './ably.mjs';
import { chromiumForTests, openTab } from './chromium.mjs';
import { startProxy } from './proxy.mjs';

const WAIT = 15_000;

const chromium = chromiumForTests(BASE);
let proxy;

before(async () => {
  if (BASE) proxy = await startProxy(Number(new URL(BASE).port));
});

after(async () => {
  await proxy?.close();
});

/** 'ann' on ably-js in node, through the proxy. */
function ablyClient() {
  const client = realtime('ann', { port: proxy.port });
  const seen = { messages: [], presence: [], channel: [] };
  return {
    repeatsLeavesInSync: true,
    async start(name) {
      const channel = client.channels.get(name);
      channel.on((c) => seen.channel.push({ current: c.current, resumed: c.resumed === true }));
      await channel.subscribe((m) => seen.messages.push(m.data));
      await channel.presence.subscribe((m) => seen.presence.push(`${m.action}:${m.clientId}`));
      await channel.presence.enter('a');
    },
    seen: async () => structuredClone({ ...seen, connectionId: client.connection.id }),
    update: (name, data) => client.channels.get(name).presence.update(data),
    members: async (name) => (await client.channels.get(name).presence.get()).map((m) => [m.clientId, m.data]).sort(),
    close: () => closeAll([client]),
  };
}

/** 'ann' on the Roster package in a Chromium tab, through the proxy. */
async function rosterClient() {
  const errors = [];
  // Served by roster-server itself, so the tab may import /pkg/ and open loopback sockets.
  const { context, page } = await openTab(chromium.get(), `${BASE}/health`, { name: 'ann', errors, timeout: WAIT });
  const run = (fn, arg) => page.evaluate(fn, arg);
  return {
    start: (name) => run(async ({ name, options }) => {
      const { Realtime } = await import('/pkg/realtime.js');
      window.seen = { messages: [], presence: [], channel: [] };
      window.client = new Realtime(options);
      const channel = window.client.channels.get(name);
      channel.on((c) => window.seen.channel.push({ current: c.current, resumed: c.resumed === true }));
      await channel.subscribe((m) => window.seen.messages.push(m.data));
      await channel.presence.subscribe((m) => window.seen.presence.push(`${m.action}:${m.clientId}`));
      await channel.presence.enter('a');
    }, { name, options: rosterOptions('ann', { port: proxy.port }) }),
    seen: () => run(() => ({ ...window.seen, connectionId: window.client.connection.id })),
    update: (name, data) => run(({ name, data }) => window.client.channels.get(name).presence.update(data), { name, data }),
    members: (name) => run(async (name) => (await window.client.channels.get(name).presence.get())
      .map((m) => [m.clientId, m.data]).sort(), name),
    async close() {
      await run(() => window.client?.close()).catch(() => {});
      await context.close();
      assert.deepEqual(errors, [], 'no page errors');
    },
  };
}

async function gapScenario(ann) {
  const name = uniqueChannel('resume-gap');
  const bob = realtime('bob');
  const carol = realtime('carol');
  const bobSaw = [];
  try {
    const b = bob.channels.get(name);
    await within(b.attach(), WAIT, 'bob attach');
    await b.presence.subscribe((m) => bobSaw.push(`${m.action}:${m.clientId}:${m.data}`));
    await within(carol.channels.get(name).presence.enter('c'), WAIT, 'carol enter');
    await within(ann.start(name), WAIT, 'ann start');
    await until(() => bobSaw.includes('enter:ann:a'), 'bob to see ann enter');
    const { connectionId } = await ann.seen();
    assert.ok(connectionId, 'ann is connected');
    const before = await ann.seen();

    // The gap: everything the server sends ann from here on is lost on the way.
    proxy.blackhole();
    await b.presence.enter('b');
    await carol.channels.get(name).presence.leave();
    for (const n of ['1', '2', '3']) await b.publish('m', n);
    proxy.cut();

    await until(async () => (await ann.seen()).channel.some((c, i) => i >= before.channel.length && c.current === 'attached'), 'ann to re-attach');
    await b.publish('m', 'end');
    const after = await until(async () => {
      const seen = await ann.seen();
      return seen.messages.includes('end') && seen;
    }, 'ann to get the message published after the resume');

    assert.equal(after.connectionId, connectionId, 'the connection resumed');
    assert.deepEqual(after.messages, ['1', '2', '3', 'end'], 'each missed message once, in order');
    // ably-js reports a leave that arrives during its sync a second time when the sync
    // ends (its PresenceMap.remove keeps the member among the sync's residual members);
    // Roster reports each change once.
    const gap = after.presence.slice(before.presence.length);
    assert.deepEqual(ann.repeatsLeavesInSync ? [...new Set(gap)] : gap, ['enter:bob', 'leave:carol'], 'the gap as it happened');
    assert.deepEqual(
      after.channel.slice(before.channel.length),
      [{ current: 'attaching', resumed: false }, { current: 'attached', resumed: true }],
      'the channel re-attached with continuity',
    );
    assert.deepEqual(await ann.members(name), [['ann', 'a'], ['bob', 'b']]);

    // ann's re-entry was absorbed: the next thing bob hears of ann is a real update.
    await within(ann.update(name, 'after'), WAIT, 'ann update');
    await until(() => bobSaw.includes('update:ann:after'), 'bob to see ann update');
    assert.deepEqual(bobSaw.filter((e) => e.includes(':ann:')), ['enter:ann:a', 'update:ann:after']);
  } finally {
    await ann.close();
    await closeAll([bob, carol]);
  }
}

test('ably-js resumes through a lossy gap: what it missed arrives once, in order', { skip, timeout: 60_000 }, async () => {
  await gapScenario(ablyClient());
});

test('Roster resumes through a lossy gap: what it missed arrives once, in order', { skip, timeout: 60_000 }, async () => {
  await gapScenario(await rosterClient());
});
