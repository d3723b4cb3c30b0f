// An app on the realtime-only entry's types; `tsc --noEmit` must accept it.
import roster, { Realtime, type ErrorInfo, type PresenceMessage, type PaginatedResult } from 'roster-presence/realtime';
// @ts-expect-error: Rest is only in the full entry.
import type { Rest } from 'roster-presence/realtime';

async function main(): Promise<void> {
  const client = new Realtime({ key: 'app.key:secret', clientId: 'ada' });
  const other: Realtime = new roster.Realtime({
    authUrl: '/auth/token-request',
    closeOnUnload: false,
    recover: (last, recover) => recover(last.location.href === location.href && last.clientId === 'ada'),
  });
  const key: string | null = other.connection.createRecoveryKey();
  const again = new Realtime({ authUrl: '/auth/token-request', recover: key ?? undefined, recoveryKeyStorageName: 'room' });
  again.close();
  client.connection.on(['connected', 'disconnected'], (change) => console.log(change.current, change.retryIn));
  const channel = client.channels.get('room');
  await channel.presence.subscribe('enter', (member: PresenceMessage) => console.log(member.clientId, member.data));
  await channel.presence.enter({ status: 'here' });
  const members: PresenceMessage[] = await channel.presence.get({ waitForSync: false });
  const page: PaginatedResult<PresenceMessage> = await channel.presence.history({ direction: 'forwards', limit: 5 });
  console.log(members.length, page.items.length, page.hasNext());
  const watcher = client.channels.get('lobby', { modes: ['PRESENCE_SUBSCRIBE'], params: { rewind: '1' } });
  await watcher.setOptions({ modes: ['SUBSCRIBE', 'PRESENCE_SUBSCRIBE'] });
  const granted: string[] = watcher.modes ?? [];
  console.log(granted.includes('presence_subscribe'), watcher.params.rewind);
  // @ts-expect-error: modes are the ably-js names.
  client.channels.get('x', { modes: ['WATCH'] });
  const me: string | undefined = client.auth.clientId;
  const { token } = await client.auth.authorize(null, { authCallback: (params, done) => done(null, `token-for-${params.clientId}`) });
  console.log(token);
  const change = await client.channels.get('other').attach();
  if (change && !change.resumed) console.log(change.previous, change.reason?.code);
  const subscribed: { resumed: boolean } | null = await client.channels.get('other').subscribe('chat', (m) => console.log(m.data));
  console.log(subscribed);
  // As ably/react's ChannelProvider sets them.
  await client.channels.get('hooked').setOptions({ params: { agent: 'react-hooks/2.28.0' }, attachOnSubscribe: false });
  const attached = await watcher.whenState('attached');
  console.log(me, attached?.resumed);
  await watcher.detach();
  client.channels.release('lobby');
  for (const [channelName, open] of Object.entries(client.channels.all)) console.log(channelName, open.state);
  try {
    await channel.presence.leave();
  } catch (e) {
    console.log((e as ErrorInfo).code);
  }
  client.close();
  other.close();
}

main();
