// The browser page lifecycle: closeOnUnload (on pagehide, with the back/forward cache)
// and the window online/offline events. The built package (pkg/, `bash js/build.sh`) runs in real headless
// Chromium against the real roster-server (ROSTER_URL, set by tests/run.sh), and a real
// ably-js client watches the channel's presence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, closeAll, nextPresence, realtime, rosterOptions, skip, uniqueChannel, within } from './ably.mjs';
import { chromiumForTests, launchChromium, openTab as openTabIn } from './chromium.mjs';

// Far longer than any wait below: a leave seen within WAIT was sent because the page closed
// its connection, not synthesized by the server once remainPresentFor ran out.
const REMAIN_PRESENT_FOR = 60_000;
const WAIT = 10_000;
// Any page the server itself serves: the tab can import /pkg/ and reach /auth/, and
// Chromium lets it open loopback WebSockets (its local network access checks refuse them
// to a page whose response did not come from loopback, e.g. one made by page.route).
const PAGE = `${BASE}/health`;

const chromium = chromiumForTests(BASE);
const pageErrors = [];

/** A fresh tab on PAGE (its own context, so setOffline affects it alone). */
const openTab = (name) => openTabIn(chromium.get(), PAGE, { name, errors: pageErrors, timeout: WAIT });

/**
 * Makes the tab's Roster client `window.client` (clientId `clientId`, extra options
 * `extra`), records its connection changes in `window.changes`, and enters `channel`
 * unless `enter` is false. Resolves with the connection id.
 */
function startClient(page, { clientId, channel, extra = {}, enter = true }) {
  return page.evaluate(async ({ channel, enter, options }) => {
    const { Realtime } = await import('/pkg/realtime.js');
    window.changes = [];
    window.client = new Realtime(options);
    window.client.connection.on((c) => window.changes.push({ current: c.current, retryIn: c.retryIn, code: c.reason?.code }));
    if (enter) await window.client.channels.get(channel).presence.enter('here');
    return window.client.connection.id;
  }, { channel, enter, options: rosterOptions(clientId, { transportParams: { remainPresentFor: REMAIN_PRESENT_FOR }, ...extra }) });
}

/** An ably-js observer attached to a fresh channel. */
async function observe(prefix) {
  const observer = realtime('observer');
  const channel = observer.channels.get(uniqueChannel(prefix));
  await within(channel.attach(), WAIT, 'observer attach');
  return { observer, channel };
}

/** clientIds the observer's presence set holds now. */
async function presentIds(channel) {
  return (await within(channel.presence.get(), WAIT, 'presence.get')).map((m) => m.clientId).sort();
}

test('closeOnUnload (default): closing the tab or navigating away removes its member at once', {
  skip,
  timeout: 60_000,
}, async () => {
  const { observer, channel } = await observe('unload');
  try {
    const closing = await openTab('closing');
    const leaving = await openTab('leaving');
    const entered = Promise.all(['closing', 'leaving'].map((id) => nextPresence(channel, 'enter', (m) => m.clientId === id, WAIT)));
    await startClient(closing.page, { clientId: 'closing', channel: channel.name });
    await startClient(leaving.page, { clientId: 'leaving', channel: channel.name });
    await entered;

    // As a real tab close: beforeunload handlers run, then the page hides.
    let left = nextPresence(channel, 'leave', (m) => m.clientId === 'closing', WAIT);
    await closing.page.close({ runBeforeUnload: true });
    await left;
    assert.deepEqual(await presentIds(channel), ['leaving']);

    left = nextPresence(channel, 'leave', (m) => m.clientId === 'leaving', WAIT);
    await leaving.page.goto('about:blank');
    await left;
    assert.deepEqual(await presentIds(channel), []);
    await closing.context.close();
    await leaving.context.close();
  } finally {
    await closeAll([observer]);
  }
  assert.deepEqual(pageErrors, []);
});

test('a page restored from the back/forward cache connects again and re-enters', {
  skip,
  timeout: 60_000,
}, async () => {
  const { observer, channel } = await observe('bfcache');
  // Playwright's Chromium keeps no page in the cache unless told to; the demo page is an
  // HTML page the server serves (the cache keeps HTML documents only).
  const browser = await launchChromium({ backForwardCache: true });
  try {
    const { page } = await openTabIn(browser, `${BASE}/?bfcache`, { name: 'cached', errors: pageErrors, timeout: WAIT });
    const seen = [];
    channel.presence.subscribe((m) => seen.push(`${m.action}:${m.clientId}:${m.data}`));
    const entered = nextPresence(channel, 'enter', (m) => m.clientId === 'cached', WAIT);
    await startClient(page, { clientId: 'cached', channel: channel.name });
    await entered;

    // Away: the page hides, and its member leaves at once (not after remainPresentFor).
    const left = nextPresence(channel, 'leave', (m) => m.clientId === 'cached', WAIT);
    await page.goto(`${BASE}/?away`);
    await left;

    // Back: the same page, from the cache, with its client still there.
    const back = nextPresence(channel, 'enter', (m) => m.clientId === 'cached', WAIT);
    await page.goBack({ waitUntil: 'commit' });
    assert.equal(await page.evaluate(() => typeof window.client), 'object', 'restored from the cache');
    await back;
    await page.waitForFunction((name) => window.client.channels.get(name).state === 'attached', channel.name);
    const mine = await page.evaluate((name) => window.client.channels.get(name).presence.get(), channel.name);
    assert.deepEqual(mine.map((m) => `${m.clientId}:${m.data}`), ['cached:here']);
    assert.deepEqual(seen, ['enter:cached:here', 'leave:cached:here', 'enter:cached:here']);
    const states = await page.evaluate(() => window.changes.map((c) => c.current));
    assert.deepEqual(states.slice(-3), ['suspended', 'connecting', 'connected']);
    await page.evaluate(() => window.client.close());
  } finally {
    await browser.close();
    await closeAll([observer]);
  }
  assert.deepEqual(pageErrors, []);
});

test('closeOnUnload: false leaves a closed tab present until the server times it out', {
  skip,
  timeout: 60_000,
}, async () => {
  const { observer, channel } = await observe('keep');
  try {
    const tab = await openTab('kept');
    const entered = nextPresence(channel, 'enter', (m) => m.clientId === 'kept', WAIT);
    await startClient(tab.page, { clientId: 'kept', channel: channel.name, extra: { closeOnUnload: false } });
    await entered;
    const leaves = [];
    channel.presence.subscribe('leave', (m) => leaves.push(m.clientId));
    await tab.page.close({ runBeforeUnload: true });
    // Long enough for a CLOSE to have reached the server (the default case sees the leave
    // well within this); the member stays for remainPresentFor (60 s).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.deepEqual(leaves, []);
    assert.deepEqual(await presentIds(channel), ['kept']);
    await tab.context.close();
  } finally {
    await closeAll([observer]);
  }
  assert.deepEqual(pageErrors, []);
});

test('window listeners exist from connect() to close() or failed only', { skip, timeout: 60_000 }, async () => {
  const { context, page } = await openTab('listeners');
  try {
    // What DevTools shows for window: our four listeners, or none.
    const cdp = await context.newCDPSession(page);
    const lifecycleListeners = async () => {
      const { result } = await cdp.send('Runtime.evaluate', { expression: 'window' });
      const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
      return listeners.map((l) => l.type).filter((t) => ['pagehide', 'pageshow', 'online', 'offline'].includes(t)).sort();
    };
    assert.deepEqual(await lifecycleListeners(), []);

    await startClient(page, { clientId: 'lazy', channel: 'unused', extra: { autoConnect: false }, enter: false });
    assert.deepEqual(await lifecycleListeners(), [], 'none before connect()');
    await page.evaluate(() => window.client.connect());
    assert.deepEqual(await lifecycleListeners(), ['offline', 'online', 'pagehide', 'pageshow']);
    await page.evaluate(() => window.client.connect());
    assert.equal((await lifecycleListeners()).length, 4, 'connect() again adds none');
    await page.evaluate(() => window.client.close());
    assert.deepEqual(await lifecycleListeners(), [], 'close() removes them all');

    await startClient(page, { clientId: 'kept', channel: 'unused', extra: { closeOnUnload: false }, enter: false });
    assert.deepEqual(await lifecycleListeners(), ['offline', 'online']);
    await page.evaluate(() => window.client.connection.close());
    assert.deepEqual(await lifecycleListeners(), [], 'connection.close() removes them too');
    await page.waitForFunction(() => window.client.connection.state === 'closed');

    // The server refuses a made-up token: failed, and nothing left listening.
    await startClient(page, { clientId: 'refused', channel: 'unused', extra: { authUrl: undefined, token: 'made-up' }, enter: false });
    await page.waitForFunction(() => window.client.connection.state === 'failed');
    assert.deepEqual(await lifecycleListeners(), [], 'failed removes them');
  } finally {
    await context.close();
  }
  assert.deepEqual(pageErrors, []);
});

test('offline drops the connection at once; online resumes it at once, not at the retry', {
  skip,
  timeout: 60_000,
}, async () => {
  const { observer, channel } = await observe('network');
  const { context, page } = await openTab('network');
  try {
    const entered = nextPresence(channel, 'enter', (m) => m.clientId === 'wanderer', WAIT);
    // A retry timer far beyond WAIT: only the online event can reconnect within it.
    const id = await startClient(page, {
      clientId: 'wanderer',
      channel: channel.name,
      extra: { disconnectedRetryTimeout: 60_000 },
    });
    await entered;
    const leaves = [];
    channel.presence.subscribe('leave', (m) => leaves.push(m.clientId));
    await page.evaluate(() => { window.changes.length = 0; });

    // Chromium's offline mode fires `offline` but leaves open loopback WebSockets alone:
    // the drop is the SDK's doing. New sockets fail, so the immediate retry fails and the
    // client waits on its (long) retry timer.
    await context.setOffline(true);
    await page.waitForFunction(() => window.changes.filter((c) => c.current === 'disconnected').length >= 2);
    const offline = await page.evaluate(() => window.changes);
    assert.deepEqual(offline.map((c) => c.current), ['disconnected', 'connecting', 'disconnected']);
    // Retried at once, the first says the wait computed for it all the same, as ably-js's
    // does: 60 s less 0–20 %.
    assert.equal(offline[0].code, 80003);
    assert.ok(offline[0].retryIn >= 48_000 && offline[0].retryIn <= 60_000, `${offline[0].retryIn}`);
    // The second time disconnected since connected: 4/3 × 60 s, less 0–20 % at random, as
    // ably-js's getRetryTime (RTB1).
    assert.ok(offline[2].retryIn > 64_000 && offline[2].retryIn <= 80_000, `${offline[2].retryIn}`);
    assert.equal(await page.evaluate(() => window.client.connection.state), 'disconnected');

    await context.setOffline(false);
    await page.waitForFunction(() => window.client.connection.state === 'connected');
    assert.equal(await page.evaluate(() => window.client.connection.id), id, 'the same connection, resumed');
    // A resumed connection attaches its channels again (from their serials): one more
    // round trip after `connected`.
    await page.waitForFunction((name) => window.client.channels.get(name).state === 'attached', channel.name);
    assert.deepEqual(await presentIds(channel), ['wanderer']);
    assert.deepEqual(leaves, [], 'others never saw the member leave');
    await page.evaluate(() => window.client.close());
  } finally {
    await context.close();
    await closeAll([observer]);
  }
  assert.deepEqual(pageErrors, []);
});
