// Connection recovery (RTN16) with the built package in headless Chromium against the real
// roster-server, watched by a real ably-js client: a reloaded page (recover callback) or
// another tab (recover key) continues the connection, so its member never leaves and
// nobody sees it enter again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, closeAll, nextPresence, realtime, rosterOptions, skip, uniqueChannel, within } from './ably.mjs';
import { chromiumForTests, openTab as openTabIn } from './chromium.mjs';

const REMAIN_PRESENT_FOR = 1500;
const WAIT = 10_000;
// A page roster-server serves: the tab can import /pkg/ and reach /auth/.
const PAGE = `${BASE}/health`;

const chromium = chromiumForTests(BASE);
const pageErrors = [];

const openTab = (name) => openTabIn(chromium.get(), PAGE, { name, errors: pageErrors, timeout: WAIT });

/**
 * Makes the tab's client `window.client` for 'ann' with `options` (by default closeOnUnload
 * false) and `recover`: 'accept' / 'decline' (a callback answering so), or a key. Resolves
 * with its connection id once connected, and the clientIds its channel's presence set
 * holds then.
 */
function startClient(page, channel, recover, options = { closeOnUnload: false }) {
  return page.evaluate(async ({ channel, recover, options }) => {
    const { Realtime } = await import('/pkg/realtime.js');
    const callback = (answer) => (last, cb) => {
      window.lastConnection = last;
      cb(answer);
    };
    window.client = new Realtime({
      ...options,
      recover: recover === 'accept' || recover === 'decline' ? callback(recover === 'accept') : recover,
    });
    await window.client.connection.whenState('connected');
    const members = await window.client.channels.get(channel).presence.get();
    return { id: window.client.connection.id, members: members.map((m) => `${m.clientId}:${m.data}`) };
  }, { channel, recover, options: rosterOptions('ann', { ...options, transportParams: { remainPresentFor: REMAIN_PRESENT_FOR } }) });
}

/** An ably-js observer on a fresh channel, recording its presence events. */
async function observe() {
  const observer = realtime('observer');
  const channel = observer.channels.get(uniqueChannel('recovery'));
  const seen = [];
  await within(channel.presence.subscribe((m) => seen.push(`${m.action}:${m.clientId}:${m.data}`)), WAIT, 'observer attach');
  return { observer, channel, seen };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, REMAIN_PRESENT_FOR + 1500));

test('a reloaded page recovers its connection: the member stays, updates still apply', { skip, timeout: 60_000 }, async () => {
  const { observer, channel, seen } = await observe();
  const { context, page } = await openTab('reload');
  try {
    const first = await startClient(page, channel.name, 'accept');
    const entered = nextPresence(channel, 'enter', (m) => m.clientId === 'ann', WAIT);
    await page.evaluate((name) => window.client.channels.get(name).presence.enter('here'), channel.name);
    await entered;

    await page.reload();
    const second = await startClient(page, channel.name, 'accept');
    assert.equal(second.id, first.id, 'the same connection');
    assert.deepEqual(second.members, ['ann:here'], 'its member, known without entering again');
    const last = await page.evaluate(() => window.lastConnection);
    assert.equal(last.clientId, 'ann');
    assert.equal(last.location.href, PAGE);
    assert.deepEqual(Object.keys(JSON.parse(last.recoveryKey)).sort(), ['channelSerials', 'connectionKey', 'msgSerial']);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('ably-connection-recovery')), null, 'a key is used once');

    // Serials go on from the old page's: a restart at 0 would be taken for resends.
    const updated = nextPresence(channel, 'update', (m) => m.clientId === 'ann', WAIT);
    await page.evaluate((name) => window.client.channels.get(name).presence.update('back'), channel.name);
    await updated;
    await settle();
    assert.deepEqual(seen.filter((e) => e.includes(':ann:')), ['enter:ann:here', 'update:ann:back']);

    // Declining makes a new connection; the old one's member then times out.
    await page.reload();
    const third = await startClient(page, channel.name, 'decline');
    assert.notEqual(third.id, first.id);
    await nextPresence(channel, 'leave', (m) => m.clientId === 'ann' && m.connectionId === first.id, WAIT);
  } finally {
    await context.close();
    await closeAll([observer]);
  }
  assert.deepEqual(pageErrors, []);
});

// As in ably-js, closeOnUnload defaults to false when `recover` is given: an app written for
// ably-js passes only the callback. The unload used to close the connection it had just
// saved, so the reloaded page started afresh and everyone saw its member leave and enter.
test('with a recover callback and no closeOnUnload, a reloaded page still recovers', { skip, timeout: 60_000 }, async () => {
  const { observer, channel, seen } = await observe();
  const { context, page } = await openTab('reload-default');
  try {
    const first = await startClient(page, channel.name, 'accept', {});
    const entered = nextPresence(channel, 'enter', (m) => m.clientId === 'ann', WAIT);
    await page.evaluate((name) => window.client.channels.get(name).presence.enter('here'), channel.name);
    await entered;
    await page.reload();
    const second = await startClient(page, channel.name, 'accept', {});
    assert.equal(second.id, first.id, 'the same connection');
    await settle();
    assert.deepEqual(seen.filter((e) => e.includes(':ann:')), ['enter:ann:here'], 'never left');
  } finally {
    await context.close();
    await closeAll([observer]);
  }
  assert.deepEqual(pageErrors, []);
});

// As ably-js (its options normalisation): a recover callback and an explicit closeOnUnload:
// true exclude each other, and the callback is dropped. The unload closes the connection,
// so a key saved for the next page could only fail to recover; Roster saved one and asked
// the next page's callback with it.
test('a recover callback with closeOnUnload: true is dropped: nothing saved, never asked', { skip, timeout: 60_000 }, async () => {
  const { observer, channel } = await observe();
  const { context, page } = await openTab('reload-close');
  try {
    const first = await startClient(page, channel.name, 'accept', { closeOnUnload: true });
    const entered = nextPresence(channel, 'enter', (m) => m.clientId === 'ann', WAIT);
    await page.evaluate((name) => window.client.channels.get(name).presence.enter('here'), channel.name);
    await entered;
    const left = nextPresence(channel, 'leave', (m) => m.clientId === 'ann' && m.connectionId === first.id, WAIT);
    await page.reload();
    await left;
    assert.equal(await page.evaluate(() => sessionStorage.getItem('ably-connection-recovery')), null, 'nothing saved');
    const second = await startClient(page, channel.name, 'accept', { closeOnUnload: true });
    assert.notEqual(second.id, first.id);
    assert.equal(await page.evaluate(() => window.lastConnection), undefined, 'the callback was not asked');
  } finally {
    await context.close();
    await closeAll([observer]);
  }
  assert.deepEqual(pageErrors, []);
});

test('another tab recovers with createRecoveryKey(); a closed connection has no key', { skip, timeout: 60_000 }, async () => {
  const { observer, channel, seen } = await observe();
  const old = await openTab('old');
  const next = await openTab('next');
  try {
    const first = await startClient(old.page, channel.name, undefined);
    const entered = nextPresence(channel, 'enter', (m) => m.clientId === 'ann', WAIT);
    await old.page.evaluate((name) => window.client.channels.get(name).presence.enter('here'), channel.name);
    await entered;
    const key = await old.page.evaluate(() => window.client.connection.createRecoveryKey());
    assert.equal(JSON.parse(key).msgSerial, 1, 'one message sent');
    await old.context.close();

    const second = await startClient(next.page, channel.name, key);
    assert.equal(second.id, first.id);
    assert.deepEqual(second.members, ['ann:here']);
    await settle();
    assert.deepEqual(seen.filter((e) => e.includes(':ann:')), ['enter:ann:here'], 'never left');

    await next.page.evaluate(() => window.client.close());
    await next.page.waitForFunction(() => window.client.connection.state === 'closed');
    assert.equal(await next.page.evaluate(() => window.client.connection.createRecoveryKey()), null);
  } finally {
    await next.context.close();
    await closeAll([observer]);
  }
  assert.deepEqual(pageErrors, []);
});
