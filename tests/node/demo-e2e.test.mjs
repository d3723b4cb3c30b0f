// End-to-end: the demo page in real headless Chromium against a real roster-server, plus a
// real ably-js client joining the same room. Needs ROSTER_URL (set by tests/run.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BASE, closeAll, realtime, skip } from './ably.mjs';
import { chromiumForTests } from './chromium.mjs';

// Short, so a closed tab's synthesized leave arrives quickly.
const REMAIN_PRESENT_FOR = 1000;
const ROOM = `e2e-${process.pid}-${Date.now()}`;
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const WAIT = 15_000;

const chromium = chromiumForTests(BASE);
const pageErrors = [];

async function openDemo(name) {
  const context = await chromium.get().newContext({ viewport: { width: 1000, height: 640 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (err) => pageErrors.push(`${name}: ${err.message}`));
  // Warnings too: the demo logs one only when something went wrong.
  page.on('console', (msg) => {
    if (['error', 'warning'].includes(msg.type())) pageErrors.push(`${name} console ${msg.type()}: ${msg.text()}`);
  });
  // Typing stays on until the message is sent, however slow the machine.
  await page.goto(`${BASE}/?remainPresentFor=${REMAIN_PRESENT_FOR}&typingIdleMs=600000#${ROOM}`);
  await page.fill('#name', name);
  await page.click('#join button[type=submit]');
  await page.waitForSelector(`#members li[data-client-id="${name}"]`);
  await page.waitForFunction(() => document.getElementById('state').textContent === 'connected');
  return { page, context };
}

const member = (page, clientId) => page.locator(`#members li[data-client-id="${clientId}"]`);

test('demo page: two people and an ably-js agent chat with live presence', {
  skip,
  timeout: 120_000,
}, async () => {
  const alice = await openDemo('alice');
  const bob = await openDemo('bob');

  // Each page sees the other.
  await member(alice.page, 'bob').waitFor();
  await member(bob.page, 'alice').waitFor();
  assert.equal(await alice.page.textContent('#member-count'), '2');
  assert.match(await member(alice.page, 'bob').textContent(), /human/);

  // An ably-js client in the same room shows up with its "agent" badge.
  const agent = realtime('helper-bot');
  const agentChannel = agent.channels.get(ROOM);
  try {
    await agentChannel.presence.enter({ kind: 'agent', typing: false, away: false });
    await member(alice.page, 'helper-bot').waitFor();
    assert.match(await member(alice.page, 'helper-bot').textContent(), /agent/);
    const seenByAgent = await agentChannel.presence.get();
    assert.deepEqual(seenByAgent.map((m) => m.clientId).sort(), ['alice', 'bob', 'helper-bot']);

    // Typing on bob's page shows on alice's.
    await bob.page.locator('#text').pressSequentially('hello from b', { delay: 20 });
    await alice.page.waitForFunction(() => document.getElementById('typing').textContent === 'bob is typing…');
    assert.match(await member(alice.page, 'bob').textContent(), /typing/);

    await mkdir(ARTIFACTS, { recursive: true });
    await alice.page.screenshot({ path: `${ARTIFACTS}demo.png` });

    // A message arrives, on the other page and at the ably-js client; typing ends.
    const agentGotIt = new Promise((resolve) => agentChannel.subscribe('chat', (msg) => {
      if (msg.data?.text === 'hello from bob') resolve(msg);
    }));
    await bob.page.locator('#text').pressSequentially('ob');
    await bob.page.press('#text', 'Enter');
    await alice.page.locator('#log .msg', { hasText: 'hello from bob' }).waitFor();
    assert.equal((await agentGotIt).clientId, 'bob');
    await alice.page.waitForFunction(() => document.getElementById('typing').textContent === '');

    // The agent's message shows on the page too.
    await agentChannel.publish('chat', { text: 'hi, I am a bot' });
    await alice.page.locator('#log .msg', { hasText: 'hi, I am a bot' }).waitFor();

    // Closing bob's tab as a person does (pagehide, then hidden: nothing logged, the
    // status update that hiding makes would only be refused once the SDK has let the
    // connection go); alice sees him gone.
    await bob.page.close({ runBeforeUnload: true });
    await bob.context.close();
    await member(alice.page, 'bob').waitFor({ state: 'detached' });
    await alice.page.locator('#log .sys', { hasText: 'bob closed the tab' }).waitFor();
    assert.equal(await alice.page.textContent('#member-count'), '2');

    // An explicit leave reads differently from a closed tab.
    await agentChannel.presence.leave();
    await member(alice.page, 'helper-bot').waitFor({ state: 'detached' });
    await alice.page.locator('#log .sys', { hasText: 'helper-bot left' }).waitFor();
  } finally {
    await closeAll([agent]);
  }
  assert.deepEqual(pageErrors, []);
});
