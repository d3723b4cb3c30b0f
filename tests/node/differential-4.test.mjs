// Differential parity with ably-js, fourth round (the harness: differential.mjs): the
// surface an app touches every day — a publish on a channel that is not attached,
// presence data of every type, the order events arrive in, channel message
// subscribe/publish forms, and the fields an app reads.
import { test } from 'node:test';
import { skip } from './ably.mjs';
import { differential } from './differential.mjs';

const opts = { skip, timeout: 120_000 };

// ably-js 2.x sends a publish on whatever channel it is called on (RTL6c): one never
// attached, or one the app detached, stays as it was and the message still arrives.
// Roster used to attach the channel first, so the publisher ended up attached, receiving
// the channel's messages and presence it had not asked for.
test('publish on a channel never attached or detached: sent without attaching it', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const bobs = bob.channels.get(t.name);
    await t.op('bob subscribe', bobs.subscribe((m) => t.record('bob messages', [m.name, m.data])));
    const adas = ada.channels.get(t.name);
    t.watchChannel('ada', adas);
    await t.op('publish unattached', adas.publish('greeting', 'hi'));
    await t.until('bob messages', 1);
    t.read('after publishing unattached', adas.state);
    await t.op('attach', adas.attach());
    await t.op('detach', adas.detach());
    await t.op('publish detached', adas.publish('greeting', 'again'));
    await t.until('bob messages', 2);
    t.read('after publishing detached', adas.state);
  });
});

// What data an app may give presence, and how it reaches another client and get(): the
// JSON types, binary, and values ably-js refuses. Each value is an update of one member;
// what bob's listener and ada's get() see is recorded with its JS type.
test('presence data of every type: accepted or refused, and as others see it', opts, async () => {
  await differential(async (t) => {
    const describe = (value) => {
      if (value instanceof ArrayBuffer) return { ArrayBuffer: [...new Uint8Array(value)] };
      if (ArrayBuffer.isView(value)) return { [value.constructor.name]: [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)] };
      return { [value === null ? 'null' : typeof value]: value === undefined ? '<undefined>' : value };
    };
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    let seen = 0;
    await t.op('bob subscribe', bobs.presence.subscribe((m) => { seen += 1; t.record('bob sees', [m.action, describe(m.data)]); }));
    await t.op('ada enter', adas.presence.enter());
    await t.until('bob sees', 1);
    const values = {
      'a string': 'text', 'an empty string': '', 'an object': { a: 1, b: [true, null, 'x'] }, 'an array': [1, 'two', { three: 3 }],
      'a Uint8Array': new Uint8Array([0, 1, 255]), 'an ArrayBuffer': new Uint8Array([7, 8]).buffer,
      'null': null, 'a number': 1, 'zero': 0, 'a boolean': true, 'false': false,
    };
    for (const [label, value] of Object.entries(values)) {
      const before = seen;
      const outcome = await t.op(`update with ${label}`, adas.presence.update(value));
      if ('resolved' in outcome) await t.until('bob sees', before + 1);
      const [own] = await adas.presence.get({ clientId: 'ada' });
      t.read(`ada's get() after ${label}`, own ? describe(own.data) : null);
    }
  });
});

// The order an app hears things in, in one stream: channel state changes, presence events
// (the members already there, a new one), connection changes, and the promises settling,
// with two presence listeners (all events, and 'enter' only) and a channel listener
// subscribed before and after attach.
test('the order of state changes, presence events and settled promises', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const adas = ada.channels.get(t.name);
    await t.op('ada enter', adas.presence.enter('here'));
    const bob = t.client('bob', 'bob');
    const bobs = bob.channels.get(t.name);
    const log = (what) => t.record('order', what);
    bob.connection.on((c) => log(`connection ${c.current}`));
    bobs.on((c) => log(`channel ${c.current}`));
    const all = bobs.presence.subscribe((m) => log(`all: ${m.action} ${m.clientId}`)).then(() => log('subscribe(all) settled'));
    const enters = bobs.presence.subscribe('enter', (m) => log(`enters: ${m.action} ${m.clientId}`)).then(() => log('subscribe(enter) settled'));
    await t.op('both subscribed', Promise.all([all, enters]).then(() => undefined));
    const got = bobs.presence.get().then((members) => log(`get settled: ${members.length}`));
    await t.op('get', got);
    const entered = bobs.presence.enter('me too').then(() => log('bob enter settled'));
    await t.op('bob enter', entered);
    await t.until('order', 11);
    const cara = t.client('cara', 'cara');
    await t.op('cara enter', cara.channels.get(t.name).presence.enter());
    await t.until('order', 13);
  });
});

// Channel messages as an app uses them: subscribe to all, to one name and to a list of
// names; publish one, several at once and objects; unsubscribe one listener, then all.
test('channel messages: subscribe forms, publish forms, unsubscribe', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    const seen = (tag) => (m) => t.record('bob hears', [tag, m.name ?? null, m.data ?? null, m.clientId ?? null, typeof m.id, typeof m.timestamp]);
    const everything = seen('all');
    await t.op('subscribe all', bobs.subscribe(everything));
    await t.op('subscribe one name', bobs.subscribe('greeting', seen('greeting')));
    await t.op('subscribe names', bobs.subscribe(['greeting', 'farewell'], seen('names')));
    await t.op('publish one', adas.publish('greeting', 'hi'));
    await t.op('publish several', adas.publish([{ name: 'farewell', data: 'bye' }, { name: 'other', data: { n: 1 } }]));
    await t.op('publish an object', adas.publish({ name: 'greeting', data: ['x'] }));
    await t.until('bob hears', 9);
    bobs.unsubscribe(everything);
    await t.op('publish after unsubscribing all-listener', adas.publish('other', 'unheard'));
    await t.op('publish a name still heard', adas.publish('farewell', 'later'));
    await t.until('bob hears', 10);
    bobs.unsubscribe();
    await t.op('publish after unsubscribe()', adas.publish('greeting', 'nobody'));
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
});

// What an app reads off the objects: types and values of the connection's, channel's and
// auth's fields at each stage, identity of channels.get(), whenState(), ping(). Normalized
// where the two differ by design (README, API): an app-requested detach has no reason
// (ably-js makes up 90001), syncComplete is only true when attached, and closing lasts
// until the server's CLOSED (ably-js is closed at once), so whenState('closed') is only
// waited for.
test('fields an app reads: connection, channel, presence and auth, at each stage', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada', { autoConnect: false });
    const channel = ada.channels.get(t.name);
    const reason = (e) => (e && e.code !== 90001 ? t.error(e) : null);
    const fields = () => ({
      connection: [ada.connection.state, typeof ada.connection.id, typeof ada.connection.key, reason(ada.connection.errorReason)],
      channel: [channel.name === t.name, channel.state, reason(channel.errorReason)],
      syncComplete: channel.state === 'attached' ? channel.presence.syncComplete : null,
      auth: [ada.auth.clientId ?? null],
      sameObject: ada.channels.get(t.name) === channel,
      inAll: t.name in ada.channels.all,
    });
    t.read('before connecting', fields());
    ada.connect();
    await t.op('whenState connected', ada.connection.whenState('connected'));
    t.read('connected', fields());
    await t.op('whenState connected again', ada.connection.whenState('connected'));
    const rtt = await ada.connection.ping();
    t.read('ping', typeof rtt);
    await t.op('attach', channel.attach());
    await t.op('whenState attached', channel.whenState('attached'));
    t.read('attached', fields());
    await t.op('attach again', channel.attach());
    await t.op('detach', channel.detach());
    t.read('detached', fields());
    ada.close();
    await t.within(ada.connection.whenState('closed'), 'closed');
    t.read('closed', fields());
  });
});
