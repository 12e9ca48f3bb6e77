import type { BigSegmentStore, BigSegmentStoreMetadata, PersistentDataStore } from '@switchyard/core';

/**
 * What a store author provides to run {@link runPersistentStoreConformance}: LaunchDarkly's
 * `storetest` parameters, for vitest. The suite gives every test its own fresh prefixes and clears them
 * before and after, so stores must keep prefixes isolated and may run against a shared server.
 */
export interface ConformanceHarness<Store extends PersistentDataStore = PersistentDataStore> {
  /** A short name shown in test titles, e.g. `'redis'`. */
  readonly name: string;
  /**
   * Creates a store that uses `prefix` (or the store's default prefix when undefined). Two stores created
   * with the same prefix must see each other's data, like two processes sharing a database.
   */
  createStore(prefix: string | undefined): Store | Promise<Store>;
  /** Removes everything stored under `prefix` (or the default prefix), init marker included. */
  clearData(prefix: string | undefined): Promise<void>;
  /**
   * Optional: a store whose every operation fails (an unreachable host, a missing region). Enables the
   * error cases: each operation must reject with a `StoreError` naming that operation.
   */
  createFailingStore?(): PersistentDataStore | Promise<PersistentDataStore>;
  /** Optional extra checks on each error of the failing store (e.g. that the message names the host). */
  validateError?(error: unknown): void;
  /**
   * Optional: installs `hook` in `store` so that `upsert` calls it after reading the old item and before
   * writing the new one (after WATCH, before the conditional put, after the version check before CAS), and
   * awaits it; `undefined` removes it. Enables the concurrent-modification cases: the suite's hook writes
   * through a second store on the same prefix.
   */
  setConcurrentModificationHook?(store: Store, hook: (() => Promise<void>) | undefined): void;
  /** Number of items in the large data set case. Default 5000; `0` skips that case. */
  readonly manyItems?: number;
  /** Size in bytes of the three big items inside the large data set. Default 300000; `0` for none. */
  readonly largeItemBytes?: number;
  /** Base of the generated prefixes. Default `'sytest'`. */
  readonly prefixBase?: string;
  /** Timeout of each test, in ms. Default 30000 (the large data set case gets four times as long). */
  readonly timeoutMs?: number;
}

/**
 * What a big-segment store author provides to run {@link runBigSegmentStoreConformance}. The SDK only
 * reads big segments (LaunchDarkly's Relay Proxy writes them), so the harness writes the test data itself,
 * in the store's layout.
 */
export interface BigSegmentConformanceHarness<Store extends BigSegmentStore = BigSegmentStore> {
  /** A short name shown in test titles. */
  readonly name: string;
  /** Creates a store that uses `prefix`. */
  createStore(prefix: string): Store | Promise<Store>;
  /** Removes everything stored under `prefix`. */
  clearData(prefix: string): Promise<void>;
  /** Writes the metadata under `prefix` (`undefined`: a store that was never synchronized). */
  setMetadata(prefix: string, metadata: BigSegmentStoreMetadata | undefined): Promise<void>;
  /** Writes the included and excluded segment references of one context hash under `prefix`. */
  setSegments(prefix: string, contextHash: string, included: readonly string[], excluded: readonly string[]): Promise<void>;
  /** Base of the generated prefixes. Default `'sytest'`. */
  readonly prefixBase?: string;
  /** Timeout of each test, in ms. Default 30000. */
  readonly timeoutMs?: number;
}
