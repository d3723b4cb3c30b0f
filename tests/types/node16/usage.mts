// An ES module under TypeScript's node16/nodenext resolution: import of both entries
// takes the package's `import` types (index.d.ts, realtime.d.ts), default export included.
import Ably, { Realtime, ErrorInfo } from 'roster-presence';
import { Realtime as RealtimeOnly } from 'roster-presence/realtime';

const client: Realtime = new Ably.Realtime({ key: 'a.b:c', autoConnect: false });
const error: ErrorInfo = new ErrorInfo('m', 40000, 400);
const change = (c: Ably.ConnectionStateChange) => c.reason ?? error;
client.connection.on('connected', change);
new RealtimeOnly({ key: 'a.b:c', autoConnect: false }).close();
