// Interop: a 2,000-member channel syncs completely to a newly attached ably-js client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, realtime, skip, uniqueChannel, within } from './ably.mjs';

const MEMBERS = 2000;

test(`a ${MEMBERS}-member channel syncs completely to a new client`, { skip, timeout: 120_000 }, async () => {
  const name = uniqueChannel('interop-sync');
  // Ten '*' connections enter 200 clientIds each, each within a second's worth of the
  // server's inbound rate (250).
  const enterers = Array.from({ length: 10 }, () => realtime('*'));
  const late = realtime('latecomer');
  try {
    await within(Promise.all(enterers.map((client, k) => {
      const presence = client.channels.get(name).presence;
      const ids = Array.from({ length: MEMBERS / enterers.length }, (_, i) => k * (MEMBERS / enterers.length) + i);
      return Promise.all(ids.map((i) => presence.enterClient(`member-${i}`, { i })));
    })), 60_000, `${MEMBERS} enters`);

    const channel = late.channels.get(name);
    const announced = new Set();
    await channel.presence.subscribe('present', (m) => announced.add(m.clientId));
    const members = await within(channel.presence.get(), 30_000, 'sync');
    assert.equal(channel.presence.syncComplete, true);
    assert.equal(members.length, MEMBERS);
    const ids = new Set(members.map((m) => m.clientId));
    assert.equal(ids.size, MEMBERS);
    for (const m of members) assert.equal(m.clientId, `member-${m.data.i}`);
    assert.equal(announced.size, MEMBERS);
  } finally {
    await closeAll([...enterers, late]);
  }
});
