import { StoreError, type StoreOperation } from '@switchyard/core';

/** The store's name in messages and `StoreError.store`. */
export const STORE = 'consul';
/** Greppable prefix of every message of this package. */
export const PREFIX = '[switchyard/store-consul]';

/**
 * What went wrong, as a program can tell it apart:
 * - `'forbidden'`: 403, the ACL token is missing, unknown or lacks `key:read`/`key:write` on the prefix;
 * - `'conflict'`: 409, a transaction was rolled back (an operation of it failed);
 * - `'too-large'`: 413, a value or transaction over Consul's limits;
 * - `'server-error'`: 5xx, e.g. no cluster leader;
 * - `'bad-request'`: 400, Consul refused the request (a key it does not accept);
 * - `'timeout'`: no answer within `pool.requestTimeoutMs` or no connection within `pool.connectTimeoutMs`;
 * - `'network'`: connection refused or reset;
 * - `'unexpected'`: any other answer, or a lost check-and-set race that did not end.
 */
export type ConsulFailure = 'forbidden' | 'conflict' | 'too-large' | 'server-error' | 'bad-request' | 'timeout' | 'network' | 'unexpected';

/**
 * A `StoreError` from the Consul store, with the kind of failure and the HTTP status (when Consul
 * answered). The ACL token never appears in its message.
 */
export class ConsulStoreError extends StoreError {
  constructor(
    operation: StoreOperation,
    /** The kind of failure. */
    readonly failure: ConsulFailure,
    message: string,
    /** The HTTP status Consul answered with, if it answered. */
    readonly statusCode?: number,
    options?: { cause?: unknown },
  ) {
    super(STORE, operation, message, options);
    this.name = 'ConsulStoreError';
  }

  /** True for a {@link ConsulStoreError} from any copy of the package. */
  static isConsulStoreError(value: unknown): value is ConsulStoreError {
    return StoreError.isInstance(value) && typeof (value as { failure?: unknown }).failure === 'string' && value.store === STORE;
  }
}

/** The failure an HTTP status means. */
export function failureOf(status: number): ConsulFailure {
  if (status === 403) return 'forbidden';
  if (status === 409) return 'conflict';
  if (status === 413) return 'too-large';
  if (status === 400) return 'bad-request';
  if (status >= 500) return 'server-error';
  return 'unexpected';
}
