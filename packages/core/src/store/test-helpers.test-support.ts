// Shared set-up for the wrapper tests (not a test file itself; excluded from the build by name below).
import { DataKinds, type DataStoreStatus, PersistentStoreWrapper, type PersistentStoreWrapperOptions } from '../index.js';
import { CapturingLogger, InMemoryPersistentStore, type InMemoryPersistentStoreOptions } from '../testing/index.js';

export const FEATURES = DataKinds.features;
export const SEGMENTS = DataKinds.segments;

/** The three cache modes every Go wrapper test runs in. */
export const MODES = [
  { name: 'uncached', cacheTtlMs: 0 },
  { name: 'cached for 30 s', cacheTtlMs: 30_000 },
  { name: 'cached forever', cacheTtlMs: -1 },
] as const;

export const flag = (key: string, version: number, extra: Record<string, unknown> = {}) => FEATURES.fromJSON({ key, version, on: true, ...extra });
export const segment = (key: string, version: number, extra: Record<string, unknown> = {}) => SEGMENTS.fromJSON({ key, version, included: [], ...extra });

export interface Harness {
  store: InMemoryPersistentStore;
  wrapper: PersistentStoreWrapper;
  log: CapturingLogger;
  statuses: DataStoreStatus[];
  refreshes: { count: number };
  /** Another process on the same database (its own counters). */
  other: InMemoryPersistentStore;
}

/**
 * A wrapper over a fresh in-memory persistent store with a capturing logger, a recorded status history
 * and a counted refresh handler. The clock defaults to `Date.now` (faked by `vi.useFakeTimers`).
 */
export function setup(
  cacheTtlMs: number,
  wrapperOptions: PersistentStoreWrapperOptions = {},
  storeOptions: InMemoryPersistentStoreOptions = {},
): Harness {
  const store = new InMemoryPersistentStore(storeOptions);
  const other = new InMemoryPersistentStore({ backend: store.backend, prefix: store.prefix });
  const log = new CapturingLogger();
  const wrapper = new PersistentStoreWrapper(store, { cacheTtlMs, logger: log, healthCheckIntervalMs: 0, ...wrapperOptions });
  const statuses: DataStoreStatus[] = [];
  wrapper.status.on('change', (s) => statuses.push(s));
  const refreshes = { count: 0 };
  wrapper.onRefreshNeeded(() => refreshes.count++);
  return { store, wrapper, log, statuses, refreshes, other };
}

/** Writes an item straight into the database, as another process would. */
export async function putRaw(store: InMemoryPersistentStore, namespace: string, key: string, version: number, json: unknown, deleted = false): Promise<void> {
  const serializedItem = typeof json === 'string' ? json : JSON.stringify(json);
  await store.upsert({ namespace }, key, deleted ? { version, deleted, serializedItem } : { version, serializedItem });
}

export const UNAVAILABLE = { available: false, refreshNeeded: false };
