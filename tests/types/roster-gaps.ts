// ably-js 2.x code that compiles on ably-js's types but must not on Roster's: each line
// uses something Roster does not do at runtime (README: "Not there (yet)"), so its types
// do not declare it. Compiled against Roster's types only (tsconfig.json).
import * as Ably from 'roster-presence';
import RealtimeEntry from 'roster-presence/realtime';

async function gaps(client: Ably.Realtime, rest: Ably.Rest): Promise<void> {
  const channel = client.channels.get('room');
  // @ts-expect-error: no message history.
  await channel.history();
  // @ts-expect-error: time() is on Rest only.
  await client.time();
  // @ts-expect-error: the other auth methods are on Rest only.
  await client.auth.createTokenRequest();
  // @ts-expect-error: untilAttach is not supported.
  await channel.presence.history({ untilAttach: true });
  // @ts-expect-error: channel encryption throws 40000.
  client.channels.get('secret', { cipher: { key: 'base64key' } });
  // @ts-expect-error: no derived channels.
  client.channels.getDerived('room', { filter: 'name == "chat"' });
  // @ts-expect-error: a listener is needed (ably-js attaches without one; Roster rejects with 40000).
  await channel.presence.subscribe('enter');
  // @ts-expect-error: a listener is needed (as above).
  await channel.subscribe('chat');
  // @ts-expect-error: publish resolves with nothing: no serials.
  const { serials } = await channel.publish('chat', 'hi');
  // @ts-expect-error: no logging options.
  new Ably.Realtime({ key: 'appId.keyId:secret', logLevel: 4 });
  // @ts-expect-error: the REST client has no message publishing.
  await rest.channels.get('room').publish('chat', 'hi');
  // @ts-expect-error: errorReason is null until there is an error (ably.d.ts types it as always there).
  console.log(client.connection.errorReason.code, serials);
  // @ts-expect-error: modes is undefined before the first attach (ably.d.ts types it as always there).
  channel.modes.includes('publish');
  // @ts-expect-error: auth.clientId is undefined without one (ably.d.ts types it as a string).
  const clientId: string = client.auth.clientId;
  console.log(clientId);
}

// The realtime entry's default export holds its values only: no Rest there.
// @ts-expect-error: Rest is in the full entry.
new RealtimeEntry.Rest('a-token');
// Its types come with it all the same.
const realtimeChannel: RealtimeEntry.RealtimeChannel | null = null;
console.log(realtimeChannel, new RealtimeEntry.Realtime({ authUrl: '/auth' }));

gaps;
