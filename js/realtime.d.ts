// Types for roster-presence/realtime: the ably-js 2.x shapes of the parts Roster
// implements. The full entry's types (index.d.ts) are these plus `Rest`.

/**
 * An Ably error: a JS Error with the Ably code and HTTP status. Every error the SDK
 * throws or rejects with is `instanceof ErrorInfo`, as in ably-js.
 */
export declare class ErrorInfo extends Error {
  constructor(message: string, code: number, statusCode: number, cause?: ErrorInfo);
  name: 'ErrorInfo';
  /** Ably error code, e.g. 40012. */
  code: number;
  /** HTTP status that goes with it, e.g. 400. */
  statusCode: number;
  /** The error behind this one, where there is one. */
  cause?: ErrorInfo;
  /** Help link. */
  href?: string;
}

/** Token parameters (clientId, ttl in ms, capability). */
export interface TokenParams {
  clientId?: string;
  ttl?: number;
  capability?: string | Record<string, string[]>;
}

/** A token and what it allows. */
export interface TokenDetails {
  token: string;
  keyName?: string;
  issued?: number;
  expires?: number;
  capability?: string;
  clientId?: string;
}

/** A signed request for a token, exchanged at /keys/{keyName}/requestToken. */
export interface TokenRequest {
  keyName: string;
  ttl?: number;
  capability?: string;
  clientId?: string;
  timestamp: number;
  nonce: string;
  mac: string;
}

/** How authUrl is requested (ably-js's name). */
export type HTTPMethod = 'GET' | 'POST';

/** What an authUrl or authCallback may answer with. */
export type TokenAnswer = string | TokenDetails | TokenRequest;

/** How to get tokens (ably-js 2.x names); `auth.authorize()` may replace them. */
export interface AuthOptions {
  /**
   * API key `appId.keyId:secret`; refused over non-TLS connections (40103). Realtime
   * authenticates with it by basic auth in both entries; only the full entry signs token
   * requests with it (`useTokenAuth`, `auth.authorize()`, `Rest`'s token methods).
   */
  key?: string;
  /** A token string, or a TokenDetails object. */
  token?: string | TokenDetails;
  /** A TokenDetails object. */
  tokenDetails?: TokenDetails;
  /** URL answering with a token, TokenDetails or TokenRequest. */
  authUrl?: string;
  /** Extra query (GET) or form (POST) parameters for authUrl. */
  authParams?: Record<string, string | number | boolean>;
  /** Extra headers for authUrl. */
  authHeaders?: Record<string, string>;
  /** 'GET' (default) or 'POST'. */
  authMethod?: HTTPMethod;
  /**
   * Called for a token; answer via the callback or a returned Promise (an async function
   * that calls back, as ably-js's docs write it, is fine too).
   */
  authCallback?: (
    params: TokenParams,
    callback: (error: ErrorInfo | string | null, token: TokenAnswer | null) => void,
  ) => void | Promise<TokenAnswer | void>;
  /** `Rest` only: TokenRequests it signs take the server's time (asked once, as ably-js). */
  queryTime?: boolean;
  /**
   * With a key, the connection and requests carry tokens asked for with it (TokenRequests
   * the client signs), not the key, so no TLS is needed (default false), as ably-js. The
   * full entry only: the realtime entry's `Realtime` throws 40000 for it with a key.
   */
  useTokenAuth?: boolean;
}

/** Client options (ably-js 2.x names). */
export interface ClientOptions extends AuthOptions {
  /** The clientId to identify as. */
  clientId?: string;
  /** Host for both realtime and REST. */
  endpoint?: string;
  /** Realtime host (overrides endpoint). */
  realtimeHost?: string;
  /** REST host (overrides endpoint). */
  restHost?: string;
  /** Port used when tls is false (default 80). */
  port?: number;
  /** Port used when tls is true (default 443). */
  tlsPort?: number;
  /** Use TLS (default true). */
  tls?: boolean;
  /** Extra connect parameters, e.g. { remainPresentFor: 1000, heartbeatInterval: 15000 }. */
  transportParams?: Record<string, string | number | boolean>;
  /** Connect on construction (default true). */
  autoConnect?: boolean;
  /**
   * In browsers, close the connection when the page is hidden for good or cached
   * (`pagehide`), so the server removes this client's members at once instead of after
   * remainPresentFor; a page restored from the back/forward cache connects again and
   * re-enters its members (default true, false with `recover`, as in ably-js).
   */
  closeOnUnload?: boolean;
  /**
   * Continue an earlier connection, with its members and channel positions: a key from
   * `connection.createRecoveryKey()`, or a callback asked on load whether to use the key
   * this page saved when it was last unloaded (closeOnUnload then defaults to false; a
   * callback with closeOnUnload: true is ignored, as in ably-js).
   */
  recover?: string | RecoverConnectionCallback;
  /** The sessionStorage item a `recover` callback's key is kept in (default 'ably-connection-recovery'). */
  recoveryKeyStorageName?: string;
  /** ms before retrying from disconnected (default 15000). */
  disconnectedRetryTimeout?: number;
  /** ms before retrying from suspended (default 30000). */
  suspendedRetryTimeout?: number;
  /** ms a connect, close or channel attach/detach may wait for the server (default 10000). */
  realtimeRequestTimeout?: number;
  /** ms before a suspended channel tries to attach again while connected (default 15000). */
  channelRetryTimeout?: number;
  /** Receive your own published messages (default true). */
  echoMessages?: boolean;
  /** Hold what is sent while not connected until connected (default true); false refuses it. */
  queueMessages?: boolean;
  /** msgpack frames when the package is built with msgpack; JSON otherwise. */
  useBinaryProtocol?: boolean;
}

export type ConnectionState =
  | 'initialized' | 'connecting' | 'connected' | 'disconnected'
  | 'suspended' | 'closing' | 'closed' | 'failed';
export type ConnectionEvent = ConnectionState | 'update';
export type ChannelState =
  | 'initialized' | 'attaching' | 'attached' | 'detaching' | 'detached' | 'suspended' | 'failed';
export type ChannelEvent = ChannelState | 'update';
export type PresenceAction = 'absent' | 'present' | 'enter' | 'leave' | 'update';

/**
 * A connection state change. Roster's carry `event` too (ably-js's listeners read it as
 * `this.event`); optional, as ably.d.ts has none, so the changes an app makes itself
 * (a test's fake) type-check on both.
 */
export interface ConnectionStateChange {
  previous: ConnectionState;
  current: ConnectionState;
  event?: ConnectionEvent;
  reason?: ErrorInfo;
  retryIn?: number;
}

/** A channel state change; `event` optional as on ConnectionStateChange. */
export interface ChannelStateChange {
  previous: ChannelState;
  current: ChannelState;
  event?: ChannelEvent;
  resumed: boolean;
  /** On changes to attached: whether messages from before the attach come next. */
  hasBacklog?: boolean;
  reason?: ErrorInfo;
}

/**
 * One member's presence event or state, data decoded. As in ably-js, `id` is typed as
 * always there, though a leave the SDK makes itself (the member's connection is gone
 * from the synced set) has none.
 */
export interface PresenceMessage {
  action: PresenceAction;
  clientId: string;
  connectionId: string;
  data?: any;
  encoding?: string;
  id: string;
  /** ms since the epoch. */
  timestamp: number;
  extras?: any;
}

/** A channel message, data decoded. */
export interface Message {
  name?: string;
  data?: any;
  id?: string;
  clientId?: string;
  connectionId?: string;
  timestamp?: number;
  extras?: any;
  /** What the message does; one published is a 'message.create'. */
  action?: MessageAction;
  /** The server's unique, ordered id for the message, if it gives one. */
  serial?: string;
  /** The message's latest version; for a create, its serial and timestamp. */
  version?: MessageVersion;
  /** The summary of the message's annotations. */
  annotations?: MessageAnnotations;
}

/** What a channel message does (ably-js's names). */
export type MessageAction =
  | 'message.create' | 'message.update' | 'message.delete' | 'meta' | 'message.summary' | 'message.append';

/** A message's version: who changed it to this, and when (ably-js's `MessageVersion`). */
export interface MessageVersion {
  serial?: string;
  timestamp?: number;
  clientId?: string;
  description?: string;
  metadata?: Record<string, string>;
}

/** The annotations of a message, summarized by annotation type. */
export interface MessageAnnotations {
  summary: Record<string, any>;
}

/** A message as subscribers receive it (ably-js's name): with its action, version and annotations. */
export type InboundMessage = Message & Required<Pick<Message, 'id' | 'timestamp' | 'action' | 'version' | 'annotations'>>;

/** A listener for messages of type T (ably-js's name). */
export type messageCallback<T> = (message: T) => void;

/** One page of results; follow Link headers with next()/first()/current(). */
export interface PaginatedResult<T> {
  readonly items: T[];
  hasNext(): boolean;
  isLast(): boolean;
  next(): Promise<PaginatedResult<T> | null>;
  first(): Promise<PaginatedResult<T>>;
  current(): Promise<PaginatedResult<T>>;
}

export interface RealtimePresenceParams {
  waitForSync?: boolean;
  clientId?: string;
  connectionId?: string;
}

export interface RestHistoryParams {
  start?: number;
  end?: number;
  direction?: 'forwards' | 'backwards';
  limit?: number;
}

/** presence.history()'s params on a realtime channel (`untilAttach` is not supported). */
export type RealtimeHistoryParams = RestHistoryParams;

/**
 * ably-js's emitter (same type parameters): a listener for one event, several, or all;
 * `once` without a listener resolves with what the listener would get. A type only, as
 * in ably-js: the package exports no EventEmitter value.
 */
export interface EventEmitter<CallbackType, ResultType, EventType> {
  on(listener: CallbackType): void;
  on(event: EventType | EventType[], listener: CallbackType): void;
  once(listener: CallbackType): void;
  once(event: EventType | EventType[], listener: CallbackType): void;
  once(event?: EventType | EventType[]): Promise<ResultType>;
  off(): void;
  off(listener: CallbackType): void;
  off(event: EventType | EventType[], listener?: CallbackType): void;
}

/** What a page saved about its connection when it was unloaded. */
export interface LastConnectionDetails {
  /** The key to pass as `recover`. */
  recoveryKey: string;
  /** When the page was unloaded, in ms since the epoch. */
  disconnectedAt: number;
  /** A copy of the unloaded page's `location`: recover only a reload, say, by comparing `href`. */
  location: { href: string; origin: string; pathname: string; search: string; hash: string };
  /** The clientId that page used. */
  clientId: string | null;
}

/** Decides whether to recover the connection a previous page left; call `callback(true)` to. */
export type RecoverConnectionCallback = (
  lastConnectionDetails: LastConnectionDetails,
  callback: (shouldRecover: boolean) => void,
) => void;

/** A connection state listener (ably-js's name). */
export type connectionEventCallback = (change: ConnectionStateChange) => void;

/** A channel state listener (ably-js's name). */
export type channelEventCallback = (change: ChannelStateChange) => void;

/** A client's connection (a type only: reached as `client.connection`). */
export interface Connection extends EventEmitter<connectionEventCallback, ConnectionStateChange, ConnectionEvent> {
  readonly state: ConnectionState;
  readonly id?: string;
  readonly key?: string;
  readonly errorReason: ErrorInfo | null;
  connect(): void;
  close(): void;
  /** Round-trip time in ms. */
  ping(): Promise<number>;
  /** A key another instance passes as `recover` to continue this connection; null when there is none. */
  createRecoveryKey(): string | null;
  /** Resolves once the connection is in `state` (at once if it already is). */
  whenState(state: ConnectionState): Promise<ConnectionStateChange | null>;
}

export type PresenceListener = (message: PresenceMessage) => void;

/** A channel's presence (a type only: reached as `channel.presence`). */
export interface RealtimePresence {
  /** Whether the member set is in sync with the server. */
  readonly syncComplete: boolean;
  get(params?: RealtimePresenceParams): Promise<PresenceMessage[]>;
  history(params?: RealtimeHistoryParams): Promise<PaginatedResult<PresenceMessage>>;
  subscribe(listener: PresenceListener): Promise<void>;
  subscribe(action: PresenceAction | PresenceAction[], listener: PresenceListener): Promise<void>;
  unsubscribe(): void;
  unsubscribe(listener: PresenceListener): void;
  unsubscribe(action: PresenceAction | PresenceAction[], listener?: PresenceListener): void;
  enter(data?: any): Promise<void>;
  update(data?: any): Promise<void>;
  leave(data?: any): Promise<void>;
  enterClient(clientId: string, data?: any): Promise<void>;
  updateClient(clientId: string, data?: any): Promise<void>;
  leaveClient(clientId: string, data?: any): Promise<void>;
}

/** A channel message listener; it gets messages as subscribers receive them. */
export type MessageListener = (message: InboundMessage) => void;

/** Which messages a filtered subscription hears: those whose fields match each one given (ably-js's). */
export type MessageFilter = {
  name?: string;
  clientId?: string;
  /** `extras.ref.timeserial`. */
  refTimeserial?: string;
  /** `extras.ref.type`. */
  refType?: string;
  /** Whether `extras.ref.timeserial` is there. */
  isRef?: boolean;
};

/** A channel mode to ask for in `ChannelOptions.modes` (any case). */
export type ChannelMode =
  | 'PRESENCE' | 'PUBLISH' | 'SUBSCRIBE' | 'PRESENCE_SUBSCRIBE'
  | 'ANNOTATION_PUBLISH' | 'ANNOTATION_SUBSCRIBE' | 'OBJECT_SUBSCRIBE' | 'OBJECT_PUBLISH';

/** A mode the server granted, as `channel.modes` lists it. */
export type ResolvedChannelMode = Lowercase<ChannelMode>;

/** Channel params (string values), sent when attaching. */
export type ChannelParams = Record<string, string>;

/** Options for `channels.get(name, options)` and `channel.setOptions(options)`. */
export interface ChannelOptions {
  /** Ask for only these modes (default: all the capability allows). */
  modes?: ChannelMode[];
  /** Channel params for the attach. */
  params?: ChannelParams;
  /** false: subscribe() and presence.subscribe() do not attach the channel (default true). */
  attachOnSubscribe?: boolean;
}

/** A realtime channel (a type only: made by `client.channels.get()`). */
export interface RealtimeChannel extends EventEmitter<channelEventCallback, ChannelStateChange, ChannelEvent> {
  readonly name: string;
  readonly state: ChannelState;
  readonly errorReason: ErrorInfo | null;
  readonly presence: RealtimePresence;
  /** The modes granted at the last attach; undefined before one. */
  readonly modes: ResolvedChannelMode[] | undefined;
  /** The params granted at the last attach (undefined before the first, as in ably-js). */
  readonly params: ChannelParams;
  /** Sets modes/params; an attached channel attaches again if they change (resolves on ATTACHED). */
  setOptions(options: ChannelOptions): Promise<void>;
  /** Resolves at once (with null) if the channel is in `state`, else on its next change to it. */
  whenState(state: ChannelState): Promise<ChannelStateChange | null>;
  /** Resolves with the change to attached, or null if the channel already was. */
  attach(): Promise<ChannelStateChange | null>;
  detach(): Promise<void>;
  /** Listens and attaches (unless attachOnSubscribe is false: null); resolves as attach() does. */
  subscribe(listener: MessageListener): Promise<ChannelStateChange | null>;
  subscribe(name: string | string[], listener: MessageListener): Promise<ChannelStateChange | null>;
  /** Listens to the messages `filter` matches; attaches as subscribe(listener) does. */
  subscribe(filter: MessageFilter, listener: MessageListener): Promise<ChannelStateChange | null>;
  unsubscribe(): void;
  /** Also takes off the listener's filtered subscriptions. */
  unsubscribe(listener: MessageListener): void;
  unsubscribe(name: string | string[], listener?: MessageListener): void;
  /** Takes off what was subscribed with this very filter object (with `listener` only, if given). */
  unsubscribe(filter: MessageFilter, listener?: MessageListener): void;
  publish(name: string, data?: any): Promise<void>;
  publish(messages: Message | Message[]): Promise<void>;
}

/** A realtime client's channels (ably-js's `Channels<T>`, without `getDerived`). */
export interface Channels<T> {
  /** The channel, made on first use. Throws 40000 if `options` would re-attach an attached channel. */
  get(name: string, options?: ChannelOptions): T;
  /**
   * Forgets a channel, once detached: an attached one is detached first (as ably-js 2.x).
   * The released object hears nothing more from the server: its attach times out (90007);
   * attached again by a detach that timed out, its presence calls are sent, as ably-js's.
   */
  release(name: string): void;
  /** The channels made by get() and not released, by name. */
  readonly all: Record<string, T>;
}

export declare class Realtime {
  constructor(options: ClientOptions | string);
  readonly connection: Connection;
  readonly channels: Channels<RealtimeChannel>;
  readonly clientId?: string;
  /** As ably-js: `auth.clientId` is the identity the server confirmed (or the one asked for). */
  readonly auth: {
    readonly clientId?: string;
    /**
     * A new token now (e.g. new capabilities after a login), without dropping the
     * connection: resolves with it once the connection uses it (connected: an `update`
     * event, same connection). `authOptions` and `tokenParams` replace the stored ones
     * for later tokens too, as in ably-js.
     */
    authorize(tokenParams?: TokenParams | null, authOptions?: AuthOptions | null): Promise<TokenDetails>;
  };
  connect(): void;
  close(): void;
}

/** ably-js's name for the realtime client's interface: here the class itself. */
export type RealtimeClient = Realtime;

// The default export is the module's values (Realtime, ErrorInfo); as the namespace, it
// also names the types: `import Ably from` then has `Ably.RealtimeChannel`, as with ably-js.
// (`export * as default`, not `import * as Ably` and `export default Ably`: TypeScript's
// node16/nodenext resolution took that self-import for a circular alias, TS2303.)
export * as default from './realtime.js';
