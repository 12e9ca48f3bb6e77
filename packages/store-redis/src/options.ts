import { DEFAULT_MAX_ITEM_BYTES, describeOptionValue, storeOptionChecks } from '@switchyard/core';
import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions, SentinelAddress } from 'ioredis';

import { PREFIX } from './errors.js';

/**
 * Connection-pool settings of the Redis stores. Every duration is in milliseconds.
 *
 * Reads (`HGET`, `HGETALL`, `EXISTS`, `SMEMBERS`) are pipelined on the pool's connections, so they never
 * wait for a free connection. A transaction (`init`, `upsert`) owns a connection from `WATCH` to `EXEC`:
 * no other transaction runs on it meanwhile, because WATCH is per connection and two interleaved
 * transactions on one connection can let a lower version overwrite a higher one. When every connection is
 * owned by a transaction and the pool is full, a transaction waits up to `acquireTimeoutMs` and then fails
 * with a `StoreError` whose cause is a `TimeoutError`.
 */
export interface RedisPoolOptions {
  /**
   * The most connections this store (and a big-segment store sharing its pool) opens to Redis, at any
   * moment. Default 4. With a Redis Cluster each pooled client holds one connection per node, so this is
   * the limit per node. Size it so that `maxConnections × processes` stays under Redis `maxclients`.
   */
  readonly maxConnections?: number;
  /** Connections opened at start and kept open while idle. Default 1; at most `maxConnections`. */
  readonly minIdle?: number;
  /** How long an idle connection above `minIdle` stays open, in ms. Default 60000. */
  readonly idleTimeoutMs?: number;
  /**
   * How long a transaction waits for a connection when every connection is owned by another
   * transaction and the pool is full, in ms. Default 5000.
   */
  readonly acquireTimeoutMs?: number;
  /**
   * The longest one Redis command may take, in ms; a slower command (a paused or overloaded Redis)
   * fails with a `StoreError` instead of hanging. Default 2000.
   */
  readonly commandTimeoutMs?: number;
  /**
   * How long opening a connection may take, in ms. The first command on a new connection waits for it at
   * most this long; once a connection has been up, commands fail at once while it reconnects. Default 5000.
   */
  readonly connectTimeoutMs?: number;
  /**
   * Delay before a lost connection tries again, in ms: the first retry after `reconnectMinDelayMs`, doubling
   * (with jitter) up to `reconnectMaxDelayMs`. Defaults 100 and 2000.
   */
  readonly reconnectMinDelayMs?: number;
  /** See {@link RedisPoolOptions.reconnectMinDelayMs}. Default 2000. */
  readonly reconnectMaxDelayMs?: number;
  /** The name every connection gives itself with `CLIENT SETNAME` (shown by `CLIENT LIST`). Default `switchyard-store-redis`. */
  readonly connectionName?: string;
}

/** Options shared by {@link redisStore}, {@link redisBigSegmentStore} and {@link redisStores}. */
export interface RedisStoreOptions {
  /**
   * Where Redis is: `redis://[[user]:password@]host[:port][/db]`, or `rediss://…` for TLS (kept: the
   * connection is encrypted; pass `redisOptions.tls` for a custom CA). Default `redis://127.0.0.1:6379`
   * unless `client`, `sentinels` or `clusterNodes` is given.
   */
  readonly url?: string;
  /**
   * ioredis options, passed through (host, port, password, username, db, tls, family, …). The store
   * overrides the ones that make it fail fast and bounded: `enableOfflineQueue: false`,
   * `maxRetriesPerRequest: 0`, `commandTimeout`, `connectTimeout`, `connectionName`, `retryStrategy` and
   * `lazyConnect` come from `pool`.
   */
  readonly redisOptions?: RedisOptions;
  /**
   * A connection (ioredis `Redis`) or cluster client (ioredis `Cluster`) you own: the store uses it
   * instead of opening a pool and never closes it. It is a pool of one connection: transactions take turns
   * on it. Do not run your own `WATCH`/`MULTI` on the same client: Redis transactions are per connection.
   * Set `enableOfflineQueue: false` and `commandTimeout` on it yourself if evaluations must not wait
   * while Redis is down.
   */
  readonly client?: Redis | Cluster;
  /** Redis Sentinel: the sentinels to ask for the master (ioredis `sentinels`). Needs `name`. */
  readonly sentinels?: readonly Partial<SentinelAddress>[];
  /** Redis Sentinel: the master's name (ioredis `name`), e.g. `'mymaster'`. */
  readonly name?: string;
  /** Redis Cluster: the startup nodes; the store opens a pool of ioredis `Cluster` clients. */
  readonly clusterNodes?: readonly ClusterNode[];
  /** Redis Cluster: ioredis `Cluster` options (the same overrides as `redisOptions` apply to its nodes). */
  readonly clusterOptions?: ClusterOptions;
  /**
   * Key prefix. Default `'launchdarkly'`, LaunchDarkly's: flags live in the hash `<prefix>:features`,
   * segments in `<prefix>:segments`, the init marker is `<prefix>:$inited`.
   */
  readonly prefix?: string;
  /**
   * Wrap the prefix in a Redis Cluster hash tag: keys become `{<prefix>}:features` and so on, so every key
   * of the store lives in one slot and `init` stays one atomic transaction on a cluster. Default `false`:
   * the layout stays LaunchDarkly's, and on a cluster `init` replaces each kind atomically but the kinds
   * one after the other. Every process sharing the data (and LaunchDarkly's Relay, whose prefix would
   * be `{<prefix>}`) must agree on it.
   */
  readonly hashTag?: boolean;
  /**
   * How long flags and segments read from Redis stay cached in memory, in ms: `> 0` a TTL, `0` no cache
   * (every evaluation reads Redis), `< 0` or `Infinity` cache forever (served through outages, written
   * back when Redis returns). Default 30000 (LaunchDarkly's Redis store: 30 s).
   */
  readonly cacheTtlMs?: number;
  /** Largest item written, in UTF-8 bytes of its JSON; bigger items are dropped with an error. Default 409600. */
  readonly maxItemBytes?: number;
  /** Connection pool settings; see {@link RedisPoolOptions}. */
  readonly pool?: RedisPoolOptions;
  /** Attempts of an upsert that keeps losing a race to other writers before it fails. Default 10. */
  readonly maxUpsertAttempts?: number;
}

/** The store's defaults, matching LaunchDarkly's where it has one, so data written by either is read by the other. */
export const redisStoreDefaults = Object.freeze({
  /** Key prefix: flags live in the hash `<prefix>:features`, segments in `<prefix>:segments`. */
  prefix: 'launchdarkly',
  /** Largest serialized item written, in UTF-8 bytes (400 KB, DynamoDB's limit, kept for every store). */
  maxItemBytes: DEFAULT_MAX_ITEM_BYTES,
  /** Cache TTL in ms (LaunchDarkly's Redis store: 30 s). */
  cacheTtlMs: 30_000,
  url: 'redis://127.0.0.1:6379',
  maxUpsertAttempts: 10,
  pool: Object.freeze({
    maxConnections: 4,
    minIdle: 1,
    idleTimeoutMs: 60_000,
    acquireTimeoutMs: 5_000,
    commandTimeoutMs: 2_000,
    connectTimeoutMs: 5_000,
    reconnectMinDelayMs: 100,
    reconnectMaxDelayMs: 2_000,
    connectionName: 'switchyard-store-redis',
  }),
});

/** Options after validation, with defaults applied. */
export interface ResolvedRedisOptions {
  readonly url: string | undefined;
  readonly redisOptions: RedisOptions;
  readonly client: Redis | Cluster | undefined;
  readonly sentinels: readonly Partial<SentinelAddress>[] | undefined;
  readonly name: string | undefined;
  readonly clusterNodes: readonly ClusterNode[] | undefined;
  readonly clusterOptions: ClusterOptions;
  readonly prefix: string;
  readonly hashTag: boolean;
  readonly cacheTtlMs: number;
  readonly maxItemBytes: number;
  readonly maxUpsertAttempts: number;
  readonly pool: Required<RedisPoolOptions>;
}

const { fail, integer: nonNegativeInt, durationMs, boolean, cacheTtlMs: checkCacheTtlMs, maxItemBytes: checkMaxItemBytes } = storeOptionChecks(PREFIX);
const describe = describeOptionValue;

/** Validates options up front so a mistake is a `ConfigError` naming the option, never a crash later. */
export function resolveRedisOptions(options: RedisStoreOptions = {}): ResolvedRedisOptions {
  if (typeof options !== 'object' || options === null) fail('object', `must be an object (got ${describe(options)})`);
  const d = redisStoreDefaults;
  const pool = options.pool ?? {};
  const maxConnections = nonNegativeInt('pool.maxConnections', pool.maxConnections, d.pool.maxConnections, 1);
  const minIdle = nonNegativeInt('pool.minIdle', pool.minIdle, Math.min(d.pool.minIdle, maxConnections));
  if (minIdle > maxConnections) fail('pool.minIdle', `(${minIdle}) must not exceed pool.maxConnections (${maxConnections})`);
  const connectionName = pool.connectionName ?? d.pool.connectionName;
  if (typeof connectionName !== 'string' || !/^[!-~]+$/.test(connectionName)) {
    fail('pool.connectionName', `must be a non-empty string without spaces (got ${describe(connectionName)})`);
  }
  const reconnectMinDelayMs = durationMs('pool.reconnectMinDelayMs', pool.reconnectMinDelayMs, d.pool.reconnectMinDelayMs);
  const reconnectMaxDelayMs = durationMs('pool.reconnectMaxDelayMs', pool.reconnectMaxDelayMs, Math.max(d.pool.reconnectMaxDelayMs, reconnectMinDelayMs));
  if (reconnectMaxDelayMs < reconnectMinDelayMs) {
    fail('pool.reconnectMaxDelayMs', `(${reconnectMaxDelayMs}) must not be below pool.reconnectMinDelayMs (${reconnectMinDelayMs})`);
  }

  const prefix = options.prefix ?? d.prefix;
  if (typeof prefix !== 'string' || prefix === '') fail('prefix', `must be a non-empty string (got ${describe(prefix)})`);
  const hashTag = boolean('hashTag', options.hashTag, false);
  if (hashTag && /[{}]/.test(prefix)) fail('hashTag', `cannot wrap prefix ${JSON.stringify(prefix)}: it already contains a brace`);

  const cacheTtlMs = checkCacheTtlMs(options.cacheTtlMs, d.cacheTtlMs);
  const maxItemBytes = checkMaxItemBytes(options.maxItemBytes, d.maxItemBytes);

  const sources = [options.client && 'client', options.sentinels && 'sentinels', options.clusterNodes && 'clusterNodes'].filter(Boolean);
  if (sources.length > 1) fail(String(sources[0]), `cannot be combined with ${sources.slice(1).join(', ')}: give one way to reach Redis`);
  if (options.url !== undefined) {
    if (typeof options.url !== 'string' || !/^rediss?:\/\//i.test(options.url)) {
      fail('url', 'must start with redis:// or rediss://');
    }
    if (sources.length > 0) fail('url', `cannot be combined with ${String(sources[0])}`);
  }
  if (options.client !== undefined && (typeof options.client !== 'object' || typeof (options.client as { hget?: unknown }).hget !== 'function')) {
    fail('client', 'must be an ioredis Redis or Cluster instance');
  }
  if (options.sentinels !== undefined) {
    if (!Array.isArray(options.sentinels) || options.sentinels.length === 0) fail('sentinels', 'must be a non-empty array of { host, port }');
    if (typeof options.name !== 'string' || options.name === '') fail('name', 'is required with sentinels: the master name the sentinels monitor');
  }
  if (options.clusterNodes !== undefined && (!Array.isArray(options.clusterNodes) || options.clusterNodes.length === 0)) {
    fail('clusterNodes', 'must be a non-empty array of startup nodes');
  }

  return {
    url: options.url,
    redisOptions: { ...(options.redisOptions ?? {}) },
    client: options.client,
    sentinels: options.sentinels,
    name: options.name,
    clusterNodes: options.clusterNodes,
    clusterOptions: { ...(options.clusterOptions ?? {}) },
    prefix,
    hashTag,
    cacheTtlMs,
    maxItemBytes,
    maxUpsertAttempts: nonNegativeInt('maxUpsertAttempts', options.maxUpsertAttempts, d.maxUpsertAttempts, 1),
    pool: {
      maxConnections,
      minIdle,
      idleTimeoutMs: durationMs('pool.idleTimeoutMs', pool.idleTimeoutMs, d.pool.idleTimeoutMs),
      acquireTimeoutMs: durationMs('pool.acquireTimeoutMs', pool.acquireTimeoutMs, d.pool.acquireTimeoutMs),
      commandTimeoutMs: durationMs('pool.commandTimeoutMs', pool.commandTimeoutMs, d.pool.commandTimeoutMs),
      connectTimeoutMs: durationMs('pool.connectTimeoutMs', pool.connectTimeoutMs, d.pool.connectTimeoutMs),
      reconnectMinDelayMs,
      reconnectMaxDelayMs,
      connectionName,
    },
  };
}

/** `host:port` of a URL without its credentials, for messages (a password never reaches a log). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(unparsable url)';
  }
}
