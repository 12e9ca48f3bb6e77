/**
 * `@switchyard/store-consul`: a LaunchDarkly-compatible Consul KV feature store for Switchyard, over
 * Consul's HTTP API with undici's connection pool: check-and-set upserts, batched transactions, and a
 * connection limit that is honored.
 *
 * @packageDocumentation
 */

export { consulStore, ConsulFeatureStore, type ConsulStoreContext, type ConsulFeatureStoreFactory, type LDConsulOptions } from './factories.js';
export { ConsulPersistentStore } from './consul-store.js';
export { ConsulStoreError, type ConsulFailure } from './errors.js';
export { ConsulKeys } from './layout.js';
export { consulStoreDefaults, CONSUL_MAX_VALUE_BYTES, type ConsulStoreOptions, type ConsulPoolOptions } from './options.js';
