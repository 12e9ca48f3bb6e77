/**
 * One KV entry as Consul stores it (`structs.DirEntry`). Sessions and locks are not emulated, so
 * `lockIndex` stays 0 and there is no session.
 */
export interface KvEntry {
  readonly key: string;
  /** The raw value (empty when the key holds no data; Consul then answers `"Value": null`). */
  readonly value: Buffer;
  /** An opaque unsigned 64-bit integer chosen by the writer. */
  readonly flags: bigint;
  readonly lockIndex: number;
  /** The raft index of the write that created the key. */
  readonly createIndex: number;
  /** The raft index of the last write that changed the key. */
  readonly modifyIndex: number;
}

/** A read answer: the entries found and the index Consul reports for them (`X-Consul-Index`). */
export interface KvRead<T> {
  readonly index: number;
  readonly result: T;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The KV table of Consul's state store, with its semantics: CreateIndex/ModifyIndex handling, writes
 * that change nothing leaving the indexes alone, CAS rules, and tombstones (deleted keys remember their
 * deletion index, so a listing's index never slides backwards after a delete). Pure and synchronous;
 * a transaction works on a {@link KvState.clone} and is committed by replacing the original.
 */
export class KvState {
  private constructor(
    private readonly entries: Map<string, KvEntry>,
    private readonly tombstones: Map<string, number>,
    private lastChange: number,
  ) {}

  /** An empty store. */
  static empty(): KvState {
    return new KvState(new Map(), new Map(), 0);
  }

  /** An independent copy (entries are immutable, so a shallow copy of the maps is enough). */
  clone(): KvState {
    return new KvState(new Map(this.entries), new Map(this.tombstones), this.lastChange);
  }

  /** The raft index of the last write that changed the table (Consul's kvs + tombstones table index). */
  get tableIndex(): number {
    return this.lastChange;
  }

  /** The number of keys. */
  get size(): number {
    return this.entries.size;
  }

  /** One entry, if present. */
  get(key: string): KvEntry | undefined {
    return this.entries.get(key);
  }

  /** A single-key read: the entry's ModifyIndex when found, else the table index. */
  read(key: string): KvRead<KvEntry | undefined> {
    const entry = this.entries.get(key);
    return { index: entry ? entry.modifyIndex : this.lastChange, result: entry };
  }

  /** Every entry whose key starts with `prefix`, in key (byte) order, and the index of that subtree. */
  list(prefix: string): KvRead<KvEntry[]> {
    const found = [...this.entries.values()].filter((e) => e.key.startsWith(prefix)).sort((a, b) => byteOrder(a.key, b.key));
    return { index: this.subtreeIndex(prefix, found), result: found };
  }

  /**
   * The key names under `prefix`. With a separator, a key with the separator after the prefix is cut
   * just after its first occurrence and reported once (`web/sub/` for `web/sub/a` and `web/sub/b`).
   */
  listKeys(prefix: string, separator: string): KvRead<string[]> {
    const found = this.list(prefix).result;
    const keys: string[] = [];
    for (const { key } of found) {
      const at = separator === '' ? -1 : key.indexOf(separator, prefix.length);
      const name = at === -1 ? key : key.slice(0, at + separator.length);
      if (keys[keys.length - 1] !== name) keys.push(name);
    }
    return { index: this.subtreeIndex(prefix, found), result: keys };
  }

  private subtreeIndex(prefix: string, found: readonly KvEntry[]): number {
    if (prefix === '') return this.lastChange;
    let index = 0;
    for (const e of found) index = Math.max(index, e.modifyIndex);
    for (const [key, deletedAt] of this.tombstones) if (key.startsWith(prefix)) index = Math.max(index, deletedAt);
    return index || this.lastChange;
  }

  /** Sets a key at raft index `idx`; an identical value and flags leave the entry (and indexes) as they were. */
  set(idx: number, key: string, value: Buffer, flags: bigint): KvEntry {
    const existing = this.entries.get(key);
    if (existing && existing.flags === flags && existing.value.equals(value)) return existing;
    const entry: KvEntry = {
      key,
      value: Buffer.from(value),
      flags,
      lockIndex: existing?.lockIndex ?? 0,
      createIndex: existing?.createIndex ?? idx,
      modifyIndex: idx,
    };
    this.entries.set(key, entry);
    this.lastChange = idx;
    return entry;
  }

  /**
   * Check-and-set: with `casIndex` 0 only creates, otherwise only updates a key whose ModifyIndex is
   * `casIndex`. Returns the stored entry, or `undefined` when the check failed.
   */
  cas(idx: number, key: string, value: Buffer, flags: bigint, casIndex: number): KvEntry | undefined {
    const existing = this.entries.get(key);
    if (casIndex === 0 ? existing !== undefined : existing?.modifyIndex !== casIndex) return undefined;
    return this.set(idx, key, value, flags);
  }

  /** Deletes a key (a no-op when absent), leaving a tombstone. */
  delete(idx: number, key: string): void {
    if (!this.entries.delete(key)) return;
    this.tombstones.set(key, idx);
    this.lastChange = idx;
  }

  /**
   * Check-and-delete: deletes only when the key's ModifyIndex is `casIndex`. As in Consul, a key that
   * does not exist counts as deleted (true).
   */
  deleteCas(idx: number, key: string, casIndex: number): boolean {
    const existing = this.entries.get(key);
    if (!existing) return true;
    if (existing.modifyIndex !== casIndex) return false;
    this.delete(idx, key);
    return true;
  }

  /** Deletes every key starting with `prefix` (plain string prefix: `ld` also matches `ld2/x`). */
  deleteTree(idx: number, prefix: string): void {
    let deleted = false;
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix)) deleted = this.entries.delete(key) || deleted;
    }
    if (!deleted) return;
    this.tombstones.set(prefix, idx);
    this.lastChange = idx;
  }
}
