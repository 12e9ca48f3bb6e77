/**
 * The contract a database integration implements (Redis, DynamoDB, Consul, or your own). It is small on
 * purpose: a store moves serialized items in and out of its backend and compares versions; everything
 * else (caching, deserialization, ordering, the item-size guard, status reporting and outage recovery)
 * is done once, for every store, by {@link PersistentStoreWrapper}. Run `@switchyard/store-conformance`
 * against an implementation to check it keeps this contract.
 *
 * @module
 */

/**
 * The part of a data kind a persistent store needs: its namespace (`'features'`, `'segments'`). The
 * namespace is part of the storage layout (Redis `<prefix>:features`, DynamoDB `namespace`, Consul
 * `<prefix>/features/<key>`), so stores use it verbatim and must treat it as an opaque string.
 */
export interface PersistentStoreKind {
  readonly namespace: string;
}

/**
 * One stored item as the store sees it: opaque JSON text plus the two facts the store must be able to
 * compare and report without parsing it.
 */
export interface SerializedItem {
  /**
   * The item's version. Versions are compared as numbers; a higher version always wins.
   *
   * A store that cannot keep the version apart from the JSON (Redis keeps only the JSON text) may return
   * `0` from reads, meaning "unknown: read it from `serializedItem`". When a store returns a non-zero
   * version that differs from the one inside the JSON (a hand-edited DynamoDB row), the store's version
   * wins.
   */
  readonly version: number;
  /**
   * True for a tombstone: the item was deleted at `version`. A tombstone must be kept (not removed) so an
   * older update cannot bring the item back. A store that cannot keep this flag apart from the JSON may
   * omit it on reads and return the tombstone's JSON instead (it contains `"deleted":true`).
   */
  readonly deleted?: boolean;
  /**
   * The item's JSON text. Always present on writes, tombstones included (`{"key":…,"version":N,
   * "deleted":true}`), so a store that can only keep text keeps tombstones too. On reads it may be
   * omitted for a tombstone. Stores must store and return it byte for byte (it may contain any Unicode).
   */
  readonly serializedItem?: string;
}

/** An item and its key, as returned by {@link PersistentDataStore.getAll}. */
export interface KeyedSerializedItem {
  readonly key: string;
  readonly item: SerializedItem;
}

/** All items of one kind, in the order they must be written. */
export interface SerializedCollection {
  readonly kind: PersistentStoreKind;
  readonly items: readonly KeyedSerializedItem[];
  /**
   * Keys of this kind that are in the new data but not in `items`, because the item guard refused them
   * (bigger than {@link PersistentDataStore.maxItemBytes}). A store that deletes the items missing from
   * `items` should leave these alone, so an older copy of the item stays readable (DynamoDB and Consul
   * do); a store that replaces a kind wholesale in one transaction (Redis) drops them with the rest.
   */
  readonly skippedKeys?: readonly string[];
}

/** The outcome of {@link PersistentDataStore.upsert}. */
export interface UpsertResult {
  /** True when the new item was written; false when the store already held the same or a higher version. */
  readonly updated: boolean;
  /**
   * What the store holds for the key now, when the store knows it without another round trip (it read it
   * for the version check). Optional: when it is missing after `updated: false`, the wrapper reads the
   * item again to refresh its cache.
   */
  readonly item?: SerializedItem;
}

/**
 * A persistent data store: the interface a store package implements. Promise-based; every method may be
 * called concurrently (the wrapper serializes its own writes, but several processes share one database).
 *
 * **Errors.** A method that cannot do its job rejects with a `StoreError` (from `@switchyard/core`)
 * naming the store and the operation: connection refused, timeout, a rejected or abandoned write. A store
 * never logs-and-swallows an error and never resolves with a made-up answer instead (an empty list for a
 * failed `getAll` would make every flag disappear). The wrapper turns any other rejection into a
 * `StoreError` too, but stores should not rely on that. Exceptions: {@link isStoreAvailable} answers
 * `false` instead of rejecting, and `close` should not reject.
 *
 * **Prefixes.** A store is configured with a prefix (namespace, table key prefix, KV folder) and must be
 * isolated by it: two instances with the same configuration and prefix see each other's data, and
 * nothing a store does under prefix `ld` may read, list or delete data under `ld2` or `ld-x`.
 */
export interface PersistentDataStore {
  /**
   * A short name for log and error messages, e.g. `'redis'`; errors read
   * `[switchyard/store-<description>] <operation> failed: …`.
   */
  readonly description: string;

  /**
   * The largest item this backend accepts, in bytes as the backend counts them (see
   * {@link itemByteLength}). The wrapper refuses to send a bigger item: it drops it with an error that
   * names its kind and key, writes the rest, and counts the drop in the status metrics. Default 409600
   * (400 KB, DynamoDB's limit). `Infinity` turns the guard off.
   */
  readonly maxItemBytes?: number;

  /**
   * How the backend counts an item's size, compared with {@link maxItemBytes}. Default: the UTF-8 length
   * of `serializedItem` (DynamoDB adds attribute names and the key; Consul counts the value only).
   */
  itemByteLength?(kind: PersistentStoreKind, key: string, item: SerializedItem): number;

  /**
   * The message logged (at error level) when the guard refuses an item, for a store whose users search
   * their logs for a known line (DynamoDB's `The item "<key>" in "<namespace>" was too large to store in
   * DynamoDB and was dropped`). Default: `[switchyard/store-<description>] <namespace> item "<key>" is
   * <bytes> bytes, over the store's limit of <maxItemBytes> bytes (maxItemBytes); it was not stored`.
   */
  describeOversizedItem?(kind: PersistentStoreKind, key: string, bytes: number, maxItemBytes: number): string;

  /**
   * Replaces all data with `allData` and marks the store initialized (Redis `$inited`, DynamoDB and
   * Consul init markers), so {@link isInitialized} is true for every instance on this prefix afterwards.
   *
   * Collections arrive in dependency order: segments (priority 0) before flags (priority 1), and within
   * a kind prerequisites before the flags that need them; cycles are broken, not rejected. The wrapper
   * always passes every kind it knows, with an empty list for a kind that has no items, so a store may
   * either replace only the kinds given or everything under its prefix.
   *
   * Do it atomically if the backend can (Redis MULTI). If it cannot (DynamoDB, Consul), write every
   * given item in the given order first and only then delete the items that were not given, so a reader
   * never sees a flag whose prerequisite or segment is missing.
   */
  init(allData: readonly SerializedCollection[]): Promise<void>;

  /**
   * The item stored for `key`, tombstones included; `undefined` when there is none (not an error).
   */
  get(kind: PersistentStoreKind, key: string): Promise<SerializedItem | undefined>;

  /**
   * Every item of `kind`, tombstones included, in any order. An empty list only when there are none:
   * on failure reject, never resolve with a partial or empty list.
   */
  getAll(kind: PersistentStoreKind): Promise<readonly KeyedSerializedItem[]>;

  /**
   * Writes `item` under `key` only if the store holds no item for the key or one with a **lower**
   * version (tombstones included): equal or higher means `updated: false`, data unchanged. The
   * check-and-write must be atomic against other processes (WATCH/MULTI, a conditional put, CAS). A
   * store that loses a race retries a bounded number of times and then rejects with a `StoreError`; it
   * never reports a lost race as `updated: false`.
   */
  upsert(kind: PersistentStoreKind, key: string, item: SerializedItem): Promise<UpsertResult>;

  /**
   * True once `init` has been called on this prefix by any instance or process (the init marker
   * exists). May reject with a `StoreError` when the store cannot be reached.
   */
  isInitialized(): Promise<boolean>;

  /**
   * Whether the backend answers at all (a cheap round trip such as Redis `EXISTS`). Called every 500 ms
   * while the store is unavailable, one call at a time. Resolves `false` rather than rejecting; a
   * missing init marker still counts as available.
   */
  isStoreAvailable(): Promise<boolean>;

  /**
   * Releases connections and timers. Idempotent. Operations still pending settle promptly (they may
   * reject); a borrowed client passed in by the user is not closed.
   */
  close(): Promise<void>;
}

/** Default for {@link PersistentDataStore.maxItemBytes}: 400 KB (409600 bytes), DynamoDB's item limit. */
export const DEFAULT_MAX_ITEM_BYTES = 409_600;
