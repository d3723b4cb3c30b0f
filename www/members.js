// Pure presence bookkeeping for the demo page: no DOM, no SDK.

/** Key of one presence member: one clientId on one connection (device/tab). */
export const memberKey = (m) => `${m.clientId}\u0000${m.connectionId}`;

/** Rows for the member list: one per clientId, devices counted, status merged. */
export function memberRows(members, self) {
  const byClient = new Map();
  for (const m of members.values()) {
    const data = m.data && typeof m.data === 'object' ? m.data : {};
    const row = byClient.get(m.clientId) ?? {
      clientId: m.clientId,
      devices: 0,
      kind: 'human',
      typing: false,
      away: true,
      self: m.clientId === self,
    };
    row.devices += 1;
    if (data.kind === 'agent') row.kind = 'agent';
    row.typing ||= data.typing === true;
    row.away &&= data.away === true;
    byClient.set(m.clientId, row);
  }
  return [...byClient.values()].sort(
    (a, b) => Number(b.self) - Number(a.self) || a.clientId.localeCompare(b.clientId),
  );
}

/**
 * Why a member went away. A LEAVE the client sent carries an id starting with its own
 * connectionId; one the server synthesized after the socket dropped does not.
 */
export function leaveReason(msg) {
  const sent = typeof msg.id === 'string' && msg.id.startsWith(`${msg.connectionId}:`);
  return sent ? 'left' : 'closed the tab';
}

/** What the connection state means to a person: connected, reconnecting or offline. */
export function connectionLabel(state) {
  switch (state) {
    case 'connected': return 'connected';
    case 'initialized':
    case 'connecting':
    case 'disconnected': return 'reconnecting';
    default: return 'offline';
  }
}

const ADJECTIVES = ['brave', 'calm', 'clever', 'eager', 'gentle', 'happy', 'jolly', 'lucky', 'quick', 'witty'];
const ANIMALS = ['otter', 'falcon', 'panda', 'lynx', 'heron', 'koala', 'marten', 'puffin', 'yak', 'zebra'];

/** A random friendly name such as "witty-otter-42". */
export function randomName() {
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  return `${pick(ADJECTIVES)}-${pick(ANIMALS)}-${Math.floor(Math.random() * 90) + 10}`;
}

/** Who is typing, as a sentence ("" when nobody else is). */
export function typingLine(rows) {
  const names = rows.filter((r) => r.typing && !r.self).map((r) => r.clientId);
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`;
}
