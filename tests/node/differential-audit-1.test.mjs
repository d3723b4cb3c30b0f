// Differential parity with ably-js, an audit as a web developer migrating from ably-js
// (the harness: differential.mjs): presence code the way Ably's docs and examples write
// it: a member list rendered from get(), two tabs of one clientId, a clientId the token
// gives, connection listeners added with on() and once(), and the docs' authCallbacks.
import { test } from 'node:test';
import { skip } from './ably.mjs';
import { differential } from './differential.mjs';

const opts = { skip, timeout: 120_000 };

// Two tabs of one user: two members of one clientId (one per connection), as others and
// each tab see them, when one tab updates, leaves, enters again and closes.
test('two tabs of the same clientId: member list, own view, leave of one tab', opts, async () => {
  await differential(async (t) => {
    const tab1 = t.client('tab1', 'ada');
    const tab2 = t.client('tab2', 'ada');
    const bob = t.client('bob', 'bob');
    const c1 = tab1.channels.get(t.name), c2 = tab2.channels.get(t.name), cb = bob.channels.get(t.name);
    await t.op('bob subscribe', t.watchPresence('bob sees', cb).subscribed);
    await t.op('tab2 subscribe', t.watchPresence('tab2 sees', c2).subscribed);
    await t.op('tab1 subscribe', t.watchPresence('tab1 sees', c1).subscribed);
    // Every step is awaited at each client before the next, so that the reads see it.
    const seen = (count) => Promise.all(['bob sees', 'tab1 sees', 'tab2 sees'].map((stream) => t.until(stream, count)));
    await t.op('tab1 enter', c1.presence.enter({ tab: 1 }));
    await seen(1);
    await t.op('tab2 enter', c2.presence.enter({ tab: 2 }));
    await seen(2);
    await t.op('bob get', cb.presence.get());
    await t.op('bob get ada', cb.presence.get({ clientId: 'ada' }));
    await t.op('tab1 update', c1.presence.update({ tab: 1, typing: true }));
    await seen(3);
    await t.op('tab1 leave', c1.presence.leave());
    await seen(4);
    await t.op('bob get after leave', cb.presence.get());
    await t.op('tab2 get', c2.presence.get());
    await t.op('tab1 get', c1.presence.get());
    await t.op('tab1 enter again', c1.presence.enter({ tab: 1 }));
    await seen(5);
    const closed = tab2.connection.once('closed');
    tab2.close();
    await t.op('tab2 closed', closed);
    await Promise.all([t.until('bob sees', 6), t.until('tab1 sees', 6)]);
    await t.op('bob get at end', cb.presence.get());
    await t.op('tab1 get at end', c1.presence.get());
  });
});

// ably-js's EventEmitter calls once() listeners before on() ones (for every event, then
// for the event), each in the order added; Roster called them all in the order added.
test('listener order: once and on, for any event and for one', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada', { autoConnect: false });
    const c = ada.connection;
    const order = (what) => function () { t.record('order', [what, this?.event]); };
    c.on('connected', order('on connected 1'));
    c.once('connected', order('once connected'));
    c.on('connected', order('on connected 2'));
    c.on(order('on any'));
    c.once(order('once any'));
    c.on(['connected', 'connecting'], order('on array'));
    c.once(['connected', 'connecting'], order('once array'));
    ada.connect();
    await t.op('connected', c.whenState('connected'));
    const channel = ada.channels.get(t.name);
    channel.on('attached', order('ch on attached'));
    channel.once('attached', order('ch once attached'));
    channel.once(order('ch once any'));
    channel.on(order('ch on any'));
    await t.op('attach', channel.attach());
    const p = channel.presence;
    await t.op('sub enter', p.subscribe('enter', order('p enter')));
    await t.op('sub all', p.subscribe(order('p all')));
    await t.op('sub array', p.subscribe(['enter', 'update'], order('p array')));
    await t.op('enter', p.enter('x'));
    await t.until('order', 17);
  });
});

// An app whose authUrl decides the clientId (no clientId option) enters at once, before
// the connection is up: ably-js sends the enter once it knows the clientId (and the
// server refuses it for an anonymous token, 91000); only when connected without a
// clientId does it refuse at once (40012). Roster refused at once while connecting.
test('clientId from the token: no clientId option, enter before connected, auth.clientId', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', null, { authParams: { clientId: 'ada' } });
    t.read('auth.clientId before', ada.auth.clientId ?? null);
    t.read('client.clientId before', ada.clientId ?? null);
    const channel = ada.channels.get(t.name);
    await t.op('enter before connected', channel.presence.enter('hi'));
    t.read('auth.clientId after', ada.auth.clientId ?? null);
    t.read('client.clientId after', ada.clientId ?? null);
    await t.op('get', channel.presence.get());
    const anon = t.client('anon', null);
    const ac = anon.channels.get(t.name);
    await t.op('anon enter before connected', ac.presence.enter('hi'));
    t.read('anon state', [anon.connection.state, ac.state]);
    await t.op('anon enter when connected', ac.presence.enter('hi'));
    await t.op('anon get', ac.presence.get());
    const wild = t.client('wild', '*');
    await t.op('wild connected', wild.connection.whenState('connected'));
    t.read('wild clientId', [wild.auth.clientId ?? null, wild.clientId ?? null]);
    await t.op('wild enter', wild.channels.get(t.name).presence.enter('hi'));
  });
});

// authCallbacks as Ably's docs write them: one that fetches a TokenRequest from the app's
// server, one that calls back a token string (the clientId then comes from the token),
// one that calls back TokenDetails, an async one that calls back later; and the
// tokenParams each is called with.
test('authCallback the way the docs write it: a token request, a JWT string, TokenDetails; its tokenParams', opts, async () => {
  await differential(async (t) => {
    const base = `${location.origin}/auth/token-request`;
    const seen = [];
    const shape = (p) => (p == null ? String(p) : Object.keys(p).sort().map((k) => `${k}=${JSON.stringify(p[k])}`).join(','));
    const viaRequest = t.client('req', 'ada', {
      authUrl: undefined, authParams: undefined,
      authCallback: (tokenParams, callback) => {
        seen.push(['req', shape(tokenParams)]);
        fetch(`${base}?clientId=ada`).then((r) => r.json()).then((tr) => callback(null, tr), (e) => callback(e, null));
      },
    });
    await t.op('req connected', viaRequest.connection.whenState('connected'));
    await t.op('req enter', viaRequest.channels.get(t.name).presence.enter('a'));
    const r = t.rest('bob');
    const jwt = t.client('jwt', null, {
      authUrl: undefined, authParams: undefined,
      authCallback: async (tokenParams, callback) => {
        seen.push(['jwt', shape(tokenParams)]);
        const details = await r.auth.requestToken({ clientId: 'bob' });
        callback(null, details.token);
      },
    });
    await t.op('jwt connected', jwt.connection.whenState('connected'));
    t.read('jwt clientId', jwt.auth.clientId ?? null);
    await t.op('jwt enter', jwt.channels.get(t.name).presence.enter('b'));
    const details = t.client('details', 'cy', {
      authUrl: undefined, authParams: undefined,
      authCallback: (tokenParams, callback) => {
        seen.push(['details', shape(tokenParams)]);
        t.rest('cy').auth.requestToken({ clientId: 'cy' }).then((d) => callback(null, d), (e) => callback(e, null));
      },
    });
    await t.op('details enter', details.channels.get(t.name).presence.enter('c'));
    await t.op('details authorize', details.auth.authorize());
    // An async authCallback that calls back once its promise has resolved (a fetch not
    // awaited): ably-js ignores what an authCallback returns; Roster took the promise's
    // undefined for the answer and never connected.
    const later = t.client('later', 'dee', {
      authUrl: undefined, authParams: undefined,
      authCallback: async (tokenParams, callback) => {
        seen.push(['later', shape(tokenParams)]);
        fetch(`${base}?clientId=dee`).then((r) => r.json()).then((tr) => callback(null, tr), (e) => callback(e, null));
      },
    });
    await t.op('later enter', later.channels.get(t.name).presence.enter('d'));
    const everyone = details.channels.get(t.name).presence;
    await t.within((async () => { while ((await everyone.get()).length < 4) await new Promise((r) => setTimeout(r, 10)); })(), 'all four');
    await t.op('get', everyone.get());
    t.read('tokenParams seen', seen);
  });
});

// A member list rendered from get() on every presence event (as ably/react's
// usePresenceListener does): ably-js lists members as they came (a late joiner in the
// sync's order), one that updates (a typing indicator) keeping its place, one that
// leaves and enters again last. Roster listed them in its hash table's order, and a
// member that updated moved to the end. A get() with a filter lists its members in that
// order too (Roster's came in its hash table's order).
test('get() lists members as they came; one that updates keeps its place', opts, async () => {
  await differential(async (t) => {
    const agent = t.client('agent', '*');
    const theirs = agent.channels.get(t.name).presence;
    const bob = t.client('bob', 'bob');
    const presence = bob.channels.get(t.name).presence;
    let events = 0;
    await t.op('bob subscribe', presence.subscribe(() => { events += 1; }));
    const names = (list) => list.map((m) => `${m.clientId}:${m.data}`);
    const list = async (what, count) => {
      await t.within((async () => { while (events < count) await new Promise((r) => setTimeout(r, 10)); })(), what);
      t.read(what, names(await presence.get()));
      t.read(`${what}, the agent's connection`, names(await presence.get({ connectionId: agent.connection.id })));
    };
    for (const clientId of ['m', 'c', 'x', 'a', 'k']) await theirs.enterClient(clientId, '1');
    await list('after enters', 5);
    await theirs.updateClient('m', '2');
    await list('after an update of the first', 6);
    await theirs.updateClient('x', 'typing');
    await list('after an update of the middle', 7);
    await theirs.leaveClient('c');
    await list('after a leave', 8);
    await theirs.enterClient('c', '3');
    await list('after an enter again', 9);
    await t.op('bob enter', presence.enter('b'));
    await list('after its own enter', 10);
    const late = t.client('late', 'late').channels.get(t.name).presence;
    t.read('a late joiner', names(await late.get()));
    await theirs.updateClient('a', '9');
    await t.within((async () => { while (!names(await late.get()).includes('a:9')) await new Promise((r) => setTimeout(r, 10)); })(), 'late update');
    t.read('a late joiner after an update', names(await late.get()));
    // Changed twice between two get()s: updated, then gone.
    await theirs.updateClient('k', '2');
    await theirs.leaveClient('k');
    await list('after an update and a leave at once', 13);
  });
});
