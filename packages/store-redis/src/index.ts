/**
 * `@switchyard/store-redis`: LaunchDarkly-compatible Redis feature and big-segment stores for Switchyard,
 * on ioredis, with a connection pool whose limit is honored, fail-fast behaviour while Redis is down, and
 * Redis Cluster and Sentinel support.
 *
 * @packageDocumentation
 */

export {
  redisStore,
  redisBigSegmentStore,
  redisStores,
  RedisFeatureStore,
  RedisBigSegmentStore,
  type RedisStores,
  type RedisStoreContext,
  type RedisFeatureStoreFactory,
  type RedisBigSegmentStoreFactory,
  type LDRedisOptions,
} from './factories.js';
export { RedisPersistentStore } from './redis-store.js';
export { RedisBigSegmentStoreImpl } from './big-segment-store.js';
export { RedisKeys } from './keys.js';
export { redisStoreDefaults, type RedisStoreOptions, type RedisPoolOptions } from './options.js';
export type { RedisClient, RedisPoolStats } from './pool.js';
