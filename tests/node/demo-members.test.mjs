// The demo page's presence bookkeeping (www/members.js), without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionLabel, leaveReason, memberRows, randomName, typingLine } from '../../www/members.js';

const member = (clientId, connectionId, data) => ({ clientId, connectionId, data, action: 'present' });

test('one row per clientId, devices counted, status merged across devices', () => {
  const rows = memberRows([
    member('bob', 'c1', { kind: 'human', typing: false, away: true }),
    member('bob', 'c2', { kind: 'human', typing: true, away: false }),
    member('alice', 'c3', { kind: 'human', away: true }),
    member('zed', 'c4', { kind: 'agent' }),
    member('me', 'c5', undefined),
  ], 'me');
  assert.deepEqual(rows, [
    { clientId: 'me', devices: 1, kind: 'human', typing: false, away: false, self: true },
    { clientId: 'alice', devices: 1, kind: 'human', typing: false, away: true, self: false },
    { clientId: 'bob', devices: 2, kind: 'human', typing: true, away: false, self: false },
    { clientId: 'zed', devices: 1, kind: 'agent', typing: false, away: false, self: false },
  ]);
});

test('a leave sent by the client reads "left", a server-synthesized one "closed the tab"', () => {
  assert.equal(leaveReason({ connectionId: 'abc', id: 'abc:4:0' }), 'left');
  assert.equal(leaveReason({ connectionId: 'abc', id: 'srv-17:0' }), 'closed the tab');
  assert.equal(leaveReason({ connectionId: 'abc' }), 'closed the tab');
});

test('typing line names others only', () => {
  const row = (clientId, typing, self = false) => ({ clientId, typing, self });
  assert.equal(typingLine([row('me', true, true)]), '');
  assert.equal(typingLine([row('bob', true)]), 'bob is typing…');
  assert.equal(typingLine([row('a', true), row('b', true), row('c', true)]), 'a, b and c are typing…');
});

test('connection states map to connected / reconnecting / offline', () => {
  assert.equal(connectionLabel('connected'), 'connected');
  assert.equal(connectionLabel('disconnected'), 'reconnecting');
  assert.equal(connectionLabel('connecting'), 'reconnecting');
  for (const s of ['suspended', 'failed', 'closed']) assert.equal(connectionLabel(s), 'offline');
});

test('random names look like adjective-animal-number', () => {
  for (let i = 0; i < 20; i++) assert.match(randomName(), /^[a-z]+-[a-z]+-\d\d$/);
});
