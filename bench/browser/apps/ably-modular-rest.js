// The modular app with the Rest plugin as well: what ably-js modular needs for
// presence.history() (without it, BaseRealtime's REST calls throw for the missing plugin),
// which Roster's realtime entry has. The like-for-like anchor in features.
import { BaseRealtime, WebSocketTransport, FetchRequest, RealtimePresence, Rest } from 'ably/modular';

const client = new BaseRealtime({
  authUrl: '/auth/token-request', clientId: 'me', endpoint: location.hostname, tls: false, port: 8080,
  plugins: { WebSocketTransport, FetchRequest, RealtimePresence, Rest },
});
const channel = client.channels.get('room');
await channel.presence.subscribe((member) => console.log(member.action, member.clientId));
await channel.presence.enter({ status: 'here' });
