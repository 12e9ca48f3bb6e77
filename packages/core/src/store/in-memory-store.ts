import { ClosedError } from '../errors/index.js';
import { noopLogger } from '../logging/index.js';
import type { DataKind, VersionedItem } from './data-kinds.js';
import type { DataStore, DataStoreStatusProvider, FullDataSet, Unsubscribe } from './data-store.js';
import { StatusTracker } from './status.js';

export type { FullDataSet } from './data-store.js';

const NO_UNSUBSCRIBE: Unsubscribe = () => undefined;

/**
 * The default data store: everything in memory. Every read answers synchronously (`getSync` and
 * `allSync` never return `undefined` while the store is open), so evaluation pays no promise per call.
 *
 * Writes take effect synchronously too, before the returned promise is even awaited: after
 * `void store.init(data)` the data is readable. Upserts apply only when the new version is higher than
 * the stored one (a delete is an upsert of a tombstone, which is kept), so out-of-order stream events
 * can never roll data back.
 */
export class InMemoryDataStore implements DataStore {
  /** Always `'memory'`. */
  readonly description = 'memory';
  /** Always available; status monitoring is disabled (an in-memory store cannot fail). */
  readonly status: DataStoreStatusProvider = new StatusTracker(false, noopLogger);
  // Flags and segments in fields of their own: the evaluation hot path makes one map lookup per read.
  private features = new Map<string, VersionedItem>();
  private segments = new Map<string, VersionedItem>();
  private others = new Map<string, Map<string, VersionedItem>>();
  /** `allSync` results, frozen and shared until the next write to their kind. */
  private snapshots = new Map<string, Readonly<Record<string, VersionedItem>>>();
  private isInitialized = false;
  private closed = false;

  private items(namespace: string): Map<string, VersionedItem> | undefined {
    return namespace === 'features' ? this.features : namespace === 'segments' ? this.segments : this.others.get(namespace);
  }

  getSync<T extends VersionedItem>(kind: DataKind<T>, key: string): T | null | undefined {
    if (this.closed) return undefined;
    const item = this.items(kind.namespace)?.get(key);
    return item && !item.deleted ? (item as T) : null;
  }

  get<T extends VersionedItem>(kind: DataKind<T>, key: string): Promise<T | null> {
    if (this.closed) return Promise.reject(new ClosedError('the in-memory data store is closed'));
    return Promise.resolve(this.getSync(kind, key) ?? null);
  }

  /** Every live item of `kind`: one frozen object, shared by every call until the kind changes. */
  allSync<T extends VersionedItem>(kind: DataKind<T>): Readonly<Record<string, T>> | undefined {
    if (this.closed) return undefined;
    let snapshot = this.snapshots.get(kind.namespace);
    if (!snapshot) {
      const out: Record<string, VersionedItem> = {};
      for (const [key, item] of this.items(kind.namespace) ?? []) {
        if (!item.deleted) out[key] = item;
      }
      snapshot = Object.freeze(out);
      this.snapshots.set(kind.namespace, snapshot);
    }
    return snapshot as Readonly<Record<string, T>>;
  }

  all<T extends VersionedItem>(kind: DataKind<T>): Promise<Readonly<Record<string, T>>> {
    if (this.closed) return Promise.reject(new ClosedError('the in-memory data store is closed'));
    return Promise.resolve(this.allSync(kind) ?? {});
  }

  /** Replaces all data at once (applied before the promise is returned). */
  init(data: FullDataSet): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError('the in-memory data store is closed'));
    const others = new Map<string, Map<string, VersionedItem>>();
    let features = new Map<string, VersionedItem>();
    let segments = new Map<string, VersionedItem>();
    for (const [namespace, items] of Object.entries(data)) {
      const map = new Map(Object.entries(items));
      if (namespace === 'features') features = map;
      else if (namespace === 'segments') segments = map;
      else others.set(namespace, map);
    }
    // Swapping whole maps (synchronously) keeps a reader from ever seeing half of the new data.
    this.features = features;
    this.segments = segments;
    this.others = others;
    this.snapshots.clear();
    this.isInitialized = true;
    return Promise.resolve();
  }

  /** Stores `item` if its version is higher than the stored one (applied before the promise is returned). */
  upsert<T extends VersionedItem>(kind: DataKind<T>, item: T): Promise<boolean> {
    if (this.closed) return Promise.reject(new ClosedError('the in-memory data store is closed'));
    let items = this.items(kind.namespace);
    if (!items) {
      items = new Map();
      this.others.set(kind.namespace, items);
    }
    const old = items.get(item.key);
    if (old && old.version >= item.version) return Promise.resolve(false);
    items.set(item.key, item);
    this.snapshots.delete(kind.namespace);
    return Promise.resolve(true);
  }

  /** True once `init` has been called. */
  initialized(): Promise<boolean> {
    return Promise.resolve(this.isInitialized && !this.closed);
  }

  /** An in-memory store never loses data, so it never asks for a refresh. */
  onRefreshNeeded(_handler: () => void): Unsubscribe {
    return NO_UNSUBSCRIBE;
  }

  close(): Promise<void> {
    this.closed = true;
    this.features = new Map();
    this.segments = new Map();
    this.others = new Map();
    this.snapshots.clear();
    return Promise.resolve();
  }
}
