// Interop: an ably-js client whose process dies stays present for remainPresentFor, then a
// synthesized LEAVE reaches the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { closeAll, nextPresence, realtime, skip, uniqueChannel, within } from './ably.mjs';

const CHILD = fileURLToPath(new URL('./fixtures/enter-and-hang.mjs', import.meta.url));
const REMAIN_PRESENT_FOR = 1500;

async function enterInChild(channel, clientId) {
  const child = spawn(process.execPath, [CHILD, channel, clientId, String(REMAIN_PRESENT_FOR)], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const line = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /entered (\S+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
  try {
    return { child, connectionId: await within(line, 15_000, 'child to enter') };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

test('abrupt disconnect: leave arrives after remainPresentFor, synthesized', { skip, timeout: 60_000 }, async () => {
  const name = uniqueChannel('interop-abrupt');
  const observer = realtime('observer');
  let child;
  try {
    const o = observer.channels.get(name);
    await o.attach();
    const entered = nextPresence(o, 'enter', (m) => m.clientId === 'eve');
    const started = await enterInChild(name, 'eve');
    child = started.child;
    await entered;

    const left = nextPresence(o, 'leave', (m) => m.clientId === 'eve', 30_000);
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await once(child, 'exit');
    const leave = await left;
    // Stayed present meanwhile. A lower bound only: a slow machine can only make it later.
    assert.ok(Date.now() - killedAt >= REMAIN_PRESENT_FOR - 50, `leave after ${Date.now() - killedAt} ms`);
    assert.equal(leave.connectionId, started.connectionId);
    assert.deepEqual(leave.data, { from: 'child' });
    assert.ok(!leave.id?.startsWith(`${started.connectionId}:`), `synthesized id expected, got ${leave.id}`);
    assert.deepEqual(await o.presence.get(), []);
  } finally {
    child?.kill('SIGKILL');
    await closeAll([observer]);
  }
});
