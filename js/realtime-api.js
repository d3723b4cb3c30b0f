// The ably-js shaped Realtime API over a wasm `Realtime` class, shared by both package
// entries: index.js (full wasm) and realtime.js (realtime-only wasm) each pass their own.

// The wasm classes' operations, `core.op(channel, OP_..., ...)`: the numbers of
// src/wasm/ops.rs, where each is described (constants: a bundler puts the numbers in;
// esbuild only for those declared before any statement that may have effects, such as
// `Symbol('all')`: after it they stayed variables, 105 B gzip more).
export const OP_ENTER = 0, OP_UPDATE = 1, OP_LEAVE = 2, OP_PUBLISH = 3, OP_GET = 4, OP_HISTORY = 5;
export const OP_READ = 6, OP_SET_OPTIONS = 7, OP_GET_OPTIONS = 8, OP_RELEASE = 9, OP_MUTE = 10, OP_UNMUTE = 11;
export const OP_ATTACH = 12, OP_DETACH = 13, OP_PING = 14, OP_CONNECTION = 15, OP_RECOVERY = 16;
export const OP_AUTHORIZE = 17, OP_CONNECT = 18, OP_CLOSE = 19, OP_ONLINE = 20, OP_OFFLINE = 21, OP_PAGEHIDE = 22;
export const OP_BATCH_PRESENCE = 23, OP_TIME = 24, OP_CREATE_TOKEN_REQUEST = 25, OP_REQUEST_TOKEN = 26, OP_RELEASED_ENTER = 27;

const ALL = Symbol('all');

// ably-js EventEmitter: on/once/off with an optional event name (or array of names; none
// or null: every event). Listeners run with `this.event` the event's name, listeners for
// every event first and, of each, those added by once() (not for an array of events)
// before those by on(), as in ably-js; as there, an event goes to the listeners there were
// when it came (one added meanwhile hears the next, one removed still hears this one).
// A listener that is not a function is refused where it is added or taken off (40000;
// ably-js throws), and so is a function given as the event with a second argument
// (`given`; on() takes an undefined one, which our own calls pass, as none, where
// ably-js 2.28's throws for it too), and an event that is not a name (a string) or an
// array of them (`names`), as off(fn, fn2). As there, once([events], x) with x no
// function adds nothing and throws nothing (ably-js's wrapper throws when an event comes,
// and logs it).
const checked = (listener, given) => {
  if (typeof listener !== 'function' || given) throw errorInfo('listener must be a function', 40000);
};
const names = (event) => {
  const list = [].concat(event);
  if (list.some((name) => typeof name !== 'string')) throw errorInfo('event must be a name or an array of names', 40000);
  return list;
};
// subscribe(listener, x) and unsubscribe(listener, x), as ably-js: the listener for every event.
const listenerFirst = (event, listener) => (typeof event === 'function' ? [null, event] : [event, listener]);
class EventEmitter {
  constructor() { this._listeners = new Map(); }
  on(event, listener) {
    if (typeof event === 'function') {
      checked(event, listener !== undefined);
      [event, listener] = [null, event];
    }
    checked(listener);
    for (const name of event == null ? [ALL] : names(event)) {
      // A new list, not the old one changed (nor is one anywhere else): emit() goes
      // through the lists there were when the event came without copying them.
      const list = [...(this._listeners.get(name) ?? [])];
      // Kept in the order emit() calls them: once() listeners before on() ones.
      const at = listener._first ? list.findIndex((l) => !l._first) : -1;
      list.splice(at < 0 ? list.length : at, 0, listener);
      this._listeners.set(name, list);
    }
  }
  // As ably-js: a Promise unless a listener is given; one given as null or undefined adds
  // nothing (and returns nothing) for an event, and is refused for every event.
  once(event, listener) {
    if (typeof event === 'function') {
      checked(event, arguments.length > 1);
      [event, listener] = [null, event];
    } else if (arguments.length < 2) return new Promise((resolve) => this.once(event, resolve));
    if (event != null && (Array.isArray(event) ? typeof listener !== 'function' : !listener)) return;
    checked(listener);
    const emitter = this;
    function wrapped(...args) { emitter.off(wrapped); listener.apply(this, args); }
    wrapped._original = listener;
    wrapped._first = !Array.isArray(event);
    this.on(event, wrapped);
  }
  off(event, listener) {
    if (typeof event === 'function' && !listener) [event, listener] = [null, event];
    if (event == null && !listener) return this._listeners.clear();
    if (listener) checked(listener);
    for (const name of event == null ? [...this._listeners.keys()] : names(event)) {
      if (listener) this._remove(name, listener);
      else this._listeners.delete(name);
    }
  }
  _remove(name, listener) {
    const list = this._listeners.get(name);
    if (list) this._listeners.set(name, list.filter((l) => l !== listener && l._original !== listener));
  }
  // One `this` for the event's listeners, as ably-js.
  emit(name, ...args) {
    const self = { event: name };
    for (const list of [this._listeners.get(ALL), this._listeners.get(name)]) {
      for (const listener of list ?? []) {
        try { listener.apply(self, args); } catch (e) { setTimeout(() => { throw e; }); }
      }
    }
  }
}

/** ably-js `ErrorInfo`: every error the SDK gives, made in JS or in the wasm, is one. */
export class ErrorInfo extends Error {
  constructor(message, code, statusCode, cause) {
    super(message);
    Object.assign(this, { name: 'ErrorInfo', code, statusCode, cause });
  }
  // As ably-js prints one (in a toast, `${e}`), as the wasm's do (src/wasm/helpers.js).
  toString() {
    const { message, statusCode, code, cause, href } = this;
    return `[ErrorInfo${message ? `: ${message}` : ''}${statusCode ? `; statusCode=${statusCode}` : ''}${code ? `; code=${code}` : ''}${cause ? `; cause=${cause}` : ''}${href ? `; see ${href} ` : ''}]`;
  }
  // The wasm makes its errors as Errors named ErrorInfo: no import of this class there.
  static [Symbol.hasInstance](value) { return value instanceof Error && value.name === 'ErrorInfo'; }
}

// An ErrorInfo for an error found in JS.
const errorInfo = (message, code, cause) => new ErrorInfo(message, code, 400, cause);

/**
 * ably-js `PaginatedResult` (TG) of the page `promise` resolves with (from
 * `core.op(name, OP_GET | OP_HISTORY)`, Realtime's or Rest's): its `items`, and the paths
 * of the pages the server linked (`next`, `first`, `current`), which
 * `core.op(name, OP_HISTORY, path)` fetches (the wasm's own `PaginatedResult` class cost
 * more). As ably-js: without a next link, next() is null; without a first or current
 * link, first() or current() rejects with 40400.
 */
export const paginated = (core, name, promise) => promise.then(({ items, next, first, current }) => {
  const follow = (path, rel) => (path ? paginated(core, name, core.op(name, OP_HISTORY, path))
    : rel ? Promise.reject(new ErrorInfo(`No link to the ${rel} page of results`, 40400, 404)) : Promise.resolve(null));
  return { items, hasNext: () => !!next, isLast: () => !next, next: () => follow(next), first: () => follow(first, 'first'), current: () => follow(current, 'current') };
});

// Channel modes (ably-js names, any case) and their ATTACH flag bits.
const MODES = {
  PRESENCE: 1 << 16, PUBLISH: 1 << 17, SUBSCRIBE: 1 << 18, PRESENCE_SUBSCRIBE: 1 << 19,
  ANNOTATION_PUBLISH: 1 << 21, ANNOTATION_SUBSCRIBE: 1 << 22, OBJECT_SUBSCRIBE: 1 << 24, OBJECT_PUBLISH: 1 << 25,
};

// Checks ChannelOptions as ably-js does (40000) and returns the requested mode bits. As
// ably-js's setOptions(), `strict` refuses params or modes given as undefined too; get()
// takes them as none (ably-js's get() never throws for them).
const modeBits = (options, strict) => {
  const { modes, params, cipher } = options;
  const given = (name) => (strict ? name in options : options[name] !== undefined);
  if (cipher) throw errorInfo('channel encryption (cipher) is not supported', 40000);
  if (given('params') && Object.prototype.toString.call(params) !== '[object Object]') {
    throw errorInfo('options.params must be an object', 40000);
  }
  if (!given('modes')) return 0;
  if (!Array.isArray(modes)) throw errorInfo('options.modes must be an array', 40000);
  return modes.reduce((bits, mode) => {
    const bit = typeof mode === 'string' && MODES[mode.toUpperCase()];
    if (!bit) throw errorInfo(`Invalid channel mode: ${mode}`, 40000);
    return bits | bit;
  }, 0);
};

// An errorReason as ably-js keeps it: one object until the error changes (an app
// compares it with the one it last showed), the reason of the change that set it (kept
// in `holder._reason` by _dispatch); the wasm makes a new object at each read.
// (Compared as printed: message, status, code and cause.)
const kept = (holder, fresh) => (holder._reason = fresh && `${fresh}` == holder._reason ? holder._reason : fresh);

const isFilter = (value) => value && typeof value === 'object' && !Array.isArray(value);

const stateChange = ({ previous, current, event, reason, retryIn, resumed, hasBacklog }) =>
  ({ previous, current, event, reason, retryIn, resumed, hasBacklog });

// The page's lifecycle. `pagehide` (closeOnUnload, default true unless `recover`; ably-js uses
// beforeunload, which mobile browsers skip and which a cancelled unload fires wrongly)
// closes the connection at the server so our members leave at once rather than after
// remainPresentFor, but holds the channels: a page restored from the back/forward cache
// (`pageshow`, persisted) connects again, re-attaches and re-enters its members. With a
// `recover` callback, pagehide first saves the recovery key in sessionStorage for the
// reloaded page. `online` reconnects now, `offline` drops a connected transport. The
// window listeners live from connect() to close() (or failed) only, so a closed client
// is not kept alive by them; where there is no global addEventListener (Node) there are none.
class Connection extends EventEmitter {
  constructor(core, options, hold) {
    super();
    this._core = core;
    this._hold = hold;
    // As ably-js: by default not when recovering, which needs the connection left open.
    const closeOnUnload = (options?.closeOnUnload ?? !options?.recover) !== false;
    const storageKey = recoveryStorageKey(options);
    this._pageEvents = closeOnUnload || storageKey ? ['pagehide', 'pageshow', 'online', 'offline'] : ['online', 'offline'];
    this._onPage = ({ type, persisted }) => {
      if (type === 'pageshow') {
        if (persisted && this._hidden) core.op('', OP_CONNECT);
        this._hidden = false;
        return;
      }
      if (type !== 'pagehide') return core.op('', type === 'online' ? OP_ONLINE : OP_OFFLINE);
      const recoveryKey = storageKey && this.createRecoveryKey();
      if (recoveryKey) {
        const details = { recoveryKey, disconnectedAt: Date.now(), location: globalThis.location, clientId: core.op('', OP_CONNECTION).clientId };
        globalThis.sessionStorage?.setItem(storageKey, JSON.stringify(details));
      }
      if (!closeOnUnload) return;
      core.op('', OP_PAGEHIDE);
      this._hidden = this.state === 'suspended';
    };
  }
  get state() { return this._core.op('', OP_CONNECTION).state; }
  get id() { return this._core.op('', OP_CONNECTION).id; }
  get key() { return this._core.op('', OP_CONNECTION).key; }
  get errorReason() { return kept(this, this._core.op('', OP_CONNECTION).errorReason); }
  /** What another instance passes as `recover` to continue this connection, or null. */
  createRecoveryKey() { return this._core.op('', OP_RECOVERY); }
  connect() { this._hold(true); this._listen('addEventListener'); this._core.op('', OP_CONNECT); }
  close() { this._listen('removeEventListener'); this._core.op('', OP_CLOSE); }
  _listen(method) {
    for (const type of this._pageEvents) globalThis[method]?.(type, this._onPage);
  }
  ping() { return this._core.op('', OP_PING); }
  whenState(state) {
    return this.state === state ? Promise.resolve(null) : this.once(state);
  }
}

// A member's key in its channel's set, as ably-js's memberKey.
const memberKey = (m) => `${m.connectionId}:${m.clientId}`;

class RealtimePresence extends EventEmitter {
  constructor(channel) {
    super();
    this.channel = channel;
    // Member objects by version: exactly the members present at the last unfiltered
    // get(), kept up to date by the next one.
    this._members = new Map();
    this._list = [];
    this._known = 0;
    this._listen();
  }
  get syncComplete() { return this.channel._read().syncComplete; }
  // As in ably-js, an unchanged member is the same object from one get() to the next:
  // the wasm converts only the members changed since `_known`, and once the map holds
  // every present member it sends only those and the versions retired since. A filter
  // picks from that list, so its members come in ably-js's order too.
  async get(params) {
    // As ably-js, a falsy filter is none and another value is compared as text.
    const text = (value) => (value ? String(value) : undefined);
    const clientId = text(params?.clientId), connectionId = text(params?.connectionId);
    const known = this._known;
    const { channel } = this;
    // Released: from suspended 91005 (no members without waiting for a sync), else the
    // attach it takes, which is never answered.
    if (channel._released) {
      // Attached by a detach that timed out: no members, as ably-js's set after an ATTACHED without presence.
      if (channel.state === 'attached') return [];
      if (channel.state !== 'suspended') return channel._unlessFailed(() => channel.attach());
      if (params?.waitForSync === false) return [];
      throw new ErrorInfo('Presence state is out of sync: channel suspended', 91005, 400);
    }
    // A failed channel refuses with 90001 and its reason as the cause, as ably-js.
    const { versions, fresh, retired } = await channel._unlessFailed(() => channel._core.op(channel.name, OP_GET, { waitForSync: params?.waitForSync }, known));
    let members = this._members;
    if (retired) {
      // A catch-up on the last unfiltered result: `versions` are the changed members'.
      const gone = new Set(retired.map((v) => members.get(v)));
      for (const v of retired) members.delete(v);
      const added = [];
      versions.forEach((v, i) => members.has(v) || (members.set(v, fresh[i]), added.push(v)));
      this._arrange(gone, added);
    } else {
      let next = 0;
      const list = Array.from(versions, (v) => {
        if (v <= known) return members.get(v);
        // A concurrent get() may have cached this version already: keep its object.
        const object = fresh[next++];
        return members.get(v) ?? object;
      });
      // The map becomes exactly the present members, so no object of a member that
      // changed or left stays reachable from here. Results arrive in the
      // order the core took them, so this list is never older than one already stored.
      // `_list` holds the objects of `members`, and a version's object is the same in
      // both lists: what came and went is found by version, in the maps.
      if (next || members.size !== list.length) {
        const old = members;
        this._members = members = new Map(list.map((m, i) => [versions[i], m]));
        this._arrange(new Set([...old].filter(([v]) => !members.has(v)).map(([, m]) => m)), versions.filter((v) => !old.has(v)));
      }
    }
    for (const v of versions) if (v > this._known) this._known = v;
    return this._list.filter((m) => (!clientId || m.clientId === clientId) && (!connectionId || m.connectionId === connectionId));
  }
  // The members in ably-js's order, `_list`: as they came (`added`, versions of
  // `_members`, in version order: a sync's order, then the enters'), one that changed in
  // the place of the one it replaced (of `gone`, the objects no longer present). Sorted as
  // numbers in a Float64Array (exact below 2^53): a third of the time of a comparator's
  // sort of [version, member] pairs, with none of their garbage.
  _arrange(gone, added) {
    added = Array.from(new Float64Array(added).sort(), (v) => this._members.get(v));
    const byKey = new Map(gone.size ? added.map((m) => [memberKey(m), m]) : []);
    // Where the gone ones are: looked for one by one when few, in one pass when many.
    const at = gone.size > 64 && new Map(this._list.map((m, i) => [m, i]));
    for (const m of gone) {
      // (Not a version this list holds: undefined, as the member it left in its place.)
      const i = m && (at ? at.get(m) : this._list.indexOf(m));
      if (i >= 0) this._list[i] = byKey.get(memberKey(m)), byKey.delete(memberKey(m));
    }
    // (A get() with nothing changed passes nothing: no pass over the list.)
    if (gone.size) this._list = this._list.filter(Boolean);
    for (const m of added) if (!gone.size || byKey.get(memberKey(m)) === m) this._list.push(m);
  }

  history(params = {}) {
    const { _core: core, name } = this.channel;
    return paginated(core, name, core.op(name, OP_HISTORY, params));
  }
  // Resolves with nothing once attached, as ably-js (channel.subscribe gives the change).
  async subscribe(action, listener) { await this.channel._subscribe(this, action, listener); }
  unsubscribe(action, listener) { this.off(...listenerFirst(action, listener)); }
  // Without listeners the wasm drops this channel's presence events unconverted.
  on(event, listener) { super.on(event, listener); this._listen(); }
  off(event, listener) { super.off(event, listener); this._listen(); }
  _listen() {
    const { channel } = this;
    if (!channel._released) channel._core.op(channel.name, [...this._listeners.values()].some((l) => l.length) ? OP_UNMUTE : OP_MUTE);
  }
  enter(data) { return this._op(OP_ENTER, undefined, data); }
  update(data) { return this._op(OP_UPDATE, undefined, data); }
  leave(data) { return this._op(OP_LEAVE, undefined, data); }
  enterClient(clientId, data) { return this._op(OP_ENTER, clientId, data); }
  updateClient(clientId, data) { return this._op(OP_UPDATE, clientId, data); }
  leaveClient(clientId, data) { return this._op(OP_LEAVE, clientId, data); }
  // As in ably-js, which encodes the data first, asynchronously: the operation acts once
  // the calls made with it have run (publish too, so the two keep their order). enter(),
  // leave(), detach(), attach(), enter() in one go (a component mounted, unmounted and
  // mounted again) all find the channel attaching.
  async _op(action, clientId, data) {
    await null;
    if (clientId != null && typeof clientId !== 'string') throw errorInfo('clientId must be a string', 40012);
    const { channel } = this;
    // Released: attached (by a detach that timed out), sent on the connection as in
    // ably-js (OP_RELEASED_ENTER + action: its enter, update or leave), where the server
    // applies it; else the attach it takes is never answered, as in ably-js; from
    // suspended or failed, refused.
    if (channel._released) {
      if (channel.state === 'attached') return channel._core.op(channel.name, OP_RELEASED_ENTER + action, clientId, data);
      return channel._unlessFailed(() => channel.attach(), channel._refusing);
    }
    // A connection that cannot send refuses first with its own error, as ably-js (RTP16b).
    return channel._unlessFailed(() => channel._core.op(channel.name, action, clientId, data), channel.state === 'failed' && !channel._down);
  }
}

class RealtimeChannel extends EventEmitter {
  constructor(core, name) {
    super();
    this._core = core;
    this.name = name;
    this._messages = new EventEmitter();
    this.presence = new RealtimePresence(this);
  }
  // The core's view of this channel; once released, the last one it had (the core's
  // channel of this name is another object's then), as an ably-js channel keeps its own.
  _read(granted) { return this._released ?? this._core.op(this.name, OP_READ, granted); }
  get state() { return this._read().state; }
  get errorReason() { return kept(this, this._read().errorReason); }
  /** The modes the server granted at the last attach, lowercase; undefined before. */
  get modes() {
    const bits = this._read(true).modes;
    const names = Object.keys(MODES).filter((mode) => bits & MODES[mode]).map((mode) => mode.toLowerCase());
    return names.length ? names : undefined;
  }
  /** The channel params the server granted at the last attach; undefined before, as ably-js. */
  get params() {
    const { modes, params } = this._read(true);
    return modes ? params : undefined;
  }
  // As ably-js, the options replace the last ones: attachOnSubscribe too; null or none
  // are options with nothing given.
  async setOptions(options) {
    const bits = modeBits(options ?? {}, true);
    this._attachOnSubscribe = options?.attachOnSubscribe !== false;
    if (!this._released) return this._core.op(this.name, OP_SET_OPTIONS, options, bits);
  }
  whenState(state) {
    return this.state === state ? Promise.resolve(null) : this.once(state);
  }
  // As ably-js: the change to attached, or null if the channel already was. The change
  // reaches the listeners just before the core settles the attach; as in ably-js, a
  // detach() or close() one of them made takes the attach over: it rejects with 90000/409,
  // or with the reason the channel detached.
  async attach() {
    if (this.state === 'attached') return null;
    if (this._released) return this._releasedRequest('attaching', 'suspended');
    await this._core.op(this.name, OP_ATTACH);
    const change = this._change;
    if (change && change.current !== 'attached') throw change.reason ?? new ErrorInfo('Attach request superseded by a subsequent detach request', 90000, 409);
    return change;
  }
  detach() {
    if (!this._released) return this._core.op(this.name, OP_DETACH);
    // Released, as ably-js: from suspended (or with the connection down) detached at
    // once; from attaching or attached, a DETACH that nobody answers (see _releasedRequest):
    // back to attached with 90007.
    return this._unlessFailed(async () => {
      if (/^(initialized|detached)$/.test(this.state)) return;
      if (this.state !== 'suspended' && this._core.op('', OP_CONNECTION).state === 'connected') return this._releasedRequest('detaching', 'attached');
      // An attach still waiting fails as ably-js's does: with the connection's error.
      this._releasedEnd(this._core.op('', OP_CONNECTION).errorReason ?? new ErrorInfo('Unable to attach; reason unknown; state = detached', 90000, 500));
      this._releasedState('detached');
    });
  }
  // A MessageFilter (an object, not an array), as ably-js: the listener hears the
  // messages whose fields match each one the filter gives (name, clientId, and extras.ref:
  // refTimeserial, refType, isRef); unsubscribe(filter) takes off what was added with
  // that object, unsubscribe(listener) its filtered subscriptions too.
  subscribe(name, listener) {
    const filter = isFilter(name) && name, original = listener;
    if (filter) {
      checked(listener);
      name = null;
      listener = (m) => {
        const { timeserial, type } = m.extras?.ref ?? {};
        const fields = { ...m, refTimeserial: timeserial, refType: type, isRef: !!timeserial };
        for (const k in filter) if (filter[k] !== undefined && fields[k] !== filter[k]) return;
        original(m);
      };
      listener._original = original;
      listener._filter = filter;
    }
    return this._subscribe(this._messages, name, listener);
  }
  unsubscribe(name, listener) {
    if (!isFilter(name)) return this._messages.off(...listenerFirst(name, listener));
    for (const l of this._messages._listeners.get(ALL) ?? []) if (l._filter === name && (!listener || l._original === listener)) this._messages._remove(ALL, l);
  }
  async publish(name, data) {
    const messages = typeof name === 'object' && name !== null ? [].concat(name) : [{ name, data }];
    // Sent without attaching, as ably-js 2.x (RTL6c4): a connection that cannot send
    // refuses with its own error (the core's), then a failed or suspended channel with 90001.
    // Acts a microtask later, as presence calls do, so the two go out in call order.
    await null;
    const refused = this._refusing && !this._down;
    return this._unlessFailed(() => this._core.op(this.name, OP_PUBLISH, messages), refused);
  }
  // Failed or suspended: what a publish, or a released object's enter, is refused in.
  get _refusing() { return /^(failed|suspended)$/.test(this.state); }
  // Whether the connection cannot even queue an operation: it refuses with its own error.
  get _down() { return /^(closing|closed|suspended|failed)$/.test(this._core.op('', OP_CONNECTION).state); }
  // A released channel object (channels.release), as in ably-js 2.28: a channel of its
  // own that the server's answers never reach (they go to `channels.all`). The core is
  // not asked (no channel of its name is made there): an attach, or what attaches (enter,
  // get, subscribe), times out after realtimeRequestTimeout to suspended (90007); a
  // detach while attaching or attached times out back to attached (90007); publish is
  // sent without attaching.
  //
  // The state `current` (attaching or detaching), unless already in it, and a promise
  // that, as ably-js's state timer, after realtimeRequestTimeout goes to `next` with
  // 90007 and rejects with it, unless the next request comes first: that rejects it with
  // 90000 (409), as ably-js. As in ably-js, a suspended one attaches again after
  // channelRetryTimeout while connected (RTL13b), in vain (RTB1, as the core's channel retries: the nth
  // wait since the channel was last neither attaching nor suspended grows to twice
  // channelRetryTimeout, less up to 20 %).
  _releasedRequest(current, next) {
    if (this.state === current) return this._attempt;
    const end = this._releasedEnd();
    const verb = current.slice(0, 6);
    this._releasedState(current);
    end?.(new ErrorInfo(`${verb === 'attach' ? 'Detach' : 'Attach'} request superseded by a subsequent ${verb} request`, 90000, 409));
    return (this._attempt = new Promise((_, reject) => {
      this._supersede = reject;
      this._timer = setTimeout(() => {
        this._releasedEnd();
        const error = new ErrorInfo(`Channel ${verb} timed out`, 90007, 408);
        this._releasedState(next, error);
        reject(error);
        if (next !== 'suspended') return;
        const wait = this._retry * Math.min(((this._retries = (this._retries || 0) + 1) + 2) / 3, 2) * (1 - Math.random() * 0.2);
        setTimeout(() => this.state === 'suspended' && this._core.op('', OP_CONNECTION).state === 'connected' && this._releasedRequest('attaching', 'suspended').catch(() => {}), wait);
      }, this._timeout);
    }));
  }
  // Ends the request waiting, if any: rejects it with `error` if given, else returns
  // its reject function.
  _releasedEnd(error) {
    const reject = this._supersede;
    clearTimeout(this._timer);
    this._supersede = null;
    return error ? reject?.(error) : reject;
  }
  _releasedState(current, reason) {
    const previous = this.state;
    if (!/^(attaching|suspended)$/.test(current)) this._retries = 0;
    this._released = { ...this._released, state: current, ...(reason && { errorReason: reason }) };
    this.emit(current, (this._change = stateChange({ previous, current, event: current, reason })));
  }
  // As ably-js: a failed channel refuses work with 90001, the reason it failed as the
  // cause, and subscribing there adds no listener (attach() is what retries it). A
  // released one also refuses a publish or enter when suspended (`refused`).
  _unlessFailed(operation, refused = this.state === 'failed') {
    return refused
      ? Promise.reject(errorInfo(`Channel operation failed as channel state is ${this.state}`, 90001, this.errorReason))
      : operation();
  }
  // Unless the options say attachOnSubscribe: false (as ably/react's do), subscribing
  // attaches, as in ably-js; without attaching it resolves with null.
  _subscribe(emitter, event, listener) {
    return this._unlessFailed(async () => {
      emitter.on(...listenerFirst(event, listener));
      return this._attachOnSubscribe === false ? null : this.attach();
    });
  }
}

class Channels {
  // `all` by name, a plain object as in ably-js (no prototype: any name is a channel's).
  constructor(core, timeout = 10_000, retry = 15_000) { this._core = core; this._timeout = timeout; this._retry = retry; this.all = Object.create(null); }
  // Options on an attached channel that would take a new attach throw 40000, as in
  // ably-js: that is for setOptions(). As there, a name is made a string (a number, a
  // room id, would reach the wasm as an empty name).
  get(name, options) {
    name = String(name);
    const refusal = options && this._core.op(name, OP_GET_OPTIONS, options, modeBits(options));
    if (refusal instanceof Error) throw refusal;
    const channel = (this.all[name] ??= new RealtimeChannel(this._core, name));
    if (options) channel._attachOnSubscribe = options.attachOnSubscribe !== false;
    return channel;
  }
  // As ably-js 2.x: a channel that can still hear from the server (the core refuses to
  // forget it) is detached first, then forgotten if it still may be.
  release(name) {
    name = String(name);
    const release = () => {
      const last = this._core.op(name, OP_READ, true);
      const refusal = this._core.op(name, OP_RELEASE);
      if (!refusal && this.all[name]) {
        Object.assign(this.all[name], { _released: last, _timeout: this._timeout, _retry: this._retry });
        delete this.all[name];
      }
      return refusal;
    };
    if (release()) this.all[name]?.detach().catch(() => {}).then(release);
  }
}

// Where a `recover` callback's page keeps its recovery key between loads, or null. As
// ably-js, a callback with an explicit closeOnUnload: true is dropped (the two exclude
// each other: the unload closes the connection the key would recover).
const recoveryStorageKey = (options) =>
  (typeof options?.recover === 'function' && options.closeOnUnload !== true ? options.recoveryKeyStorageName || 'ably-connection-recovery' : null);

// `recover` (RTN16): a recovery key, or a callback asked whether to use the key this page
// saved before it was unloaded (single use: it is removed as it is read). Calls `connect`
// once that is settled; an unreadable key means a fresh connection, as in ably-js.
const recoverThen = (core, options, connect) => {
  const use = (key) => {
    try {
      core.op('', OP_RECOVERY, JSON.parse(key));
    } catch {}
  };
  const storageKey = recoveryStorageKey(options);
  if (!storageKey) {
    // A callback dropped for closeOnUnload is not a key: JSON.parse refuses it.
    if (options?.recover) use(options.recover);
    return connect();
  }
  let saved = null;
  try {
    saved = JSON.parse(globalThis.sessionStorage?.getItem(storageKey));
    globalThis.sessionStorage?.removeItem(storageKey);
  } catch {}
  if (!saved?.recoveryKey) return connect();
  options.recover(saved, (shouldRecover) => {
    if (shouldRecover) use(saved.recoveryKey);
    connect();
  });
};

// What an authCallback calls back with, as ably-js makes it an ErrorInfo: another value's
// code and statusCode or 40170/401; an ErrorInfo without a code 40300 if 403 (failing the
// connection, RSA4d), else 40170/401.
const callbackError = (e) => {
  if (!(e instanceof ErrorInfo)) return new ErrorInfo(String(e?.message ?? e), e?.code || 40170, e?.statusCode || 401);
  if (!e.code) Object.assign(e, e.statusCode === 403 ? { code: 40300 } : { code: 40170, statusCode: 401 });
  return e;
};

// A client's options as the wasm takes them: an object, a string being a key (or a token,
// without ':'). The constructor throws 40012 for a clientId that is not a string, or is
// '*' (a wildcard is the token's to give, RSA7c), as ably-js.
export const clientOptions = (options) => {
  if (typeof options === 'string') options = { [options.includes(':') ? 'key' : 'token']: options };
  // As ably-js, an empty key, token or authUrl is none (an environment variable set empty).
  for (const name of ['key', 'token', 'authUrl']) if (options?.[name] === '') options = { ...options, [name]: undefined };
  const clientId = options?.clientId;
  if (clientId != null && (typeof clientId !== 'string' || clientId === '*')) {
    throw errorInfo('clientId must be a string other than "*", or null', 40012);
  }
  return adaptOptions(options);
};

// A plain object's entries with their values as text: strings as they are, other values
// as JSON (those JSON has no text for, as undefined or functions, left out).
const textEntries = (object) => (object && typeof object === 'object' ? Object.entries(object) : []).flatMap(([name, value]) => {
  try {
    value = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {}
  return typeof value === 'string' ? [[name, value]] : [];
});

// authUrl (RSA8c) as the wasm takes it: a function of the token params that gives the
// request, `[url, init]` for fetch: authParams and the token params as query (GET) or
// form body (`authMethod: 'POST'`), a token param replacing an authParam of the same
// name (RSA8c2), and authHeaders; `timeout` (ms) the wait for its answer (the fetch's
// default, 10 s, if none). The options are read now, as the wasm reads the others.
const authRequest = ({ authUrl, authParams, authHeaders, authMethod }, timeout) => {
  const post = typeof authMethod === 'string' && /^post$/i.test(authMethod);
  const params = textEntries(authParams);
  const headers = textEntries(authHeaders);
  if (post) headers.unshift(['Content-Type', 'application/x-www-form-urlencoded']);
  const init = { method: post ? 'POST' : 'GET', headers: Object.fromEntries(headers), timeout };
  return (tokenParams) => {
    const form = [...params.filter(([name]) => !tokenParams.hasOwnProperty(name)), ...Object.entries(tokenParams)]
      .map((pair) => pair.map(encodeURIComponent).join('=')).join('&');
    if (post) return [authUrl, { ...init, body: form }];
    return [form ? authUrl + (authUrl.includes('?') ? '&' : '?') + form : authUrl, init];
  };
};

// The auth options as the wasm takes them. authUrl as `authRequest` makes it, if a string
// (else none). authCallback(tokenParams, callback) in ably-js; the core awaits a Promise,
// which rejects with an Error the callback throws as it is, as ably-js passes that on.
// Anything else it throws (a string, a plain object) becomes an ErrorInfo as if called
// back with, so the app's catch gets a code and a message (ably-js passes on the value as
// it is). As in ably-js, no answer within `timeout` ms (the client's
// realtimeRequestTimeout) is 40170, from the authUrl too: the request would otherwise
// never settle, or wait for the fetch's own 10 s.
export const adaptOptions = (options, timeout = options?.realtimeRequestTimeout) => {
  if (typeof options !== 'object' || !options) return options;
  const { authCallback, authUrl } = options;
  if (!authCallback) {
    // The other options as they are: read through the prototype.
    const value = typeof authUrl === 'string' && authRequest(options, timeout);
    return authUrl == null ? options : Object.create(options, { authUrl: { value } });
  }
  return {
    ...options,
    // The timer goes once settled: a pending one would keep a Node process alive.
    authCallback: (params) => {
      let timer;
      return new Promise((resolve, reject) => {
        const fail = (error) => reject(callbackError(error));
        timer = setTimeout(() => fail(new ErrorInfo('authCallback gave no token in time', 40170, 401)), timeout ?? 1e4);
        try {
          const result = authCallback(params, (error, token) => (error ? fail(error) : resolve(token)));
          // A Promise answers unless it brings nothing: an async function may call back later.
          if (result && typeof result.then === 'function') result.then((token) => token && resolve(token), fail);
        } catch (e) {
          if (e instanceof Error) reject(e);
          else fail(e);
        }
      }).finally(() => clearTimeout(timer));
    },
  };
};

// The wasm keeps the event sink, so a sink holding its client would keep it, and its wasm
// memory, alive for good. The sink reaches the client through `held` from connect() until
// closed or failed, as an open ably-js client stays alive, and weakly otherwise: a closed
// client the app has let go of is collected, and wasm-bindgen's finalizer frees its wasm
// side. Made here, not in the constructor, so the sink's scope holds no `this`.
function eventSink(client) {
  const target = { held: null, weak: new WeakRef(client) };
  return [target, (event) => (target.held ?? target.weak.deref())?._dispatch(event)];
}

/** ably-js `Realtime` over `Core`, a wasm-bindgen `Realtime` class. */
export const realtimeClass = (Core) => class Realtime {
  constructor(options) {
    const [target, sink] = eventSink(this);
    const core = new Core(clientOptions(options), sink);
    this.connection = new Connection(core, options, (inUse) => { target.held = inUse ? this : null; });
    this.channels = new Channels(core, options?.realtimeRequestTimeout, options?.channelRetryTimeout);
    // ably-js apps read their identity as `realtime.auth.clientId`, and ask for a new
    // token (new capabilities after a login) with `auth.authorize()`.
    let { key } = options ?? {};
    const { connection } = this;
    this.auth = {
      get clientId() { return core.op('', OP_CONNECTION).clientId; },
      authorize(tokenParams, authOptions) {
        // As ably-js (RSA10a): not another key than the one in use.
        if (authOptions?.key && authOptions.key !== key) {
          return Promise.reject(new ErrorInfo('authorize() with another key than the client\'s', 40102, 401));
        }
        if (authOptions) ({ key } = authOptions);
        // The new token connects a client that is not connected, as in ably-js: held
        // and listening to the page as after connect().
        if (!/^(connect|closing)/.test(connection.state)) {
          connection._hold(true);
          connection._listen('addEventListener');
        }
        return core.op('', OP_AUTHORIZE, tokenParams, adaptOptions(authOptions, options?.realtimeRequestTimeout)).catch((error) => {
          // No token came: a client left unconnected by it is let go again.
          if (/^(initialized|closed|failed)$/.test(connection.state)) {
            connection._listen('removeEventListener');
            connection._hold(false);
          }
          throw error;
        });
      },
    };
    recoverThen(core, options, () => options?.autoConnect !== false && this.connection.connect());
  }
  get clientId() { return this.connection._core.op('', OP_CONNECTION).clientId; }
  connect() { this.connection.connect(); }
  close() { this.connection.close(); }
  _dispatch(event) {
    const channel = event.channel !== undefined ? this.channels.all[event.channel] : undefined;
    switch (event.type) {
      // As in ably-js: state is current at once, listeners hear of it on the next tick.
      case 'connection': {
        // Failed stays down until connect(): the page's events have nothing left to do.
        // The state now, not the event's: a connect() that ended a close is connecting.
        const { state } = this.connection;
        if (state === 'failed') this.connection._listen('removeEventListener');
        if (state === 'failed' || state === 'closed') this.connection._hold(false);
        if (event.reason) this.connection._reason = event.reason;
        return queueMicrotask(() => this.connection.emit(event.event, stateChange(event)));
      }
      case 'channel':
        if (channel && event.reason) channel._reason = event.reason;
        return channel?.emit(event.event, (channel._change = stateChange(event)));
      // A run of presence events on one channel, in order (a listener may release the
      // channel: the next event goes to the channel of that name then, as before the run).
      case 'presence':
        for (const message of event.messages) this.channels.all[event.channel]?.presence.emit(message.action, message);
        return;
      case 'message': return channel?._messages.emit(event.message.name, event.message);
      case 'reenterFailed':
        return channel?.emit('update', { previous: channel.state, current: channel.state, event: 'update', resumed: true, hasBacklog: false, reason: event.reason });
    }
  }
};
