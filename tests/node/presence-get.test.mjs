// presence.get() keeps an unchanged member's object from one call to the next, as ably-js
// does (its get() lists the objects it stores), while changed members come fresh. The
// built package runs in headless Chromium against the real roster-server; real ably-js
// clients enter, update and leave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, closeAll, realtime, rosterOptions, skip, uniqueChannel, within } from './ably.mjs';
import { chromiumForTests, openTab } from './chromium.mjs';

const WAIT = 10_000;
const chromium = chromiumForTests(BASE);

test('get() returns the same object for an unchanged member, a new one for a changed one', { skip, timeout: 60_000 }, async () => {
  const errors = [];
  const { context, page } = await openTab(chromium.get(), `${BASE}/health`, { name: 'getter', errors, timeout: WAIT });
  const name = uniqueChannel('get');
  const [ann, bob, cat] = [realtime('ann'), realtime('bob'), realtime('cat')];
  try {
    await within(ann.channels.get(name).presence.enter('a1'), WAIT, 'ann enters');
    await within(bob.channels.get(name).presence.enter('b1'), WAIT, 'bob enters');
    // cat never changes: her object must come from the cache however the list is made.
    await within(cat.channels.get(name).presence.enter('c1'), WAIT, 'cat enters');
    const first = await page.evaluate(async ({ name, options }) => {
      const { Realtime } = await import('/pkg/realtime.js');
      const client = new Realtime(options);
      window.channel = client.channels.get(name);
      window.updates = 0;
      await window.channel.presence.subscribe('update', () => { window.updates += 1; });
      window.byClient = (list) => Object.fromEntries(list.map((m) => [m.clientId, m]));
      window.first = window.byClient(await window.channel.presence.get());
      const again = window.byClient(await window.channel.presence.get());
      return { data: Object.values(window.first).map((m) => `${m.clientId}:${m.data}`).sort(), same: again.ann === window.first.ann && again.bob === window.first.bob };
    }, { name, options: rosterOptions('watcher') });
    assert.deepEqual(first, { data: ['ann:a1', 'bob:b1', 'cat:c1'], same: true });

    await within(bob.channels.get(name).presence.update('b2'), WAIT, 'bob updates');
    await page.waitForFunction(() => window.updates === 1);
    const afterUpdate = await page.evaluate(async () => {
      const now = window.byClient(await window.channel.presence.get());
      const [onlyAnn] = await window.channel.presence.get({ clientId: 'ann' });
      return {
        annSame: now.ann === window.first.ann,
        bobSame: now.bob === window.first.bob,
        bob: `${now.bob.action}:${now.bob.data}`,
        filteredSame: onlyAnn === now.ann,
      };
    });
    assert.deepEqual(afterUpdate, { annSame: true, bobSame: false, bob: 'present:b2', filteredSame: true });

    await within(ann.channels.get(name).presence.leave(), WAIT, 'ann leaves');
    // Polled in the page: waitForFunction takes a returned promise as truthy, not awaiting it.
    await page.evaluate(async () => {
      for (let i = 0; i < 200 && (await window.channel.presence.get()).length !== 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    const left = await page.evaluate(async () => ({
      members: (await window.channel.presence.get()).map((m) => `${m.clientId}:${m.data}`).sort(),
      // White-box: the wrapper's cache holds the present members only, not the objects
      // of members that changed or left (10,000 of them after a round of updates).
      cached: window.channel.presence._members.size,
    }));
    assert.deepEqual(left, { members: ['bob:b2', 'cat:c1'], cached: 2 });

    // More changes between two gets than the set keeps a record of: the next get() is
    // whole again, and still right: the unchanged member the same object as before.
    for (let i = 3; i < 80; i++) await within(bob.channels.get(name).presence.update(`b${i}`), WAIT, 'bob updates');
    await page.waitForFunction(() => window.updates === 78);
    const many = await page.evaluate(async () => {
      const list = await window.channel.presence.get();
      return {
        members: list.map((m) => `${m.clientId}:${m.data}`).sort(),
        cached: window.channel.presence._members.size,
        catSame: window.byClient(list).cat === window.first.cat,
      };
    });
    assert.deepEqual(many, { members: ['bob:b79', 'cat:c1'], cached: 2, catSame: true });
  } finally {
    await closeAll([ann, bob, cat]);
    await context.close();
  }
  assert.deepEqual(errors, []);
});

test('a large get() arrives whole, converted a slice per task with no timer between, and concurrent gets agree', { skip, timeout: 120_000 }, async () => {
  const MEMBERS = 6000;
  const errors = [];
  const { context, page } = await openTab(chromium.get(), `${BASE}/health`, { name: 'large', errors, timeout: 30_000 });
  const name = uniqueChannel('large');
  // 200 members from each of 30 connections: a round each, within a second's worth of
  // the server's inbound rate (250 messages a connection).
  const PER_CONNECTION = 200;
  const crowd = Array.from({ length: MEMBERS / PER_CONNECTION }, () => realtime('*'));
  try {
    await within(Promise.all(crowd.map(async (client, k) => {
      const channel = client.channels.get(name);
      await channel.attach();
      const round = [];
      for (let i = k * PER_CONNECTION; i < (k + 1) * PER_CONNECTION; i++) round.push(channel.presence.enterClient(`m${i}`, `d${i}`));
      await Promise.all(round);
    })), 30_000, 'the enters');
    const outcome = await page.evaluate(async ({ name, options }) => {
      // The slices follow each other without setTimeout, which browsers clamp to 4 ms once
      // five are nested (6,000 members are seven slices here: ~10 ms of waiting).
      const timers = [];
      const { setTimeout } = window;
      window.setTimeout = (callback, ms, ...rest) => {
        timers.push(ms ?? 0);
        return setTimeout(callback, ms, ...rest);
      };
      const { Realtime } = await import('/pkg/realtime.js');
      const client = new Realtime(options);
      const channel = client.channels.get(name);
      // All three wait for the sync and complete together; the two large ones are
      // converted one after the other, and the small filtered one still settles last.
      const order = [];
      const track = (promise, label) => promise.then((list) => { order.push(label); return list; });
      const [a, b, [c]] = await Promise.all([
        track(channel.presence.get(), 'a'),
        track(channel.presence.get(), 'b'),
        track(channel.presence.get({ clientId: 'm5' }), 'c'),
      ]);
      const wrong = a.filter((m) => m.data !== `d${m.clientId.slice(1)}` || m.action !== 'present').length;
      const same = a.length === b.length && a.every((m, i) => m === b[i]) && c === a.find((m) => m.clientId === 'm5');
      client.close();
      return {
        count: a.length, distinct: new Set(a.map((m) => m.clientId)).size, wrong, same, order: order.join(''),
        zeroDelayTimers: timers.filter((ms) => ms === 0).length,
      };
    }, { name, options: rosterOptions('watcher') });
    assert.deepEqual(outcome, { count: MEMBERS, distinct: MEMBERS, wrong: 0, same: true, order: 'abc', zeroDelayTimers: 0 });
  } finally {
    await closeAll(crowd);
    await context.close();
  }
  assert.deepEqual(errors, []);
});
