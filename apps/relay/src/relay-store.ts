import {
  type DataKind,
  DataKinds,
  type DataStore,
  type DataStoreStatusProvider,
  type FullDataSet,
  type ItemGuard,
  type PersistentStoreWrapper,
  type Unsubscribe,
  type VersionedItem,
  createItemGuard,
  type PersistentDataStore,
} from '@switchyard/core';

/** A change the relay passes on to connected proxy-mode SDKs. */
export type RelayUpdate =
  | { readonly type: 'put' }
  | { readonly type: 'patch'; readonly kind: DataKind; readonly item: VersionedItem }
  | { readonly type: 'delete'; readonly kind: DataKind; readonly key: string; readonly version: number };

const KINDS = [DataKinds.features, DataKinds.segments] as const;

/**
 * The store the relay's data source writes to: core's {@link PersistentStoreWrapper} (cache + database)
 * plus two things a relay needs and an SDK does not.
 *
 * - **Updates go out** to connected SDKs once the store took them (`onUpdate`).
 * - **Oversized items** are held here in memory: the wrapper drops an item over the database's
 *   `maxItemBytes` (logging why), so neither the database nor its cache has it, but proxy-mode SDKs must
 *   still receive it. Every read merges these items over what the wrapper answers; everything else still
 *   comes from the wrapper, so its cache TTL decides when the database is read.
 */
export class RelayStore implements DataStore {
  readonly description: string;
  readonly cacheMode: DataStore['cacheMode'];
  private readonly guard: ItemGuard;
  private readonly oversized = new Map<string, Map<string, VersionedItem>>(KINDS.map((k) => [k.namespace, new Map()]));
  private readonly listeners = new Set<(update: RelayUpdate) => void>();
  /** When the relay last received data from upstream (epoch ms); undefined until then. */
  lastUpdate: number | undefined;

  constructor(
    private readonly inner: PersistentStoreWrapper,
    persistent: PersistentDataStore,
  ) {
    this.description = inner.description;
    this.cacheMode = inner.cacheMode;
    this.guard = createItemGuard(persistent);
  }

  get status(): DataStoreStatusProvider {
    return this.inner.status;
  }

  /** Calls `listener` after each update that reached the store (or the oversized-item memory). */
  onUpdate(listener: (update: RelayUpdate) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(update: RelayUpdate): void {
    this.lastUpdate = Date.now();
    for (const listener of this.listeners) listener(update);
  }

  private tooLarge(kind: DataKind, item: VersionedItem): boolean {
    if (item.deleted) return false;
    return this.guard.check(kind, item.key, { version: item.version, serializedItem: kind.serialize(item) }) !== undefined;
  }

  private merge<T extends VersionedItem>(kind: DataKind<T>, stored: Readonly<Record<string, T>>): Readonly<Record<string, T>> {
    const extra = this.oversized.get(kind.namespace);
    if (!extra || extra.size === 0) return stored;
    const out: Record<string, T> = { ...stored };
    for (const [key, item] of extra) if (!out[key] || out[key].version < item.version) out[key] = item as T;
    return out;
  }

  getSync<T extends VersionedItem>(kind: DataKind<T>, key: string): T | null | undefined {
    const extra = this.oversized.get(kind.namespace)?.get(key) as T | undefined;
    return extra ?? this.inner.getSync(kind, key);
  }

  async get<T extends VersionedItem>(kind: DataKind<T>, key: string): Promise<T | null> {
    const extra = this.oversized.get(kind.namespace)?.get(key) as T | undefined;
    return extra ?? this.inner.get(kind, key);
  }

  allSync<T extends VersionedItem>(kind: DataKind<T>): Readonly<Record<string, T>> | undefined {
    const stored = this.inner.allSync(kind);
    return stored && this.merge(kind, stored);
  }

  async all<T extends VersionedItem>(kind: DataKind<T>): Promise<Readonly<Record<string, T>>> {
    return this.merge(kind, await this.inner.all(kind));
  }

  async init(data: FullDataSet): Promise<void> {
    const oversized = new Map<string, Map<string, VersionedItem>>();
    for (const kind of KINDS) {
      const items = new Map<string, VersionedItem>();
      for (const item of Object.values(data[kind.namespace] ?? {})) if (this.tooLarge(kind, item)) items.set(item.key, item);
      oversized.set(kind.namespace, items);
    }
    try {
      await this.inner.init(data);
    } catch (err) {
      if ((err as { appliedToCache?: boolean }).appliedToCache === true) this.commitInit(oversized);
      throw err;
    }
    this.commitInit(oversized);
  }

  private commitInit(oversized: Map<string, Map<string, VersionedItem>>): void {
    for (const [namespace, items] of oversized) this.oversized.set(namespace, items);
    this.emit({ type: 'put' });
  }

  async upsert<T extends VersionedItem>(kind: DataKind<T>, item: T): Promise<boolean> {
    const held = this.oversized.get(kind.namespace)!;
    if (this.tooLarge(kind, item)) {
      const current = held.get(item.key) ?? (await this.inner.get(kind, item.key).catch(() => null));
      if (current && current.version >= item.version) return false;
      // The wrapper logs that the database cannot take it (and counts it); proxy-mode SDKs still get it.
      await this.inner.upsert(kind, item);
      held.set(item.key, item);
      this.emitItem(kind, item);
      return true;
    }
    const heldItem = held.get(item.key);
    if (heldItem && heldItem.version >= item.version) return false;
    let applied: boolean;
    try {
      applied = await this.inner.upsert(kind, item);
    } catch (err) {
      if ((err as { appliedToCache?: boolean }).appliedToCache === true) {
        held.delete(item.key);
        this.emitItem(kind, item);
      }
      throw err;
    }
    if (heldItem) {
      // The store may hold an older small version than the oversized one we replaced: ours is newer.
      held.delete(item.key);
      applied = true;
    }
    if (applied) this.emitItem(kind, item);
    return applied;
  }

  private emitItem(kind: DataKind, item: VersionedItem): void {
    this.emit(item.deleted ? { type: 'delete', kind, key: item.key, version: item.version } : { type: 'patch', kind, item });
  }

  initialized(): Promise<boolean> {
    return this.inner.initialized();
  }

  onRefreshNeeded(handler: () => void): Unsubscribe {
    return this.inner.onRefreshNeeded(handler);
  }

  close(): Promise<void> {
    this.listeners.clear();
    return this.inner.close();
  }
}
