// Interop: the ably-js Rest client reading presence, history pages and batch presence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, realtime, rest, skip, summary, uniqueChannel } from './ably.mjs';

const opts = { skip, timeout: 60_000 };

test('Rest presence.get lists members, filtered and paginated', opts, async () => {
  const name = uniqueChannel('interop-rest-get');
  const clients = ['ann', 'ben', 'cat'].map((id) => realtime(id));
  try {
    await Promise.all(clients.map((c, i) => c.channels.get(name).presence.enter({ i })));
    const reader = rest();
    const page = await reader.channels.get(name).presence.get();
    assert.deepEqual(summary(page.items), [
      { clientId: 'ann', data: { i: 0 } },
      { clientId: 'ben', data: { i: 1 } },
      { clientId: 'cat', data: { i: 2 } },
    ]);
    assert.ok(page.items.every((m) => m.action === 'present'));
    assert.equal(page.hasNext(), false);

    const ben = await reader.channels.get(name).presence.get({ clientId: 'ben' });
    assert.deepEqual(summary(ben.items), [{ clientId: 'ben', data: { i: 1 } }]);

    const seen = [];
    let p = await reader.channels.get(name).presence.get({ limit: 2 });
    seen.push(...p.items.map((m) => m.clientId));
    assert.equal(p.items.length, 2);
    assert.ok(p.hasNext());
    p = await p.next();
    seen.push(...p.items.map((m) => m.clientId));
    assert.equal(p.hasNext(), false);
    assert.deepEqual(seen.sort(), ['ann', 'ben', 'cat']);
  } finally {
    await closeAll(clients);
  }
});

test('Rest presence.history pages with hasNext()/next()', opts, async () => {
  const name = uniqueChannel('interop-history');
  const alice = realtime('alice');
  try {
    const p = alice.channels.get(name).presence;
    await p.enter({ step: 1 });
    await p.update({ step: 2 });
    await p.update({ step: 3 });
    await p.update({ step: 4 });
    await p.leave({ step: 5 });
    const channel = rest().channels.get(name).presence;

    const backwards = [];
    let pages = 0;
    let page = await channel.history({ limit: 2 });
    for (;;) {
      pages += 1;
      assert.ok(page.items.length <= 2);
      backwards.push(...page.items.map((m) => [m.action, m.data.step]));
      if (!page.hasNext()) break;
      assert.equal(page.isLast(), false);
      page = await page.next();
      assert.ok(pages < 10, 'history pages never end');
    }
    assert.equal(page.isLast(), true);
    assert.equal(pages, 3);
    assert.deepEqual(backwards, [['leave', 5], ['update', 4], ['update', 3], ['update', 2], ['enter', 1]]);

    const forwards = await channel.history({ direction: 'forwards', limit: 10 });
    assert.deepEqual(forwards.items.map((m) => m.data.step), [1, 2, 3, 4, 5]);
    assert.ok(forwards.items.every((m) => m.clientId === 'alice' && m.connectionId === alice.connection.id));
  } finally {
    await closeAll([alice]);
  }
});

test('batch presence for three channels', opts, async () => {
  const names = ['a', 'b', 'c'].map((s) => uniqueChannel(`interop-batch-${s}`));
  const alice = realtime('alice');
  const bob = realtime('bob');
  try {
    await alice.channels.get(names[0]).presence.enter('a0');
    await bob.channels.get(names[0]).presence.enter('b0');
    await bob.channels.get(names[1]).presence.enter('b1');
    const result = await rest().batchPresence(names);
    assert.equal(result.successCount, 3);
    assert.equal(result.failureCount, 0);
    const byChannel = Object.fromEntries(result.results.map((r) => [r.channel, r.presence]));
    assert.deepEqual(Object.keys(byChannel).sort(), [...names].sort());
    // ably-js hands the batch body over undecoded: wire actions (1 = present) and raw data.
    const members = (list) => list.map((m) => [m.clientId, m.data]).sort();
    assert.deepEqual(members(byChannel[names[0]]), [['alice', 'a0'], ['bob', 'b0']]);
    assert.deepEqual(members(byChannel[names[1]]), [['bob', 'b1']]);
    assert.deepEqual(byChannel[names[2]], []);
    assert.ok(byChannel[names[0]].every((m) => m.action === 1));
  } finally {
    await closeAll([alice, bob]);
  }
});
