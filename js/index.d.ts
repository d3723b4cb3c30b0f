// Types for roster-presence (the full entry): those of roster-presence/realtime
// (realtime.d.ts) plus `Rest`.
import type {
  AuthOptions, ClientOptions, PaginatedResult, PresenceMessage, ErrorInfo, RestHistoryParams,
  TokenDetails, TokenParams, TokenRequest,
} from './realtime.js';

export * from './realtime.js';

export interface RestPresenceParams {
  clientId?: string;
  connectionId?: string;
  limit?: number;
}

/** A channel whose members batchPresence() got (ably-js's name). */
export interface BatchPresenceSuccessResult {
  channel: string;
  presence: PresenceMessage[];
}

/** A channel whose members batchPresence() could not get (ably-js's name). */
export interface BatchPresenceFailureResult {
  channel: string;
  error: ErrorInfo;
}

/** Counts and per-item results of a batch request (ably-js's name). */
export interface BatchResult<T> {
  successCount: number;
  failureCount: number;
  results: T[];
}

/** One channel's members, or why they could not be had: never both, never neither. */
export type BatchPresenceResult = BatchPresenceSuccessResult | BatchPresenceFailureResult;

/** The answer to batchPresence(). */
export type BatchPresenceResponse = BatchResult<BatchPresenceResult>;

/** A REST channel's presence (ably-js's `Presence`). */
export interface Presence {
  /** The channel's current members, a page at a time. */
  get(params?: RestPresenceParams): Promise<PaginatedResult<PresenceMessage>>;
  /** The channel's presence events, a page at a time. */
  history(params?: RestHistoryParams): Promise<PaginatedResult<PresenceMessage>>;
}

/** A REST channel (ably-js's `Channel`): its presence only. */
export interface Channel {
  /** The channel's name. */
  readonly name: string;
  /** Its members and presence history. */
  readonly presence: Presence;
}

export declare class Rest {
  constructor(options: ClientOptions | string);
  readonly channels: {
    /** The channel, made on first use. */
    get(name: string): Channel;
  };
  readonly auth: {
    /** As ably-js's Rest: the `clientId` option (null if given as null), else undefined. */
    readonly clientId?: string | null;
    /**
     * A TokenRequest signed with the key. Given `authOptions` replace the client's (their
     * `key`, `queryTime`), given `params` the client's defaults (its clientId), as ably-js.
     */
    createTokenRequest(params?: TokenParams | null, authOptions?: AuthOptions | null): Promise<TokenRequest>;
    /**
     * A token from the client's auth, or (given `authOptions`) from the source they name,
     * for this token only, as ably-js; a key signs a TokenRequest as createTokenRequest does.
     */
    requestToken(params?: TokenParams | null, authOptions?: AuthOptions | null): Promise<TokenDetails>;
  };
  batchPresence(channels: string | string[]): Promise<BatchPresenceResponse>;
  /** Server time, ms since the epoch. */
  time(): Promise<number>;
}

/** ably-js's name for the REST client's interface: here the class itself. */
export type RestClient = Rest;

// The default export is the module's values (Realtime, Rest, ErrorInfo), and, as the
// namespace, its types (see realtime.d.ts).
// (`export * as default`, not `import * as Ably` and `export default Ably`: TypeScript's
// node16/nodenext resolution took that self-import for a circular alias, TS2303.)
export * as default from './index.js';
