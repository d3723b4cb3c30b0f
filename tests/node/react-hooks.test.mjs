// ably-js's React hooks (`ably/react`, shipped in the `ably` package) over a Roster
// client: tests/node/fixtures/react-app.jsx, bundled with esbuild (React's development
// build, so <StrictMode> mounts, cleans up and mounts again every effect), runs in
// headless Chromium against the roster-server at ROSTER_URL once with Roster's
// `roster-presence/realtime` (pkg/) and once with ably-js's Realtime, each on a fresh
// page. Both runs must reach the same checkpoints, and their traces (what the hooks gave
// the components, the unhandled rejections, the console's errors) must be equal; the
// main scenario must have no error at all. The harness is react-harness.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skip, uniqueChannel } from './ably.mjs';
import { closeApps, membersAre, sameAsAbly, setupApps } from './react-harness.mjs';

const opts = { skip, timeout: 120_000 };

before(async () => {
  if (!skip) await setupApps();
}, { timeout: 700_000 });

after(closeApps);

test('usePresence + usePresenceListener + useChannel in StrictMode: two users see each other, an update, a message, an unmount', opts, async () => {
  const channelName = uniqueChannel('react');
  const parts = ['list', 'member', 'chat'];
  const trace = await sameAsAbly(async (page, options) => {
    const mount = (user) => page.evaluate(({ user, options, render }) => {
      window.app.client(user, options);
      window.app.render(user, render);
    }, { user, options: options(user), render: { channelName, data: { status: 'here' }, parts } });
    await mount('ada');
    await membersAre(page, 'ada', [['ada', { status: 'here' }]], 'ada alone');
    await mount('bob');
    const both = [['ada', { status: 'here' }], ['bob', { status: 'here' }]];
    await membersAre(page, 'ada', both, 'bob mounted');
    await membersAre(page, 'bob', both, 'bob mounted');
    const updated = await page.evaluate(() => window.app.updateStatus('ada', { status: 'away' }));
    const away = [['ada', { status: 'away' }], ['bob', { status: 'here' }]];
    await membersAre(page, 'bob', away, 'ada\'s update');
    await membersAre(page, 'ada', away, 'ada\'s update');
    const published = await page.evaluate(() => window.app.publish('bob', 'chat', 'hello'));
    await page.waitForFunction(() => window.app.log.ada.messages?.length && window.app.log.bob.messages?.length);
    await page.evaluate(() => window.app.setPresent('bob', false));
    await membersAre(page, 'ada', [['ada', { status: 'away' }]], 'bob\'s Member unmounted');
    await membersAre(page, 'bob', [['ada', { status: 'away' }]], 'bob\'s Member unmounted');
    return { updateStatus: [updated], publish: [published] };
  });
  assert.deepEqual(trace.uncaught, []);
  assert.equal(trace.console, undefined);
  assert.deepEqual(trace.updateStatus, ['ok']);
  assert.deepEqual(trace.publish, ['ok']);
  assert.deepEqual(trace['ada messages'], [['bob', 'chat', 'hello']]);
  // StrictMode: each Member entered, left and entered again on mounting.
  assert.deepEqual(trace['ada events about bob'].map(([action]) => action), ['enter', 'leave', 'enter', 'leave']);
});

// ably/react sets attachOnSubscribe: false on its channels, so that subscribing never
// attaches a channel the hooks chose not to attach (the connection closed, failed or
// suspended). Here the client is closed before the app renders: useChannel's subscribe
// must not attach (nor reject, which the hook would leave unhandled); the presence
// listener's get() does attach, and rejects unhandled, in ably-js too.
test('a closed client: useChannel and usePresenceListener do not attach by subscribing', opts, async () => {
  const channelName = uniqueChannel('react-closed');
  const trace = await sameAsAbly(async (page, options) => {
    await page.evaluate(async ({ options, channelName }) => {
      const client = window.app.client('cat', options);
      await client.connection.once('connected');
      client.close();
      await client.connection.once('closed');
      window.app.render('cat', { channelName, data: 'hi', parts: ['chat', 'list', 'member'] });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }, { options: options('cat'), channelName });
    return { 'cat channel after': [await page.evaluate((name) => window.app.channel('cat', name), channelName)] };
  });
  assert.deepEqual(trace['cat channel after'], [{ state: 'initialized', params: null }]);
  assert.deepEqual(trace.uncaught, [80017, 80017]);
});

// The ChannelProvider sets params.agent (react-hooks/VERSION) on its channel. On a
// channel the app attached before rendering, that alone does not attach it again in
// ably-js ("a re-attach is not triggered by an agent-only change").
test('ChannelProvider on a channel already attached: no re-attach for the agent param', opts, async () => {
  const channelName = uniqueChannel('react-agent');
  const trace = await sameAsAbly(async (page, options) => {
    await page.evaluate(async ({ options, channelName }) => {
      const client = window.app.client('dan', options);
      await client.channels.get(channelName).attach();
      window.app.render('dan', { channelName, data: 'hi', parts: ['chat', 'list', 'member'] });
    }, { options: options('dan'), channelName });
    await membersAre(page, 'dan', [['dan', 'hi']], 'dan entered');
    return { 'dan channel after': [await page.evaluate((name) => window.app.channel('dan', name), channelName)] };
  });
  assert.equal(trace['dan channel'], undefined, 'no channel state change');
});

// A token without access to the channel: the attach fails (40160), and the hooks hand the
// components the channel's error.
test('a channel the token may not use: channelError from the hooks', opts, async () => {
  const channelName = uniqueChannel('react-denied');
  const trace = await sameAsAbly(async (page, options) => {
    const denied = { ...options('eve'), authParams: { clientId: 'eve', capability: JSON.stringify({ 'other-channel': ['*'] }) } };
    await page.evaluate(({ options, channelName }) => {
      window.app.client('eve', options);
      window.app.render('eve', { channelName, data: 'hi', parts: ['chat', 'list', 'member'] });
    }, { options: denied, channelName });
    await page.waitForFunction(() => window.app.log.eve?.errors?.at(-1)?.channel);
    return { 'eve channel after': [await page.evaluate((name) => window.app.channel('eve', name), channelName)] };
  });
  assert.deepEqual(trace['eve errors'].at(-1), { connection: null, channel: 40160 });
});
