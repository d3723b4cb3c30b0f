// The ably-js shaped Rest API over the wasm `Rest` class: only the full entry (index.js)
// has it, so the realtime-only entry never loads this file.
import { adaptOptions } from './realtime-api.js';

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
    const core = new Core(adaptOptions(options));
    const channels = new Map();
    this.channels = {
      get: (name) => channels.get(name) ?? channels.set(name, new RestChannel(core, name)).get(name),
    };
    this.auth = {
      createTokenRequest: (params = {}) => core.createTokenRequest(params),
      requestToken: (params = {}) => core.requestToken(params),
    };
    this._core = core;
  }
  batchPresence(channels) { return this._core.batchPresence([].concat(channels)); }
  time() { return this._core.time(); }
};
