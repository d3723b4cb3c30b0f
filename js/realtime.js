// roster-presence/realtime: the Realtime client alone, on a wasm module built without
// the Rest class and token request signing (smaller to download). A `key` still works:
// Realtime authenticates with it by basic auth, which needs no signing.
// The wasm module is instantiated once, when this module is first imported.
import init, { Realtime as RealtimeCore } from './roster_realtime.js';
import { realtimeClass, ErrorInfo } from './realtime-api.js';

await init();

export const Realtime = realtimeClass(RealtimeCore);

export { ErrorInfo };
export default { Realtime, ErrorInfo };
