// The ably-js shaped Rest API over the wasm `Rest` class: only the full entry (index.js)
// has it, so the realtime-only entry never loads this file.
import { clientOptions } from './realtime-api.js';

class RestChannel {
  constructor(core, name) {
    this.name = name;
    this.presence = {
      get: (params = {}) => core.presenceGet(name, params),
      history: (params = {}) => core.presenceHistory(name, params),
    };
  }
}

/** ably-js `Rest` over `Core`, a wasm-bindgen `Rest` class (full entry only). */
export const restClass = (Core) => class Rest {
  constructor(options) {
    const core = new Core(clientOptions(options));
    const channels = new Map();
    this.channels = {
      get: (name) => channels.get(name) ?? channels.set(name, new RestChannel(core, name)).get(name),
    };
    this.auth = {
      // As ably-js: with `queryTime` (here or in the client's options) the timestamp is
      // the server's clock, asked once; time() keeps its offset from ours for later ones.
      // Given tokenParams and authOptions replace the client's (RSA9h): its clientId, its key.
      createTokenRequest: async (params, authOptions) => {
        if (this._offset === undefined && (authOptions?.queryTime || options?.queryTime)) await this.time();
        const key = authOptions ? authOptions.key : typeof options === 'string' ? options : options?.key;
        return core.createTokenRequest(params ?? { clientId: options?.clientId }, key, Date.now() + (this._offset ?? 0));
      },
      requestToken: (params = {}) => core.requestToken(params),
    };
    this._core = core;
  }
  batchPresence(channels) { return this._core.batchPresence([].concat(channels)); }
  async time() {
    const time = await this._core.time();
    this._offset = time - Date.now();
    return time;
  }
};
