import type { BigSegmentStore, BigSegmentStoreMetadata, PersistentDataStore } from '@switchyard/core';

/**
 * The optional hooks of a {@link ConformanceHarness} that each enable a group of tests. When one is
 * missing, its tests are still registered, as skipped tests whose names start with
 * `[skipped: harness has no <hook> hook]`, and the suite warns once with the number of tests it
 * disabled; with {@link ConformanceHarness.requireAllHooks} a missing hook is a failing test instead.
 *
 * - `createFailingStore`: the error cases (#16–#20 and `isStoreAvailable`).
 * - `setConcurrentModificationHook`: the concurrent-modification cases (#23, #24, bounded retries).
 */
export type ConformanceHook = 'createFailingStore' | 'setConcurrentModificationHook';

/**
 * What a store author provides to run {@link runPersistentStoreConformance}: LaunchDarkly's
 * `storetest` parameters, for vitest. The suite gives every test its own fresh prefixes and clears them
 * before and after, so stores must keep prefixes isolated and may run against a shared server.
 *
 * Only `name`, `createStore` and `clearData` are required. Each missing {@link ConformanceHook} leaves
 * a group of tests skipped (visibly, with the reason in each test name); see
 * {@link CompleteConformanceHarness} for a harness that must run everything.
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
   * Optional hook: a store whose every operation fails (an unreachable host, a missing region). Enables
   * the error cases: each operation must reject with a `StoreError` naming that operation. Without it
   * those cases are reported as skipped.
   */
  createFailingStore?(): PersistentDataStore | Promise<PersistentDataStore>;
  /**
   * Optional extra checks on each error of the failing store (e.g. that the message names the host);
   * throw to fail the test. Not a {@link ConformanceHook}: without it the error cases still run, with
   * the suite's own checks only.
   */
  validateError?(error: unknown): void;
  /**
   * Optional hook: installs `hook` in `store` so that `upsert` calls it after reading the old item and before
   * writing the new one (after WATCH, before the conditional put, after the version check before CAS), and
   * awaits it; `undefined` removes it. Enables the concurrent-modification cases: the suite's hook writes
   * through a second store on the same prefix. Without it those cases are reported as skipped.
   */
  setConcurrentModificationHook?(store: Store, hook: (() => Promise<void>) | undefined): void;
  /**
   * Makes every {@link ConformanceHook} mandatory: for each hook, the suite registers a test
   * `provides the <hook> hook` that fails, naming the hook and how to provide it, when the harness lacks
   * it. Default `false`: a missing hook only skips its tests (each named with the reason) and warns.
   * Every store in the Switchyard repository sets it (type its harness as
   * {@link CompleteConformanceHarness} to have TypeScript check the hooks too).
   */
  readonly requireAllHooks?: boolean;
  /**
   * Number of items in the large data set case. Default 5000; `0` skips that case (reported as a skipped
   * test named `[skipped: harness sets manyItems to 0] …`).
   */
  readonly manyItems?: number;
  /** Size in bytes of the three big items inside the large data set. Default 300000; `0` for none. */
  readonly largeItemBytes?: number;
  /** Base of the generated prefixes. Default `'sytest'`. */
  readonly prefixBase?: string;
  /** Timeout of each test, in ms. Default 30000 (the large data set case gets four times as long). */
  readonly timeoutMs?: number;
}

/**
 * A {@link ConformanceHarness} that provides every {@link ConformanceHook} and sets `requireAllHooks`:
 * the type for the harness of a store in the Switchyard repository, so that TypeScript reports a missing
 * hook at compile time and the suite fails at run time if one is removed anyway (say, through a cast).
 *
 * @example
 * ```ts
 * const harness: CompleteConformanceHarness<RedisCoreStore> = {
 *   name: 'redis',
 *   requireAllHooks: true,
 *   createStore: (prefix) => redisStore({ url, prefix }).core,
 *   clearData: (prefix) => flushPrefix(url, prefix),
 *   createFailingStore: () => redisStore({ url: 'redis://no-such-host.invalid:6379' }).core,
 *   setConcurrentModificationHook: (store, hook) => store.testHooks.setBeforeWrite(hook),
 * };
 * runPersistentStoreConformance(harness);
 * ```
 */
export type CompleteConformanceHarness<Store extends PersistentDataStore = PersistentDataStore> = ConformanceHarness<Store> &
  Required<Pick<ConformanceHarness<Store>, ConformanceHook>> & { readonly requireAllHooks: true };

/**
 * What a big-segment store author provides to run {@link runBigSegmentStoreConformance}. The SDK only
 * reads big segments (LaunchDarkly's Relay Proxy writes them), so the harness writes the test data itself,
 * in the store's layout. It has no optional hooks: every big-segment case always runs.
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
