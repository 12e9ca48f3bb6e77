import { type DataStore, type LDLogger, PersistentStoreWrapper, safeLogger } from '@switchyard/core';
import type { Redis, RedisOptions } from 'ioredis';

import { RedisBigSegmentStoreImpl } from './big-segment-store.js';
import { type RedisStoreOptions, redisStoreDefaults, resolveRedisOptions } from './options.js';
import { type RedisPool, poolFor } from './pool.js';
import { RedisPersistentStore } from './redis-store.js';

/**
 * What the SDK passes to a store factory; node-server's `ClientContext` fits. The logger receives the
 * store's connection-loss and recovery lines and the caching wrapper's messages.
 */
export interface RedisStoreContext {
  readonly logger?: Partial<LDLogger>;
}

/** A feature-store factory: the value of the SDK's `featureStore` option. */
export type RedisFeatureStoreFactory = (context?: RedisStoreContext) => DataStore;

/** A big-segment store factory: the value of the SDK's `bigSegments.store` option. */
export type RedisBigSegmentStoreFactory = (context?: RedisStoreContext) => RedisBigSegmentStoreImpl;

function wrap(store: RedisPersistentStore, cacheTtlMs: number, logger: Partial<LDLogger> | undefined): DataStore {
  return new PersistentStoreWrapper(store, { cacheTtlMs, ...(logger ? { logger } : {}) });
}

/**
 * The Redis feature store, for the SDK's `featureStore` option: LaunchDarkly's data layout, core's
 * caching wrapper with this store's `cacheTtlMs`, and a bounded connection pool.
 *
 * @example
 * ```ts
 * import { init } from '@switchyard/node-server';
 * import { redisStore } from '@switchyard/store-redis';
 *
 * const client = init(sdkKey, {
 *   featureStore: redisStore({ url: 'redis://redis.internal:6379', cacheTtlMs: 30_000, pool: { maxConnections: 4 } }),
 * });
 * ```
 *
 * Options are checked now: a mistake throws a `ConfigError` naming the option. Each call of the returned
 * factory opens its own pool; use {@link redisStores} to share one pool with the big-segment store.
 */
export function redisStore(options: RedisStoreOptions = {}): RedisFeatureStoreFactory {
  const { cacheTtlMs } = resolveRedisOptions(options);
  return (context) => wrap(new RedisPersistentStore(options, context?.logger), cacheTtlMs, context?.logger);
}

/**
 * The Redis big-segment store, for the SDK's `bigSegments.store` option. It opens its own pool unless it
 * is given the feature store's `client`; use {@link redisStores} to share one pool (and its limit).
 */
export function redisBigSegmentStore(options: RedisStoreOptions = {}): RedisBigSegmentStoreFactory {
  resolveRedisOptions(options);
  return (context) => new RedisBigSegmentStoreImpl(options, context?.logger);
}

/** The pair returned by {@link redisStores}. */
export interface RedisStores {
  /** For `featureStore`. */
  readonly featureStore: RedisFeatureStoreFactory;
  /** For `bigSegments.store`. */
  readonly bigSegmentStore: RedisBigSegmentStoreFactory;
}

/**
 * A feature store and a big-segment store on **one** connection pool: `pool.maxConnections` is the limit
 * for both together. The pool opens when the first of them is built and closes when the last is closed.
 *
 * @example
 * ```ts
 * const redis = redisStores({ url, pool: { maxConnections: 4 } });
 * const client = init(sdkKey, { featureStore: redis.featureStore, bigSegments: { store: redis.bigSegmentStore } });
 * ```
 */
export function redisStores(options: RedisStoreOptions = {}): RedisStores {
  const resolved = resolveRedisOptions(options);
  let pool: RedisPool | undefined;
  const shared = (context: RedisStoreContext | undefined): RedisPool => {
    // A pool whose stores were all closed is closed too: a later store gets a new one.
    // poolFor: given a borrowed `client`, stores built elsewhere on that client share this pool too.
    if (!pool || pool.closed) pool = poolFor(resolved, safeLogger(context?.logger));
    return pool;
  };
  return {
    featureStore: (context) => wrap(new RedisPersistentStore(options, context?.logger, shared(context)), resolved.cacheTtlMs, context?.logger),
    bigSegmentStore: (context) => new RedisBigSegmentStoreImpl(options, context?.logger, shared(context)),
  };
}

/**
 * LaunchDarkly's `LDRedisOptions` shape, accepted by {@link RedisFeatureStore} and
 * {@link RedisBigSegmentStore} so code written for `@launchdarkly/node-server-sdk-redis` switches by
 * changing the import.
 */
export interface LDRedisOptions {
  /** ioredis options (LaunchDarkly's name for `redisOptions`). */
  redisOpts?: RedisOptions;
  /** Key prefix. Default `'launchdarkly'`. */
  prefix?: string;
  /** A client you own; never closed by the store. */
  client?: Redis;
  /**
   * Cache TTL in **seconds** (LaunchDarkly's unit). Default 30; `0` no cache; negative: cache forever
   * (a Switchyard addition).
   */
  cacheTTL?: number | null;
  /** Switchyard's pool settings (not in LaunchDarkly's options). */
  pool?: RedisStoreOptions['pool'];
}

/** LaunchDarkly's option shape as {@link RedisStoreOptions} (`cacheTTL` seconds to `cacheTtlMs`). @internal */
export function fromLaunchDarkly(options: LDRedisOptions = {}): RedisStoreOptions {
  const { redisOpts, prefix, client, cacheTTL, pool } = options;
  return {
    ...(redisOpts ? { redisOptions: redisOpts } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
    ...(client ? { client } : {}),
    ...(pool ? { pool } : {}),
    cacheTtlMs: cacheTTL === undefined || cacheTTL === null ? redisStoreDefaults.cacheTtlMs : cacheTTL * 1000,
  };
}

/**
 * LaunchDarkly-compatible name: `RedisFeatureStore({ redisOpts, prefix, client, cacheTTL })`, as exported
 * by `@launchdarkly/node-server-sdk-redis` (`cacheTTL` in seconds, default 30). The same as
 * `redisStore({ redisOptions: redisOpts, prefix, client, cacheTtlMs: cacheTTL * 1000 })`.
 */
export function RedisFeatureStore(options?: LDRedisOptions): RedisFeatureStoreFactory {
  return redisStore(fromLaunchDarkly(options));
}

/** LaunchDarkly-compatible name of {@link redisBigSegmentStore}, taking `LDRedisOptions` (`cacheTTL` is ignored). */
export function RedisBigSegmentStore(options?: LDRedisOptions): RedisBigSegmentStoreFactory {
  return redisBigSegmentStore(fromLaunchDarkly(options));
}
