import {
  type BigSegmentStore,
  type BigSegmentStoreMembership,
  type BigSegmentStoreMetadata,
  type LDLogger,
  safeLogger,
} from '@switchyard/core';

import { STORE } from './errors.js';
import { RedisKeys } from './keys.js';
import { type RedisStoreOptions, resolveRedisOptions } from './options.js';
import { type RedisPool, type RedisPoolStats, poolFor } from './pool.js';

/**
 * LaunchDarkly's Redis big-segment store: reads what Relay Proxy writes (`<prefix>:big_segments_synchronized_on`
 * and the `<prefix>:big_segment_include:<hash>` / `…exclude:<hash>` sets). Read-only; an include wins over an
 * exclude. Most users want {@link redisBigSegmentStore} or {@link redisStores}.
 */
export class RedisBigSegmentStoreImpl implements BigSegmentStore {
  /** `'redis'`. */
  readonly description = STORE;
  /** The key layout in use. */
  readonly keys: RedisKeys;

  private readonly _pool: RedisPool;
  private _closed: Promise<void> | undefined;

  /**
   * @param options - The same options as the feature store; `cacheTtlMs` and `maxItemBytes` do not apply.
   * @param logger - Where connection loss and recovery are reported. Default: nowhere.
   * @param pool - Internal: the pool of a {@link redisStores} pair. Omit it: the store opens its own.
   */
  constructor(options: RedisStoreOptions = {}, logger?: Partial<LDLogger>, pool?: RedisPool) {
    const resolved = resolveRedisOptions(options);
    this.keys = new RedisKeys(resolved.prefix, resolved.hashTag);
    this._pool = pool ?? poolFor(resolved, safeLogger(logger));
    this._pool.retain();
  }

  /** Connection counts of the pool behind this store. */
  poolStats(): RedisPoolStats {
    return this._pool.stats();
  }

  async getMetadata(): Promise<BigSegmentStoreMetadata | undefined> {
    const value = await this._pool.read('getMetadata', (client) => client.get(this.keys.bigSegmentsSynchronizedOn));
    if (value === null) return {};
    const lastUpToDate = Number.parseInt(value, 10);
    return Number.isFinite(lastUpToDate) ? { lastUpToDate } : {};
  }

  async getMembership(contextHash: string): Promise<BigSegmentStoreMembership | undefined> {
    const [included, excluded] = await this._pool.read('getMembership', (client) =>
      // Two reads pipelined on one connection; separate keys, so they may live in different cluster slots.
      Promise.all([client.smembers(this.keys.bigSegmentInclude(contextHash)), client.smembers(this.keys.bigSegmentExclude(contextHash))]),
    );
    if (included.length === 0 && excluded.length === 0) return undefined;
    const membership: Record<string, boolean> = {};
    for (const ref of excluded) membership[ref] = false;
    for (const ref of included) membership[ref] = true;
    return membership;
  }

  /** Releases the pool (closing it when no other store shares it). Idempotent. */
  close(): Promise<void> {
    this._closed ??= this._pool.release();
    return this._closed;
  }
}
