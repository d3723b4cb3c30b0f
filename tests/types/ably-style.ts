// Code written for ably-js 2.x's types, with only the import changed: an app replacing
// ably-js's realtime presence with Roster should compile unchanged. (Checked against
// ably's own ably.d.ts too when written.)
import * as Ably from 'roster-presence';
import type {
  AuthOptions, ChannelStateChange, ClientOptions, ConnectionStateChange, InboundMessage, PaginatedResult,
  PresenceAction, PresenceMessage, RealtimeChannel, RealtimeHistoryParams, RealtimePresenceParams,
  TokenDetails, TokenParams, TokenRequest, messageCallback, connectionEventCallback,
  channelEventCallback, BatchPresenceSuccessResult, BatchPresenceFailureResult, RestPresenceParams,
} from 'roster-presence';

const options: ClientOptions = {
  authUrl: '/auth',
  clientId: 'ada',
  disconnectedRetryTimeout: 5000,
  suspendedRetryTimeout: 10000,
  closeOnUnload: true,
};

function onPresence(message: PresenceMessage): void {
  const seen = new Date(message.timestamp);
  const age: number = Date.now() - message.timestamp;
  const id: string = message.id;
  console.log(message.action, message.clientId, message.connectionId, seen, age, id, message.data);
}

async function main(): Promise<void> {
  const realtime = new Ably.Realtime(options);
  const onState: connectionEventCallback = (change: ConnectionStateChange) => console.log(change.current, change.retryIn);
  realtime.connection.on(onState);
  await realtime.connection.once('connected');
  const channel: RealtimeChannel = realtime.channels.get('room');
  const onChannel: channelEventCallback = (change: ChannelStateChange) => console.log(change.resumed, change.reason?.code);
  channel.on(['attached', 'suspended'], onChannel);
  const actions: PresenceAction[] = ['enter', 'leave'];
  const listener: messageCallback<PresenceMessage> = onPresence;
  await channel.presence.subscribe(actions, listener);
  const onMessage: messageCallback<InboundMessage> = (m) => {
    const edited: boolean = m.action === 'message.update' || m.version.serial !== m.serial;
    console.log(m.name, m.data, edited, new Date(m.version.timestamp ?? m.timestamp), Object.keys(m.annotations.summary));
  };
  const attached = await channel.subscribe('chat', onMessage);
  console.log(attached?.resumed);
  await channel.presence.enter({ status: 'here' });
  const params: RealtimePresenceParams = { waitForSync: true, clientId: 'ada' };
  const members: PresenceMessage[] = await channel.presence.get(params);
  const historyParams: RealtimeHistoryParams = { limit: 10, direction: 'backwards' };
  let page: PaginatedResult<PresenceMessage> | null = await channel.presence.history(historyParams);
  while (page) {
    page.items.forEach(onPresence);
    page = await page.next();
  }
  channel.presence.unsubscribe('enter', listener);
  channel.presence.unsubscribe(listener);
  channel.presence.unsubscribe();
  try {
    await channel.presence.leave();
  } catch (err) {
    if (err instanceof Ably.ErrorInfo) console.log(err.code, err.statusCode, err.message);
  }
  console.log(members.length, realtime.auth.clientId, realtime.clientId, channel.errorReason?.code);
  const authOptions: AuthOptions = { authUrl: '/auth', authParams: { role: 'admin' } };
  const renewed: TokenDetails = await realtime.auth.authorize({ clientId: 'ada', capability: { room: ['*'] } }, authOptions);
  console.log(renewed.capability, (await realtime.auth.authorize()).expires);

  const rest = new Ably.Rest({ key: 'app.key:secret' });
  const tokenParams: TokenParams = { clientId: 'bob', ttl: 60_000 };
  const request: TokenRequest = await rest.auth.createTokenRequest(tokenParams);
  const details: TokenDetails = await rest.auth.requestToken(tokenParams);
  const restParams: RestPresenceParams = { limit: 100 };
  const present = await rest.channels.get('room').presence.get(restParams);
  const success: BatchPresenceSuccessResult = { channel: 'room', presence: members };
  const failure: BatchPresenceFailureResult = { channel: 'x', error: new Ably.ErrorInfo('denied', 40160, 401) };
  console.log(success.presence.length, failure.error.code);
  console.log(request.mac, details.token, present.items.length, await rest.time());
  realtime.close();
}

main();
