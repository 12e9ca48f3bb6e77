import type { DataKind, VersionedItem } from './data-kinds.js';

/** A full data set: for each kind namespace, the items by key. */
export type FullDataSet<T extends VersionedItem = VersionedItem> = Readonly<Record<string, Readonly<Record<string, T>>>>;

/**
 * The default data store: everything in memory, synchronous reads. Upserts apply only when the new
 * version is higher than the stored one (a delete is an upsert of a tombstone), so out-of-order
 * stream events can never roll data back.
 */
export class InMemoryDataStore<T extends VersionedItem = VersionedItem> {
  private _data = new Map<string, Map<string, T>>();
  private _initialized = false;

  /** Replaces all data at once. */
  init(allData: FullDataSet<T>): void {
    const next = new Map<string, Map<string, T>>();
    for (const [namespace, items] of Object.entries(allData)) {
      next.set(namespace, new Map(Object.entries(items)));
    }
    this._data = next;
    this._initialized = true;
  }

  /** The live item, or undefined when it is missing or deleted. */
  get(kind: DataKind, key: string): T | undefined {
    const item = this._data.get(kind.namespace)?.get(key);
    return item && !item.deleted ? item : undefined;
  }

  /** Every live item of a kind, by key. */
  all(kind: DataKind): Record<string, T> {
    const out: Record<string, T> = {};
    for (const [key, item] of this._data.get(kind.namespace) ?? []) {
      if (!item.deleted) out[key] = item;
    }
    return out;
  }

  /** Stores `item` if its version is higher than what is stored; returns whether it was applied. */
  upsert(kind: DataKind, item: T): boolean {
    let items = this._data.get(kind.namespace);
    if (!items) {
      items = new Map();
      this._data.set(kind.namespace, items);
    }
    const old = items.get(item.key);
    if (old && old.version >= item.version) return false;
    items.set(item.key, item);
    return true;
  }

  /** True once `init` has been called. */
  initialized(): boolean {
    return this._initialized;
  }
}
