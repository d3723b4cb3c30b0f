// A Realtime client the app has closed and let go of is garbage collected, wasm side and
// all; one still connected stays alive (and present) without the app holding it, as an
// open ably-js client does. The built package in headless Chromium (with gc() exposed)
// against the real roster-server; a real ably-js client watches the channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, closeAll, realtime, rosterOptions, skip, uniqueChannel, within } from './ably.mjs';
import { chromiumForTests, openTab } from './chromium.mjs';

const WAIT = 15_000;
const CLOSED = 20;
const chromium = chromiumForTests(BASE, { exposeGc: true });

test('closed clients are collected and their wasm freed; an open one lives on', { skip, timeout: 90_000 }, async () => {
  const errors = [];
  const { context, page } = await openTab(chromium.get(), `${BASE}/health`, { name: 'collect', errors, timeout: WAIT });
  const name = uniqueChannel('collect');
  const watcher = realtime('watcher');
  try {
    const outcome = await page.evaluate(async ({ name, options, closed }) => {
      const { Realtime } = await import('/pkg/realtime.js');
      let finalized = 0;
      let openFinalized = false;
      const registry = new FinalizationRegistry((which) => { if (which === 'open') openFinalized = true; else finalized += 1; });
      const session = async (clientId, close) => {
        const client = new Realtime({ ...options, authParams: { clientId }, clientId });
        await client.channels.get(name).presence.enter(clientId);
        await client.channels.get(name).presence.get();
        registry.register(client, close ? 'closed' : 'open');
        if (!close) return;
        client.close();
        await client.connection.whenState('closed');
      };
      await session('stays', false);
      for (let i = 0; i < closed; i++) await session(`gone${i}`, true);
      // Finalizers run in tasks after a collection: collect until they have all run.
      for (let round = 0; round < 50 && finalized < closed; round++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return { finalized, openFinalized };
    }, { name, options: rosterOptions(undefined), closed: CLOSED });
    assert.deepEqual(outcome, { finalized: CLOSED, openFinalized: false });

    // The open client, referenced by nothing in the page, is still connected and present.
    const members = await within(watcher.channels.get(name).presence.get(), WAIT, 'watcher get');
    assert.deepEqual(members.map((m) => m.clientId), ['stays']);
  } finally {
    await closeAll([watcher]);
    await context.close();
  }
  assert.deepEqual(errors, []);
});

test('a closed client whose authorize() got no token is collected', { skip, timeout: 60_000 }, async () => {
  const errors = [];
  const { context, page } = await openTab(chromium.get(), `${BASE}/health`, { name: 'collect-authorize', errors, timeout: WAIT });
  try {
    const outcome = await page.evaluate(async ({ options, base }) => {
      const { Realtime } = await import('/pkg/realtime.js');
      let finalized = false;
      const registry = new FinalizationRegistry(() => { finalized = true; });
      let code;
      await (async () => {
        const client = new Realtime({ ...options, authParams: { clientId: 'closer' }, clientId: 'closer' });
        await client.connection.whenState('connected');
        client.close();
        await client.connection.whenState('closed');
        // authorize() holds a client that is not connected until its token connects it;
        // this token never comes (404, an Ably error from roster-server, reported as it
        // is, as ably-js), so the client must be let go again.
        const error = await client.auth.authorize(undefined, { authUrl: `${base}/no-such-token-endpoint` }).then(() => null, (e) => e);
        code = error?.code;
        registry.register(client, 'closed');
      })();
      for (let round = 0; round < 50 && !finalized; round++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return { code, finalized };
    }, { options: rosterOptions(undefined), base: BASE });
    assert.deepEqual(outcome, { code: 40400, finalized: true });
  } finally {
    await context.close();
  }
  assert.deepEqual(errors, []);
});
