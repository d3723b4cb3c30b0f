// A typical app against the package's types; `tsc --noEmit` must accept it.
import Roster, { Realtime, Rest, ErrorInfo, type PresenceMessage, type PaginatedResult } from 'roster-presence';

async function main(): Promise<void> {
  const client = new Realtime({
    authUrl: '/auth/token-request',
    authParams: { room: 'lobby' },
    clientId: 'ada',
    transportParams: { remainPresentFor: 1000 },
  });
  client.connection.on('connected', (change) => console.log(change.current, change.reason?.code));
  await client.connection.once('connected');
  const channel = client.channels.get('room');
  await channel.presence.subscribe(['enter', 'leave'], (member: PresenceMessage) => {
    console.log(member.action, member.clientId, member.connectionId, member.data);
  });
  await channel.presence.enter({ status: 'here' });
  await channel.presence.updateClient('ada', 'busy');
  const members: PresenceMessage[] = await channel.presence.get({ waitForSync: true, clientId: 'ada' });
  console.log(members.length, channel.presence.syncComplete, channel.state);
  const rtt: number = await client.connection.ping();
  console.log(rtt);
  try {
    await channel.presence.leave();
  } catch (e) {
    const error = e as ErrorInfo;
    console.log(error.code, error.statusCode, error.message);
    // As with ably-js: narrow with instanceof, the class from either export.
    if (e instanceof ErrorInfo || e instanceof Roster.ErrorInfo) console.log(e.code, e.cause?.code, e.href);
  }
  const made: ErrorInfo = new ErrorInfo('no', 40000, 400);
  console.log(made.statusCode);

  const rest = new Rest({ authCallback: (_params, callback) => callback(null, 'token') });
  let page: PaginatedResult<PresenceMessage> | null = await rest.channels.get('room').presence.history({ limit: 10 });
  while (page) {
    page.items.forEach((m) => console.log(m.action));
    page = page.hasNext() ? await page.next() : null;
  }
  const request = await new Rest({ key: 'app.key:secret' }).auth.createTokenRequest({ clientId: 'bob' });
  const fromDetails = new Realtime({ token: await rest.auth.requestToken(), autoConnect: false });
  // As ably-js: authOptions name the auth source for this token.
  const viaUrl = await rest.auth.requestToken({ clientId: 'bob' }, { authUrl: '/auth/token-request', authParams: { room: 'lobby' } });
  console.log(viaUrl.token, (await rest.auth.requestToken(null, null)).expires);
  fromDetails.close();
  console.log(request.keyName, request.mac, await rest.time());
  client.close();
}

main();
