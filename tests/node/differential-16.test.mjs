// Differential parity with ably-js, sixteenth round (the harness: differential.mjs): slips
// of the API's edges carried from earlier notes. Listener arguments that are no listener,
// a released channel object that the app still uses, history params that are text of a
// number, a new clientId asked of authorize(), how an ErrorInfo prints, and a channel
// name with a comma in batchPresence.
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
