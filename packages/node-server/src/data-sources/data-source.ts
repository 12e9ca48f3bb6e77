import type { ClientContext } from '../options.js';
import type { DataSourceUpdates } from './data-source-updates.js';

/**
 * A source of flag data (LaunchDarkly's `LDStreamProcessor`): streaming, polling, a file, `TestData`, or
 * your own. It writes through the {@link DataSourceUpdates} it was given and calls `initSuccess` once
 * the first full data set is stored.
 */
export interface DataSource {
  start(): void;
  stop?(): void;
  /** Stops for good and releases every timer, watcher and connection. May return a promise. */
  close(): void | Promise<void>;
}

/**
 * A permanent data source failure: the client emits `failed` and `error` with it and rejects a pending
 * `waitForInitialization`. Its message never contains the SDK key.
 */
export class DataSourceError extends Error {
  constructor(
    message: string,
    /** The HTTP status, when the failure is an HTTP response. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DataSourceError';
  }
}

/**
 * Creates a data source (LaunchDarkly's `updateProcessor` factory signature): `updates` is where the
 * data goes, `initSuccess` reports the first full data set, `errorHandler` a permanent failure.
 */
export type DataSourceFactory = (
  context: ClientContext,
  updates: DataSourceUpdates,
  initSuccess: () => void,
  errorHandler: (error: Error) => void,
) => DataSource;
