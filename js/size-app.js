// The minimal app whose bundle size js/build.sh reports: connect with authUrl, enter,
// subscribe, get — the app of bench/browser/apps/ plus the final get(), 6 B of gzip
// (ably-js modular, with the FetchRequest plugin it cannot run without: 40,403 B gzip
// there; the issue says 40,227 B).
// Bundled twice: against the full entry, and with 'roster-presence' aliased to the
// realtime entry (roster-presence/realtime, the counterpart of ably-js modular).
import { Realtime } from 'roster-presence';

const client = new Realtime({ authUrl: '/auth/token-request', clientId: 'me', endpoint: location.hostname, tls: false, port: 8080 });
const channel = client.channels.get('room');
await channel.presence.subscribe((member) => console.log(member.action, member.clientId));
await channel.presence.enter({ status: 'here' });
console.log(await channel.presence.get());
