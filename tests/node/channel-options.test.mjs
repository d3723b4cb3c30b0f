// Channel options (modes and params, as ably-js's `channels.get(name, options)` and
// `channel.setOptions`), `channels.release` (detaching first), `channel.whenState` and
// `auth.clientId`, with the built package in headless Chromium against the real
// roster-server; a real ably-js client publishes and enters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, closeAll, realtime, rosterOptions, skip, uniqueChannel, within } from './ably.mjs';
import { chromiumForTests, openTab } from './chromium.mjs';

const WAIT = 10_000;
const chromium = chromiumForTests(BASE);

test('a presence-only watcher gets presence, not messages, until it asks for them', { skip, timeout: 60_000 }, async () => {
  const errors = [];
  const { context, page } = await openTab(chromium.get(), `${BASE}/health`, { name: 'watcher', errors, timeout: WAIT });
  const name = uniqueChannel('options');
  const publisher = realtime('bob');
  try {
    const granted = await page.evaluate(async ({ name, options }) => {
      const { Realtime } = await import('/pkg/realtime.js');
      window.client = new Realtime(options);
      const channel = window.client.channels.get(name, { modes: ['presence_subscribe'] });
      window.seen = [];
      await channel.subscribe((m) => window.seen.push(`message:${m.data}`));
      await channel.presence.subscribe((m) => window.seen.push(`${m.action}:${m.clientId}`));
      return { modes: channel.modes, clientId: window.client.auth.clientId };
    }, { name, options: rosterOptions('ann') });
    assert.deepEqual(granted, { modes: ['presence_subscribe'], clientId: 'ann' });

    // The message goes out before the enter: had the watcher been sent it, it would
    // have come first.
    const channel = publisher.channels.get(name);
    await within(channel.publish('chat', 'one'), WAIT, 'publish one');
    await within(channel.presence.enter(), WAIT, 'bob enters');
    await page.waitForFunction(() => window.seen.includes('enter:bob'));
    assert.deepEqual(await page.evaluate(() => window.seen), ['enter:bob']);

    // Asking for messages too: the channel attaches again, and they arrive.
    const after = await page.evaluate(async (name) => {
      const channel = window.client.channels.get(name);
      // channels.get() may not change an attached channel's modes: that is setOptions'.
      let refused;
      try {
        window.client.channels.get(name, { modes: ['SUBSCRIBE'] });
      } catch (e) {
        refused = e.code;
      }
      await channel.setOptions({ modes: ['SUBSCRIBE', 'PRESENCE_SUBSCRIBE'] });
      return { refused, modes: channel.modes, state: channel.state };
    }, name);
    assert.deepEqual(after, { refused: 40000, modes: ['subscribe', 'presence_subscribe'], state: 'attached' });
    await within(channel.publish('chat', 'two'), WAIT, 'publish two');
    await page.waitForFunction(() => window.seen.includes('message:two'));
    assert.deepEqual(await page.evaluate(() => window.seen), ['enter:bob', 'message:two']);
  } finally {
    await closeAll([publisher]);
    await context.close();
  }
  assert.deepEqual(errors, []);
});

test('bad options are refused with 40000; release() detaches an attached channel first', { skip, timeout: 60_000 }, async () => {
  const errors = [];
  const { context, page } = await openTab(chromium.get(), `${BASE}/health`, { name: 'releaser', errors, timeout: WAIT });
  try {
    const outcome = await page.evaluate(async ({ name, options }) => {
      const { Realtime } = await import('/pkg/realtime.js');
      const client = new Realtime(options);
      const code = (f) => {
        try {
          f();
          return 'no error';
        } catch (e) {
          return `${e.name} ${e.code}`;
        }
      };
      const badMode = code(() => client.channels.get('x', { modes: ['WATCH'] }));
      const badParams = code(() => client.channels.get('x', { params: 'rewind=1' }));
      const cipher = code(() => client.channels.get('x', { cipher: { key: 'k' } }));
      const rejected = await client.channels.get('x').setOptions({ modes: 'PRESENCE' }).then(() => 'resolved', (e) => e.code);

      const channel = client.channels.get(name);
      const attaching = channel.whenState('attached');
      await channel.attach();
      const attachedChange = (await attaching)?.current;
      const alreadyAttached = await channel.whenState('attached');
      // As ably-js 2.x: release() of an attached channel detaches it, then forgets it.
      const whileAttached = code(() => client.channels.release(name));
      const listedWhileDetaching = name in client.channels.all;
      await channel.whenState('detached');
      for (let i = 0; i < 100 && name in client.channels.all; i++) await new Promise((r) => setTimeout(r, 10));
      const released = !(name in client.channels.all);
      const fresh = client.channels.get(name) !== channel;
      const initialized = code(() => client.channels.release('x'));
      const releasedAtOnce = !('x' in client.channels.all);
      client.close();
      return {
        badMode, badParams, cipher, rejected, attachedChange, alreadyAttached, whileAttached, listedWhileDetaching,
        released, fresh, initialized, releasedAtOnce,
      };
    }, { name: uniqueChannel('release'), options: rosterOptions('ann') });
    assert.deepEqual(outcome, {
      badMode: 'ErrorInfo 40000',
      badParams: 'ErrorInfo 40000',
      cipher: 'ErrorInfo 40000',
      rejected: 40000,
      attachedChange: 'attached',
      alreadyAttached: null,
      whileAttached: 'no error',
      listedWhileDetaching: true,
      released: true,
      fresh: true,
      initialized: 'no error',
      releasedAtOnce: true,
    });
  } finally {
    await context.close();
  }
  assert.deepEqual(errors, []);
});
