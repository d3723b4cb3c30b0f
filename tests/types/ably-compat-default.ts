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

/** More of what apps write: typed handlers, option pieces, state checks, errors. */
async function more(client: Ably.Realtime): Promise<void> {
  const recover: Ably.ClientOptions['recover'] = (lastConnectionDetails, callback) => callback(Date.now() - lastConnectionDetails.disconnectedAt < 60_000);
  const withRecovery = new Ably.Realtime({ authUrl: '/auth/token-request', recover, closeOnUnload: false });
  const fromKey = new Ably.Realtime({ recover: client.connection.createRecoveryKey() ?? undefined, authUrl: '/auth' });
  const reason: Ably.ErrorInfo | undefined = (await client.connection.once('failed')).reason;
  const stored: Ably.ErrorInfo | null = client.connection.errorReason;
  const isUp = (state: Ably.ConnectionState): boolean => state === 'connected';
  const isAttached = (channel: Ably.RealtimeChannel): boolean => channel.state === 'attached';
  const details: Ably.TokenDetails = { token: 'x', expires: Date.now() + 60_000, issued: Date.now(), capability: '{"*":["*"]}', clientId: 'ada' };
  const byDetails = new Ably.Realtime({ token: details, autoConnect: false });
  const byTokenString = new Ably.Realtime({ token: 'x', clientId: 'ada', autoConnect: false });
  const list: Ably.PresenceMessage[] = await client.channels.get('room').presence.get({ waitForSync: false });
  const onState = function (this: unknown, change: Ably.ConnectionStateChange): void {
    console.log(change.current);
  };
  client.connection.on(onState);
  const err = new Ably.ErrorInfo('Custom', 40000, 400);
  const code: number = err.code;
  const status: number = err.statusCode;
  const message: string = err.message;
  const cause: Ably.ErrorInfo | undefined = err.cause;
  console.log(reason, stored, isUp(client.connection.state), isAttached(client.channels.get('room')), list, code, status, message, cause);
  const params: Ably.TokenParams = { clientId: 'ada', capability: '{"room":["presence"]}', ttl: 60_000 };
  const opts: Ably.AuthOptions = { authUrl: '/auth', authHeaders: { authorization: 'Bearer x' }, authParams: { room: 'a' }, authMethod: 'POST' };
  await client.auth.authorize(params, opts);
  withRecovery.close();
  fromKey.close();
  byDetails.close();
  byTokenString.close();
}
more(new Realtime({ key: 'appId.keyId:secret' }));
