/**
 * A source of flag data (LaunchDarkly's `LDStreamProcessor`): streaming, polling, a file, `TestData`, or
 * your own. It writes through the `DataSourceUpdates` it was given and calls `initSuccess` once
 * the first full data set is stored.
 *
 * Its factory type, `DataSourceFactory`, lives in `../options.ts` next to the `ClientContext` it
 * receives: the options refer to the factory and the factory to the options, so they share a module.
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
