// The ably-js shaped Rest API over the wasm `Rest` class: only the full entry (index.js)
// has it, so the realtime-only entry never loads this file.
import {
  adaptOptions, clientOptions, paginated,
  OP_BATCH_PRESENCE, OP_CREATE_TOKEN_REQUEST, OP_GET, OP_HISTORY, OP_REQUEST_TOKEN, OP_TIME,
} from './realtime-api.js';

// Params as ably-js sends them, as text in the query (a numeric clientId, a limit from a
// form field; a Date as its text, which the server refuses): the wasm reads only strings
// and numbers of the declared type.
const restParams = (params) => Object.fromEntries(Object.entries(params ?? {}).map(([name, value]) =>
  [name, value == null ? undefined : (/^(limit|start|end)$/.test(name) ? Number : String)(String(value))]));

class RestChannel {
  constructor(core, name) {
    this.name = name;
    this.presence = {
      get: (params) => paginated(core, name, core.op(name, OP_GET, restParams(params))),
      history: (params) => paginated(core, name, core.op(name, OP_HISTORY, restParams(params))),
    };
  }
}

/** ably-js `Rest` over `Core`, a wasm-bindgen `Rest` class (full entry only). */
export const restClass = (Core) => class Rest {
  constructor(options) {
    const core = new Core(clientOptions(options));
    const channels = new Map();
    this.channels = {
      // As ably-js, a name is made a string (see Channels.get in realtime-api.js).
      get: (name) => channels.get((name = String(name))) ?? channels.set(name, new RestChannel(core, name)).get(name),
    };
    // As ably-js: with `queryTime` (in the authOptions or the client's options) a
    // TokenRequest's timestamp is the server's clock, asked once; time() keeps its offset
    // from ours for later ones.
    const now = async (authOptions) => {
      if (this._offset === undefined && (authOptions?.queryTime || options?.queryTime)) await this.time();
      return Date.now() + (this._offset ?? 0);
    };
    this.auth = {
      // As ably-js's Rest: the clientId option's (a token's is not learnt without a connection).
      clientId: options?.clientId,
      // Given tokenParams and authOptions replace the client's (RSA9h): its clientId, its key.
      createTokenRequest: async (params, authOptions) => {
        const key = authOptions ? authOptions.key : typeof options === 'string' ? options : options?.key;
        return core.op('', OP_CREATE_TOKEN_REQUEST, params ?? { clientId: options?.clientId }, key, await now(authOptions));
      },
      // Given tokenParams and authOptions replace the client's for this token (RSA8e),
      // its clientId included; a key signs a TokenRequest as createTokenRequest() does
      // (RSA9d).
      requestToken: async (params, authOptions) => {
        params ??= { clientId: options?.clientId };
        const auth = authOptions ?? options;
        if (auth?.key && !auth.authUrl && !auth.authCallback) params = { timestamp: await now(authOptions), ...params };
        return core.op('', OP_REQUEST_TOKEN, params, adaptOptions(authOptions, options?.realtimeRequestTimeout));
      },
    };
    this._core = core;
  }
  // Names made strings, as channels.get does (the wasm skips what is not one).
  batchPresence(channels) { return this._core.op('', OP_BATCH_PRESENCE, [].concat(channels).map(String)); }
  async time() {
    const time = await this._core.op('', OP_TIME);
    this._offset = time - Date.now();
    return time;
  }
};
