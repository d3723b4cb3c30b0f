// Differential parity with ably-js, sixteenth round (the harness: differential.mjs): slips
// of the API's edges carried from earlier notes. Listener arguments that are no listener,
// a released channel object that the app still uses, history params that are text of a
// number, a new clientId asked of authorize(), and a channel name with a comma in
// batchPresence (the last two as ably-js already).
import { test } from 'node:test';
import { skip } from './ably.mjs';
import { differential } from './differential.mjs';

const opts = { skip, timeout: 120_000 };

// ably-js's EventEmitter.off() with two arguments takes the first as the event: a
// function there is no event name, so off(listener, listener2) throws and takes nothing
// off (Roster took the first listener off and ignored the second). once([events], x)
// with x no function registers a wrapper that throws when one of the events comes, which
// ably-js catches and logs: the call throws nothing and nothing is heard (Roster threw).
test('off(listener, listener) throws and keeps both; once([events], non-function) neither throws nor hears', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const channel = ada.channels.get(t.name);
    const heard = (what) => function () { t.record('heard', `${what} ${this.event}`); };
    const f = heard('connection f'), g = heard('connection g');
    ada.connection.on('connected', f);
    ada.connection.on('connected', g);
    t.read('connection off(f, g)', t.returned(() => ada.connection.off(f, g)));
    t.read('connection once([connected, failed], x)', t.returned(() => ada.connection.once(['connected', 'failed'], 'x')));
    t.read('connection once([connected], undefined)', t.returned(() => ada.connection.once(['connected'], undefined)));
    const c = heard('channel c'), d = heard('channel d');
    channel.on('attached', c);
    t.read('channel off(c, d)', t.returned(() => channel.off(c, d)));
    t.read('channel once([attached], 5)', t.returned(() => channel.once(['attached'], 5)));
    t.read('connection off(5)', t.returned(() => ada.connection.off(5)));
    // subscribe() and unsubscribe() take a listener given first as the listener, whatever follows.
    const m = (msg) => t.record('heard', `message m ${msg.name}`), n = (msg) => t.record('heard', `message n ${msg.name}`);
    await t.op('subscribe(m, 5)', channel.subscribe(m, 5));
    await t.op('subscribe(n)', channel.subscribe(n));
    t.read('channel unsubscribe(n, m)', t.returned(() => channel.unsubscribe(n, m)));
    await t.op('publish', channel.publish('hello', 'x'));
    await t.until('heard', 4);
  });
});

// ably-js 2.x's channels.release() detaches an attached channel, then forgets it; the
// object the app still holds sends what it is asked to on the connection, where the
// server's answers no longer reach it (channels.all has it no more). Attached again by
// a detach that timed out, its enter() sends the PRESENCE, which the server applies (a
// member may enter without an ATTACH): the others hear the member. Roster's enter there
// resolved and sent nothing.
test('a released channel object left attached: its enter() and publish() reach the others', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada', { realtimeRequestTimeout: 1500 });
    const bob = t.client('bob', 'bob');
    const seen = bob.channels.get(t.name);
    await t.op('bob presence', t.watchPresence('bob presence', seen).subscribed);
    await t.op('bob subscribe', seen.subscribe((m) => t.record('bob messages', m.name)));
    const old = ada.channels.get(t.name);
    await t.op('old attach', old.attach());
    ada.channels.release(t.name);
    await t.op('old detached', old.whenState('detached'));
    t.read('released', t.name in ada.channels.all);
    await t.op('old publish, detached', old.publish('one', 'x'));
    await t.until('bob messages', 1);
    // Unanswered: the attach is taken over by the detach, which times out to attached.
    const attaching = t.op('old attach again', old.attach());
    await t.op('old detach', old.detach());
    await attaching;
    t.read('old', { state: old.state, errorReason: t.error(old.errorReason) });
    await t.op('old enter, attached', old.presence.enter('hi'));
    await t.until('bob presence', 1);
    await t.op('old update, attached', old.presence.update('there'));
    await t.until('bob presence', 2);
    await t.op('old publish, attached', old.publish('two', 'x'));
    await t.until('bob messages', 2);
    await t.op('old leave, attached', old.presence.leave());
    await t.until('bob presence', 3);
    t.read('old after', { state: old.state, members: t.members(await old.presence.get()) });
  });
});

// ably-js sends history params as query text, String(value): `start: [5]` is "5", which
// the server takes; a Date's text it refuses. Roster refused any object on Realtime.
test('presence.history() with start or end given as an array of a number', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const channel = ada.channels.get(t.name);
    await t.op('enter', channel.presence.enter('x'));
    const rest = t.rest('reader').channels.get(t.name);
    const count = (what, promise) => t.within(promise.then((page) => page.items.length, t.error), what);
    const later = Date.now() + 60_000;
    for (const [what, params] of [['start [5]', { start: [5] }], ['end [later]', { end: [later] }], ['start "5"', { start: '5' }],
      ['limit [1]', { limit: [1] }], ['start a Date', { start: new Date(5) }], ['start [5, 6]', { start: [5, 6] }], ['start {}', { start: {} }]]) {
      t.read(`realtime ${what}`, await count(what, channel.presence.history(params)));
      t.read(`rest ${what}`, await count(what, rest.presence.history(params)));
    }
  });
});

// ably-js's authorize(tokenParams) makes them the token params (RSA10e): a clientId there
// is the one the token is asked for, through the authUrl or the authCallback; the
// connection's clientId cannot change, so that token fails it with 40102 (ably-js checks
// the token's clientId against its own). Roster does the same: nothing to fix.
test('authorize() with another clientId in its tokenParams asks for that one, and fails with 40102', opts, async () => {
  await differential(async (t) => {
    const authCallback = (params, callback) => {
      t.record('asked', params.clientId ?? null);
      fetch(`${location.origin}/auth/token-request?clientId=${params.clientId ?? 'ada'}`)
        .then((r) => r.json()).then((request) => callback(null, request), (e) => callback(e, null));
    };
    const cases = [['named', 'ada', {}], ['from token', null, { authParams: { clientId: 'ada' } }], ['anonymous', null, {}],
      ['callback', 'ada', { authCallback, authUrl: undefined, authParams: undefined }]];
    for (const [tag, clientId, extra] of cases) {
      const client = t.client(tag, clientId, extra);
      await t.op(`${tag} connected`, client.connection.whenState('connected'));
      await t.op(`${tag} authorize`, client.auth.authorize({ clientId: 'bob' }).then(() => null));
      t.read(`${tag} after`, { state: client.connection.state, clientId: client.auth.clientId ?? null, errorReason: t.error(client.connection.errorReason) });
      client.close();
    }
  });
});

// ably-js joins batchPresence's names with ',' into one query param: a name with a comma
// is two names there too.
test('batchPresence() with a channel name that has a comma', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    await t.op('enter', ada.channels.get(`${t.name}-a`).presence.enter('x'));
    const result = await t.rest('reader').batchPresence([`${t.name}-a,${t.name}-b`]);
    t.read('results', result.results.map((r) => [r.channel.replace(t.name, 'NAME'), r.presence?.length ?? r.error?.code]));
  });
});
