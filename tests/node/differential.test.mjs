// Differential parity with ably-js: each scenario runs twice in one Chromium page against
// the same roster-server, once with ably-js's `Ably.Realtime` (its browser build) and once
// with Roster's `Realtime` (the built package at /pkg), with the same options apart from
// the class. Each run records what an app observes (state changes, presence events,
// get() results, what promises resolve or reject with, the properties it reads), with
// connection ids, message ids and timestamps normalized, and the two traces must be equal
// (the harness is in differential.mjs; differential-2.test.mjs has more scenarios).
import { test } from 'node:test';
import { skip } from './ably.mjs';
import { differential, presenceRefusals } from './differential.mjs';

const opts = { skip, timeout: 120_000 };

test('connection: states, once() and whenState() promises, close, and what a closed client refuses', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada', { autoConnect: false });
    const { connection } = ada;
    const properties = () => ({
      state: connection.state, hasId: typeof connection.id === 'string', hasKey: typeof connection.key === 'string',
      errorReason: connection.errorReason ? t.error(connection.errorReason) : null, clientId: ada.auth.clientId ?? null,
    });
    t.read('before connect', properties());
    const connected = connection.once('connected');
    t.read('once(event) returns', typeof connected?.then);
    ada.connect();
    t.read('state after connect()', connection.state);
    await t.op('once(connected)', connected);
    await t.op('whenState(connected) when connected', connection.whenState('connected'));
    t.read('connected', properties());
    const channel = ada.channels.get(t.name);
    await t.op('attach', channel.attach());
    await t.op('enter', channel.presence.enter('here'));
    const closed = connection.once('closed');
    t.read('close() returns', t.shape(ada.close()));
    // ably-js is closed at once; Roster is closing until the server's CLOSED (RTN12a).
    t.read('closing or closed after close()', ['closing', 'closed'].includes(connection.state));
    await t.op('once(closed)', closed);
    t.read('closed', properties());
    t.read('channel after close', { state: channel.state, errorReason: channel.errorReason ? t.error(channel.errorReason) : null });
    await t.op('whenState(closed) when closed', connection.whenState('closed'));
    await t.op('attach when closed', channel.attach());
    await t.op('enter when closed', channel.presence.enter('again'));
    await t.op('update when closed', channel.presence.update('again'));
    await t.op('leave when closed', channel.presence.leave());
    await t.op('get when closed', channel.presence.get());
    await t.op('get({ waitForSync: false }) when closed', channel.presence.get({ waitForSync: false }));
    await t.op('presence.subscribe when closed', channel.presence.subscribe(() => {}));
    await t.op('publish when closed', channel.publish('chat', 'hi'));
    await t.op('detach when closed', channel.detach());
    await t.op('attach a new channel when closed', ada.channels.get(`${t.name}-new`).attach());
    t.read('after the refusals', { connection: connection.state, channel: channel.state });
  });
});

test('enter, update and leave with string, object and absent data, as the client and a second client see them', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const mine = ada.channels.get(t.name);
    const theirs = bob.channels.get(t.name);
    await t.op('bob presence.subscribe', t.watchPresence('bob sees', theirs).subscribed);
    await t.op('ada presence.subscribe', t.watchPresence('ada sees', mine).subscribed);
    t.read('ada syncComplete', mine.presence.syncComplete);
    const steps = [
      ['enter', 'hello'], ['update', { mood: 'busy', n: 1, tags: ['a', null], ok: true }], ['update'],
      ['leave'], ['enter'], ['update', 'again'], ['leave', 'bye'], ['enter', { nested: { x: [1, 2] } }], ['leave', [7, 'x']],
    ];
    let count = 0;
    for (const [action, ...data] of steps) {
      await t.op(`ada ${action}(${data.map((d) => JSON.stringify(d))})`, mine.presence[action](...data));
      count += 1;
      await t.until('bob sees', count);
      await t.until('ada sees', count);
      await t.op(`bob get after ${action}`, theirs.presence.get());
      await t.op(`ada get after ${action}`, mine.presence.get());
    }
  });
});

test('subscribe to one action, to an array, everything; unsubscribe by listener, by action, everything', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const presence = ada.channels.get(t.name).presence;
    const theirs = bob.channels.get(t.name);
    const listener = (stream) => (m) => t.record(stream, [m.action, m.clientId, m.data]);
    const onEnter = listener('enter listener');
    const onEnterLeave = listener('enter+leave listener');
    const onAll = listener('all listener');
    const onUpdate = listener('update listener');
    const onPresent = listener('present listener');
    await t.op('subscribe(enter)', theirs.presence.subscribe('enter', onEnter));
    await t.op('subscribe([enter, leave])', theirs.presence.subscribe(['enter', 'leave'], onEnterLeave));
    await t.op('subscribe(listener)', theirs.presence.subscribe(onAll));
    await t.op('subscribe(update)', theirs.presence.subscribe('update', onUpdate));
    await t.op('subscribe(present)', theirs.presence.subscribe('present', onPresent));
    // A round: ada enters, updates and leaves, and a fresh listener for everything says when
    // bob has had all three (the listeners before it have had them too by then).
    let round = 0;
    const roundTrip = async () => {
      round += 1;
      const stream = `round ${round}`;
      const { subscribed } = t.watchPresence(stream, theirs);
      await subscribed;
      await t.op(`round ${round} enter`, presence.enter(`e${round}`));
      await t.op(`round ${round} update`, presence.update(`r${round}`));
      await t.op(`round ${round} leave`, presence.leave());
      await t.until(stream, 3);
    };
    await roundTrip();
    t.read('unsubscribe(listener) returns', t.shape(theirs.presence.unsubscribe(onAll)));
    await roundTrip();
    t.read('unsubscribe(enter) returns', t.shape(theirs.presence.unsubscribe('enter')));
    await roundTrip();
    t.read('unsubscribe(leave, listener) returns', t.shape(theirs.presence.unsubscribe('leave', onEnterLeave)));
    await roundTrip();
    t.read('unsubscribe() returns', t.shape(theirs.presence.unsubscribe()));
    await roundTrip();
    t.read('channel state after unsubscribing all', theirs.state);
  });
});

test('presence.get() with clientId and connectionId filters and waitForSync, on a client that joins late', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const agent = t.client('agent', '*');
    await t.op('ada enter', ada.channels.get(t.name).presence.enter('a'));
    const theirs = agent.channels.get(t.name).presence;
    await t.op('agent enterClient c1', theirs.enterClient('c1', 'one'));
    await t.op('agent enterClient c2', theirs.enterClient('c2', { two: 2 }));
    await t.op('agent enterClient ada', theirs.enterClient('ada', 'agent-ada'));
    const bob = t.client('bob', 'bob');
    const channel = bob.channels.get(t.name);
    t.read('syncComplete before attach', channel.presence.syncComplete);
    await t.op('bob get() (implicit attach, waits for the sync)', channel.presence.get());
    t.read('after get', { state: channel.state, syncComplete: channel.presence.syncComplete });
    await t.op('get({ waitForSync: true })', channel.presence.get({ waitForSync: true }));
    await t.op('get({ waitForSync: false })', channel.presence.get({ waitForSync: false }));
    await t.op('get({ clientId: c1 })', channel.presence.get({ clientId: 'c1' }));
    await t.op('get({ clientId: ada })', channel.presence.get({ clientId: 'ada' }));
    await t.op('get({ clientId: nobody })', channel.presence.get({ clientId: 'nobody' }));
    await t.op('get({ connectionId: agent })', channel.presence.get({ connectionId: agent.connection.id }));
    await t.op('get({ connectionId: ada })', channel.presence.get({ connectionId: ada.connection.id }));
    await t.op('get({ connectionId: bob })', channel.presence.get({ connectionId: bob.connection.id }));
    await t.op('get({ clientId: ada, connectionId: agent })', channel.presence.get({ clientId: 'ada', connectionId: agent.connection.id }));
    await t.op('get({ clientId: c1, connectionId: ada })', channel.presence.get({ clientId: 'c1', connectionId: ada.connection.id }));
    await t.op('get({ clientId: c2, waitForSync: false })', channel.presence.get({ clientId: 'c2', waitForSync: false }));
    await t.op('get() again', channel.presence.get());
  });
});

// As ably-js compares a filter loosely and takes a falsy one for none: a numeric clientId
// (an app's user id) finds the member of that id as text, null or '' lists everyone.
// Roster listed everyone for a filter that was not a string, and a get(null) threw.
test('presence.get() with filters that are not strings: a number, null, an empty string; get(null)', opts, async () => {
  await differential(async (t) => {
    const agent = t.client('agent', '*');
    const presence = agent.channels.get(t.name).presence;
    await t.op('enterClient 42', presence.enterClient('42', 'forty-two'));
    await t.op('enterClient 7', presence.enterClient('7', 'seven'));
    const bob = t.client('bob', 'bob');
    const theirs = bob.channels.get(t.name).presence;
    await t.op('get()', theirs.get());
    await t.op('get({ clientId: 42 })', theirs.get({ clientId: 42 }));
    await t.op('get({ clientId: 8 })', theirs.get({ clientId: 8 }));
    await t.op('get({ clientId: null })', theirs.get({ clientId: null }));
    await t.op("get({ clientId: '' })", theirs.get({ clientId: '' }));
    await t.op('get({ connectionId: null })', theirs.get({ connectionId: null }));
    await t.op('get(null)', theirs.get(null));
    // Bob reads once he has heard both changes (the leave comes first): the agent's ACKs
    // say nothing of when they reach him (only waited for, not recorded).
    const heardNine = new Promise((resolve) => {
      theirs.subscribe('enter', function nine(m) {
        if (m.clientId !== '9') return;
        theirs.unsubscribe('enter', nine);
        resolve();
      });
    });
    await t.op('leaveClient 7', presence.leaveClient('7'));
    await t.op('enterClient 9', presence.enterClient('9', 'nine'));
    await t.within(heardNine, 'bob hears 9 enter');
    await t.op('get({ clientId: null }) after changes', theirs.get({ clientId: null }));
    await t.op('get() after changes', theirs.get());
  });
});

test('enterClient, updateClient and leaveClient with a * token; enter and enterClient a client may not do', opts, async () => {
  await differential(async (t) => {
    const agent = t.client('agent', '*');
    const bob = t.client('bob', 'bob');
    await t.op('bob subscribe', t.watchPresence('bob sees', bob.channels.get(t.name)).subscribed);
    const presence = agent.channels.get(t.name).presence;
    await t.within(agent.connection.whenState('connected'), 'agent connected');
    t.read('agent auth.clientId once connected', agent.auth.clientId ?? null);
    await t.op('enterClient(x, one)', presence.enterClient('x', 'one'));
    await t.op('enterClient(y)', presence.enterClient('y'));
    await t.op('updateClient(x, { v: 2 })', presence.updateClient('x', { v: 2 }));
    await t.op('updateClient(y)', presence.updateClient('y'));
    await t.op('leaveClient(x, bye)', presence.leaveClient('x', 'bye'));
    await t.op('leaveClient(y)', presence.leaveClient('y'));
    await t.until('bob sees', 6);
    await t.op('enter() with a * token', presence.enter('who'));
    await t.op('update() with a * token', presence.update('who'));
    await t.op('leave() with a * token', presence.leave());
    await t.op('enterClient(*)', presence.enterClient('*', 'star'));
    const ada = t.client('ada', 'ada');
    const adas = ada.channels.get(t.name).presence;
    await t.op('ada enterClient(ada)', adas.enterClient('ada', 'self'));
    await t.op('ada enterClient(mallory)', adas.enterClient('mallory', 'spoof'));
    await t.op('ada leaveClient(mallory)', adas.leaveClient('mallory'));
    await t.op('ada leaveClient(ada)', adas.leaveClient('ada'));
    await t.until('bob sees', 8);
    await t.op('bob get', bob.channels.get(t.name).presence.get());
  });
});

test('a client without a clientId cannot enter (40012) but can watch', opts, async () => {
  await differential(async (t) => {
    const anon = t.client('anon', null);
    const channel = anon.channels.get(t.name);
    await t.op('connected', anon.connection.whenState('connected'));
    t.read('auth.clientId', anon.auth.clientId ?? null);
    await t.op('enter', channel.presence.enter('x'));
    t.read('channel after enter', channel.state);
    await t.op('update', channel.presence.update('x'));
    await t.op('leave', channel.presence.leave());
    await t.op('enterClient(x)', channel.presence.enterClient('x', 'x'));
    await t.op('presence.subscribe', t.watchPresence('anon sees', channel).subscribed);
    const ada = t.client('ada', 'ada');
    await t.op('ada enter', ada.channels.get(t.name).presence.enter('hi'));
    await t.until('anon sees', 1);
    await t.op('get', channel.presence.get());
    t.read('end', { connection: anon.connection.state, channel: channel.state });
  });
});

test('a token without presence capability: enter is refused, the channel goes on; another channel fails', opts, async () => {
  await differential(async (t) => {
    const watcher = t.client('watcher', 'watcher', { capability: { [t.name]: ['subscribe'] } });
    const channel = watcher.channels.get(t.name);
    t.watchChannel('watcher', channel);
    await t.op('attach', channel.attach());
    await t.op('enter', channel.presence.enter('x'));
    t.read('after enter', { state: channel.state, errorReason: channel.errorReason ? t.error(channel.errorReason) : null });
    await t.op('update', channel.presence.update('x'));
    await t.op('presence.subscribe', t.watchPresence('watcher sees', channel).subscribed);
    const ada = t.client('ada', 'ada');
    await t.op('ada enter', ada.channels.get(t.name).presence.enter('hi'));
    await t.until('watcher sees', 1);
    await t.op('get', channel.presence.get());
    const other = watcher.channels.get(`${t.name}-other`);
    t.watchChannel('other', other);
    await t.op('attach another channel', other.attach());
    t.read('other after attach', { state: other.state, errorReason: other.errorReason ? t.error(other.errorReason) : null });
    await t.op('enter on the failed channel', other.presence.enter('x'));
    await t.op('get on the failed channel', other.presence.get());
    await t.op('detach the failed channel', other.detach());
    t.read('end', { connection: watcher.connection.state, channel: channel.state, other: other.state });
  }, presenceRefusals);
});

test('detach and attach again: members re-synced; a detached member leaves and is not re-entered', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const carol = t.client('carol', 'carol');
    const adas = ada.channels.get(t.name);
    const bobs = bob.channels.get(t.name);
    const carols = carol.channels.get(t.name);
    await t.op('ada enter', adas.presence.enter('here'));
    t.watchChannel('bob', bobs);
    await t.op('bob subscribe', t.watchPresence('bob sees', bobs).subscribed);
    await t.until('bob sees', 1);
    await t.op('bob detach', bobs.detach());
    // Not syncComplete: Roster's is true only for an attached channel in sync; ably-js's
    // is true on a detached one too (it cleared the set, so no sync is in progress).
    t.read('bob detached', bobs.state);
    await t.op('bob detach again', bobs.detach());
    await t.op('ada update', adas.presence.update('moved'));
    await t.op('carol enter', carols.presence.enter('new'));
    await t.op('bob attach', bobs.attach());
    await t.until('bob sees', 3);
    await t.op('bob get after re-attach', bobs.presence.get());
    t.read('bob attached', { state: bobs.state, syncComplete: bobs.presence.syncComplete });
    // ada detaches while present: her member leaves, and attaching again does not re-enter it.
    t.watchChannel('ada', adas);
    await t.op('ada detach', adas.detach());
    await t.until('bob sees', 4);
    await t.op('ada attach', adas.attach());
    await t.op('carol update', carols.presence.update('later'));
    await t.until('bob sees', 5);
    await t.op('bob get at the end', bobs.presence.get());
    // bob hearing carol's update says nothing of ada: wait (bounded) for ada to have it.
    const start = Date.now();
    const hasUpdate = async () => (await adas.presence.get()).some((m) => m.clientId === 'carol' && m.data === 'later');
    while (Date.now() - start < 5000 && !(await hasUpdate())) await new Promise((resolve) => setTimeout(resolve, 20));
    await t.op('ada get at the end', adas.presence.get());
  });
});

test('leave, update and enter out of order: leave when not entered, update before enter, enter twice, enterClient as oneself', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const presence = ada.channels.get(t.name).presence;
    await t.op('bob subscribe', t.watchPresence('bob sees', bob.channels.get(t.name)).subscribed);
    await t.op('leave when not entered (not attached)', presence.leave('never'));
    t.read('channel after leave', ada.channels.get(t.name).state);
    await t.op('leave when not entered (attached)', presence.leave());
    await t.op('update before enter', presence.update('first'));
    await t.until('bob sees', 1);
    await t.op('enter while present', presence.enter('second'));
    await t.op('enter again, same data', presence.enter('second'));
    await t.op('enterClient as herself while present', presence.enterClient('ada', 'self'));
    await t.op('leave', presence.leave());
    await t.op('leave again', presence.leave());
    await t.op('update after leave', presence.update('third'));
    await t.until('bob sees', 6);
    await t.op('bob get', bob.channels.get(t.name).presence.get());
  }, presenceRefusals);
});

test('channel whenState() and once() as promises, and what attach()/detach() resolve with', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const channel = ada.channels.get(t.name);
    t.read('initial', { state: channel.state, errorReason: channel.errorReason ?? null, syncComplete: channel.presence.syncComplete });
    t.read('whenState(initialized) when initialized', t.shape(await t.within(channel.whenState('initialized'), 'whenState')));
    const whenAttached = channel.whenState('attached');
    const onceAttached = channel.once('attached');
    const next = channel.once();
    t.read('on(listener) returns', t.shape(channel.on(() => {})));
    t.read('once(event, listener) returns', t.shape(channel.once('detached', () => {})));
    t.read('off() returns', t.shape(channel.off('detached')));
    const attaching = channel.attach();
    t.read('state right after attach()', channel.state);
    await t.op('attach()', attaching);
    await t.op('whenState(attached)', whenAttached);
    await t.op('once(attached)', onceAttached);
    await t.op('once()', next);
    await t.op('whenState(attached) when attached', channel.whenState('attached'));
    await t.op('attach() when attached', channel.attach());
    await t.op('presence.subscribe when attached', channel.presence.subscribe(() => {}));
    const onceDetached = channel.once('detached');
    const detaching = channel.detach();
    t.read('state right after detach()', channel.state);
    await t.op('detach()', detaching);
    await t.op('once(detached)', onceDetached);
    await t.op('whenState(detached) when detached', channel.whenState('detached'));
    const subscribing = channel.presence.subscribe(() => {});
    t.read('state right after presence.subscribe() on a detached channel', channel.state);
    await t.op('presence.subscribe on a detached channel', subscribing);
    const fresh = ada.channels.get(`${t.name}-sub`);
    await t.op('subscribe(listener) on a new channel', fresh.subscribe(() => {}));
    await t.op('subscribe(name, listener) when attached', fresh.subscribe('chat', () => {}));
  });
});

test('presence.get() on an initialized and on a detached channel, enter on a channel never attached', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    const adas = ada.channels.get(t.name);
    await t.op('enter on an initialized channel', adas.presence.enter('hi'));
    t.read('ada channel after enter', adas.state);
    const channel = bob.channels.get(t.name);
    await t.op('get() on an initialized channel', channel.presence.get());
    t.read('after get', channel.state);
    await t.op('detach', channel.detach());
    await t.op('get() on a detached channel', channel.presence.get());
    t.read('after get on detached', { state: channel.state, syncComplete: channel.presence.syncComplete });
    await t.op('detach again', channel.detach());
    await t.op('get({ waitForSync: false }) on a detached channel', channel.presence.get({ waitForSync: false }));
    // Not the state right after: ably-js's get() resolves once attached, Roster's without
    // waitForSync at once with the members known (none: the detach cleared them).
    await t.within(channel.whenState('attached'), 'attached');
    t.read('then', channel.state);
  });
});

test('channels.release() of an attached, an entered, an initialized and an unknown channel', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const bob = t.client('bob', 'bob');
    await t.op('bob subscribe', t.watchPresence('bob sees', bob.channels.get(t.name)).subscribed);
    const attached = ada.channels.get(`${t.name}-attached`);
    await t.op('attach', attached.attach());
    const detached = attached.once('detached');
    t.read('release(attached) returns', t.shape(ada.channels.release(attached.name)));
    t.read('right after release', { state: attached.state, kept: attached.name in ada.channels.all });
    await t.op('detached after release', detached);
    await new Promise((resolve) => setTimeout(resolve, 0));
    t.read('after it detached', attached.name in ada.channels.all);
    const entered = ada.channels.get(t.name);
    await t.op('enter', entered.presence.enter('bye soon'));
    const left = entered.once('detached');
    ada.channels.release(t.name);
    await t.op('entered channel detached', left);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await t.until('bob sees', 2);
    await t.op('bob get', bob.channels.get(t.name).presence.get());
    const again = ada.channels.get(t.name);
    t.read('get() after release', { same: again === entered, state: again.state });
    const initialized = ada.channels.get(`${t.name}-idle`);
    t.read('release(initialized) returns', t.shape(ada.channels.release(initialized.name)));
    t.read('initialized released', initialized.name in ada.channels.all);
    t.read('release(unknown) returns', t.shape(ada.channels.release('never-made')));
    t.read('channels.all', Object.keys(ada.channels.all).map((name) => name.replace(t.name, 'NAME')).sort());
  });
});

test('what apps do: join a busy room, get() inside a listener, members leaving on close, several channels', opts, async () => {
  await differential(async (t) => {
    const ada = t.client('ada', 'ada');
    const agent = t.client('agent', '*');
    const rooms = [`${t.name}-a`, `${t.name}-b`];
    for (const [i, room] of rooms.entries()) {
      const presence = agent.channels.get(room).presence;
      for (let n = 0; n < 30; n += 1) await presence.enterClient(`user-${String(n).padStart(2, '0')}`, { room: i, n });
    }
    await t.op('ada enter room a', ada.channels.get(rooms[0]).presence.enter({ typing: false }));
    const bob = t.client('bob', 'bob');
    // A member list that refreshes from get() on every presence event.
    const lists = [];
    const channel = bob.channels.get(rooms[0]);
    await t.op('bob subscribe with a get() per event', channel.presence.subscribe((m) => {
      channel.presence.get().then((list) => lists.push([m.action, m.clientId, list.length]), (e) => lists.push(['error', e.code]));
    }));
    await t.op('bob get', channel.presence.get());
    t.read('syncComplete', channel.presence.syncComplete);
    await t.op('bob enter room b', bob.channels.get(rooms[1]).presence.enter('b'));
    await t.op('bob get room b', bob.channels.get(rooms[1]).presence.get({ clientId: 'bob' }));
    await t.op('ada update', ada.channels.get(rooms[0]).presence.update({ typing: true }));
    await t.op('agent leaveClient user-00', agent.channels.get(rooms[0]).presence.leaveClient('user-00'));
    await t.op('ada leaves by closing', (async () => { const closed = ada.connection.once('closed'); ada.close(); await closed; })());
    const start = Date.now();
    while (lists.length < 34 && Date.now() - start < 10_000) await new Promise((resolve) => setTimeout(resolve, 10));
    // The events are in server order; each get() resolves with the set as it is then.
    t.read('events with list sizes', lists.slice(31));
    t.read('present events', lists.filter(([action]) => action === 'present').length);
    await t.op('bob get at the end', channel.presence.get());
  });
});
