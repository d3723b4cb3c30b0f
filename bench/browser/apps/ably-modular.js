// Minimal app measured for bundle size: connect, enter, subscribe (ably-js modular entry,
// only BaseRealtime + WebSocketTransport + RealtimePresence).
import { BaseRealtime, WebSocketTransport, RealtimePresence } from 'ably/modular';

const client = new BaseRealtime({
  authUrl: '/auth/token-request', clientId: 'me', endpoint: location.hostname, tls: false, port: 8080,
  plugins: { WebSocketTransport, RealtimePresence },
});
const channel = client.channels.get('room');
await channel.presence.subscribe((member) => console.log(member.action, member.clientId));
await channel.presence.enter({ status: 'here' });
