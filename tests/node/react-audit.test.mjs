// Migration audit 5: React apps on ably-js's hooks (`ably/react`) over Roster, as their
// components are written, compared with the same app on ably-js (the harness:
// react-harness.mjs, the app: fixtures/react-app.jsx): presence data that changes over
// renders and updateStatus(), member lists through another client's joins, updates and
// leaves, a whole app unmounted while present, ChannelProvider `options` (modes), two
// ChannelProviders for one channel, no StrictMode, the state listeners through network
// cuts (resumed, not resumed, suspended), updates and publishes made offline, and
// close() under mounted components.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, skip, uniqueChannel } from './ably.mjs';
import { startProxy } from './proxy.mjs';
import { startServer } from './server.mjs';
import { closeApps, membersAre, run, sameAsAbly, setupApps } from './react-harness.mjs';

const opts = { skip, timeout: 120_000 };
let proxy;
// A second roster-server that keeps a dropped connection's state for 2 s only, so a
// client cut off goes to suspended within a test (its dev key signs its own tokens),
// and a proxy in front of it.
let brief;
let briefProxy;

before(async () => {
  if (skip) return;
  await setupApps();
  proxy = await startProxy(Number(new URL(BASE).port));
  brief = await startServer(['--connection-state-ttl', '2000'], 'the short-TTL roster-server');
  briefProxy = await startProxy(brief.port);
}, { timeout: 700_000 });

after(async () => {
  await proxy?.close();
  await briefProxy?.close();
  brief?.child.kill();
  await closeApps();
});

/** Makes `user`'s client with its SDK's options (`extra` over them) and renders its app with `props`. */
const mount = (page, options, user, props, extra) => page.evaluate(({ user, options, props }) => {
  window.app.client(user, options);
  window.app.render(user, props);
}, { user, options: options(user, extra), props });

/**
 * Waits (bounded) until `user`'s member list has heard its own StrictMode enter, leave
 * and enter: another client that attaches only then sees the same events on both SDKs.
 */
const entered = (page, user) => page.waitForFunction(
  (u) => window.app.log[u]?.events?.filter(([action, clientId]) => clientId === u && action !== 'update').length === 3, user);

/** Waits (bounded) until `user`'s log of `stream` ends with `entries`. */
async function logEndsWith(page, user, stream, entries, what) {
  try {
    await page.waitForFunction(([u, s, e]) => JSON.stringify(window.app.log[u]?.[s]?.slice(-e.length)) === JSON.stringify(e), [user, stream, entries]);
  } catch {
    const log = await page.evaluate(() => window.app.log);
    assert.fail(`${what}: ${user}'s ${stream} never ended with ${JSON.stringify(entries)}; log: ${JSON.stringify(log)}`);
  }
}

test('presence data over renders, updateStatus, another client\'s join, update, leave and unmounted app', opts, async () => {
  const channelName = uniqueChannel('react-audit-data');
  const parts = ['list', 'member'];
  const trace = await sameAsAbly(async (page, options) => {
    await mount(page, options, 'ada', { channelName, data: { status: 'here' }, parts });
    await entered(page, 'ada');
    await mount(page, options, 'bob', { channelName, data: 'hi', parts });
    const both = (adaData, bobData) => [['ada', adaData], ['bob', bobData]];
    await membersAre(page, 'ada', both({ status: 'here' }, 'hi'), 'bob joined');
    await membersAre(page, 'bob', both({ status: 'here' }, 'hi'), 'bob joined');
    // New data as a prop: usePresence keeps it for its next enter, it does not update.
    await page.evaluate(() => window.app.setData('ada', { status: 'busy' }));
    const updates = [await page.evaluate(() => window.app.updateStatus('ada', { status: 'away' }))];
    await membersAre(page, 'bob', both({ status: 'away' }, 'hi'), 'ada\'s update');
    updates.push(await page.evaluate(() => window.app.updateStatus('bob', ['typing'])));
    await membersAre(page, 'ada', both({ status: 'away' }, ['typing']), 'bob\'s update');
    // ada's Member unmounted and mounted again: it enters with the data it now has.
    await page.evaluate(() => window.app.setPresent('ada', false));
    await membersAre(page, 'bob', [['bob', ['typing']]], 'ada\'s Member unmounted');
    await page.evaluate(() => window.app.setPresent('ada', true));
    await membersAre(page, 'bob', both({ status: 'busy' }, ['typing']), 'ada\'s Member mounted again');
    await membersAre(page, 'ada', both({ status: 'busy' }, ['typing']), 'ada\'s Member mounted again');
    // bob's whole app unmounted, its client still open: the others see bob leave.
    await page.evaluate(() => window.app.unmount('bob'));
    await membersAre(page, 'ada', [['ada', { status: 'busy' }]], 'bob\'s app unmounted');
    return { updateStatus: updates, 'bob channel after': [await page.evaluate((name) => window.app.channel('bob', name), channelName)] };
  });
  assert.deepEqual(trace.uncaught, []);
  assert.equal(trace.console, undefined);
  assert.deepEqual(trace.updateStatus, ['ok', 'ok']);
  assert.deepEqual(trace['ada events about bob'].map(([action]) => action), ['enter', 'leave', 'enter', 'update', 'leave']);
});

// Not in StrictMode: a member-list-only user whose ChannelProvider asks for the presence
// subscribe mode only, and one whose Member sits under a second ChannelProvider of the
// channel (without options), its list under the first (with modes). The providers'
// layout effects run in order, so the second's setOptions() replaces the first's, modes
// and all, before the hooks attach: that channel attaches with every mode, on both SDKs.
test('ChannelProvider options (modes), two ChannelProviders for one channel, no StrictMode', opts, async () => {
  const channelName = uniqueChannel('react-audit-modes');
  const trace = await sameAsAbly(async (page, options) => {
    const listOnly = { modes: ['PRESENCE_SUBSCRIBE'] };
    await mount(page, options, 'cat', { channelName, parts: ['list'], channelOptions: listOnly, strict: false });
    await page.waitForFunction((name) => window.app.channel('cat', name).state === 'attached', channelName);
    const both = { modes: ['PRESENCE', 'PRESENCE_SUBSCRIBE'] };
    await mount(page, options, 'dan', { channelName, data: 'dan here', parts: ['list', 'member'], channelOptions: both, split: true, strict: false });
    await membersAre(page, 'cat', [['dan', 'dan here']], 'dan entered');
    await membersAre(page, 'dan', [['dan', 'dan here']], 'dan entered');
    await page.evaluate(() => window.app.setPresent('dan', false));
    await membersAre(page, 'cat', [], 'dan left');
    await membersAre(page, 'dan', [], 'dan left');
    const channels = await page.evaluate((name) => ['cat', 'dan'].map((user) => window.app.channel(user, name)), channelName);
    return { 'channels after': channels };
  });
  assert.deepEqual(trace['cat events about dan'].map(([action]) => action), ['enter', 'leave']);
  assert.deepEqual(trace['channels after'].map((c) => c.modes), [['presence_subscribe'], ['presence', 'publish', 'subscribe', 'presence_subscribe']]);
});

// ada reaches the server through a proxy that drops the connection: the connection and
// channel state listeners, ada's presence as bob's list has it, an update after.
test('useConnectionStateListener and useChannelStateListener through a network cut', opts, async () => {
  const channelName = uniqueChannel('react-audit-cut');
  const trace = await sameAsAbly(async (page, options) => {
    proxy.spoilResumes(false);
    // The old connection's member stays 4 s: ada is back on a new one well before it leaves.
    const throughProxy = { port: proxy.port, disconnectedRetryTimeout: 1500, transportParams: { remainPresentFor: 4000 } };
    await mount(page, options, 'ada', { channelName, data: 'ada here', parts: ['list', 'member', 'chat'] }, throughProxy);
    await entered(page, 'ada');
    await mount(page, options, 'bob', { channelName, data: 'bob here', parts: ['list'] });
    const both = (adaData) => [['ada', adaData]];
    await membersAre(page, 'bob', both('ada here'), 'ada entered');
    await membersAre(page, 'ada', both('ada here'), 'ada entered');
    proxy.cut();
    await logEndsWith(page, 'ada', 'connection', ['disconnected', 'connecting', 'connected'], 'ada back');
    const updated = await page.evaluate(() => window.app.updateStatus('ada', 'ada back'));
    await membersAre(page, 'bob', both('ada back'), 'ada\'s update after the cut');
    await membersAre(page, 'ada', both('ada back'), 'ada\'s update after the cut');
    // Cut again, the server no longer knowing the connection: a new one (80003 the
    // hooks' connectionError meanwhile), the channel attached again (its change carries
    // the server's 90003) and ada's member entered again (RTP17i) with the data it has.
    proxy.spoilResumes(true);
    proxy.cut();
    await logEndsWith(page, 'ada', 'connection', ['disconnected', 'connecting', 'connected', 'disconnected', 'connecting', 'connected'], 'ada back again');
    proxy.spoilResumes(false);
    // The new connection's member entered and the old one's left (in between, bob's
    // list has ada twice, or, before the enter, once already).
    for (const user of ['bob', 'ada']) {
      await page.waitForFunction((u) => {
        const actions = window.app.log[u].events.filter(([, clientId]) => clientId === 'ada').map(([action]) => action);
        return actions.slice(actions.indexOf('update')).join() === 'update,enter,leave';
      }, user).catch(async () => assert.fail(`ada's new connection: ${JSON.stringify(await page.evaluate(() => window.app.log))}`));
    }
    await membersAre(page, 'bob', both('ada back'), 'ada on a new connection');
    await membersAre(page, 'ada', both('ada back'), 'ada on a new connection');
    return { updateStatus: [updated] };
  });
  assert.deepEqual(trace.uncaught, []);
  assert.deepEqual(trace.updateStatus, ['ok']);
  // After the second cut, ada's member on the new connection entered, then the old
  // connection's left (once the server gave up on it: remainPresentFor).
  assert.deepEqual(trace['bob events about ada'].map(([action]) => action), ['update', 'enter', 'leave']);
  assert.deepEqual(trace['ada channel'].at(-1), ['attaching', 'attached', 90003]);
});

// A logout: ada's client closed with its components mounted, then its app unmounted.
test('client.close() under mounted components, then the app unmounted', opts, async () => {
  const channelName = uniqueChannel('react-audit-close');
  const trace = await sameAsAbly(async (page, options) => {
    await mount(page, options, 'ada', { channelName, data: 'ada here', parts: ['list', 'member', 'chat'] });
    // StrictMode's enter, leave and enter all done (one pending at close() is a
    // difference README gives: Roster rejects it with 80017, ably-js leaves it pending).
    await entered(page, 'ada');
    await mount(page, options, 'bob', { channelName, data: 'bob here', parts: ['list'] });
    await membersAre(page, 'bob', [['ada', 'ada here']], 'ada entered');
    await page.evaluate(() => window.app.close('ada'));
    await logEndsWith(page, 'ada', 'connection', ['closing', 'closed'], 'ada closed');
    await membersAre(page, 'bob', [], 'ada gone');
    const updated = await page.evaluate(() => window.app.updateStatus('ada', 'after close'));
    await page.evaluate(() => window.app.unmount('ada'));
    return { updateStatus: [updated], 'ada channel after': [await page.evaluate((name) => window.app.channel('ada', name), channelName)] };
  });
  assert.deepEqual(trace['bob events about ada'].map(([action]) => action), ['leave']);
});

// Offline: ada's updateStatus() and publish() while the network is down, sent once back.
test('updateStatus and publish while disconnected', opts, async () => {
  const channelName = uniqueChannel('react-audit-offline');
  const trace = await sameAsAbly(async (page, options) => {
    proxy.spoilResumes(false);
    const throughProxy = { port: proxy.port, disconnectedRetryTimeout: 1000 };
    await mount(page, options, 'ada', { channelName, data: 'ada here', parts: ['list', 'member', 'chat'] }, throughProxy);
    await entered(page, 'ada');
    await mount(page, options, 'bob', { channelName, data: 'bob here', parts: ['list', 'chat'] });
    await membersAre(page, 'bob', [['ada', 'ada here']], 'ada entered');
    await membersAre(page, 'ada', [['ada', 'ada here']], 'ada entered');
    try {
      proxy.refuse(true);
      proxy.cut();
      await logEndsWith(page, 'ada', 'connection', ['disconnected'], 'ada offline');
      const pending = page.evaluate(() => Promise.all([
        window.app.updateStatus('ada', 'ada offline'), window.app.publish('ada', 'chat', 'sent offline')]));
      await logEndsWith(page, 'ada', 'connection', ['disconnected', 'connecting', 'disconnected'], 'ada still offline');
      proxy.refuse(false);
      const results = await pending;
      await membersAre(page, 'bob', [['ada', 'ada offline']], 'ada\'s offline update');
      await page.waitForFunction(() => window.app.log.bob.messages?.length);
      return { results };
    } finally {
      proxy.refuse(false);
    }
  });
  assert.deepEqual(trace.results, ['ok', 'ok']);
  assert.deepEqual(trace['bob messages'], [['ada', 'chat', 'sent offline']]);
});

// As above, but the server no longer knows ada's connection when it is back: a new
// connection, on which ada's member is entered again (RTP17i). Roster enters it with the
// data of the updateStatus() made offline; ably-js 2.28 with the data from before, so
// its components (and everyone's lists) show the update undone. A difference kept by
// design (README), checked here as the hooks show it.
test('updateStatus while disconnected, the resume refused: Roster keeps the update, ably-js reverts it', opts, async () => {
  const channelName = uniqueChannel('react-audit-offline-new');
  const scenario = async (page, options) => {
    const throughProxy = { port: proxy.port, disconnectedRetryTimeout: 1000, transportParams: { remainPresentFor: 1000 } };
    await mount(page, options, 'ada', { channelName, data: 'ada here', parts: ['list', 'member'] }, throughProxy);
    await entered(page, 'ada');
    await mount(page, options, 'bob', { channelName, parts: ['list'] });
    await membersAre(page, 'bob', [['ada', 'ada here']], 'ada entered');
    try {
      proxy.refuse(true);
      proxy.spoilResumes(true);
      proxy.cut();
      await logEndsWith(page, 'ada', 'connection', ['disconnected'], 'ada offline');
      const pending = page.evaluate(() => window.app.updateStatus('ada', 'ada offline'));
      proxy.refuse(false);
      const results = [await pending];
      // The old connection's member gone, one ada left in bob's list.
      await page.waitForFunction(() => window.app.log.bob.events?.some(([action]) => action === 'leave')
        && window.app.log.bob.members.at(-1).length === 1);
      return { results };
    } finally {
      proxy.refuse(false);
      proxy.spoilResumes(false);
    }
  };
  const ably = await run('ably', scenario);
  const roster = await run('roster', scenario);
  for (const trace of [ably, roster]) assert.deepEqual(trace.results, ['ok']);
  assert.deepEqual(roster['bob members at the end'], [[['ada', 'ada offline']]]);
  assert.deepEqual(ably['bob members at the end'], [[['ada', 'ada here']]]);
  assert.deepEqual(roster.uncaught, ably.uncaught);
});

/**
 * The trace with ada's failed attempts to reconnect (disconnected, connecting, again and
 * again: as many as fit in the time) as one.
 */
function retriesAsOne(trace) {
  const states = trace['ada connection'];
  const once = states.filter((state, i) => !(['disconnected', 'connecting'].includes(state) && states[i - 2] === state && states[i - 1] !== state));
  return { ...trace, 'ada connection': once };
}

/**
 * Whether an errors render is not the one between the connection's 'connected' and the
 * channel's 'attached' (connection error cleared, the channel's still there): React
 * renders it only if the two changes reach it in different tasks, on either SDK.
 */
const reattachingRender = ({ connection, channel }) => !(connection === null && channel !== null);

// ada cut off long enough for the connection to be suspended, then back: the hooks'
// connection and channel state, ada's presence as bob's list has it.
test('suspended and back: the state listeners, usePresence entering again', opts, async () => {
  const channelName = uniqueChannel('react-audit-suspended');
  const trace = await sameAsAbly(async (page, options) => {
    const briefAuth = `http://127.0.0.1:${brief.port}/auth/token-request`;
    const throughProxy = { authUrl: briefAuth, port: briefProxy.port, disconnectedRetryTimeout: 500, suspendedRetryTimeout: 1000 };
    await mount(page, options, 'ada', { channelName, data: 'ada here', parts: ['list', 'member', 'chat'] }, throughProxy);
    await entered(page, 'ada');
    await mount(page, options, 'bob', { channelName, parts: ['list'] }, { authUrl: briefAuth, port: brief.port });
    await membersAre(page, 'bob', [['ada', 'ada here']], 'ada entered');
    try {
      briefProxy.refuse(true);
      briefProxy.cut();
      await membersAre(page, 'bob', [], 'ada gone');
      await page.waitForFunction(() => window.app.log.ada.connection.includes('suspended'));
      briefProxy.refuse(false);
      await logEndsWith(page, 'ada', 'connection', ['connected'], 'ada back');
      await membersAre(page, 'bob', [['ada', 'ada here']], 'ada entered again');
      await membersAre(page, 'ada', [['ada', 'ada here']], 'ada entered again');
    } finally {
      briefProxy.refuse(false);
    }
  }, (trace) => ({ ...retriesAsOne(trace), 'ada errors': trace['ada errors'].filter(reattachingRender) }));
  assert.deepEqual(trace.uncaught, []);
  assert.deepEqual(trace['ada channel'].slice(1), [['attached', 'suspended', 80002], ['attaching', 'attached', 90003]]);
  // Gone from bob's list while suspended; entered again when back (the connection's
  // own re-entry, RTP17i, and usePresence's enter, which becomes an update).
  assert.deepEqual(trace['bob events about ada'].map(([action]) => action), ['leave', 'enter', 'update']);
});
