// A CommonJS TypeScript module (as a Jest test or a Node script in TypeScript): require()
// of both entries takes the package's `require` types (index.d.cts, realtime.d.cts).
import Roster = require('roster-presence');
import RealtimeOnly = require('roster-presence/realtime');

const client: Roster.Realtime = new Roster.Realtime({ key: 'a.b:c', autoConnect: false });
const other: RealtimeOnly.Realtime = new RealtimeOnly.Realtime({ key: 'a.b:c', autoConnect: false });
const error: Roster.ErrorInfo = new Roster.ErrorInfo('m', 40000, 400);
const FromDefault: typeof Roster.Rest = Roster.default.Rest;
const state: Roster.ConnectionState = client.connection.state;
client.connection.on('connected', () => other.close());
new FromDefault({ key: 'a.b:c' }).channels.get('x').presence.get()
  .then((page) => page.items.length + error.code + state.length);
