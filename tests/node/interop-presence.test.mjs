// Interop: two real ably-js Realtime clients doing presence through roster-server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, connected, nextPresence, realtime, skip, summary, uniqueChannel, within } from './ably.mjs';

const opts = { skip, timeout: 60_000 };

test('enter, update and leave with data reach the other client', opts, async () => {
  const name = uniqueChannel('interop-eul');
  const alice = realtime('alice');
  const bob = realtime('bob');
  try {
    const a = alice.channels.get(name);
    const b = bob.channels.get(name);
    await b.attach();

    const entered = nextPresence(b, 'enter', (m) => m.clientId === 'alice');
    await a.presence.enter({ mood: 'curious', n: 1 });
    const enter = await entered;
    assert.deepEqual(enter.data, { mood: 'curious', n: 1 });
    assert.equal(enter.connectionId, alice.connection.id);
    assert.ok(enter.id.startsWith(`${alice.connection.id}:`), `id ${enter.id}`);
    assert.equal(typeof enter.timestamp, 'number');

    const updated = nextPresence(b, 'update', (m) => m.clientId === 'alice');
    await a.presence.update('plain text now');
    assert.equal((await updated).data, 'plain text now');

    const left = nextPresence(b, 'leave', (m) => m.clientId === 'alice');
    await a.presence.leave({ bye: true });
    const leave = await left;
    assert.deepEqual(leave.data, { bye: true });
    assert.equal(leave.connectionId, alice.connection.id);
    assert.deepEqual(await b.presence.get(), []);
  } finally {
    await closeAll([alice, bob]);
  }
});

test('presence.get with and without a clientId filter', opts, async () => {
  const name = uniqueChannel('interop-get');
  const alice = realtime('alice');
  const bob = realtime('bob');
  const carol = realtime('carol');
  try {
    await Promise.all([
      alice.channels.get(name).presence.enter('a'),
      bob.channels.get(name).presence.enter({ b: 2 }),
    ]);
    const c = carol.channels.get(name);
    await c.attach();
    const all = await c.presence.get();
    assert.deepEqual(summary(all), [{ clientId: 'alice', data: 'a' }, { clientId: 'bob', data: { b: 2 } }]);
    assert.ok(all.every((m) => m.action === 'present'), JSON.stringify(all.map((m) => m.action)));

    const onlyBob = await c.presence.get({ clientId: 'bob' });
    assert.deepEqual(summary(onlyBob), [{ clientId: 'bob', data: { b: 2 } }]);
    assert.equal(onlyBob[0].connectionId, bob.connection.id);

    const byConnection = await c.presence.get({ connectionId: alice.connection.id });
    assert.deepEqual(summary(byConnection), [{ clientId: 'alice', data: 'a' }]);
    assert.deepEqual(await c.presence.get({ clientId: 'nobody' }), []);
  } finally {
    await closeAll([alice, bob, carol]);
  }
});

test('a subscription to one action sees only that action', opts, async () => {
  const name = uniqueChannel('interop-one-event');
  const alice = realtime('alice');
  const bob = realtime('bob');
  try {
    const b = bob.channels.get(name);
    const seen = [];
    await b.presence.subscribe('leave', (m) => seen.push(`${m.action}:${m.clientId}`));
    const everything = [];
    await b.presence.subscribe((m) => everything.push(m.action));

    const a = alice.channels.get(name);
    const left = nextPresence(b, 'leave', (m) => m.clientId === 'alice');
    await a.presence.enter();
    await a.presence.update({ x: 1 });
    await a.presence.leave();
    await left;
    assert.deepEqual(seen, ['leave:alice']);
    assert.deepEqual(everything, ['enter', 'update', 'leave']);
  } finally {
    await closeAll([alice, bob]);
  }
});

test('one clientId on two connections: one leaves, the other stays', opts, async () => {
  const name = uniqueChannel('interop-devices');
  const phone = realtime('dana');
  const laptop = realtime('dana');
  const observer = realtime('observer');
  try {
    await Promise.all([connected(phone), connected(laptop)]);
    assert.notEqual(phone.connection.id, laptop.connection.id);
    await phone.channels.get(name).presence.enter({ device: 'phone' });
    await laptop.channels.get(name).presence.enter({ device: 'laptop' });

    const o = observer.channels.get(name);
    await o.attach();
    const both = await o.presence.get({ clientId: 'dana' });
    assert.deepEqual(both.map((m) => m.data.device).sort(), ['laptop', 'phone']);
    assert.deepEqual(new Set(both.map((m) => m.connectionId)), new Set([phone.connection.id, laptop.connection.id]));

    const phoneId = phone.connection.id;
    const left = nextPresence(o, 'leave', (m) => m.clientId === 'dana');
    await closeAll([phone]);
    const leave = await left;
    assert.equal(leave.connectionId, phoneId);
    assert.deepEqual(leave.data, { device: 'phone' });

    const rest = await o.presence.get();
    assert.deepEqual(rest.map((m) => [m.clientId, m.connectionId, m.data.device]), [['dana', laptop.connection.id, 'laptop']]);
  } finally {
    await closeAll([phone, laptop, observer]);
  }
});

test('a detach removes that connection\'s members at once', opts, async () => {
  const name = uniqueChannel('interop-detach');
  const alice = realtime('alice');
  const bob = realtime('bob');
  try {
    const a = alice.channels.get(name);
    const b = bob.channels.get(name);
    await b.attach();
    const entered = nextPresence(b, 'enter', (m) => m.clientId === 'alice');
    await a.presence.enter('here');
    await entered;
    const left = nextPresence(b, 'leave', (m) => m.clientId === 'alice');
    await within(a.detach(), 10_000, 'detach');
    assert.equal((await left).connectionId, alice.connection.id);
  } finally {
    await closeAll([alice, bob]);
  }
});

// Text cut in the middle of an emoji holds half a surrogate pair, which JSON.stringify
// writes as a lone `\ud83d` escape: valid JSON, which JSON.parse reads. The server used to
// refuse the whole frame as malformed and fail the sender's connection (40000, no retry).
test('an emoji cut in half in presence data or a message: the sender stays connected', opts, async () => {
  const name = uniqueChannel('interop-surrogate');
  const alice = realtime('alice');
  const bob = realtime('bob');
  try {
    const a = alice.channels.get(name);
    const b = bob.channels.get(name);
    await b.attach();
    const entered = nextPresence(b, 'enter', (m) => m.clientId === 'alice');
    await within(a.presence.enter('typing 😀'.slice(0, -1)), 15_000, 'enter');
    assert.equal((await entered).data, 'typing \uFFFD');
    const heard = new Promise((resolve) => b.subscribe('chat', (m) => resolve(m.data)));
    await within(a.publish('chat', { text: '\uDE00 cut' }), 15_000, 'publish');
    assert.deepEqual(await within(heard, 15_000, 'message'), { text: '\uDE00 cut' });
    assert.equal(alice.connection.state, 'connected');
  } finally {
    await closeAll([alice, bob]);
  }
});
