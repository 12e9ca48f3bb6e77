import {
  type KeyedSerializedItem,
  type LDLogger,
  type PersistentDataStore,
  type PersistentStoreKind,
  type SerializedCollection,
  type SerializedItem,
  StoreError,
  type UpsertResult,
  jitteredBackoffMs,
  safeLogger,
  storeDelay,
  versionInJson,
} from '@switchyard/core';
import type { ChainableCommander } from 'ioredis';

import { STORE } from './errors.js';
import { RedisKeys } from './keys.js';
import { type RedisStoreOptions, type ResolvedRedisOptions, resolveRedisOptions } from './options.js';
import { type RedisClient, type RedisPool, type RedisPoolStats, poolFor } from './pool.js';

/** Fields per HSET inside an init transaction: keeps each command's argument list moderate. */
const HSET_CHUNK = 500;

/**
 * LaunchDarkly's Redis feature store as a Switchyard {@link PersistentDataStore}: flags and segments in
 * the hashes `<prefix>:features` / `<prefix>:segments`, the init marker `<prefix>:$inited`, each item's
 * JSON stored verbatim, so LaunchDarkly's SDKs, its Relay Proxy and Switchyard read each other's data.
 *
 * Most users want {@link redisStore}, which wraps this in core's caching `PersistentStoreWrapper`; build
 * this class directly to wrap it yourself or to use the store without the SDK.
 *
 * - `init` replaces everything in one `MULTI`/`EXEC` (`DEL` and `HSET` per kind, `SET $inited` last). On a
 *   Redis Cluster without `hashTag` each kind is replaced in its own transaction, segments first, and the
 *   marker is written last: never a cross-slot command.
 * - `upsert` is optimistic: `WATCH` the kind's hash, read the stored version, and write with
 *   `MULTI`/`HSET`/`EXEC` only when the new version is higher; a lost race (another writer changed the
 *   hash) is retried after a jittered delay, at most `maxUpsertAttempts` times, then a `StoreError`.
 * - Every failure rejects with a `StoreError` naming the operation; nothing is logged and swallowed.
 */
export class RedisPersistentStore implements PersistentDataStore {
  /** `'redis'`. */
  readonly description = STORE;
  /** Largest item written, in UTF-8 bytes of its JSON (the wrapper drops bigger ones). */
  readonly maxItemBytes: number;
  /** The key layout in use. */
  readonly keys: RedisKeys;

  private readonly _options: ResolvedRedisOptions;
  private readonly _pool: RedisPool;
  private _closed: Promise<void> | undefined;
  private _beforeUpsertWrite: (() => Promise<void>) | undefined;

  /**
   * @param options - Where Redis is, the prefix and the pool; see {@link RedisStoreOptions}. Invalid
   *   options throw a `ConfigError` naming the option.
   * @param logger - Where connection loss and recovery are reported (one line each). Default: nowhere.
   * @param pool - Internal: the pool of a {@link redisStores} pair. Omit it: the store opens its own.
   */
  constructor(options: RedisStoreOptions = {}, logger?: Partial<LDLogger>, pool?: RedisPool) {
    this._options = resolveRedisOptions(options);
    this.maxItemBytes = this._options.maxItemBytes;
    this.keys = new RedisKeys(this._options.prefix, this._options.hashTag);
    this._pool = pool ?? poolFor(this._options, safeLogger(logger));
    this._pool.retain();
  }

  /** Connection counts of the pool behind this store (shared with a big-segment store of the same {@link redisStores}). */
  poolStats(): RedisPoolStats {
    return this._pool.stats();
  }

  async init(allData: readonly SerializedCollection[]): Promise<void> {
    await this._pool.transaction('init', async (client) => {
      if (this._pool.isCluster && !this._options.hashTag) {
        // Keys of different kinds live in different slots: one transaction per kind, in the given order.
        for (const collection of allData) {
          const multi = client.multi();
          this._replaceKind(multi, collection);
          await exec(multi);
        }
        await client.set(this.keys.inited, '');
        return;
      }
      const multi = client.multi();
      for (const collection of allData) this._replaceKind(multi, collection);
      multi.set(this.keys.inited, '');
      await exec(multi);
    });
  }

  async get(kind: PersistentStoreKind, key: string): Promise<SerializedItem | undefined> {
    const json = await this._pool.read('get', (client) => client.hget(this.keys.items(kind.namespace), key));
    // Redis keeps only the JSON: version 0 means "read it from the JSON" (the wrapper does).
    return json === null ? undefined : { version: 0, serializedItem: json };
  }

  async getAll(kind: PersistentStoreKind): Promise<readonly KeyedSerializedItem[]> {
    const all = await this._pool.read('getAll', (client) => client.hgetall(this.keys.items(kind.namespace)));
    return Object.entries(all).map(([key, json]) => ({ key, item: { version: 0, serializedItem: json } }));
  }

  async upsert(kind: PersistentStoreKind, key: string, item: SerializedItem): Promise<UpsertResult> {
    const hash = this.keys.items(kind.namespace);
    const json = item.serializedItem ?? JSON.stringify({ key, version: item.version, deleted: true });
    const attempts = this._options.maxUpsertAttempts;
    return this._pool.transaction('upsert', async (client) => {
      for (let attempt = 1; attempt <= attempts; attempt++) {
        await client.watch(hash);
        let watching = true;
        try {
          const old = await client.hget(hash, key);
          if (old !== null) {
            const oldVersion = versionInJson(old);
            if (oldVersion >= item.version) {
              return { updated: false, item: { version: oldVersion, serializedItem: old } };
            }
          }
          await this._beforeUpsertWrite?.();
          // EXEC ends the WATCH whatever its outcome.
          watching = false;
          const result = await client.multi().hset(hash, key, json).exec();
          if (result !== null) {
            throwIfFailed(result);
            return { updated: true };
          }
        } finally {
          if (watching) await unwatch(client, hash);
        }
        if (attempt < attempts) await storeDelay(jitteredBackoffMs(attempt, 2, 100));
      }
      throw new StoreError(
        STORE,
        'upsert',
        `gave up on ${kind.namespace} item "${key}" after ${attempts} attempts (maxUpsertAttempts): another writer changed ${hash} every time`,
      );
    });
  }

  async isInitialized(): Promise<boolean> {
    return (await this._pool.read('isInitialized', (client) => client.exists(this.keys.inited))) === 1;
  }

  async isStoreAvailable(): Promise<boolean> {
    try {
      await this._pool.read('isStoreAvailable', (client) => client.exists(this.keys.inited));
      return true;
    } catch {
      return false;
    }
  }

  /** Releases the pool (closing it when no other store shares it). Idempotent; a borrowed client stays open. */
  close(): Promise<void> {
    this._closed ??= this._pool.release();
    return this._closed;
  }

  /**
   * Test hook (used by the conformance suite): awaited after the version check and before `MULTI`, so a
   * test can write through another connection and make `EXEC` fail. `undefined` removes it.
   *
   * @internal
   */
  setBeforeUpsertWriteHook(hook: (() => Promise<void>) | undefined): void {
    this._beforeUpsertWrite = hook;
  }

  private _replaceKind(multi: ChainableCommander, collection: SerializedCollection): void {
    const hash = this.keys.items(collection.kind.namespace);
    multi.del(hash);
    const { items } = collection;
    for (let start = 0; start < items.length; start += HSET_CHUNK) {
      const args: string[] = [];
      for (const { key, item } of items.slice(start, start + HSET_CHUNK)) {
        args.push(key, item.serializedItem ?? JSON.stringify({ key, version: item.version, deleted: true }));
      }
      multi.hset(hash, ...args);
    }
  }
}


/**
 * Ends a WATCH without a transaction. On a Cluster client a bare UNWATCH (no key) would go to a random
 * node, leaving the WATCH on the hash's node to abort a later transaction there; a pipeline with a
 * command on the same key goes to the node (and connection) that holds the WATCH.
 */
async function unwatch(client: RedisClient, hash: string): Promise<void> {
  const isCluster = (client as { isCluster?: boolean }).isCluster === true;
  const done = isCluster ? client.pipeline().exists(hash).unwatch().exec() : client.unwatch();
  await done.catch(() => undefined);
}

async function exec(multi: ChainableCommander): Promise<void> {
  const result = await multi.exec();
  if (result === null) throw new Error('the transaction was aborted');
  throwIfFailed(result);
}

function throwIfFailed(result: [error: Error | null, value: unknown][]): void {
  const failed = result.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}


