import { PersistentStoreWrapper, type LDLogger, type PersistentDataStore } from '@switchyard/core';

/**
 * LaunchDarkly's `PersistentDataStoreWrapper` constructor shape over core's caching
 * {@link PersistentStoreWrapper}: `new PersistentDataStoreWrapper(store, ttl, logger?)`, the TTL in
 * **seconds** as in LaunchDarkly's SDK (`0`: no cache; negative or `Infinity`: cache forever; core's
 * own option is `cacheTtlMs`). Pass the result as `featureStore`.
 *
 * The wrapped store is Switchyard's Promise-based {@link PersistentDataStore}, and the wrapper is a
 * Switchyard `DataStore` (Promise-based `get`/`all`/`init`/`upsert`, plus `getSync`), not LaunchDarkly's
 * callback-style `LDFeatureStore`: see "Differences from LaunchDarkly" in the README.
 */
export class PersistentDataStoreWrapper extends PersistentStoreWrapper {
  /**
   * @param core the persistent store to cache
   * @param ttl how long items stay cached, in seconds
   * @param logger where the wrapper logs store outages and recoveries
   */
  constructor(core: PersistentDataStore, ttl: number, logger?: LDLogger) {
    super(core, { cacheTtlMs: ttl * 1000, ...(logger ? { logger } : {}) });
  }
}
