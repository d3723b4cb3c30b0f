// Differential parity with ably-js, twelfth round (the harness: differential.mjs): REST
// params the server refuses or ignores, and a fixed token the server refuses.
import { test } from 'node:test';
import { skip } from './ably.mjs';
import { differential } from './differential.mjs';

const opts = { skip, timeout: 120_000 };

// ably-js puts history and get params in the query as given, and the server answers: a
// direction other than 'forwards' or 'backwards', or a start or end that is not a
// time, is refused (40000); a limit that is not a whole number is ignored (the default
// page). Roster read a bad direction as backwards, a bad start as 0 and a bad limit as 0
// or its whole part. The same for Realtime's presence.history (REST underneath).
test('history and get with params the server refuses or ignores: direction, start, end, limit', opts, async () => {
  await differential(async (t) => {
    const page = (r) => ({ items: r.items.length, hasNext: r.hasNext() });
    const read = async (what, promise) => {
      t.read(what, await t.within(promise, what).then((r) => ({ resolved: page(r) }), (e) => ({ rejected: t.error(e) })));
    };
    const agent = t.client('agent', '*');
    const presence = agent.channels.get(t.name).presence;
    for (const n of [1, 2, 3]) await presence.enterClient(`c${n}`, `d${n}`);
    const channel = t.rest('reader').channels.get(t.name);
    for (const [name, history] of [['rest', channel.presence], ['realtime', presence]]) {
      for (const limit of [0, -1, 1, 2.5, 'x', 1001]) await read(`${name} history({ limit: ${limit} })`, history.history({ limit }));
      for (const direction of ['sideways', 'FORWARDS', '', 'forwards']) {
        await read(`${name} history({ direction: '${direction}' })`, history.history({ direction }));
      }
      for (const start of [-1, 'x', 1.5]) await read(`${name} history({ start: ${start} })`, history.history({ start }));
      await read(`${name} history({ end: x })`, history.history({ end: 'x' }));
    }
    for (const limit of [0, -1, 2.5, 'x', 1001]) await read(`rest get({ limit: ${limit} })`, channel.presence.get({ limit }));
  });
});

// ably-js (RSA4a2): a token error for a token the client has no way to renew (a token
// given alone) is 40171, 403; Roster gave the server's 40143, 401.
test('a fixed token the server refuses: 40171 for get, history and batchPresence', opts, async () => {
  await differential(async (t) => {
    const garbage = t.rest(null, { token: 'garbage', authUrl: undefined, authParams: undefined });
    const channel = garbage.channels.get(t.name);
    await t.op('get', channel.presence.get());
    await t.op('history', channel.presence.history());
    await t.op('batchPresence', garbage.batchPresence([t.name]));
  });
});
