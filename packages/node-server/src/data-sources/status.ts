import type { LDLogger, Unsubscribe } from '@switchyard/core';
import { ListenerSet } from '@switchyard/core/internal';

/**
 * The state of the data source (Go/Java SDK model): `INITIALIZING` until the first full data set was
 * stored, `VALID` while connected and up to date, `INTERRUPTED` while reconnecting (or after an error it
 * recovers from), `OFF` after a permanent failure or `close()`.
 */
export type DataSourceState = 'INITIALIZING' | 'VALID' | 'INTERRUPTED' | 'OFF';

/**
 * What kind of problem the data source last had. The constant has the members of LaunchDarkly's
 * `DataSourceErrorKind` enum (`DataSourceErrorKind.ErrorResponse === 'ERROR_RESPONSE'`, …), plus
 * `StoreError` (the data store rejected a write).
 */
export const DataSourceErrorKind = Object.freeze({
  Unknown: 'UNKNOWN',
  NetworkError: 'NETWORK_ERROR',
  ErrorResponse: 'ERROR_RESPONSE',
  InvalidData: 'INVALID_DATA',
  StoreError: 'STORE_ERROR',
} as const);
/** What kind of problem the data source last had. */
export type DataSourceErrorKind = (typeof DataSourceErrorKind)[keyof typeof DataSourceErrorKind];

/** The last error of the data source. Never contains the SDK key. */
export interface DataSourceErrorInfo {
  readonly kind: DataSourceErrorKind;
  /** The HTTP status, for `ERROR_RESPONSE`. */
  readonly statusCode?: number;
  readonly message: string;
  /** Epoch milliseconds. */
  readonly time: number;
}

/** A snapshot of the data source's health (frozen). */
export interface DataSourceStatus {
  readonly state: DataSourceState;
  /** When `state` was entered, epoch milliseconds. */
  readonly stateSince: number;
  /** The most recent error, if any (kept after recovery, for diagnosis). */
  readonly lastError?: DataSourceErrorInfo;
}

/**
 * The data source's status, as `client.dataSourceStatusProvider` (LaunchDarkly's Node SDK has none; this
 * follows the Go and Java SDKs). Listeners are called synchronously on each change; a throwing listener
 * affects nothing else.
 */
export interface DataSourceStatusProvider {
  getStatus(): DataSourceStatus;
  /** Calls `listener` on each change (a new state or a new error); returns a function that removes it. */
  on(event: 'change', listener: (status: DataSourceStatus) => void): Unsubscribe;
  off(event: 'change', listener: (status: DataSourceStatus) => void): void;
  /**
   * Resolves `true` once the state is `state` (at once if it already is), `false` if the state becomes
   * `OFF` first or after `timeoutMs`. Never rejects.
   */
  waitFor(state: DataSourceState, timeoutMs: number): Promise<boolean>;
}

/** How long the source may stay unhealthy before one error-level outage summary is logged. */
export const DEFAULT_OUTAGE_LOG_MS = 60_000;

/** Holds and broadcasts the data source status; data sources report through it. */
export class DataSourceStatusManager implements DataSourceStatusProvider {
  private status: DataSourceStatus;
  private readonly listeners: ListenerSet<DataSourceStatus>;
  private outageTimer: ReturnType<typeof setTimeout> | undefined;
  private outageErrors = new Map<string, number>();

  constructor(
    private readonly logger: LDLogger,
    private readonly now: () => number = Date.now,
    private readonly outageLogMs = DEFAULT_OUTAGE_LOG_MS,
  ) {
    this.status = Object.freeze({ state: 'INITIALIZING', stateSince: now() });
    this.listeners = new ListenerSet((err) => logger.error(`[switchyard/node-server] a data source status listener threw: ${String(err)}`));
  }

  getStatus(): DataSourceStatus {
    return this.status;
  }

  on(_event: 'change', listener: (status: DataSourceStatus) => void): Unsubscribe {
    return this.listeners.add(listener);
  }

  off(_event: 'change', listener: (status: DataSourceStatus) => void): void {
    this.listeners.delete(listener);
  }

  waitFor(state: DataSourceState, timeoutMs: number): Promise<boolean> {
    if (this.status.state === state) return Promise.resolve(true);
    if (this.status.state === 'OFF') return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const remove = this.on('change', (s) => {
        if (s.state === state) finish(true);
        else if (s.state === 'OFF') finish(false);
      });
      function finish(result: boolean) {
        clearTimeout(timer);
        remove();
        resolve(result);
      }
    });
  }

  /**
   * Reports a state and optionally an error. `INTERRUPTED` while still `INITIALIZING` stays
   * `INITIALIZING` (the error is recorded), unless `afterData` says the data source has delivered data
   * (it is serving, but something, such as the store, is behind); `OFF` is final. Listeners hear of it
   * only when the state changed or an error was given.
   */
  update(state: DataSourceState, error?: Omit<DataSourceErrorInfo, 'time'>, options?: { readonly afterData?: boolean }): void {
    const current = this.status;
    if (current.state === 'OFF') return;
    const next = state === 'INTERRUPTED' && current.state === 'INITIALIZING' && !options?.afterData ? 'INITIALIZING' : state;
    if (next === current.state && !error) return;
    const lastError = error ? Object.freeze({ ...error, time: this.now() }) : current.lastError;
    this.status = Object.freeze({
      state: next,
      stateSince: next === current.state ? current.stateSince : this.now(),
      ...(lastError ? { lastError } : {}),
    });
    this.trackOutage(next, error);
    this.listeners.emit(this.status);
  }

  /** Stops the outage timer and drops listeners (after the final `OFF`). */
  close(): void {
    this.update('OFF');
    this.clearOutage();
    this.listeners.clear();
  }

  private trackOutage(state: DataSourceState, error: Omit<DataSourceErrorInfo, 'time'> | undefined): void {
    if (state === 'VALID' || state === 'OFF') {
      this.clearOutage();
      return;
    }
    if (error) {
      const label = error.statusCode ? `${error.kind}(${error.statusCode})` : error.kind;
      this.outageErrors.set(label, (this.outageErrors.get(label) ?? 0) + 1);
    }
    if (this.outageTimer || state !== 'INTERRUPTED' || this.outageLogMs <= 0) return;
    this.outageTimer = setTimeout(() => {
      const counts = [...this.outageErrors].map(([label, n]) => `${label} (${n} time${n === 1 ? '' : 's'})`).join(', ');
      this.logger.error(
        `[switchyard/node-server] LaunchDarkly data source outage - updates have been unavailable for at least ${Math.round(this.outageLogMs / 1000)} s, with errors: ${counts || 'none'}`,
      );
    }, this.outageLogMs);
    this.outageTimer.unref();
  }

  private clearOutage(): void {
    if (this.outageTimer) clearTimeout(this.outageTimer);
    this.outageTimer = undefined;
    this.outageErrors = new Map();
  }
}
