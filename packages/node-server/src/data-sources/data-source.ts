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

// The class lives with the other errors (LaunchDarkly's names); re-exported for existing imports.
export { DataSourceError } from '../errors.js';
