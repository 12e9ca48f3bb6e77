import { ClosedError, MalformedDataError, StoreError, type StoreOperation, TimeoutError } from '../errors/index.js';
import { type LDLogger, safeLogger } from '../logging/index.js';
import { type TimerHandle, cancelTimer, monotonicMs, startInterval, startTimeout } from '../platform/index.js';
import { type DataKind, DataKinds, type VersionedItem } from './data-kinds.js';
import type { CacheMode, DataStore, DataStoreStatusProvider, FullDataSet, Unsubscribe } from './data-store.js';
import { type ItemGuard, type ItemTooLargeError, createItemGuard } from './item-guard.js';
import { ListenerSet } from './listeners.js';
import type { KeyedSerializedItem, PersistentDataStore, SerializedCollection, SerializedItem, UpsertResult } from './persistent-data-store.js';
import { sortDataSet } from './sort.js';
import { StatusTracker } from './status.js';

export type { CacheMode } from './data-store.js';

/** Options of {@link PersistentStoreWrapper}. Every duration is in milliseconds. */
export interface PersistentStoreWrapperOptions {
  /**
   * How long items read from or written to the store stay cached, in milliseconds. Default 15000
   * (LaunchDarkly's SDK default; Relay uses 30 s). Store packages also accept LaunchDarkly's `cacheTTL` in
   * seconds and convert it.
   *
   * - `> 0`: each cached item, and each kind's full list, expires that long after it was cached (not
   *   sliding). `get`/`all` re-read expired entries; `getSync` serves an expired copy while it refreshes
   *   it in the background (stale-while-revalidate; see {@link PersistentStoreWrapper.getSync}). While
   *   the store is down, `get`/`all` serve cached data until it expires and then fail; `getSync` keeps
   *   serving the expired copies. On recovery the data source is asked to refresh (`refreshNeeded: true`).
   * - `0`: no cache; every read goes to the store (still status-monitored). `getSync`/`allSync` never
   *   answer, so the SDK's `*Sync` evaluations return the default.
   * - `< 0` or `Infinity`: cache forever. The store is read only for data the cache does not hold, and
   *   the cache is the source of truth during an outage: updates are applied to it even when the store
   *   write fails (the write then rejects with a `StoreError` whose `appliedToCache` is true), and on
   *   recovery the full cached data set is written back (`refreshNeeded: false`).
   *   Caveat (as in LaunchDarkly's SDKs): a process that stops receiving updates while others keep
   *   writing the shared store serves its old data indefinitely.
   */
  readonly cacheTtlMs?: number;
  /** How often the store is probed with `isStoreAvailable()` while it is unavailable, in ms. Default 500. */
  readonly statusPollIntervalMs?: number;
  /**
   * How often, while the store is available and known to be initialized, the wrapper checks that its init
   * marker still exists, in ms. A store that restarted empty or was flushed is then treated as an outage
   * followed by a refresh (or, with an infinite cache, a write-back) instead of going unnoticed. Also
   * detects an outage when there is no traffic. Default 5000; `0` turns it off.
   */
  readonly healthCheckIntervalMs?: number;
  /**
   * With an infinite cache, how long a "not initialized" answer from the store is trusted before it is
   * asked again, in ms (with a finite cache the answer is cached for `cacheTtlMs`). Lets a daemon-mode
   * process notice that another process populated the store. Default 5000.
   */
  readonly uninitializedRecheckMs?: number;
  /**
   * The longest any single store call may take, in ms; a call that has not settled by then counts as a
   * failed operation (`StoreError` whose cause is a `TimeoutError`) and marks the store unavailable, so no
   * read or write waits forever on a hung backend. Store packages normally have shorter per-command
   * timeouts of their own. Default 30000; `0` or `Infinity` turns it off.
   */
  readonly operationTimeoutMs?: number;
  /**
   * The kinds of data stored. Default `[DataKinds.segments, DataKinds.features]`. `init` passes every
   * kind to the store (missing ones as empty lists); data of other namespaces is ignored with a warning.
   */
  readonly kinds?: readonly DataKind[];
  /** Where to log. Default: nowhere. */
  readonly logger?: Partial<LDLogger>;
  /** The clock for cache expiry, in ms since the epoch. Default `Date.now`; tests inject their own. */
  readonly now?: () => number;
}

const DEFAULT_CACHE_TTL_MS = 15_000;
const DEFAULT_STATUS_POLL_INTERVAL_MS = 500;
const DEFAULT_HEALTH_CHECK_INTERVAL_MS = 5_000;
const DEFAULT_UNINITIALIZED_RECHECK_MS = 5_000;
const DEFAULT_OPERATION_TIMEOUT_MS = 30_000;
/** Expired cache entries are swept at most this often (expiry itself is checked on every read). */
const MIN_SWEEP_INTERVAL_MS = 60_000;

interface Entry {
  readonly value: VersionedItem | null;
  readonly expiresAt: number;
}

/** A kind's full list as the store holds it (tombstones included), plus the live view handed out. */
interface KindList {
  readonly items: Map<string, VersionedItem>;
  readonly expiresAt: number;
  live?: Readonly<Record<string, VersionedItem>>;
}

interface PreparedCollection {
  readonly kind: DataKind;
  readonly items: readonly (readonly [string, VersionedItem])[];
  readonly serialized: SerializedCollection;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function live(item: VersionedItem | null): VersionedItem | null {
  return item && !item.deleted ? item : null;
}

function liveRecord(items: Map<string, VersionedItem>): Readonly<Record<string, VersionedItem>> {
  const out: Record<string, VersionedItem> = {};
  for (const [key, item] of items) if (!item.deleted) out[key] = item;
  return Object.freeze(out);
}

/**
 * Turns a {@link PersistentDataStore} (serialized items in a database) into the SDK's {@link DataStore}:
 * caching with request coalescing, deserialization through each {@link DataKind}, write ordering, the
 * item-size guard, status reporting and outage recovery. It follows LaunchDarkly's Go SDK wrapper
 * (`persistent_data_store_wrapper.go`) and fixes its known gaps:
 *
 * - **Store errors** mark the store unavailable (one status event and one error log per outage) and start
 *   a single-flight poller that calls `isStoreAvailable()` every `statusPollIntervalMs` (500 ms). Only
 *   the poller makes the store available again. Reads keep serving cached data while it is valid.
 * - **Recovery.** Finite or no cache: status `{ available: true, refreshNeeded: true }` and the handlers
 *   registered with {@link onRefreshNeeded} are called so the data source sends a full data set again.
 *   Infinite cache: the full cached data set is written back with `init` first; if that fails the store
 *   stays unavailable and polling goes on (Go reports it available anyway). If the cache does not hold
 *   every kind's full list, no `init` is made from a subset (it would delete everything else): the cached
 *   items are upserted one by one and a refresh is requested.
 * - **Writes while unavailable** fail fast with a `StoreError` instead of queueing behind a dead backend;
 *   with an infinite cache they are applied to the cache (if newer) and written back on recovery, and
 *   the error says so (`appliedToCache: true`) so the caller can announce the change.
 * - **Expired copies** are served by `getSync` while they are refreshed (stale-while-revalidate), so a
 *   synchronous evaluation never falls back to the default for a flag the process holds.
 * - **Lost version races** never shrink the cached full list (Go evicts it, and a later outage then wrote
 *   back a one-item list, deleting every other flag: go-server-sdk #92).
 * - **A store that comes back empty** (restarted without persistence, flushed) is detected by the health
 *   check (`healthCheckIntervalMs`) and handled like an outage (Relay #141).
 * - **"Not initialized" answers** are re-checked even with an infinite cache (`uninitializedRecheckMs`).
 * - **Corrupt items** (not JSON, no key or version) reject the read with a `MalformedDataError` naming kind
 *   and key; they are not cached and do not make the store unavailable (the store itself works). `all`
 *   fails as a whole, as in Go, rather than silently leaving the item out.
 *
 * Writes (`init`, `upsert`, write-back) run one at a time in call order; reads do not wait for them. A
 * read that started before a write finished never caches its (possibly older) result over the write.
 */
export class PersistentStoreWrapper implements DataStore {
  readonly description: string;
  /** How the cache behaves, from `cacheTtlMs`. */
  readonly cacheMode: CacheMode;
  private readonly tracker: StatusTracker;
  private readonly ttlMs: number;
  private readonly pollIntervalMs: number;
  private readonly healthCheckIntervalMs: number;
  private readonly uninitializedRecheckMs: number;
  private readonly operationTimeoutMs: number;
  private readonly kinds: readonly DataKind[];
  private readonly kindsByNamespace: Map<string, DataKind>;
  private readonly logger: LDLogger;
  private readonly now: () => number;
  private readonly guard: ItemGuard;
  private readonly refreshHandlers: ListenerSet<void>;

  private readonly itemCache = new Map<string, Map<string, Entry>>();
  private readonly listCache = new Map<string, KindList>();
  /** Bumped on every write to a namespace: a read that began before a write must not cache its result. */
  private readonly epochs = new Map<string, number>();
  private inflightGets = new Map<string, Map<string, Promise<VersionedItem | null>>>();
  private inflightAll = new Map<string, Promise<KindList>>();
  private inflightInitCheck: Promise<boolean> | undefined;
  private writeChain: Promise<void> = Promise.resolve();
  private pendingWrites = 0;

  private initedKnown = false;
  private initCheckedUntil = 0;
  private initsCompleted = 0;
  private awaitingRefresh = false;
  private nextSweepAt = 0;
  private pollTimer: TimerHandle | undefined;
  private polling = false;
  private healthTimer: TimerHandle | undefined;
  private healthChecking = false;
  private closed = false;
  private closePromise: Promise<void> | undefined;

  constructor(
    private readonly core: PersistentDataStore,
    options: PersistentStoreWrapperOptions = {},
  ) {
    this.logger = safeLogger(options.logger);
    this.description = core.description;
    this.tracker = new StatusTracker(true, this.logger);
    this.refreshHandlers = new ListenerSet((err) => this.logger.error(`[switchyard/core] A data store refresh handler threw: ${messageOf(err)}`));
    this.now = options.now ?? Date.now;
    this.guard = createItemGuard(core);

    const ttl = this.option('cacheTtlMs', options.cacheTtlMs, DEFAULT_CACHE_TTL_MS, () => true);
    this.cacheMode = ttl === 0 ? 'none' : ttl < 0 || ttl === Infinity ? 'forever' : 'ttl';
    this.ttlMs = this.cacheMode === 'ttl' ? ttl : 0;
    this.pollIntervalMs = this.option('statusPollIntervalMs', options.statusPollIntervalMs, DEFAULT_STATUS_POLL_INTERVAL_MS, (v) => v > 0 && v < Infinity);
    this.healthCheckIntervalMs = this.option('healthCheckIntervalMs', options.healthCheckIntervalMs, DEFAULT_HEALTH_CHECK_INTERVAL_MS, (v) => v >= 0 && v < Infinity);
    this.uninitializedRecheckMs = this.option('uninitializedRecheckMs', options.uninitializedRecheckMs, DEFAULT_UNINITIALIZED_RECHECK_MS, (v) => v > 0);
    this.operationTimeoutMs = this.option('operationTimeoutMs', options.operationTimeoutMs, DEFAULT_OPERATION_TIMEOUT_MS, (v) => v >= 0);
    this.kinds = options.kinds && options.kinds.length > 0 ? [...options.kinds] : [DataKinds.segments, DataKinds.features];
    this.kindsByNamespace = new Map(this.kinds.map((k) => [k.namespace, k]));
  }

  /** Status of the underlying store (monitoring is always enabled). */
  get status(): DataStoreStatusProvider {
    return this.tracker;
  }

  // --- reads ---------------------------------------------------------------------------------

  /**
   * Answers from the cache. A fresh entry is returned as is. An expired copy of an item is returned too
   * (stale-while-revalidate) and one background refresh is started for it (a single `getAll` when the
   * copy came from a cached full list), unless the store is unavailable; so an evaluation never falls
   * back to the default for a flag this process holds, even right after the TTL expired or during an
   * outage. `undefined` when there is no copy at all (or no cache: `cacheTtlMs` 0).
   */
  getSync<T extends VersionedItem>(kind: DataKind<T>, key: string): T | null | undefined {
    if (this.closed || this.cacheMode === 'none') return undefined;
    const metrics = this.tracker.metrics;
    const hit = this.lookup(kind.namespace, key);
    if (hit !== undefined) {
      metrics.cacheHits++;
      return live(hit) as T | null;
    }
    const stale = this.staleCopy(kind.namespace, key);
    if (!stale) {
      metrics.cacheMisses++;
      return undefined;
    }
    metrics.cacheHits++;
    this.revalidate(kind, key, stale.fromList);
    return live(stale.item) as T | null;
  }

  async get<T extends VersionedItem>(kind: DataKind<T>, key: string): Promise<T | null> {
    this.assertOpen('get');
    if (this.cacheMode !== 'none') {
      const hit = this.lookup(kind.namespace, key);
      if (hit !== undefined) {
        this.tracker.metrics.cacheHits++;
        return live(hit) as T | null;
      }
      this.tracker.metrics.cacheMisses++;
    }
    return live(await this.readItem(kind, key)) as T | null;
  }

  allSync<T extends VersionedItem>(kind: DataKind<T>): Readonly<Record<string, T>> | undefined {
    if (this.closed || this.cacheMode === 'none') return undefined;
    const list = this.validList(kind.namespace);
    this.countLookup(list !== undefined);
    return list ? (this.liveView(list) as Readonly<Record<string, T>>) : undefined;
  }

  async all<T extends VersionedItem>(kind: DataKind<T>): Promise<Readonly<Record<string, T>>> {
    this.assertOpen('getAll');
    let cached: KindList | undefined;
    if (this.cacheMode !== 'none') {
      cached = this.validList(kind.namespace);
      this.countLookup(cached !== undefined);
    }
    const list = cached ?? (await this.readAll(kind));
    return this.liveView(list) as Readonly<Record<string, T>>;
  }

  async initialized(): Promise<boolean> {
    if (this.closed) return false;
    if (this.initedKnown) return true;
    if (this.cacheMode !== 'none' && this.initCheckedUntil > this.now()) return false;
    if (!this.inflightInitCheck) {
      const check = this.checkInitialized();
      this.inflightInitCheck = check;
      void check.then(() => {
        if (this.inflightInitCheck === check) this.inflightInitCheck = undefined;
      });
    }
    return this.inflightInitCheck;
  }

  // --- writes --------------------------------------------------------------------------------

  async init(data: FullDataSet): Promise<void> {
    this.assertOpen('init');
    for (const namespace of Object.keys(data)) {
      if (!this.kindsByNamespace.has(namespace)) {
        this.logger.warn(`[switchyard/store-${this.description}] init data has an unknown kind "${namespace}"; it was not stored`);
      }
    }
    const collections = this.prepare(data, true);
    return this.enqueueWrite(async () => {
      this.touch(...this.kinds.map((k) => k.namespace));
      if (!this.tracker.getStatus().available) {
        const cached = this.cacheMode === 'forever';
        if (cached) this.replaceCache(collections);
        throw this.unavailableError('init', cached);
      }
      try {
        await this.call('init', () => this.core.init(collections.map((c) => c.serialized)));
      } catch (err) {
        // Go's rule: with an infinite cache the new data becomes the truth (written back on recovery);
        // otherwise stay consistently on the old data rather than flip to new data and back at expiry.
        if (this.cacheMode !== 'forever') throw err;
        this.replaceCache(collections);
        throw this.keptInCacheError('init', err);
      }
      this.replaceCache(collections);
      this.initsCompleted++;
      this.awaitingRefresh = false;
    });
  }

  async upsert<T extends VersionedItem>(kind: DataKind<T>, item: T): Promise<boolean> {
    this.assertOpen('upsert');
    const namespace = kind.namespace;
    const key = item.key;
    const serialized = this.serialize(kind, item);
    const tooLarge = this.guard.check(kind, key, serialized);
    if (tooLarge) {
      // Like Go's DynamoDB store: not an error of the store, the old version stays, nothing else changes.
      this.reportOversized(tooLarge);
      return false;
    }
    return this.enqueueWrite(async () => {
      this.touch(namespace);
      if (!this.tracker.getStatus().available) {
        throw this.unavailableError('upsert', this.cacheMode === 'forever' && this.applyIfNewer(namespace, key, item));
      }
      let result: UpsertResult;
      try {
        result = await this.call('upsert', () => this.core.upsert(kind, key, serialized));
      } catch (err) {
        if (this.cacheMode === 'forever' && this.applyIfNewer(namespace, key, item)) throw this.keptInCacheError('upsert', err);
        throw err;
      }
      if (result.updated) {
        this.cachePut(namespace, key, item);
        return true;
      }
      await this.refreshAfterRejectedUpsert(kind, key, result.item);
      return false;
    });
  }

  onRefreshNeeded(handler: () => void): Unsubscribe {
    return this.refreshHandlers.add(handler);
  }

  close(): Promise<void> {
    if (!this.closePromise) {
      this.closed = true;
      cancelTimer(this.pollTimer);
      cancelTimer(this.healthTimer);
      this.pollTimer = undefined;
      this.healthTimer = undefined;
      this.refreshHandlers.clear();
      this.itemCache.clear();
      this.listCache.clear();
      // Listeners are dropped once the store's own close settled, so `onOperation` sees the `close` call.
      this.closePromise = this.withTimeout('close', () => this.core.close())
        .catch((err: unknown) => {
          this.logger.warn(`[switchyard/store-${this.description}] closing the store failed: ${messageOf(err)}`);
        })
        .finally(() => this.tracker.clear());
    }
    return this.closePromise;
  }

  // --- cache ---------------------------------------------------------------------------------

  /**
   * The fresh cached item (a tombstone or `null` for known-absent), or `undefined` when the cache cannot
   * say. Expired entries are left in place: they are the stale copies {@link getSync} serves while it
   * refreshes them, and the sweep or a newer read replaces them.
   */
  private lookup(namespace: string, key: string): VersionedItem | null | undefined {
    const now = this.now();
    const entry = this.itemCache.get(namespace)?.get(key);
    if (entry && entry.expiresAt > now) return entry.value;
    const list = this.validList(namespace, now);
    return list ? (list.items.get(key) ?? null) : undefined;
  }

  /**
   * An expired copy of an item (tombstones included; a cached "not found" is not a copy). A single-item
   * entry is newer than the kind's list (items are cached one by one only while no valid list exists).
   */
  private staleCopy(namespace: string, key: string): { item: VersionedItem; fromList: boolean } | undefined {
    const entry = this.itemCache.get(namespace)?.get(key);
    if (entry) return entry.value ? { item: entry.value, fromList: false } : undefined;
    const item = this.listCache.get(namespace)?.items.get(key);
    return item ? { item, fromList: true } : undefined;
  }

  /** Refreshes an expired copy in the background; coalesced with any read already in flight. */
  private revalidate(kind: DataKind, key: string, wholeList: boolean): void {
    if (!this.tracker.getStatus().available) return; // the poller notices recovery; no point hammering
    const read: Promise<unknown> = wholeList ? this.readAll(kind) : this.readItem(kind, key);
    read.catch((err: unknown) => {
      this.logger.debug(`[switchyard/store-${this.description}] refreshing an expired ${kind.namespace} cache entry failed: ${messageOf(err)}`);
    });
  }

  /** The kind's full list while it is fresh. An expired list stays cached as a source of stale copies. */
  private validList(namespace: string, now = this.now()): KindList | undefined {
    const list = this.listCache.get(namespace);
    return list && list.expiresAt > now ? list : undefined;
  }

  private liveView(list: KindList): Readonly<Record<string, VersionedItem>> {
    list.live ??= liveRecord(list.items);
    return list.live;
  }

  private expiry(): number {
    return this.cacheMode === 'forever' ? Infinity : this.now() + this.ttlMs;
  }

  /**
   * Records what the store holds for one key. When the kind's full list is cached the item goes into it
   * (never shrinking it), so the list stays the complete data set that an infinite cache writes back.
   */
  private cachePut(namespace: string, key: string, item: VersionedItem | null): void {
    if (this.cacheMode === 'none') return;
    const list = this.validList(namespace);
    if (list) {
      if (item) list.items.set(key, item);
      else list.items.delete(key);
      list.live = undefined;
      this.itemCache.get(namespace)?.delete(key);
      return;
    }
    // The entry supersedes an expired list's copy; drop that copy so it cannot resurface as a stale
    // answer once this entry is gone (a swept "not found").
    const expired = this.listCache.get(namespace);
    if (expired?.items.delete(key)) expired.live = undefined;
    let items = this.itemCache.get(namespace);
    if (!items) {
      items = new Map();
      this.itemCache.set(namespace, items);
    }
    // An infinite cache keeps no "not found" entries: they could pile up without bound (one per unknown
    // key ever asked for) and would hide items that another process adds later.
    if (item === null && this.cacheMode === 'forever') items.delete(key);
    else items.set(key, { value: item, expiresAt: this.expiry() });
    this.sweep();
  }

  /**
   * The infinite-cache rule for a write the store did not take: apply it to the cache if it is newer.
   * Returns whether it was applied.
   */
  private applyIfNewer(namespace: string, key: string, item: VersionedItem): boolean {
    const current = this.lookup(namespace, key);
    if (current && current.version >= item.version) return false;
    this.cachePut(namespace, key, item);
    return true;
  }

  private replaceCache(collections: readonly PreparedCollection[]): void {
    this.itemCache.clear();
    this.listCache.clear();
    this.initedKnown = true;
    this.initCheckedUntil = 0;
    this.ensureHealthCheck();
    if (this.cacheMode === 'none') return;
    const expiresAt = this.expiry();
    for (const { kind, items } of collections) {
      this.listCache.set(kind.namespace, { items: new Map(items), expiresAt });
    }
  }

  private storeList(namespace: string, items: Map<string, VersionedItem>): KindList {
    const cachedItems = this.itemCache.get(namespace);
    if (this.cacheMode === 'forever' && cachedItems) {
      // Items cached individually may hold updates the store missed during an outage: keep the newer.
      for (const [key, entry] of cachedItems) {
        const old = items.get(key);
        if (entry.value && (!old || old.version < entry.value.version)) items.set(key, entry.value);
      }
    }
    // The list is at least as fresh as any single-item entry, which would otherwise shadow it.
    this.itemCache.delete(namespace);
    const list: KindList = { items, expiresAt: this.expiry() };
    this.listCache.set(namespace, list);
    return list;
  }

  private sweep(): void {
    if (this.cacheMode !== 'ttl') return;
    const now = this.now();
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + Math.max(this.ttlMs, MIN_SWEEP_INTERVAL_MS);
    // Expired copies of items stay (bounded by the flag data) so synchronous reads can serve them while
    // they are refreshed; expired "not found" entries go (callers choose those keys, so they are unbounded).
    for (const items of this.itemCache.values()) {
      for (const [key, entry] of items) if (entry.value === null && entry.expiresAt <= now) items.delete(key);
    }
  }

  /** A write to `namespaces` is starting: reads already in flight must neither be joined nor cached. */
  private touch(...namespaces: string[]): void {
    for (const namespace of namespaces) {
      this.epochs.set(namespace, (this.epochs.get(namespace) ?? 0) + 1);
      this.inflightGets.delete(namespace);
      this.inflightAll.delete(namespace);
    }
  }

  // --- store calls ---------------------------------------------------------------------------

  private readItem(kind: DataKind, key: string): Promise<VersionedItem | null> {
    const namespace = kind.namespace;
    let byKey = this.inflightGets.get(namespace);
    if (!byKey) {
      byKey = new Map();
      this.inflightGets.set(namespace, byKey);
    }
    const pending = byKey.get(key);
    if (pending) return pending;
    const epoch = this.epochs.get(namespace) ?? 0;
    const read = (async () => {
      const serialized = await this.call('get', () => this.core.get(kind, key));
      const item = serialized === undefined ? null : this.decode(kind, key, serialized);
      if (!this.closed && epoch === (this.epochs.get(namespace) ?? 0)) this.cachePut(namespace, key, item);
      return item;
    })();
    const map = byKey;
    map.set(key, read);
    const done = (): void => {
      if (map.get(key) === read) map.delete(key);
    };
    read.then(done, done);
    return read;
  }

  private readAll(kind: DataKind): Promise<KindList> {
    const namespace = kind.namespace;
    const pending = this.inflightAll.get(namespace);
    if (pending) return pending;
    const epoch = this.epochs.get(namespace) ?? 0;
    const read = (async () => {
      const serialized = await this.call('getAll', () => this.core.getAll(kind));
      const items = new Map<string, VersionedItem>();
      for (const { key, item } of serialized) items.set(key, this.decode(kind, key, item));
      if (this.cacheMode !== 'none' && !this.closed && epoch === (this.epochs.get(namespace) ?? 0)) {
        return this.storeList(namespace, items);
      }
      return { items, expiresAt: 0 };
    })();
    this.inflightAll.set(namespace, read);
    const done = (): void => {
      if (this.inflightAll.get(namespace) === read) this.inflightAll.delete(namespace);
    };
    read.then(done, done);
    return read;
  }

  private async checkInitialized(): Promise<boolean> {
    try {
      const inited = await this.call('isInitialized', () => this.core.isInitialized());
      if (inited) {
        this.initedKnown = true;
        this.ensureHealthCheck();
      } else if (this.cacheMode !== 'none') {
        this.initCheckedUntil = this.now() + (this.cacheMode === 'ttl' ? this.ttlMs : this.uninitializedRecheckMs);
      }
      return inited || this.initedKnown;
    } catch {
      // `call` has reported the failure; "not known to be initialized" is the honest answer.
      return this.initedKnown;
    }
  }

  private async refreshAfterRejectedUpsert(kind: DataKind, key: string, current: SerializedItem | undefined): Promise<void> {
    if (this.cacheMode === 'none') return;
    const namespace = kind.namespace;
    if (current) {
      try {
        this.cachePut(namespace, key, this.decode(kind, key, current));
        return;
      } catch {
        // Unreadable: fall back to reading it again, which reports the problem to the caller of `get`.
      }
    }
    if (this.cacheMode === 'ttl') {
      // Go: the process lost a race, so its view of this kind is stale. Expire it (the copies stay
      // available to stale-while-revalidate reads) and re-read the item.
      const entry = this.itemCache.get(namespace)?.get(key);
      if (entry) this.itemCache.get(namespace)!.set(key, { value: entry.value, expiresAt: 0 });
      const list = this.listCache.get(namespace);
      if (list) this.listCache.set(namespace, { items: list.items, expiresAt: 0 });
    }
    try {
      await this.readItem(kind, key);
    } catch (err) {
      // The upsert itself succeeded (it was rejected by version); a failed refresh only costs freshness.
      this.logger.debug(`[switchyard/store-${this.description}] re-reading ${namespace} "${key}" after a rejected update failed: ${messageOf(err)}`);
    }
  }

  /** Calls the store with the operation timeout; a failure is converted, counted and reported. */
  private async call<R>(operation: StoreOperation, fn: () => Promise<R>): Promise<R> {
    try {
      return await this.withTimeout(operation, fn);
    } catch (err) {
      const error = this.toStoreError(err, operation);
      this.tracker.metrics.storeErrors++;
      this.markUnavailable(error);
      throw error;
    }
  }

  private countLookup(hit: boolean): void {
    if (hit) this.tracker.metrics.cacheHits++;
    else this.tracker.metrics.cacheMisses++;
  }

  /** Calls the store with the operation timeout, and counts and reports the call (`onOperation`). */
  private withTimeout<R>(operation: StoreOperation, fn: () => Promise<R>): Promise<R> {
    const started = monotonicMs();
    const settled = this.settleWithTimeout(operation, fn);
    settled.then(
      () => this.tracker.recordOperation({ operation, durationMs: monotonicMs() - started }),
      (err: unknown) => this.tracker.recordOperation({ operation, durationMs: monotonicMs() - started, error: this.toStoreError(err, operation) }),
    );
    return settled;
  }

  private settleWithTimeout<R>(operation: StoreOperation, fn: () => Promise<R>): Promise<R> {
    let promise: Promise<R>;
    try {
      promise = Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const ms = this.operationTimeoutMs;
    if (!(ms > 0 && ms < Infinity)) return promise;
    return new Promise<R>((resolve, reject) => {
      const timer = startTimeout(() => {
        reject(
          new StoreError(this.description, operation, `no answer within ${ms} ms (operationTimeoutMs)`, {
            cause: new TimeoutError(`store ${operation} timed out`, ms),
          }),
        );
      }, ms);
      promise.then(
        (value) => {
          cancelTimer(timer);
          resolve(value);
        },
        (err: unknown) => {
          cancelTimer(timer);
          reject(err as Error);
        },
      );
    });
  }

  private toStoreError(err: unknown, operation: StoreOperation): StoreError {
    return StoreError.isInstance(err) ? err : new StoreError(this.description, operation, messageOf(err), { cause: err });
  }

  /** A write refused because the store is unavailable; `appliedToCache` when the cache took it instead. */
  private unavailableError(operation: StoreOperation, appliedToCache: boolean): StoreError {
    const what =
      this.cacheMode === 'forever'
        ? appliedToCache
          ? 'the update is kept in the cache and written to the store when it is available again'
          : 'the cache already holds the same or a newer version'
        : 'the data source will be asked to refresh when it is available again';
    return new StoreError(this.description, operation, `the store is unavailable; ${what}`, { appliedToCache });
  }

  /** A write the store failed but the infinite cache took (it is written back on recovery). */
  private keptInCacheError(operation: StoreOperation, cause: unknown): StoreError {
    const reason = messageOf(cause).replace(/^\[switchyard\/store-[^\]]*\] \w+ failed: /, '');
    return new StoreError(
      this.description,
      operation,
      `${reason}; the update is kept in the cache and written to the store when it is available again`,
      { cause, appliedToCache: true },
    );
  }

  private enqueueWrite<R>(op: () => Promise<R>): Promise<R> {
    this.pendingWrites++;
    const run = this.writeChain.then(op);
    const settled = (): void => {
      this.pendingWrites--;
    };
    this.writeChain = run.then(settled, settled);
    return run;
  }

  // --- serialization -------------------------------------------------------------------------

  private serialize(kind: DataKind, item: VersionedItem): SerializedItem {
    return item.deleted
      ? { version: item.version, deleted: true, serializedItem: kind.serialize(item) }
      : { version: item.version, serializedItem: kind.serialize(item) };
  }

  /** Store format to item, through the kind's parser. Throws `MalformedDataError` naming kind and key. */
  private decode(kind: DataKind, key: string, stored: SerializedItem): VersionedItem {
    if (stored.deleted || stored.serializedItem === undefined) return kind.tombstone(key, stored.version);
    let item: VersionedItem;
    try {
      item = kind.deserialize(stored.serializedItem);
    } catch (err) {
      throw new MalformedDataError(`[switchyard/store-${this.description}] ${kind.namespace} item "${key}" cannot be read: ${messageOf(err)}`, {
        cause: err,
      });
    }
    // Version 0 means the store keeps no version of its own: the JSON's is the truth. Otherwise the
    // store's version wins over a JSON that disagrees (a hand-edited DynamoDB row).
    const version = stored.version !== 0 ? stored.version : item.version;
    // Foreign tombstones (Go writes {"key":"$deleted",…}, others {key,version,deleted}) read alike.
    if (item.deleted) return kind.tombstone(key, version);
    if (version !== item.version) {
      item = kind.fromJSON({ ...(JSON.parse(kind.serialize(item)) as Record<string, unknown>), version });
    }
    return item;
  }

  /** Sorts, serializes and guards a full data set; oversized items are left out (and reported once). */
  private prepare(data: FullDataSet, report: boolean): PreparedCollection[] {
    return sortDataSet(data, this.kinds).map(({ kind, items }) => {
      const kept: [string, VersionedItem][] = [];
      const serialized: KeyedSerializedItem[] = [];
      const skippedKeys: string[] = [];
      for (const [key, item] of items) {
        const stored = this.serialize(kind, item);
        const tooLarge = this.guard.check(kind, key, stored);
        if (tooLarge) {
          if (report) this.reportOversized(tooLarge);
          skippedKeys.push(key);
          continue;
        }
        kept.push([key, item]);
        serialized.push({ key, item: stored });
      }
      const collection = skippedKeys.length > 0 ? { kind, items: serialized, skippedKeys } : { kind, items: serialized };
      return { kind, items: kept, serialized: collection };
    });
  }

  private reportOversized(error: ItemTooLargeError): void {
    this.tracker.metrics.oversizedItemsDropped++;
    this.logger.error(error.message);
  }

  // --- status, polling, recovery -------------------------------------------------------------

  private markUnavailable(error: StoreError): void {
    if (this.closed) return;
    if (!this.tracker.getStatus().available) {
      this.logger.debug(`[switchyard/core] Data store returned error: ${error.message}`);
      return;
    }
    this.logger.error(`[switchyard/core] Data store returned error: ${error.message}`);
    this.logger.warn(
      this.cacheMode === 'forever'
        ? '[switchyard/core] Detected persistent store unavailability; updates will be cached until it recovers'
        : '[switchyard/core] Detected persistent store unavailability; the data source will be asked to refresh when it recovers',
    );
    this.tracker.update(false, false);
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.closed || this.pollTimer !== undefined || this.polling) return;
    this.pollTimer = startTimeout(() => {
      this.pollTimer = undefined;
      void this.poll();
    }, this.pollIntervalMs);
  }

  /** One probe; the next is scheduled only after this one settled, so probes never overlap. */
  private async poll(): Promise<void> {
    if (this.closed) return;
    this.polling = true;
    try {
      let answered = false;
      try {
        answered = (await this.withTimeout('isStoreAvailable', () => this.core.isStoreAvailable())) === true;
      } catch {
        answered = false;
      }
      if (answered && !this.closed) await this.enqueueWrite(() => this.recover());
    } finally {
      this.polling = false;
      if (!this.closed && !this.tracker.getStatus().available) this.schedulePoll();
    }
  }

  /**
   * Runs in the write queue, so no update can slip in between the write-back snapshot and the status
   * flip (an update queued behind it sees the store available and goes to the store).
   */
  private async recover(): Promise<void> {
    if (this.closed) return;
    let refreshNeeded = this.cacheMode !== 'forever';
    if (this.cacheMode === 'forever') {
      try {
        const complete = await this.writeBack();
        if (!complete) refreshNeeded = true;
        this.logger.info('[switchyard/core] Successfully updated persistent store from cached data');
      } catch (err) {
        this.tracker.metrics.storeErrors++;
        this.logger.error(`[switchyard/core] Tried to write cached data to persistent store after a store outage, but failed: ${messageOf(err)}`);
        return;
      }
    }
    if (this.closed) return;
    this.logger.warn('[switchyard/core] Persistent store is available again');
    this.tracker.update(true, refreshNeeded);
    if (refreshNeeded) {
      this.awaitingRefresh = true;
      if (this.refreshHandlers.size === 0) {
        this.logger.debug(`[switchyard/store-${this.description}] the store may be missing updates, but no data source is registered to refresh it`);
      }
      this.refreshHandlers.emit();
    }
  }

  /**
   * Writes the cache back after an outage (infinite cache). Returns true when the full data set was
   * written, false when only individual items could be (the cache did not hold every kind's full list).
   */
  private async writeBack(): Promise<boolean> {
    const lists = this.kinds.map((kind) => [kind, this.listCache.get(kind.namespace)] as const);
    if (lists.every(([, list]) => list !== undefined)) {
      const data: Record<string, Record<string, VersionedItem>> = {};
      for (const [kind, list] of lists) data[kind.namespace] = Object.fromEntries(list!.items);
      const collections = this.prepare(data, false);
      await this.withTimeout('init', () => this.core.init(collections.map((c) => c.serialized)));
      return true;
    }
    // Never init from a subset: that would delete every item this process does not hold. Upserts are
    // version-checked, so they can only add what the store is missing.
    for (const [kind, list] of lists) {
      const items = [...(list?.items ?? []), ...[...(this.itemCache.get(kind.namespace) ?? [])].map(([k, e]) => [k, e.value] as const)];
      for (const [key, item] of items) {
        if (!item) continue;
        await this.withTimeout('upsert', () => this.core.upsert(kind, key, this.serialize(kind, item)));
      }
    }
    return false;
  }

  private ensureHealthCheck(): void {
    if (this.healthTimer !== undefined || this.closed || this.healthCheckIntervalMs === 0) return;
    this.healthTimer = startInterval(() => void this.healthCheck(), this.healthCheckIntervalMs);
  }

  private async healthCheck(): Promise<void> {
    if (this.closed || this.healthChecking || !this.initedKnown || this.pendingWrites > 0) return;
    if (!this.tracker.getStatus().available) return;
    this.healthChecking = true;
    const initsBefore = this.initsCompleted;
    try {
      const inited = await this.call('isInitialized', () => this.core.isInitialized());
      if (inited) {
        // Repaired, by our data source or by another process (daemon mode): watch for the next loss.
        this.awaitingRefresh = false;
        return;
      }
      // Ignore the answer when an init completed meanwhile, or when a refresh was already requested and
      // has not arrived yet (asking again would only restart the data source over and over).
      if (this.closed || this.awaitingRefresh || this.initsCompleted !== initsBefore) return;
      if (!this.tracker.getStatus().available) return;
      this.tracker.metrics.storeErrors++;
      this.markUnavailable(
        new StoreError(this.description, 'isInitialized', 'the store answers but its init marker is missing: it lost its data (restarted empty or flushed)'),
      );
    } catch {
      // `call` reported the failure and started the poller.
    } finally {
      this.healthChecking = false;
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private assertOpen(operation: StoreOperation): void {
    if (this.closed) throw new ClosedError(`[switchyard/store-${this.description}] ${operation} called after close()`);
  }

  private option(name: string, value: number | undefined, fallback: number, valid: (v: number) => boolean): number {
    if (value === undefined) return fallback;
    if (typeof value === 'number' && !Number.isNaN(value) && valid(value)) return value;
    this.logger.warn(`[switchyard/store-${this.core.description}] option ${name} is invalid (${String(value)}); using ${fallback}`);
    return fallback;
  }
}
