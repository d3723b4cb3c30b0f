// Minimal app measured for bundle size: connect, enter, subscribe (ably-js default build).
import { Realtime } from 'ably';

const client = new Realtime({ authUrl: '/auth/token-request', clientId: 'me', endpoint: location.hostname, tls: false, port: 8080 });
const channel = client.channels.get('room');
await channel.presence.subscribe((member) => console.log(member.action, member.clientId));
await channel.presence.enter({ status: 'here' });
