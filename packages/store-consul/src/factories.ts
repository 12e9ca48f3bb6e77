import { type DataStore, type LDLogger, PersistentStoreWrapper } from '@switchyard/core';

import { ConsulPersistentStore } from './consul-store.js';
import { type ConsulStoreOptions, consulStoreDefaults, resolveConsulOptions } from './options.js';

/**
 * What the SDK passes to a store factory; node-server's `ClientContext` fits. The logger receives
 * skipped-item lines and the caching wrapper's messages.
 */
export interface ConsulStoreContext {
  readonly logger?: Partial<LDLogger>;
}

/** A feature-store factory: the value of the SDK's `featureStore` option. */
export type ConsulFeatureStoreFactory = (context?: ConsulStoreContext) => DataStore;

/**
 * The Consul feature store, for the SDK's `featureStore` option: LaunchDarkly's key layout, core's caching
 * wrapper with this store's `cacheTtlMs`, and a bounded connection pool.
 *
 * @example
 * ```ts
 * import { init } from '@switchyard/node-server';
 * import { consulStore } from '@switchyard/store-consul';
 *
 * const client = init(sdkKey, {
 *   featureStore: consulStore({ url: 'http://consul.internal:8500', token: process.env.CONSUL_HTTP_TOKEN, pool: { maxConnections: 2 } }),
 * });
 * ```
 *
 * Options are checked now: a mistake throws a `ConfigError` naming the option. Each call of the returned
 * factory opens its own pool; `client.close()` closes it.
 */
export function consulStore(options: ConsulStoreOptions = {}): ConsulFeatureStoreFactory {
  const { cacheTtlMs } = resolveConsulOptions(options);
  return (context) =>
    new PersistentStoreWrapper(new ConsulPersistentStore(options, context?.logger), { cacheTtlMs, ...(context?.logger ? { logger: context.logger } : {}) });
}

/**
 * The option shape of LaunchDarkly's (unmaintained) `launchdarkly-node-server-sdk-consul`, accepted by
 * {@link ConsulFeatureStore} so code written for it switches by changing the import.
 */
export interface LDConsulOptions {
  /** The agent: `host`, `port`, `secure`, and `defaults.token` (the `consul` client's option names). */
  consulOptions?: { host?: string; port?: number | string; secure?: boolean; defaults?: { token?: string; dc?: string } };
  /** Key prefix. Default `'launchdarkly'`. */
  prefix?: string;
  /** Cache TTL in **seconds** (LaunchDarkly's unit). Default 15; `0` no cache; negative: cache forever (a Switchyard addition). */
  cacheTTL?: number | null;
  /** Switchyard's pool settings (not in LaunchDarkly's options). */
  pool?: ConsulStoreOptions['pool'];
}

/** LaunchDarkly's option shape as {@link ConsulStoreOptions}. @internal */
export function fromLaunchDarkly(options: LDConsulOptions = {}): ConsulStoreOptions {
  const { consulOptions = {}, prefix, cacheTTL, pool } = options;
  const token = consulOptions.defaults?.token;
  const datacenter = consulOptions.defaults?.dc;
  return {
    ...(consulOptions.host !== undefined ? { host: consulOptions.host } : {}),
    ...(consulOptions.port !== undefined ? { port: Number(consulOptions.port) } : {}),
    ...(consulOptions.secure !== undefined ? { secure: consulOptions.secure } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(datacenter !== undefined ? { datacenter } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
    ...(pool ? { pool } : {}),
    cacheTtlMs: cacheTTL === undefined || cacheTTL === null ? consulStoreDefaults.cacheTtlMs : cacheTTL * 1000,
  };
}

/**
 * LaunchDarkly-compatible name: `ConsulFeatureStore({ consulOptions, prefix, cacheTTL })`, as exported by
 * `launchdarkly-node-server-sdk-consul` (`cacheTTL` in seconds, default 15).
 */
export function ConsulFeatureStore(options?: LDConsulOptions): ConsulFeatureStoreFactory {
  return consulStore(fromLaunchDarkly(options));
}
