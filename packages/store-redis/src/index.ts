/**
 * `@switchyard/store-redis`: a Redis persistent feature store and big-segment store on ioredis, with
 * an explicit, honored connection pool. The store itself arrives with its issue; this package already
 * fixes the data layout it shares with LaunchDarkly's SDKs and Relay Proxy.
 *
 * @packageDocumentation
 */

/** Defaults of the Redis store, matching LaunchDarkly's so data written by either is read by the other. */
export const redisStoreDefaults = Object.freeze({
  /** Key prefix: flags live in the hash `<prefix>:features`, segments in `<prefix>:segments`. */
  prefix: 'launchdarkly',
  /** Largest serialized item written, in UTF-8 bytes (400 KB, DynamoDB's limit, kept for every store). */
  maxItemBytes: 400 * 1024,
});
