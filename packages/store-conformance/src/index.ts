/**
 * `@switchyard/store-conformance`: the shared persistent-store test suite (vitest), run by every
 * Switchyard store and usable by third-party stores. The suite arrives with the store-framework issue.
 *
 * @packageDocumentation
 */

/**
 * What a store author provides to run the suite. Every test gets a fresh prefix, so stores must keep
 * prefixes isolated.
 */
export interface ConformanceHarness<Store> {
  /** A short name shown in test titles, e.g. `'redis'`. */
  readonly name: string;
  /** Creates a store that uses `prefix` (or the store's default prefix when undefined). */
  createStore(prefix: string | undefined): Store | Promise<Store>;
  /** Removes every item stored under `prefix` (or the default prefix). */
  clearData(prefix: string | undefined): Promise<void>;
}
