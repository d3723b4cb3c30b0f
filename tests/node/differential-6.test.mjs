// Differential parity with ably-js, sixth round (the harness: differential.mjs): the
// Message objects a subscriber gets.
import { test } from 'node:test';
import { skip } from './ably.mjs';
import { differential } from './differential.mjs';

const opts = { skip, timeout: 120_000 };

// ably-js 2.28 gives every Message it hands a listener `action` by name (TM2j, from the
// wire's number; absent is message.create), `version` (TM2s: serial and timestamp unless
// the wire has one) and `annotations` ({ summary: {} } unless the wire has them). Roster's
// had none of them, and its publish dropped `extras`. What a subscriber gets for each
// publish form, every field compared.
test('a subscriber\'s Message: action, version, annotations and every other field', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    // Each own field with its value, ids, timestamps and the connection by their form;
    // an ably-js `encoding` of null is absent in Roster (README, differences by design).
    const fields = (m) => Object.fromEntries(Object.keys(m).sort()
      .filter((key) => !(key === 'encoding' && m[key] == null) && m[key] !== undefined)
      .map((key) => {
        const value = m[key];
        switch (key) {
          case 'id': return [key, typeof value === 'string' && value.startsWith(`${m.connectionId}:`)];
          case 'timestamp': return [key, Math.abs(Date.now() - value) < 60_000];
          case 'connectionId': return [key, t.message(m).connection];
          case 'serial': return [key, typeof value];
          case 'version': return [key, { ...value, ...('timestamp' in value ? { timestamp: value.timestamp === m.timestamp } : {}) }];
          case 'data': return [key, value instanceof ArrayBuffer ? [...new Uint8Array(value)] : value];
          default: return [key, value];
        }
      }));
    await t.op('bob subscribe', bobs.subscribe((m) => t.record('bob hears', fields(m))));
    await t.op('publish a string', adas.publish('greeting', 'hi'));
    await t.op('publish an object with extras', adas.publish({ name: 'note', data: { n: 1 }, extras: { headers: { k: 'v' } } }));
    await t.op('publish binary', adas.publish('bytes', new Uint8Array([1, 2, 3])));
    await t.op('publish without a name', adas.publish(undefined, 'nameless'));
    await t.until('bob hears', 4);
  });
});
