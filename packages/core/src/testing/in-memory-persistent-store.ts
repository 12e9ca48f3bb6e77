import { ClosedError, StoreError } from '../errors/index.js';
import { sleep } from '../platform/index.js';
import type {
  KeyedSerializedItem,
  PersistentDataStore,
  PersistentStoreKind,
  SerializedCollection,
  SerializedItem,
  UpsertResult,
} from '../store/persistent-data-store.js';

/** The operations of a persistent store, as counted and failed by {@link InMemoryPersistentStore}. */
export type PersistentStoreOperation = 'init' | 'get' | 'getAll' | 'upsert' | 'isInitialized' | 'isStoreAvailable' | 'close';

const OPERATIONS: readonly PersistentStoreOperation[] = ['init', 'get', 'getAll', 'upsert', 'isInitialized', 'isStoreAvailable', 'close'];

interface PrefixData {
  inited: boolean;
  readonly kinds: Map<string, Map<string, SerializedItem>>;
  /** Per `namespace\0key` write counter: what an optimistic-concurrency check (WATCH, CAS) compares. */
  readonly revisions: Map<string, number>;
}

/**
 * The "database server" behind {@link InMemoryPersistentStore}: store instances created with the same
 * backend and prefix see each other's data, like several processes sharing one Redis.
 */
export class InMemoryPersistentBackend {
  private readonly prefixes = new Map<string, PrefixData>();

  /** The data under `prefix` (created empty on first use). */
  data(prefix: string): PrefixData {
    let data = this.prefixes.get(prefix);
    if (!data) {
      data = { inited: false, kinds: new Map(), revisions: new Map() };
      this.prefixes.set(prefix, data);
    }
    return data;
  }

  /** Removes everything under `prefix`, init marker included: what the conformance suite's `clearData` does. */
  clear(prefix: string): void {
    const data = this.data(prefix);
    data.inited = false;
    data.kinds.clear();
    bumpAll(data);
  }

  /** Removes everything under every prefix (a `FLUSHALL`). */
  clearAll(): void {
    for (const prefix of this.prefixes.keys()) this.clear(prefix);
  }
}

function bumpAll(data: PrefixData): void {
  for (const [k, v] of data.revisions) data.revisions.set(k, v + 1);
}

/** Options of {@link InMemoryPersistentStore}. */
export interface InMemoryPersistentStoreOptions {
  /** Share one backend between instances to model several processes on one database. Default: a private one. */
  readonly backend?: InMemoryPersistentBackend;
  /** The key prefix. Default `'launchdarkly'` (LaunchDarkly's default). */
  readonly prefix?: string;
  /** Delay before every operation, in ms (uses the platform timers, so fake timers control it). Default 0. */
  readonly latencyMs?: number;
  /** Passed through as the store's `maxItemBytes` (see the item guard). Default: the guard's default. */
  readonly maxItemBytes?: number;
  /** Passed through as the store's `itemByteLength`. */
  readonly itemByteLength?: PersistentDataStore['itemByteLength'];
  /** Return version `0` from reads, like a store that keeps only the JSON text (Redis). Default false. */
  readonly hideVersions?: boolean;
  /** Answer `upsert` without the current item, so the wrapper has to read it again. Default false. */
  readonly omitUpsertItem?: boolean;
  /** How many times an upsert that keeps losing a race is retried before it rejects. Default 10. */
  readonly maxUpsertAttempts?: number;
  /** The store's `description`. Default `'memory'`. */
  readonly description?: string;
}

/**
 * A controllable in-memory {@link PersistentDataStore}: the reference implementation the conformance
 * suite runs against, and the fault-injection double for testing {@link PersistentStoreWrapper} and
 * anything built on it.
 *
 * - `fail(operation | 'all', error?)` makes operations reject (with a `StoreError` unless an error is
 *   given) until `heal()`; `fail('all')` also makes `isStoreAvailable()` answer false.
 * - `setLatency(ms)` delays every operation; `wipe()` empties this prefix, init marker included (a Redis
 *   that restarted without persistence); `calls` counts every operation; `inits` records every `init`
 *   payload in the order it was received.
 * - `setConcurrentModificationHook(hook)` runs `hook` inside `upsert` after the old item was read and
 *   before the new one is written (where another process could write); the store then retries like an
 *   optimistic-concurrency store, a bounded number of times.
 */
export class InMemoryPersistentStore implements PersistentDataStore {
  readonly description: string;
  readonly maxItemBytes: number | undefined;
  readonly itemByteLength: PersistentDataStore['itemByteLength'];
  /** The backend (shared with other instances when one was passed in). */
  readonly backend: InMemoryPersistentBackend;
  /** The prefix this instance uses. */
  readonly prefix: string;
  /** Every `init` payload received, oldest first. */
  readonly inits: (readonly SerializedCollection[])[] = [];
  private readonly counts = Object.fromEntries(OPERATIONS.map((op) => [op, 0])) as Record<PersistentStoreOperation, number>;
  private readonly failures = new Map<PersistentStoreOperation | 'all', (operation: PersistentStoreOperation) => Error>();
  private latencyMs: number;
  private readonly hideVersions: boolean;
  private readonly omitUpsertItem: boolean;
  private readonly maxUpsertAttempts: number;
  private hook: (() => void | Promise<void>) | undefined;
  private closed = false;

  constructor(options: InMemoryPersistentStoreOptions = {}) {
    this.backend = options.backend ?? new InMemoryPersistentBackend();
    this.prefix = options.prefix ?? 'launchdarkly';
    this.description = options.description ?? 'memory';
    this.latencyMs = options.latencyMs ?? 0;
    this.maxItemBytes = options.maxItemBytes;
    this.itemByteLength = options.itemByteLength;
    this.hideVersions = options.hideVersions ?? false;
    this.omitUpsertItem = options.omitUpsertItem ?? false;
    this.maxUpsertAttempts = options.maxUpsertAttempts ?? 10;
  }

  /** How many times each operation was called (failed calls included). */
  get calls(): Readonly<Record<PersistentStoreOperation, number>> {
    return { ...this.counts };
  }

  /** Makes `operation` (or every operation) reject until {@link heal}. */
  fail(operation: PersistentStoreOperation | 'all', error?: Error | (() => Error)): void {
    this.failures.set(
      operation,
      typeof error === 'function' ? error : error ? () => error : (op) => new StoreError(this.description, op, 'injected failure'),
    );
  }

  /** Stops failing `operation`, or every operation when called without one. */
  heal(operation?: PersistentStoreOperation | 'all'): void {
    if (operation === undefined) this.failures.clear();
    else this.failures.delete(operation);
  }

  /** Delays every following operation by `ms`. */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Empties this prefix, init marker included, as a restarted-empty or flushed database would be. */
  wipe(): void {
    this.backend.clear(this.prefix);
  }

  /** See the class description; pass `undefined` to remove the hook. */
  setConcurrentModificationHook(hook: (() => void | Promise<void>) | undefined): void {
    this.hook = hook;
  }

  /** What is stored for `namespace` right now, by key (a copy; no latency, failures or counting). */
  stored(namespace: string): Record<string, SerializedItem> {
    return Object.fromEntries(this.backend.data(this.prefix).kinds.get(namespace) ?? []);
  }

  /** Whether the init marker exists right now (no latency, failures or counting). */
  hasInitMarker(): boolean {
    return this.backend.data(this.prefix).inited;
  }

  async init(allData: readonly SerializedCollection[]): Promise<void> {
    await this.enter('init');
    this.inits.push(allData);
    const data = this.backend.data(this.prefix);
    // Replace everything under the prefix; kinds not given end up empty.
    data.kinds.clear();
    for (const { kind, items } of allData) {
      data.kinds.set(kind.namespace, new Map(items.map(({ key, item }) => [key, { ...item }])));
    }
    bumpAll(data);
    data.inited = true;
  }

  async get(kind: PersistentStoreKind, key: string): Promise<SerializedItem | undefined> {
    await this.enter('get');
    const item = this.backend.data(this.prefix).kinds.get(kind.namespace)?.get(key);
    return item && this.present(item);
  }

  async getAll(kind: PersistentStoreKind): Promise<readonly KeyedSerializedItem[]> {
    await this.enter('getAll');
    return [...(this.backend.data(this.prefix).kinds.get(kind.namespace) ?? [])].map(([key, item]) => ({ key, item: this.present(item) }));
  }

  async upsert(kind: PersistentStoreKind, key: string, item: SerializedItem): Promise<UpsertResult> {
    await this.enter('upsert');
    const data = this.backend.data(this.prefix);
    const revisionKey = `${kind.namespace}\u0000${key}`;
    for (let attempt = 1; attempt <= this.maxUpsertAttempts; attempt++) {
      const revision = data.revisions.get(revisionKey) ?? 0;
      const old = data.kinds.get(kind.namespace)?.get(key);
      if (old && old.version >= item.version) {
        return this.omitUpsertItem ? { updated: false } : { updated: false, item: this.present(old) };
      }
      if (this.hook) await this.hook();
      if (this.closed) throw new ClosedError(`[switchyard/store-${this.description}] upsert: the store was closed`);
      // Another writer got in between our read and our write: read again, like WATCH/MULTI or a CAS.
      if ((data.revisions.get(revisionKey) ?? 0) !== revision) continue;
      let items = data.kinds.get(kind.namespace);
      if (!items) {
        items = new Map();
        data.kinds.set(kind.namespace, items);
      }
      items.set(key, { ...item });
      data.revisions.set(revisionKey, revision + 1);
      return this.omitUpsertItem ? { updated: true } : { updated: true, item: this.present(item) };
    }
    throw new StoreError(this.description, 'upsert', `gave up after ${this.maxUpsertAttempts} attempts: the item kept changing under concurrent writers`);
  }

  async isInitialized(): Promise<boolean> {
    await this.enter('isInitialized');
    return this.backend.data(this.prefix).inited;
  }

  async isStoreAvailable(): Promise<boolean> {
    this.counts.isStoreAvailable++;
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    return !this.closed && !this.failures.has('all') && !this.failures.has('isStoreAvailable');
  }

  async close(): Promise<void> {
    this.counts.close++;
    this.closed = true;
  }

  private async enter(operation: PersistentStoreOperation): Promise<void> {
    this.counts[operation]++;
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (this.closed) throw new ClosedError(`[switchyard/store-${this.description}] ${operation}: the store is closed`);
    const failure = this.failures.get(operation) ?? this.failures.get('all');
    if (failure) throw failure(operation);
  }

  private present(item: SerializedItem): SerializedItem {
    return this.hideVersions ? { version: 0, ...(item.deleted ? { deleted: true } : {}), serializedItem: item.serializedItem } : { ...item };
  }
}
