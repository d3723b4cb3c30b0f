// roster-presence: realtime presence over the Ably protocol, with ably-js names.
// The full entry: Realtime, Rest and ErrorInfo. `roster-presence/realtime` (realtime.js) is the
// same Realtime on a smaller wasm module without Rest.
// The wasm module is instantiated once, when this module is first imported.
import init, { Realtime as RealtimeCore, Rest as RestCore } from './roster_wasm.js';
import { realtimeClass, ErrorInfo } from './realtime-api.js';
import { restClass } from './rest-api.js';

await init();

// Pure: a bundler drops the class an app does not import.
export const Realtime = /* @__PURE__ */ realtimeClass(RealtimeCore);
export const Rest = /* @__PURE__ */ restClass(RestCore);

export { ErrorInfo };
export default { Realtime, Rest, ErrorInfo };
