import { SwitchyardError, TimeoutError } from '@switchyard/core';

import type { DataSourceErrorKind } from './data-sources/status.js';

/**
 * The errors of `@switchyard/node-server`, under the names `@launchdarkly/node-server-sdk` exports, so
 * `err instanceof LDTimeoutError` in code written for LaunchDarkly keeps working. Every class is a
 * {@link SwitchyardError} (core's hierarchy: a `code`, `isInstance` across copies of the package);
 * `name` is LaunchDarkly's (`'LaunchDarklyTimeoutError'`, …).
 *
 * ```
 * SwitchyardError (core)
 * ├─ LDClientError                      code 'CLIENT'       invalid context, unknown flag, secureModeHash of an invalid context
 * ├─ TimeoutError (core)                code 'TIMEOUT'
 * │  └─ LDTimeoutError                                      waitForInitialization timed out
 * ├─ NetworkError                       code 'NETWORK'      a request failed (timeout, proxy, connection)
 * │  └─ LDUnexpectedResponseError                           an answer the SDK cannot use
 * └─ DataSourceError                    code 'DATA_SOURCE'  a data source failed (`kind`, `status`, `recoverable`)
 *    ├─ LDPollingError / LDStreamingError / LDFlagDeliveryFallbackError
 *    └─ LDFileDataSourceError
 *       └─ FlagFileError                                    a flag file cannot be read or is not valid
 * ```
 */

/**
 * A misuse of the client that it reports rather than throws: an invalid context or an unknown flag (on
 * the `error` event), a secure-mode hash for an invalid context (thrown, as LaunchDarkly's SDK does).
 * LaunchDarkly's `LDClientError`.
 */
export class LDClientError extends SwitchyardError {
  constructor(message: string, options?: ErrorOptions) {
    super('CLIENT', message, options);
    this.name = 'LaunchDarklyClientError';
  }

  static override isInstance(value: unknown): value is LDClientError {
    return SwitchyardError.codeOf(value) === 'CLIENT';
  }
}

/**
 * `waitForInitialization` timed out (LaunchDarkly's `LDTimeoutError`). It is also core's
 * {@link TimeoutError} (`code: 'TIMEOUT'`, `timeoutMs`).
 */
export class LDTimeoutError extends TimeoutError {
  /**
   * @param message what timed out
   * @param timeoutMs the limit in milliseconds; `NaN` when not given (LaunchDarkly's constructor takes
   *   only the message)
   */
  constructor(message: string, timeoutMs: number = Number.NaN, options?: ErrorOptions) {
    super(message, timeoutMs, options);
    this.name = 'LaunchDarklyTimeoutError';
  }
}

/**
 * A network request failed: no connection, no answer in time, a proxy that refused the tunnel. Data
 * sources and the event sender report it (in status, logs and the `cause` of other errors) and retry.
 */
export class NetworkError extends SwitchyardError {
  constructor(message: string, options?: ErrorOptions) {
    super('NETWORK', message, options);
    this.name = 'NetworkError';
  }

  static override isInstance(value: unknown): value is NetworkError {
    return SwitchyardError.codeOf(value) === 'NETWORK';
  }
}

/** A service answered with something the SDK cannot use (LaunchDarkly's `LDUnexpectedResponseError`). */
export class LDUnexpectedResponseError extends NetworkError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LaunchDarklyUnexpectedResponseError';
  }
}

/** Options of {@link DataSourceError}. */
export interface DataSourceErrorOptions extends ErrorOptions {
  /** What went wrong. Default: `'ERROR_RESPONSE'` with a `status`, `'UNKNOWN'` without. */
  kind?: DataSourceErrorKind;
  /** Whether the data source keeps trying. Default `false`. */
  recoverable?: boolean;
}

/**
 * A data source failed. A permanent failure (`recoverable: false`) makes the client emit `failed` and
 * `error` with it and rejects a pending `waitForInitialization`. Its message never contains the SDK key.
 */
export class DataSourceError extends SwitchyardError {
  /** What went wrong (LaunchDarkly's `DataSourceErrorKind` values, plus `'STORE_ERROR'`). */
  readonly kind: DataSourceErrorKind;
  /** The HTTP status, when the failure is an HTTP response. */
  readonly status?: number;
  /** Whether the data source keeps trying after this error. */
  readonly recoverable: boolean;

  constructor(message: string, status?: number, options?: DataSourceErrorOptions) {
    super('DATA_SOURCE', message, options);
    this.name = 'DataSourceError';
    this.kind = options?.kind ?? (status === undefined ? 'UNKNOWN' : 'ERROR_RESPONSE');
    if (status !== undefined) this.status = status;
    this.recoverable = options?.recoverable ?? false;
  }

  static override isInstance(value: unknown): value is DataSourceError {
    return SwitchyardError.codeOf(value) === 'DATA_SOURCE';
  }
}

/** The polling data source failed (LaunchDarkly's `LDPollingError`, same constructor and fields). */
export class LDPollingError extends DataSourceError {
  constructor(kind: DataSourceErrorKind, message: string, status?: number, recoverable = true) {
    super(message, status, { kind, recoverable });
    this.name = 'LaunchDarklyPollingError';
  }
}

/**
 * {@link DataSourceError} without its `code` field in the type: LaunchDarkly's streaming errors use
 * `code` for the HTTP status. The instances are still Switchyard errors (`SwitchyardError.isInstance`,
 * `instanceof`, `SwitchyardError.codeOf(err) === 'DATA_SOURCE'`).
 */
const DataSourceErrorWithHttpCode = DataSourceError as unknown as abstract new (
  message: string,
  status?: number,
  options?: DataSourceErrorOptions,
) => Omit<DataSourceError, 'code'>;

/**
 * The streaming data source failed (LaunchDarkly's `LDStreamingError`, same constructor and fields).
 * As in LaunchDarkly's SDK, `code` is the HTTP status (also in `status`); the Switchyard code is
 * `SwitchyardError.codeOf(err)`, `'DATA_SOURCE'`.
 */
export class LDStreamingError extends DataSourceErrorWithHttpCode {
  /** The HTTP status, when the failure is an HTTP response. */
  readonly code?: number;

  constructor(kind: DataSourceErrorKind, message: string, code?: number, recoverable = true) {
    super(message, code, { kind, recoverable });
    this.code = code;
    this.name = 'LaunchDarklyStreamingError';
  }
}

/**
 * LaunchDarkly's signal to fall back from its FDv2 protocol to FDv1 (same constructor and fields;
 * `code` is the HTTP status). Switchyard speaks only FDv1 and never raises it; it exists so code that
 * tests for it compiles and runs.
 */
export class LDFlagDeliveryFallbackError extends DataSourceErrorWithHttpCode {
  /** The HTTP status, when the failure is an HTTP response. */
  readonly code?: number;

  constructor(kind: DataSourceErrorKind, message: string, code?: number) {
    super(message, code, { kind, recoverable: false });
    this.code = code;
    this.name = 'LDFlagDeliveryFallbackError';
  }
}

/**
 * The file data source could not load its files (LaunchDarkly's `LDFileDataSourceError`); Switchyard
 * raises its subclass `FlagFileError`, whose message names the file.
 */
export class LDFileDataSourceError extends DataSourceError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, undefined, { kind: 'INVALID_DATA', ...options });
    this.name = 'LaunchDarklyFileDataSourceError';
  }
}
