/**
 * The one error hierarchy of Switchyard. Every error the SDK raises or rejects with is a
 * {@link SwitchyardError} with a `code`; stores reject with {@link StoreError}.
 *
 * `instanceof` fails when two copies of core are loaded (the ESM and the CommonJS build in one
 * process, or two versions side by side), so each class brands its instances with a registered symbol
 * and offers a static `isInstance` that works across copies.
 */
const BRAND = Symbol.for('switchyard.error.code');

/**
 * The kind of a {@link SwitchyardError}. `CLIENT`, `DATA_SOURCE` and `NETWORK` are raised by
 * `@switchyard/node-server` (its classes carry LaunchDarkly's names: `LDClientError`, `LDPollingError`, …).
 */
export type SwitchyardErrorCode =
  | 'CONFIG'
  | 'TIMEOUT'
  | 'CLOSED'
  | 'STORE'
  | 'ITEM_TOO_LARGE'
  | 'MALFORMED_DATA'
  | 'CLIENT'
  | 'DATA_SOURCE'
  | 'NETWORK';

function brandOf(value: unknown): SwitchyardErrorCode | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as { [BRAND]?: SwitchyardErrorCode })[BRAND];
}

/** Base class of every Switchyard error. Messages start with `[switchyard/<area>]` so they are greppable. */
export class SwitchyardError extends Error {
  /** What went wrong, stable across versions; match on this rather than on messages. */
  readonly code: SwitchyardErrorCode;

  constructor(code: SwitchyardErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'SwitchyardError';
    Object.defineProperty(this, BRAND, { value: code, enumerable: false });
  }

  /** True for any Switchyard error, from any copy of the package. */
  static isInstance(value: unknown): value is SwitchyardError {
    return brandOf(value) !== undefined;
  }

  /**
   * The code of a Switchyard error from any copy of the package, `undefined` for anything else. Use it
   * for LaunchDarkly-named classes whose `code` field means something else (`LDStreamingError.code` is
   * the HTTP status, as in LaunchDarkly's SDK).
   */
  static codeOf(value: unknown): SwitchyardErrorCode | undefined {
    return brandOf(value);
  }
}

/** An option or argument is invalid. The message names it and, where one applies, the value used instead. */
export class ConfigError extends SwitchyardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
    this.name = 'ConfigError';
  }

  static override isInstance(value: unknown): value is ConfigError {
    return brandOf(value) === 'CONFIG';
  }
}

/** An operation did not finish in time. */
export class TimeoutError extends SwitchyardError {
  constructor(
    message: string,
    /** The limit that was exceeded, in milliseconds. */
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super('TIMEOUT', message, options);
    this.name = 'TimeoutError';
  }

  static override isInstance(value: unknown): value is TimeoutError {
    return brandOf(value) === 'TIMEOUT';
  }
}

/** The component was closed and cannot serve the call. */
export class ClosedError extends SwitchyardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CLOSED', message, options);
    this.name = 'ClosedError';
  }

  static override isInstance(value: unknown): value is ClosedError {
    return brandOf(value) === 'CLOSED';
  }
}

/**
 * Data (a flag, a segment, a stream message, a stored item) is not in the shape LaunchDarkly's protocol
 * defines. The message names the kind and key where they are known.
 */
export class MalformedDataError extends SwitchyardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MALFORMED_DATA', message, options);
    this.name = 'MalformedDataError';
  }

  static override isInstance(value: unknown): value is MalformedDataError {
    return brandOf(value) === 'MALFORMED_DATA';
  }
}

/** Which store operation failed. */
export type StoreOperation =
  | 'init'
  | 'get'
  | 'getAll'
  | 'upsert'
  | 'isInitialized'
  | 'isStoreAvailable'
  | 'close'
  | 'getMetadata'
  | 'getMembership';

/**
 * A persistent store could not do what was asked (connection refused, timeout, rejected write).
 * Stores reject with this and never log-and-swallow; the core decides what to do (serve from cache,
 * mark the store unavailable, retry).
 */
export class StoreError extends SwitchyardError {
  /**
   * True when a write (`init`, `upsert`) did not reach the store but the caching wrapper applied it to
   * its cache, which serves it from now on and writes it to the store when the store is back (an
   * infinite cache during an outage). The data changed for the SDK, so listeners must hear of it; the
   * store is still behind. False for every error a store itself raises.
   */
  readonly appliedToCache: boolean;

  constructor(
    /** The store, e.g. `'redis'`. */
    readonly store: string,
    /** The operation that failed. */
    readonly operation: StoreOperation,
    message: string,
    options?: { cause?: unknown; appliedToCache?: boolean },
  ) {
    super('STORE', `[switchyard/store-${store}] ${operation} failed: ${message}`, options);
    this.name = 'StoreError';
    this.appliedToCache = options?.appliedToCache === true;
  }

  static override isInstance(value: unknown): value is StoreError {
    return brandOf(value) === 'STORE';
  }
}
