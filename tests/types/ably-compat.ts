// Typical ably-js 2.x TypeScript, limited to the API Roster implements, with the import
// as ably-js's docs write it: `import * as Ably from 'ably'`, here 'roster-presence'.
// Compiled against Roster's types (tsconfig.json) and against ably-js's own
// (ably/tsconfig.json maps 'roster-presence' to ably.d.ts), so it is valid ably-js code
// that must compile unchanged on Roster. The @ts-expect-error lines fail on both.
import * as Ably from 'roster-presence';
import { ErrorInfo, Realtime, Rest } from 'roster-presence';

/** Options as an app types them, a variable of ably-js's option type. */
const options: Ably.ClientOptions = {
  authUrl: '/auth/token-request',
  authParams: { room: 'lobby' },
  authHeaders: { 'x-app': '1' },
  authMethod: 'GET',
  clientId: 'ada',
  endpoint: 'localhost',
  port: 8080,
  tls: false,
  autoConnect: false,
  echoMessages: false,
  queueMessages: true,
  closeOnUnload: true,
  disconnectedRetryTimeout: 5_000,
  suspendedRetryTimeout: 10_000,
  realtimeRequestTimeout: 10_000,
  transportParams: { remainPresentFor: 1000, heartbeatInterval: 15_000 },
};

/** Listeners declared apart, with ably-js's callback types and this-less arrows. */
const onConnection: Ably.connectionEventCallback = (change) => {
  const current: Ably.ConnectionState = change.current;
  const previous: Ably.ConnectionState = change.previous;
  const retryIn: number | undefined = change.retryIn;
  const reason: Ably.ErrorInfo | undefined = change.reason;
  console.log(current, previous, retryIn, reason?.code, reason?.statusCode, reason?.message);
};
const onChannel: Ably.channelEventCallback = (change: Ably.ChannelStateChange) => {
  const current: Ably.ChannelState = change.current;
  const resumed: boolean = change.resumed;
  const backlog: boolean | undefined = change.hasBacklog;
  console.log(current, change.previous, resumed, backlog, change.reason?.code);
};
/** State changes an app makes itself (a test's fake, a store's first value): the fields
 * ably.d.ts requires, no more. */
const madeConnectionChange: Ably.ConnectionStateChange = { current: 'disconnected', previous: 'connected', retryIn: 15_000 };
const madeChannelChange: Ably.ChannelStateChange = { current: 'attached', previous: 'attaching', resumed: false };
onConnection(madeConnectionChange);
onChannel(madeChannelChange);
const onMember: Ably.messageCallback<Ably.PresenceMessage> = (member) => {
  const action: Ably.PresenceAction = member.action;
  const clientId: string = member.clientId;
  const connectionId: string = member.connectionId;
  const id: string = member.id;
  const when: Date = new Date(member.timestamp);
  console.log(action, clientId, connectionId, id, when, member.data, member.extras);
};
function onMessage(message: Ably.InboundMessage): void {
  const id: string = message.id;
  const timestamp: number = message.timestamp;
  const action: Ably.MessageAction = message.action;
  const version: Ably.MessageVersion = message.version;
  const summary: object = message.annotations.summary;
  console.log(message.name, message.data, message.clientId, message.connectionId, id, timestamp, action, version.serial, summary);
}
// A handler typed with the wider Message is a valid listener too.
const onAnyMessage = (message: Ably.Message): void => console.log(message.name, message.extras);

async function realtime(): Promise<void> {
  const client: Ably.Realtime = new Ably.Realtime(options);
  const byKey = new Realtime('appId.keyId:secret');
  const byToken = new Ably.Realtime({ token: 'a-token', autoConnect: false });
  const byCallback = new Ably.Realtime({
    authCallback: (tokenParams: Ably.TokenParams, callback) => {
      fetch(`/auth?clientId=${tokenParams.clientId ?? ''}`)
        .then((response) => response.json() as Promise<Ably.TokenRequest>)
        .then((request) => callback(null, request), (error: Error) => callback(error.message, null));
    },
  });
  // An async authCallback that calls back, as Ably's docs write it.
  const byAsyncCallback = new Ably.Realtime({
    authCallback: async (tokenParams, callback) => {
      try {
        const response = await fetch(`/auth?clientId=${tokenParams.clientId ?? ''}`);
        callback(null, (await response.json()) as Ably.TokenRequest);
      } catch (error) {
        callback(error instanceof Error ? error.message : String(error), null);
      }
    },
  });

  // The connection: state, events, promises.
  const connection: Ably.Connection = client.connection;
  connection.on(onConnection);
  connection.on('connected', () => console.log('connected', connection.id, connection.key));
  connection.on(['disconnected', 'suspended'], (change) => console.log(change.current));
  connection.once('failed', (change: Ably.ConnectionStateChange) => console.log(change.reason?.code));
  connection.off('connected', onConnection);
  connection.off(onConnection);
  connection.off();
  client.connect();
  const connected: Ably.ConnectionStateChange = await connection.once('connected');
  console.log(connected.current, await connection.whenState('connected'));
  const event: Ably.ConnectionEvent = 'update';
  const state: Ably.ConnectionState = connection.state;
  if (state === 'connected') console.log(event, await connection.ping());
  const recoveryKey: string | null = connection.createRecoveryKey();
  console.log(recoveryKey, client.clientId, client.auth.clientId, connection.errorReason?.code);

  // Channels.
  const channels: Ably.Channels<Ably.RealtimeChannel> = client.channels;
  const channel: Ably.RealtimeChannel = channels.get('room');
  const channelOptions: Ably.ChannelOptions = { modes: ['PRESENCE', 'PRESENCE_SUBSCRIBE', 'PUBLISH'], params: { rewind: '1' } };
  const configured = client.channels.get('configured', channelOptions);
  await configured.setOptions({ modes: ['SUBSCRIBE'], attachOnSubscribe: false });
  const mode: Ably.ChannelMode = 'SUBSCRIBE';
  const resolved: Ably.ResolvedChannelMode = 'subscribe';
  const params: Ably.ChannelParams = configured.params;
  console.log(mode, resolved, params, configured.modes, configured.name, client.channels.all['room'] === channel);
  const emitter: Ably.EventEmitter<Ably.channelEventCallback, Ably.ChannelStateChange, Ably.ChannelEvent> = channel;
  const connectionEmitter: Ably.EventEmitter<Ably.connectionEventCallback, Ably.ConnectionStateChange, Ably.ConnectionEvent> = connection;
  emitter.on(onChannel);
  connectionEmitter.off();
  channel.on(onChannel);
  channel.on('attached', onChannel);
  channel.on(['detached', 'failed'], (change) => console.log(change.reason));
  channel.once('update', onChannel);
  channel.off('attached', onChannel);
  channel.off();
  const attachChange: Ably.ChannelStateChange | null = await channel.attach();
  const stateNow: Ably.ChannelState = channel.state;
  const channelEvent: Ably.ChannelEvent = 'update';
  console.log(attachChange?.resumed, stateNow, channelEvent, channel.errorReason?.message);
  const attachedChange: Ably.ChannelStateChange = await channel.once('attached');
  console.log(attachedChange.current, await channel.whenState('attached'));

  // Messages.
  const subscribed: Ably.ChannelStateChange | null = await channel.subscribe(onMessage);
  await channel.subscribe('chat', onMessage);
  await channel.subscribe(['chat', 'typing'], (message) => console.log(message.data));
  await channel.subscribe('other', onAnyMessage);
  channel.unsubscribe('chat', onMessage);
  channel.unsubscribe(['chat', 'typing']);
  channel.unsubscribe(onMessage);
  const fromAda: Ably.MessageFilter = { name: 'chat', clientId: 'ada' };
  await channel.subscribe(fromAda, onMessage);
  channel.unsubscribe(fromAda, onMessage);
  channel.unsubscribe(fromAda);
  channel.unsubscribe();
  await channel.publish('chat', 'hello');
  await channel.publish('chat', { text: 'hello' });
  await channel.publish({ name: 'chat', data: 'hi', extras: { headers: { lang: 'en' } } });
  const batch: Ably.Message[] = [{ name: 'a', data: 1 }, { name: 'b', data: new Uint8Array([1]) }];
  await channel.publish(batch);
  console.log(subscribed?.current);

  // Presence.
  const presence: Ably.RealtimePresence = channel.presence;
  await presence.subscribe(onMember);
  await presence.subscribe('enter', onMember);
  await presence.subscribe(['enter', 'update'], (member) => console.log(member.clientId));
  presence.unsubscribe('enter', onMember);
  presence.unsubscribe(['enter', 'leave']);
  presence.unsubscribe('update');
  presence.unsubscribe(onMember);
  presence.unsubscribe();
  await presence.enter();
  await presence.enter({ status: 'here' });
  await presence.update('busy');
  await presence.leave();
  await presence.enterClient('bob', { status: 'here' });
  await presence.updateClient('bob');
  await presence.leaveClient('bob', 'bye');
  const getParams: Ably.RealtimePresenceParams = { waitForSync: true, clientId: 'ada', connectionId: connection.id };
  const members: Ably.PresenceMessage[] = await presence.get(getParams);
  const everyone = await presence.get();
  const synced: boolean = presence.syncComplete;
  const historyParams: Ably.RealtimeHistoryParams = { start: 0, end: Date.now(), direction: 'forwards', limit: 100 };
  let page: Ably.PaginatedResult<Ably.PresenceMessage> | null = await presence.history(historyParams);
  while (page) {
    page.items.forEach(onMember);
    const first: Ably.PaginatedResult<Ably.PresenceMessage> = await page.first();
    const current = await page.current();
    console.log(first.items.length, current.isLast());
    page = page.hasNext() ? await page.next() : null;
  }
  console.log(members.length, everyone.map((m) => m.clientId), synced, (await presence.history()).items);

  // Auth.
  const tokenParams: Ably.TokenParams = { clientId: 'ada', ttl: 3_600_000, capability: { room: ['presence', 'subscribe'] } };
  const method: Ably.HTTPMethod = 'POST';
  const authOptions: Ably.AuthOptions = { authUrl: '/auth/token-request', authMethod: method, authParams: { room: 'lobby' } };
  const details: Ably.TokenDetails = await client.auth.authorize(tokenParams, authOptions);
  console.log(details.token, details.clientId, (await client.auth.authorize()).token, (await client.auth.authorize(tokenParams)).token);

  await channel.detach();
  client.channels.release('room');
  client.close();
  byKey.close();
  byToken.close();
  byCallback.close();
  byAsyncCallback.close();

  // Errors, as ably-js apps catch them.
  try {
    await presence.enter();
  } catch (err) {
    if (err instanceof Ably.ErrorInfo) console.log(err.code, err.statusCode, err.message, err.cause?.code);
    if (err instanceof ErrorInfo) console.log(err.name);
  }
  const made: Ably.ErrorInfo = new Ably.ErrorInfo('Unable to enter', 91000, 400);
  const wrapped = new ErrorInfo('Wrapped', 80019, 401, made);
  const asError: Error = wrapped;
  console.log(asError.message);

  // Things that must not compile, on ably-js or on Roster.
  // @ts-expect-error: not a connection state.
  connection.on('open', onConnection);
  // @ts-expect-error: not a channel state.
  channel.once('ready', onChannel);
  // @ts-expect-error: not a presence action.
  await presence.subscribe('join', onMember);
  // @ts-expect-error: enterClient needs the clientId.
  await presence.enterClient();
  // @ts-expect-error: a presence listener gets a PresenceMessage, not a state change.
  await presence.subscribe((change: Ably.ChannelStateChange) => console.log(change.current));
  // @ts-expect-error: RealtimeChannel is a type only: the package exports no such value.
  console.log(channel instanceof Ably.RealtimeChannel);
  // @ts-expect-error: Connection is a type only, too.
  console.log(connection instanceof Ably.Connection);
  // @ts-expect-error: options are needed.
  new Ably.Realtime();
  // @ts-expect-error: an ErrorInfo needs its code and statusCode.
  new Ably.ErrorInfo('no code');
  // @ts-expect-error: PresenceMessage's clientId is a string.
  const count: number = members[0].clientId;
  console.log(count);
}

async function rest(): Promise<void> {
  const client: Ably.Rest = new Ably.Rest({ key: 'appId.keyId:secret' });
  const byToken = new Rest('a-token');
  const keyTokens = new Ably.Rest({ key: 'appId.keyId:secret', useTokenAuth: true, clientId: 'ada' });
  const restChannel: Ably.Channel = client.channels.get('room');
  const restPresence: Ably.Presence = restChannel.presence;
  const restParams: Ably.RestPresenceParams = { limit: 100, clientId: 'ada', connectionId: 'c1' };
  const present: Ably.PaginatedResult<Ably.PresenceMessage> = await restChannel.presence.get(restParams);
  const restHistory: Ably.RestHistoryParams = { direction: 'backwards', limit: 10 };
  const history = await restPresence.history(restHistory);
  console.log(restChannel.name, present.items, history.hasNext(), (await byToken.channels.get('x').presence.get()).items, keyTokens.auth.clientId);
  const time: number = await client.time();
  const request: Ably.TokenRequest = await client.auth.createTokenRequest({ clientId: 'bob' });
  const signed = await client.auth.createTokenRequest(undefined, { key: 'appId.keyId:secret', queryTime: true });
  const token: Ably.TokenDetails = await client.auth.requestToken({ clientId: 'bob', ttl: 60_000 });
  const viaUrl = await client.auth.requestToken(undefined, { authUrl: '/auth/token-request' });
  console.log(time, request.keyName, request.mac, request.nonce, request.timestamp, signed.ttl, token.token, viaUrl.token);
  // ably.d.ts types the answer as an array of BatchResults; ably-js (and Roster) resolve
  // with the server's one object: [batch].flat() reads it under either type.
  const batch = await client.batchPresence(['room', 'lobby']);
  const successes: Ably.BatchPresenceSuccessResult[] = [];
  const failures: Ably.BatchPresenceFailureResult[] = [];
  for (const result of [batch].flat()) {
    for (const item of result.results) {
      if ('error' in item) failures.push(item);
      else successes.push(item);
    }
    console.log(result.successCount, result.failureCount);
  }
  console.log(successes.map((s) => s.presence.length), failures.map((f) => f.error.code));
}

realtime();
rest();
