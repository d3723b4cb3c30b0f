// Typical ably-js 2.x TypeScript with the default import, as apps built with
// esModuleInterop (or a bundler) write it: `import Ably from 'ably'`, here
// 'roster-presence', `Ably.X` then naming both the classes and the types; and named
// imports of both. Compiled against Roster's types and ably-js's own, as ably-compat.ts.
import Ably from 'roster-presence';
import { Realtime, Rest, ErrorInfo } from 'roster-presence';
import type { ConnectionStateChange, PresenceMessage, RealtimeChannel, TokenRequest } from 'roster-presence';

/** An authCallback declared apart, its callback typed in full as ably.d.ts has it. */
function authCallback(
  tokenParams: Ably.TokenParams,
  callback: (error: Ably.ErrorInfo | string | null, tokenRequestOrDetails: Ably.TokenDetails | Ably.TokenRequest | string | null) => void,
): void {
  fetch(`/auth?clientId=${encodeURIComponent(tokenParams.clientId ?? '')}`)
    .then((response) => response.json() as Promise<TokenRequest>)
    .then((request) => callback(null, request))
    .catch((error: unknown) => callback(new Ably.ErrorInfo(String(error), 40170, 401), null));
}

/** A room class as an app writes one: the client and channel kept in typed fields. */
class Room {
  private readonly client: Ably.Realtime;
  private readonly channel: Ably.RealtimeChannel;
  readonly members = new Map<string, Ably.PresenceMessage>();
  lastError: Ably.ErrorInfo | null = null;

  constructor(name: string, clientId: string) {
    const authOptions: Ably.AuthOptions = { authCallback };
    const options: Ably.ClientOptions = { ...authOptions, clientId, autoConnect: true };
    this.client = new Ably.Realtime(options);
    this.channel = this.client.channels.get(name, { modes: ['PRESENCE', 'PRESENCE_SUBSCRIBE'] });
    this.client.connection.on((change: Ably.ConnectionStateChange) => {
      if (change.reason) this.lastError = change.reason;
    });
    this.channel.on((change: Ably.ChannelStateChange) => console.log(change.current, change.reason?.code));
  }

  async join(data: { status: string }): Promise<void> {
    const presence: Ably.RealtimePresence = this.channel.presence;
    await presence.subscribe((member: Ably.PresenceMessage) => {
      const action: Ably.PresenceAction = member.action;
      if (action === 'leave' || action === 'absent') this.members.delete(member.clientId);
      else this.members.set(member.clientId, member);
    });
    try {
      await presence.enter(data);
    } catch (err) {
      if (err instanceof Ably.ErrorInfo) this.lastError = err;
      else throw err;
    }
  }

  async history(): Promise<Ably.PresenceMessage[]> {
    const page: Ably.PaginatedResult<Ably.PresenceMessage> = await this.channel.presence.history({ limit: 50 });
    return page.items;
  }

  onMessage(listener: (message: Ably.InboundMessage) => void): Promise<Ably.ChannelStateChange | null> {
    return this.channel.subscribe(listener);
  }

  close(): void {
    this.client.close();
  }
}

async function namedImports(): Promise<void> {
  const client: Realtime = new Realtime({ authUrl: '/auth/token-request', clientId: 'ada' });
  const channel: RealtimeChannel = client.channels.get('room');
  const members: PresenceMessage[] = await channel.presence.get();
  const change: ConnectionStateChange = await client.connection.once('connected');
  const rest: Rest = new Rest({ key: 'appId.keyId:secret' });
  const byDefault: Ably.Rest = new Ably.Rest('a-token');
  const request: Ably.TokenRequest = await rest.auth.createTokenRequest({ clientId: 'bob' });
  const token: Ably.TokenDetails = await client.auth.authorize({ clientId: 'ada' });
  console.log(members.length, change.current, request.mac, token.token, await byDefault.time());
  try {
    await channel.presence.enter('here');
  } catch (err) {
    if (err instanceof ErrorInfo && err.code === 40160) console.log('no presence capability', err.statusCode);
  }
  // A function for either client, with ably-js's client interface names.
  const realtimeClient: Ably.RealtimeClient = client;
  const restClient: Ably.RestClient = rest;
  console.log(realtimeClient.connection.state, restClient.channels.get('room').name);
}

const room = new Room('lobby', 'ada');
room.join({ status: 'here' }).then(() => room.history()).then(console.log).finally(() => room.close());
namedImports();
