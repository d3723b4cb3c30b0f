// Interop: a real ably-js client whose authUrl hands out 2 s tokens. Each time a token
// expires the server disconnects it with 40142; ably-js fetches a new token and resumes at
// once (RTN15h2), so its connection and presence member survive: others see no leave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, connected, nextPresence, realtime, skip, uniqueChannel, within } from './ably.mjs';

const TTL_MS = 2000;
// Shorter than the default, so a renewal that lost the connection would show a leave
// well inside the test.
const REMAIN_PRESENT_FOR = 1500;
const RENEWALS = 2;

test('token expiry: ably-js renews and resumes, the member never leaves', { skip, timeout: 60_000 }, async () => {
  const name = uniqueChannel('interop-expiry');
  const observer = realtime('observer');
  const member = realtime('tim', {
    authParams: { clientId: 'tim', ttl: String(TTL_MS) },
    transportParams: { remainPresentFor: REMAIN_PRESENT_FOR },
  });
  try {
    const o = observer.channels.get(name);
    await o.attach();
    const seen = [];
    await o.presence.subscribe((m) => seen.push(`${m.action}:${m.clientId}`));

    await connected(member);
    const connectionId = member.connection.id;
    const changes = [];
    let renewed;
    const renewals = new Promise((resolve) => {
      renewed = resolve;
    });
    let count = 0;
    member.connection.on((change) => {
      changes.push(`${change.current}:${change.reason?.code ?? ''}`);
      if (change.current === 'connected' && changes.at(-3) === 'disconnected:40142') {
        count += 1;
        if (count === RENEWALS) renewed();
      }
    });
    const entered = nextPresence(o, 'enter', (m) => m.clientId === 'tim');
    await member.channels.get(name).presence.enter({ here: true });
    await entered;

    await within(renewals, 8 * TTL_MS + 10_000, `${RENEWALS} renewals (seen ${changes.join(', ')})`);
    // Past remainPresentFor: a member dropped at the last expiry would have left by now.
    await new Promise((resolve) => setTimeout(resolve, REMAIN_PRESENT_FOR + 1000));

    assert.equal(member.connection.id, connectionId, 'the connection resumed each time');
    assert.equal(member.connection.state, 'connected');
    assert.deepEqual(
      changes.slice(0, 3),
      ['disconnected:40142', 'connecting:', 'connected:'],
      'disconnected with 40142, then straight back',
    );
    assert.deepEqual(seen.filter((e) => e.endsWith(':tim')), ['enter:tim'], seen.join(', '));
    const members = await o.presence.get();
    assert.deepEqual(members.map((m) => [m.clientId, m.connectionId, m.data]), [['tim', connectionId, { here: true }]]);
  } finally {
    await closeAll([observer, member]);
  }
});
