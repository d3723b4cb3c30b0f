// Differential parity with ably-js, a fourth audit as a web developer migrating from
// ably-js (the harness: differential.mjs): several Realtime clients in one tab (two
// widgets), presence listeners added and taken off as UI code does, mid-event included,
// channel state edges an app meets (channels.get with options, attach and detach twice at
// once, presence on a detached or initialized channel), and REST as apps write it.
import { test } from 'node:test';
import { skip } from './ably.mjs';
import { differential, presenceRefusals } from './differential.mjs';

const opts = { skip, timeout: 120_000 };

// A tab with two widgets, each with its own client: bob watches the room ada is in. ada
// closes while entered: what bob's listeners and get() see, and in what order; ada's
// objects after close; a new client of the same clientId enters again; one closed with
// connection.close(); and a third widget that closes before it ever connected.
test('two clients in one tab: one closes while entered, a new one of the same clientId enters', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    const snapshots = [];
    await t.op('bob subscribe', bobs.presence.subscribe(function (m) {
      t.record('bob sees', [this.event, t.message(m)]);
      bobs.presence.get().then((list) => snapshots.push([m.action, m.clientId, t.members(list)]));
    }));
    await t.op('bob subscribe([enter, leave])', bobs.presence.subscribe(['enter', 'leave'], (m) => t.record('bob enter/leave', [m.action, m.clientId])));
    await t.op('ada enter', adas.presence.enter({ status: 'here' }));
    await t.op('bob enter', bobs.presence.enter('bob here'));
    await t.until('bob sees', 2);
    const closed = ada.connection.once('closed');
    ada.close();
    // Not the connection's state: Roster's is closing until the server's CLOSED (README).
    t.read('ada channel right after close()', adas.state);
    await t.op('ada closed', closed);
    await t.until('bob sees', 3);
    t.read('ada after closed', { connection: ada.connection.state, channel: adas.state, id: ada.connection.id ?? null, key: ada.connection.key ?? null });
    await t.op('ada get() after closed', adas.presence.get());
    await t.op('ada enter after closed', adas.presence.enter('again'));
    await t.op('ada attach after closed', adas.attach());
    await t.op('bob get after ada closed', bobs.presence.get());

    const ada2 = t.client('ada2', 'ada');
    const ada2s = ada2.channels.get(t.name);
    await t.op('ada2 enter', ada2s.presence.enter({ status: 'back' }));
    await t.until('bob sees', 4);
    await t.op('ada2 get', ada2s.presence.get());
    const gone = ada2.connection.once('closed');
    ada2.connection.close();
    await t.op('ada2 connection.close()', gone);
    await t.until('bob sees', 5);
    await t.op('bob get after ada2 closed', bobs.presence.get());

    const cy = t.client('cy', 'cy');
    const cys = cy.channels.get(t.name);
    t.read('leave before connected (cy)', await t.settle(cys.presence.leave()));
    t.read('cy states', [cy.connection.state, cys.state]);
    cy.close();
    await t.op('cy closed', cy.connection.whenState('closed'));
    await t.until('bob enter/leave', 4);

    await new Promise((resolve) => setTimeout(resolve, 300));
    t.read('snapshots', snapshots);
  }, presenceRefusals);
});

// Presence listeners as UI code adds and takes them off: a listener that takes another
// off, or itself, while an event is delivered; one that adds a listener while an event
// is delivered; unsubscribe('enter') of a listener subscribed for [enter, leave];
// unsubscribe() and unsubscribe(listener) with nothing subscribed; subscribe before
// attach; every field of each event of another client's enter, update, update, leave;
// and the members get() gives inside a listener.
test('presence listeners taken off and added while an event is delivered; event shapes; get() inside', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    const p = (what) => function (m) { t.record('heard', [what, this?.event ?? null, m.action, m.data ?? null]); };
    const onUpdate = p('update');
    const late = p('added during an event');
    const enterLeave = p('[enter, leave]');
    let taken = false;
    let added = false;
    const remover = function (m) {
      t.record('heard', ['remover', this?.event ?? null, m.action, m.data ?? null]);
      if (m.action === 'update' && !taken) {
        taken = true;
        bobs.presence.unsubscribe(onUpdate);
      }
    };
    const adder = function (m) {
      t.record('heard', ['adder', this?.event ?? null, m.action, m.data ?? null]);
      if (!added) {
        added = true;
        bobs.presence.subscribe(late);
      }
    };
    const selfish = function (m) {
      t.record('heard', ['takes itself off', this?.event ?? null, m.action, m.data ?? null]);
      bobs.presence.unsubscribe(selfish);
    };
    t.read('unsubscribe() with nothing subscribed', t.shape(bobs.presence.unsubscribe()));
    t.read('unsubscribe(listener) never subscribed', t.shape(bobs.presence.unsubscribe(onUpdate)));
    t.read('unsubscribe(enter) with nothing subscribed', t.shape(bobs.presence.unsubscribe('enter')));
    const subscribing = bobs.presence.subscribe(remover);
    t.read('state right after subscribe', bobs.state);
    await t.op('subscribe before attach', subscribing);
    await t.op('subscribe(update) after remover', bobs.presence.subscribe('update', onUpdate));
    await t.op('subscribe(adder)', bobs.presence.subscribe(adder));
    await t.op('subscribe(selfish)', bobs.presence.subscribe(selfish));
    await t.op('subscribe([enter, leave])', bobs.presence.subscribe(['enter', 'leave'], enterLeave));
    const inside = [];
    await t.op('subscribe with get() inside', bobs.presence.subscribe((m) => {
      t.record('events', t.message(m));
      t.record('fields', Object.keys(m).filter((k) => m[k] !== undefined && m[k] !== null).sort());
      inside.push(bobs.presence.get().then((list) => [m.action, t.members(list)]));
    }));
    await t.op('enter', adas.presence.enter('one'));
    await t.until('events', 1);
    bobs.presence.unsubscribe('enter', enterLeave);
    await t.op('update', adas.presence.update({ two: 2 }));
    await t.op('update again', adas.presence.update());
    await t.op('leave', adas.presence.leave('bye'));
    await t.until('events', 4);
    t.read('gets inside', await Promise.all(inside));
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
});

// Channel state edges: channels.get() of a name twice, with the same or other options on
// an attached channel; attach() twice and detach() twice at once; presence on a detached
// channel (enter and update attach it, leave is refused), on an initialized one, while
// attaching; what each settles with and the channel's states.
test('channel edges: channels.get with options when attached, attach and detach twice at once, presence when detached', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const channel = ada.channels.get(t.name);
    t.watchChannel('channel', channel);
    t.read('get twice is the same object', ada.channels.get(t.name) === channel);
    const [a, b] = [t.settle(channel.attach()), t.settle(channel.attach())];
    t.read('attach twice at once', [await a, await b]);
    const tries = [
      ['same params', { params: {} }],
      ['no options', {}],
      ['attachOnSubscribe only', { attachOnSubscribe: true }],
      ['new params', { params: { rewind: '1' } }],
      ['modes', { modes: ['PRESENCE', 'PRESENCE_SUBSCRIBE'] }],
    ];
    for (const [what, options] of tries) {
      try {
        t.read(`get with ${what} when attached`, ada.channels.get(t.name, options) === channel);
      } catch (e) {
        t.read(`get with ${what} when attached`, ['throws', t.error(e)]);
      }
    }
    t.read('state after', channel.state);
    const [c, d] = [t.settle(channel.detach()), t.settle(channel.detach())];
    t.read('detach twice at once', [await c, await d]);
    await t.op('leave when detached', channel.presence.leave());
    await t.op('update when detached', channel.presence.update('u'));
    t.read('state after update', channel.state);
    await t.op('detach', channel.detach());
    await t.op('enter when detached', channel.presence.enter('e'));
    t.read('state after enter', channel.state);
    await t.op('get', channel.presence.get());
    const fresh = ada.channels.get(`${t.name}-fresh`);
    await t.op('leave when initialized', fresh.presence.leave());
    t.read('fresh state', fresh.state);
    const attaching = fresh.attach();
    t.read('fresh attaching', fresh.state);
    await t.op('leave while attaching', fresh.presence.leave());
    await t.op('fresh attach', attaching);
    await t.op('enter fresh', fresh.presence.enter());
    await t.op('get fresh', fresh.presence.get());

    const narrow = t.client('narrow', 'bob', { capability: { [`${t.name}-other`]: ['*'] } });
    const refused = narrow.channels.get(t.name);
    await t.op('attach refused', refused.attach());
    await t.op('detach a failed channel', refused.detach());
    t.read('failed state after detach', refused.state);
    await t.op('leave on a failed channel', refused.presence.leave());
    await t.op('get({ waitForSync: false }) on a failed channel', refused.presence.get({ waitForSync: false }));
    try {
      t.read('get with modes on a failed channel', narrow.channels.get(t.name, { modes: ['PRESENCE'] }) === refused);
    } catch (e) {
      t.read('get with modes on a failed channel', ['throws', t.error(e)]);
    }
    const other = narrow.channels.get(`${t.name}-other`);
    const attachingOther = other.attach();
    try {
      t.read('get with params while attaching', narrow.channels.get(`${t.name}-other`, { params: { rewind: '1' } }) === other);
    } catch (e) {
      t.read('get with params while attaching', ['throws', t.error(e)]);
    }
    await t.op('attach other', attachingOther);
    await t.op('detach other', other.detach());
  }, presenceRefusals);
});

// REST as a server or dashboard writes it: a paging loop over get() with a limit, items
// as read; batchPresence of one name given alone, of none, and of a channel with no
// members; a Rest client with no way to authenticate, an authUrl that answers 404, an
// authCallback that calls back an error; requestToken() from an authUrl.
test('REST: a paging loop, batchPresence forms, clients that cannot authenticate', opts, async () => {
  await differential(async (t) => {
    const agent = t.client('agent', '*');
    const presence = agent.channels.get(t.name).presence;
    for (const n of [1, 2, 3, 4, 5]) await presence.enterClient(`c${n}`, `d${n}`);
    const rest = t.rest('reader');
    const pages = [];
    let page = await rest.channels.get(t.name).presence.get({ limit: 2 });
    for (;;) {
      pages.push({ items: page.items.map((m) => [m.clientId, m.action, m.data]), hasNext: page.hasNext(), isLast: page.isLast(), isArray: Array.isArray(page.items) });
      if (!page.hasNext()) break;
      page = await page.next();
    }
    t.read('pages', pages.map((p) => ({ ...p, items: p.items.length })));
    t.read('all items', pages.flatMap((p) => p.items).sort());
    const historyPages = [];
    let history = await rest.channels.get(t.name).presence.history({ limit: 3, direction: 'forwards' });
    while (history) {
      historyPages.push(history.items.map((m) => [m.clientId, m.action, m.data]));
      history = await history.next();
    }
    t.read('history pages', historyPages);
    const batch = (what, result) => t.read(what, {
      successCount: result.successCount,
      failureCount: result.failureCount,
      results: result.results.map((r) => ({ channel: r.channel.replace(t.name, 'NAME'), members: r.presence?.length ?? null, error: r.error ? t.error(r.error) : null })),
    });
    batch('batchPresence([name, empty])', await rest.batchPresence([t.name, `${t.name}-empty`]));
    await t.op('batchPresence([])', rest.batchPresence([]));

    const none = (() => {
      try {
        return t.rest(null, { authUrl: undefined, authParams: undefined });
      } catch (e) {
        return e;
      }
    })();
    t.read('Rest with no credentials', none instanceof Error ? ['throws', t.error(none)] : 'made');
    const missing = t.rest('x', { authUrl: `${location.origin}/no-such-auth`, authParams: undefined });
    await t.op('get with an authUrl that answers 404', missing.channels.get(t.name).presence.get());
    await t.op('requestToken with an authUrl that answers 404', missing.auth.requestToken());
    const failing = t.rest(null, { authUrl: undefined, authParams: undefined, authCallback: (params, callback) => callback(new t.ErrorInfo('no', 40300, 403), null) });
    await t.op('get with an authCallback that refuses', failing.channels.get(t.name).presence.get());
    await t.op('batchPresence with an authCallback that refuses', failing.batchPresence([t.name]));
    await t.op('time() needs no credentials', failing.time());
    const wrongKey = t.rest(null, { authUrl: undefined, authParams: undefined, key: 'nokey.name:secret', useTokenAuth: true });
    await t.op('get with a key the server does not know', wrongKey.channels.get(t.name).presence.get());
    await t.op('requestToken with a key the server does not know', wrongKey.auth.requestToken());
  });
});

// A late joiner to a room bigger than one SYNC page (the server sends 100 members a
// page): what attach() resolves with and syncComplete then, the present events in the
// order they come, get() in its order (as a member list renders it), and a member list
// kept from the events alone.
test('a late joiner to a room of several SYNC pages: present events and get() in order', opts, async () => {
  await differential(async (t) => {
    const agent = t.client('agent', '*');
    const presence = agent.channels.get(t.name).presence;
    const ids = Array.from({ length: 250 }, (_, n) => `user-${(n * 37) % 250}`);
    await Promise.all(ids.map((id, n) => presence.enterClient(id, { n })));
    const bob = t.client('bob', 'bob');
    const bobs = bob.channels.get(t.name);
    const heard = [];
    const list = new Map();
    bobs.presence.subscribe(function (m) {
      heard.push([this.event, m.action, m.clientId]);
      if (m.action === 'leave') list.delete(m.clientId);
      else list.set(m.clientId, m.data);
    });
    const attached = await t.within(bobs.whenState('attached'), 'attached');
    t.read('attached change', t.shape(attached));
    const members = await bobs.presence.get();
    t.read('syncComplete after get()', bobs.presence.syncComplete);
    t.read('get() order', members.map((m) => m.clientId));
    t.read('get() data', members.every((m) => ids[m.data.n] === m.clientId));
    const start = Date.now();
    while (heard.length < 250 && Date.now() - start < 10_000) await new Promise((resolve) => setTimeout(resolve, 10));
    t.read('events', { count: heard.length, actions: [...new Set(heard.map(([e, a]) => `${e}/${a}`))], order: heard.map(([, , c]) => c) });
    t.read('list from events', [...list.keys()].length);
    await t.op('leaveClient user-0', presence.leaveClient('user-0'));
    await t.op('enterClient late', presence.enterClient('late', { n: -1 }));
    await t.op('updateClient user-5', presence.updateClient('user-5', { n: 5, typing: true }));
    while (heard.length < 253 && Date.now() - start < 10_000) await new Promise((resolve) => setTimeout(resolve, 10));
    t.read('get() order after', (await bobs.presence.get()).map((m) => m.clientId));
  });
});

// What differs by design when a listener of the change to attached detaches the channel
// (README, API): ably-js 2.28 rejects that detach() with 90000/500 "Unable to detach;
// state = attached" (its detach hears the very change to attached it was made in) though
// the channel detaches, and a channel released there stays detaching for good (it is
// forgotten before the server's DETACHED, which then reaches no channel); Roster's detach
// resolves, and the released channel ends detached. An attach() made in a listener of
// the change to detached: ably-js rejects it with the reason of that change (90001/404,
// which its attach hears though made after it), then attaches, and rejects the detach
// with 90000/409 (superseded by that attach); Roster's attach resolves once attached, and
// the detach, which was done, resolves. Presence refusals: see
// presenceRefusals (differential.mjs), here in the listeners' stream.
const attachedChange = { change: { previous: 'attaching', current: 'attached', reason: null, resumed: false } };
const droppedInAttached = (trace, side) => ({
  ...trace,
  'from listeners': trace['from listeners'].map(([what, outcome]) => {
    if (/^leave\b/.test(what) && outcome?.rejected?.code === 90001) return [what, { rejected: { ...outcome.rejected, statusCode: null, causeCode: null } }];
    if (side === 'ably' && what === 'detach in attached' && outcome?.rejected?.code === 90000) return [what, { resolved: '<undefined>' }];
    if (side === 'ably' && what === 'attach in detached' && outcome?.rejected?.code === 90001) return [what, { resolved: attachedChange }];
    return [what, outcome];
  }),
  ops: trace.ops.map(([what, value]) => {
    if (side === 'ably' && what === 'release: after' && value.state === 'detaching') return [what, { ...value, state: 'detached' }];
    if (side === 'ably' && what === 'detach, attach in detached' && value?.rejected?.code === 90000) return [what, { resolved: '<undefined>' }];
    return [what, value];
  }),
});

// What UI code does from inside a listener: greet a member who enters (enter and publish
// from a presence listener), leave and detach when a member leaves, detach or release a
// channel from its own 'attached' listener, close the client from a channel or connection
// listener. A detach() or close() made in a listener of the change to attached takes the
// attach over: as in ably-js, attach() rejects (90000/409, or the connection's 80017),
// where Roster's resolved with the change after (to detaching, or detached).
test('calls made from inside listeners: enter, publish, detach, release, close', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    const calls = [];
    const call = (what, promise) => calls.push(t.settle(promise).then((outcome) => t.record('from listeners', [what, outcome])));
    await t.op('ada subscribe', t.watchPresence('ada sees', adas).subscribed);
    await t.op('ada subscribe messages', adas.subscribe((m) => t.record('ada hears', [m.name, m.data, m.clientId])));
    await t.op('bob subscribe', bobs.presence.subscribe(function (m) {
      if (m.clientId !== 'ada') return;
      if (m.action === 'enter') {
        call('bob enters on ada\'s enter', bobs.presence.enter('welcome'));
        call('bob publishes on ada\'s enter', bobs.publish('greet', `hi ${m.clientId}`));
      }
      if (m.action === 'leave') {
        call('leave: bob, on ada\'s leave', bobs.presence.leave());
        call('bob detaches on ada\'s leave', bobs.detach());
      }
    }));
    await t.op('ada enter', adas.presence.enter('hello'));
    await t.until('ada sees', 2);
    await t.until('ada hears', 1);
    await t.op('ada leave', adas.presence.leave());
    await t.until('ada sees', 4);
    await Promise.all(calls);
    t.read('bob channel', bobs.state);
    await t.op('ada get', adas.presence.get());

    // A component that drops the channel as soon as it is attached (it unmounted
    // meanwhile): detach() or release() from the 'attached' listener.
    const dropped = [['detach', (c) => call('detach in attached', c.detach())],
      ['release', (c) => t.record('from listeners', ['release in attached', t.shape(ada.channels.release(c.name))])]];
    for (const [what, drop] of dropped) {
      const side = ada.channels.get(`${t.name}-${what}`);
      side.once('attached', () => drop(side));
      await t.op(`attach, ${what} in attached`, side.attach());
      await Promise.all(calls);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The server answers in order: once a ping made now is answered, the DETACHED the
      // detach or release asked for has come, on a loaded machine too.
      await t.within(ada.connection.ping(), `${what}: a round trip after the DETACH`);
      t.read(`${what}: after`, { state: side.state, kept: side.name in ada.channels.all });
    }
    // One that attaches again as soon as the channel is detached.
    const again = ada.channels.get(`${t.name}-again`);
    await t.op('attach again', again.attach());
    again.once('detached', () => call('attach in detached', again.attach()));
    await t.op('detach, attach in detached', again.detach());
    await Promise.all(calls);
    await t.within(again.whenState('attached'), 'attached again');
    const closer = t.client('closer', 'closer');
    const closing = closer.channels.get(t.name);
    closing.once('attached', () => closer.close());
    await t.op('attach, close() in attached', closing.attach());
    t.read('closer channel', closing.state);
    await t.within(closer.connection.whenState('closed'), 'closer closed');

    const cy = t.client('cy', 'cy');
    cy.connection.once('connected', () => {
      cy.close();
      t.record('from listeners', ['state after close() in connected', cy.connection.state === 'closing' || cy.connection.state === 'closed']);
    });
    await t.op('cy closed', cy.connection.whenState('closed'));
  }, droppedInAttached);
});

// Listeners that act on the first member of a SYNC (several members in one message): one
// takes itself and everything else off, one detaches the channel, one closes its client;
// which of the other members each client still hears, and what get() then gives.
test('acting on the first member of a SYNC: unsubscribe(), detach(), close() mid-message', opts, async () => {
  await differential(async (t) => {
    const agent = t.client('agent', '*');
    const presence = agent.channels.get(t.name).presence;
    for (const n of [1, 2, 3, 4, 5]) await presence.enterClient(`m${n}`, `d${n}`);
    // Each with what its act ends in, waited for before the state is read: the DETACHED
    // or CLOSED comes from the server, later than any fixed wait on a loaded machine.
    const watchers = [
      ['unsubscribe', (c, channel) => channel.presence.unsubscribe(), () => undefined],
      ['detach', (c, channel) => t.settle(channel.detach()).then((o) => t.record('settled', ['detach', o])), (c, channel) => channel.whenState('detached')],
      ['close', (c) => c.close(), (c) => c.connection.whenState('closed')],
    ];
    for (const [what, act, done] of watchers) {
      const client = t.client(what, what);
      const channel = client.channels.get(t.name);
      let acted = false;
      const heard = (stream) => (m) => {
        t.record(`${what} heard`, [stream, m.action, m.clientId]);
        if (!acted) {
          acted = true;
          act(client, channel);
        }
      };
      channel.presence.subscribe(heard('first'));
      await t.op(`${what}: subscribe`, channel.presence.subscribe(heard('second')));
      // Long enough for the rest of the SYNC to reach the listeners (or not).
      await new Promise((resolve) => setTimeout(resolve, 300));
      await t.within(done(client, channel), `${what}: done`);
      t.read(`${what}: after`, { state: channel.state, connection: client.connection.state });
    }
    await t.op('get after detach', agent.channels.get(t.name).presence.get());
  });
});

// Presence calls as apps hang them on events: enter from the channel's 'attached'
// listener (each time it attaches), update from the listener of one's own enter, leave
// from the listener of one's own update; what the client and another see; a late
// joiner's get() from its 'attached' listener; message listeners taken off at the first
// of several messages published at once.
test('presence calls from listeners of one\'s own channel and presence events; listeners off mid-publish', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    await t.op('bob subscribe', t.watchPresence('bob sees', bobs).subscribed);
    const calls = [];
    const call = (what, promise) => calls.push(t.settle(promise).then((outcome) => t.record('from listeners', [what, outcome])));
    let attaches = 0;
    adas.on('attached', () => { attaches += 1; call(`enter on attached ${attaches}`, adas.presence.enter(`a${attaches}`)); });
    adas.presence.subscribe((m) => {
      t.record('ada sees', [m.action, m.clientId, m.data ?? null]);
      if (m.clientId !== 'ada') return;
      if (m.action === 'enter' && m.data === 'a1') call('update on own enter', adas.presence.update('typing'));
      if (m.action === 'update' && m.data === 'typing') call('leave on own update', adas.presence.leave('gone'));
    });
    await t.op('attach', adas.attach());
    await t.until('bob sees', 3);
    await Promise.all(calls);
    await t.op('detach', adas.detach());
    await t.op('attach again', adas.attach());
    await t.until('bob sees', 4);
    await Promise.all(calls);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await t.op('bob get', bobs.presence.get());
    await t.op('ada get', adas.presence.get());
    // A member list filled from the 'attached' listener of a late joiner.
    const cy = t.client('cy', 'cy');
    const cys = cy.channels.get(t.name);
    cys.once('attached', () => call('get() in attached', cys.presence.get()));
    cys.once('attached', () => t.record('from listeners', ['syncComplete in attached', cys.presence.syncComplete]));
    await t.op('cy attach', cys.attach());
    await Promise.all(calls);
    // A listener that takes itself off at the first of several messages published at
    // once, and one that takes off another.
    const first = function (m) { t.record('cy hears', ['first only', m.name]); cys.unsubscribe(first); };
    const other = (m) => t.record('cy hears', ['other', m.name]);
    const remover = (m) => { t.record('cy hears', ['remover', m.name]); cys.unsubscribe('b', other); };
    await t.op('cy subscribe', cys.subscribe(first));
    await t.op('cy subscribe remover', cys.subscribe(remover));
    await t.op('cy subscribe other', cys.subscribe(['a', 'b', 'c'], other));
    await t.op('publish three at once', adas.publish([{ name: 'a', data: '1' }, { name: 'b', data: '2' }, { name: 'c', data: '3' }]));
    await t.until('cy hears', 5);
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
});

// Connection listeners that act at once: ping() and authorize() from 'connected',
// connect() again from 'closed', a channel attached from 'connecting'.
test('calls made from connection listeners: ping and authorize on connected, connect on closed', opts, async () => {
  await differential(async (t) => {
    const calls = [];
    const call = (what, promise) => calls.push(t.settle(promise).then((outcome) => t.record('from listeners', [what, outcome])));
    const ada = t.client('ada', 'ada', { autoConnect: false });
    ada.connection.once('connecting', () => call('attach in connecting', ada.channels.get(t.name).attach()));
    ada.connection.once('connected', () => {
      call('ping in connected', ada.connection.ping());
      call('authorize in connected', ada.auth.authorize());
    });
    ada.connect();
    await t.op('ada connected', ada.connection.whenState('connected'));
    await t.until('from listeners', 3);
    await Promise.all(calls);
    t.read('after', { connection: ada.connection.state, channel: ada.channels.get(t.name).state });
    const bob = t.client('bob', 'bob');
    await t.op('bob connected', bob.connection.whenState('connected'));
    bob.connection.once('closed', () => bob.connect());
    bob.close();
    await t.op('bob closed', bob.connection.once('closed'));
    await t.op('bob connected again', bob.connection.whenState('connected'));
    await t.op('bob enter', bob.channels.get(t.name).presence.enter('back'));
  });
});
