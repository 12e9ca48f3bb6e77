import type { StoreError, StoreOperation } from '../errors/index.js';
import type { DataKind, VersionedItem } from './data-kinds.js';

/**
 * How a caching store caches, derived from `cacheTtlMs`: `'ttl'` (entries expire), `'forever'` (never
 * expire; the cache is the source of truth during an outage) or `'none'` (every read goes to the store).
 */
export type CacheMode = 'none' | 'ttl' | 'forever';

/**
 * A full data set: for each kind's namespace (`'features'`, `'segments'`), the items by key. A kind that
 * is missing counts as a kind with no items.
 */
export type FullDataSet<T extends VersionedItem = VersionedItem> = Readonly<Record<string, Readonly<Record<string, T>>>>;

/** Removes a listener registered with `on`. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * The health of a data store, LaunchDarkly's `DataStoreStatus` (`NeedsRefresh` is `refreshNeeded`).
 * Status objects are frozen.
 */
export interface DataStoreStatus {
  /**
   * False from the first failed store operation until the store answers again (the wrapper polls it
   * every 500 ms meanwhile). Reads keep being served from the cache while it is valid.
   */
  readonly available: boolean;
  /**
   * True after a recovery when the store may be missing updates (a finite or no cache, or a cache that did
   * not hold the full data set): the data source should send a full data set again. False after a
   * recovery that wrote the cached full data set back.
   */
  readonly refreshNeeded: boolean;
}

/** Counters for monitoring, since the store was created. */
export interface DataStoreMetrics {
  /** Items not written because they were larger than the store's `maxItemBytes`. */
  readonly oversizedItemsDropped: number;
  /** Failed store operations (each one, not each outage). */
  readonly storeErrors: number;
  /** Times the status went from available to unavailable. */
  readonly outages: number;
  /**
   * Calls made to the persistent store (reads, writes, availability probes, write-backs), successful or
   * not. Always 0 for the in-memory store.
   */
  readonly storeOperations: number;
  /**
   * Reads a caching store answered from its cache (`cacheTtlMs` not 0), including expired copies served
   * while they are refreshed. Always 0 for the in-memory store and without a cache.
   */
  readonly cacheHits: number;
  /** Reads a caching store could not answer from its cache (they go to the store, or return nothing synchronously). */
  readonly cacheMisses: number;
}

/** One call to a persistent store, as {@link DataStoreStatusProvider.onOperation} reports it. */
export interface DataStoreOperationInfo {
  /** What was called (`'get'`, `'getAll'`, `'init'`, `'upsert'`, `'isInitialized'`, `'isStoreAvailable'`, `'close'`). */
  readonly operation: StoreOperation;
  /** How long the call took, in milliseconds (until it settled, or until `operationTimeoutMs` gave up on it). */
  readonly durationMs: number;
  /** Why the call failed; absent when it succeeded. */
  readonly error?: StoreError;
}

/**
 * Status of a data store: what node-server exposes as `dataStoreStatusProvider`. Listeners are called
 * once per change (never twice with the same status), synchronously, after the change took effect; a
 * throwing listener does not affect the store or other listeners.
 */
export interface DataStoreStatusProvider {
  /** The current status. */
  getStatus(): DataStoreStatus;
  /** True for persistent stores (they can fail and recover); false for the in-memory store. */
  isStatusMonitoringEnabled(): boolean;
  /** Counters since the store was created. */
  getMetrics(): DataStoreMetrics;
  /** Calls `listener` with each new status; returns a function that removes it. */
  on(event: 'change', listener: (status: DataStoreStatus) => void): Unsubscribe;
  /** Removes a listener added with {@link DataStoreStatusProvider.on}. */
  off(event: 'change', listener: (status: DataStoreStatus) => void): void;
  /**
   * Switchyard only (for metrics, e.g. `@switchyard/otel`): calls `listener` after every call to the
   * persistent store with its operation, duration and error. Never called for the in-memory store. A
   * throwing listener is logged and does not affect the store. Returns a function that removes it.
   */
  onOperation?(listener: (operation: DataStoreOperationInfo) => void): Unsubscribe;
}

/**
 * What the SDK reads flags and segments from and what data sources write to. Implemented by
 * {@link InMemoryDataStore} and by {@link PersistentStoreWrapper} (a database behind a cache).
 *
 * Reads never return tombstones: a deleted item reads as `null` and is left out of `all`. The returned
 * items are immutable and shared: never modify them.
 *
 * Writes are applied in call order. Versions decide: `upsert` applies only an item whose version is
 * higher than the stored one (a delete is an upsert of `kind.tombstone(key, version)`), so out-of-order
 * updates can never roll data back.
 */
export interface DataStore {
  /** A short name for logs, e.g. `'memory'` or `'redis'`. */
  readonly description: string;

  /** Health of the store, for `dataStoreStatusProvider`. */
  readonly status: DataStoreStatusProvider;

  /**
   * For a store behind a cache ({@link PersistentStoreWrapper}): how it caches, from its `cacheTtlMs`.
   * `'none'` means the synchronous reads can never answer, so the SDK's `*Sync` evaluations return the
   * default. Omitted by stores that hold everything in memory.
   */
  readonly cacheMode?: CacheMode;

  /**
   * The synchronous fast path of {@link DataStore.get}: the live item, `null` when it is known to be
   * absent or deleted, or `undefined` when it cannot be answered without I/O (cache miss, no cache,
   * closed). An evaluator calls this first and awaits `get` only on `undefined`. Never throws.
   *
   * A caching store may answer with a copy whose TTL has expired while it refreshes it in the background
   * (stale-while-revalidate, see {@link PersistentStoreWrapper.getSync}): the SDK never falls back to a
   * default for a flag it holds a copy of.
   */
  getSync<T extends VersionedItem>(kind: DataKind<T>, key: string): T | null | undefined;

  /**
   * The live item for `key`, or `null` when it is missing or deleted. Rejects with a `StoreError` when the
   * store fails and the cache cannot answer, with a `MalformedDataError` naming kind and key when the
   * stored item cannot be parsed, and with a `ClosedError` after `close`.
   */
  get<T extends VersionedItem>(kind: DataKind<T>, key: string): Promise<T | null>;

  /**
   * The synchronous fast path of {@link DataStore.all}: every live item of `kind` by key, or `undefined`
   * when that needs I/O. Never throws.
   */
  allSync<T extends VersionedItem>(kind: DataKind<T>): Readonly<Record<string, T>> | undefined;

  /** Every live item of `kind` by key (tombstones left out). Rejects like {@link DataStore.get}. */
  all<T extends VersionedItem>(kind: DataKind<T>): Promise<Readonly<Record<string, T>>>;

  /**
   * Replaces all data. Kinds missing from `data` become empty. Rejects with a `StoreError` when the data
   * could not be stored; when that error's `appliedToCache` is true the data was nevertheless applied to
   * the cache and is served from now on (an infinite cache during an outage; see
   * {@link PersistentStoreWrapper}), otherwise the old data is still served.
   */
  init(data: FullDataSet): Promise<void>;

  /**
   * Stores `item` (possibly a tombstone) if its version is higher than the stored one; resolves whether
   * it was applied. Rejects with a `StoreError` when the store failed; when that error's
   * `appliedToCache` is true the item was applied to the cache (and is served) although the store does
   * not have it yet.
   */
  upsert<T extends VersionedItem>(kind: DataKind<T>, item: T): Promise<boolean>;

  /**
   * True once the store holds a full data set: this store's `init` ran, or (for a shared database)
   * another process initialized it. Resolves `false` rather than rejecting when the store fails.
   */
  initialized(): Promise<boolean>;

  /**
   * Registers the data source's refresh callback: called when the store recovered from an outage and may
   * be missing updates (status `refreshNeeded: true`), so the data source should fetch a full data set
   * again (restart the stream, poll now). Stores that cannot lose data never call it.
   */
  onRefreshNeeded(handler: () => void): Unsubscribe;

  /** Stops background work and releases the store. Idempotent. Later calls reject with `ClosedError`. */
  close(): Promise<void>;
}
