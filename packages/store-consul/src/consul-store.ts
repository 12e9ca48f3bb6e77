import {
  type KeyedSerializedItem,
  type LDLogger,
  type PersistentDataStore,
  type PersistentStoreKind,
  type SerializedCollection,
  type SerializedItem,
  type StoreOperation,
  type UpsertResult,
  createItemGuard,
  jitteredBackoffMs,
  safeLogger,
  storeDelay,
  versionInJson,
} from '@switchyard/core';

import { ConsulStoreError, STORE } from './errors.js';
import { ConsulHttp, kvPath } from './http.js';
import { ConsulKeys } from './layout.js';
import { type ConsulStoreOptions, type ResolvedConsulOptions, resolveConsulOptions } from './options.js';

/** A KV entry as Consul returns it (the fields the store reads). */
interface KvEntry {
  readonly Key: string;
  readonly Value: string | null;
  readonly ModifyIndex: number;
}

/** One operation of a `/v1/txn` request. */
interface TxnOp {
  readonly KV: { readonly Verb: 'set' | 'delete'; readonly Key: string; readonly Value?: string };
}

/** A txn error entry (409 answers). */
interface TxnError {
  readonly OpIndex: number;
  readonly What: string;
}

/**
 * LaunchDarkly's Consul feature store as a Switchyard {@link PersistentDataStore}: each item's JSON at
 * `<prefix>/features/<key>` or `<prefix>/segments/<key>`, and `<prefix>/$inited`, so LaunchDarkly's SDKs
 * and Relay Proxy and Switchyard read each other's data. Most users want {@link consulStore}, which wraps
 * this in core's caching `PersistentStoreWrapper`.
 *
 * - `init` lists the prefix's keys (`<prefix>/?keys`, with the slash: `ld` never sees `ld2`), writes
 *   every item in the order given through `/v1/txn` in batches within `maxTxnOps` and `maxTxnBytes`
 *   (an item too big for a transaction on its own is written with a plain PUT), then deletes the keys no
 *   longer present, then writes `$inited` last. Not atomic across batches; a failed batch rejects.
 * - `upsert` reads the key, compares versions, and writes with check-and-set on the `ModifyIndex` it
 *   read (`cas=0` when absent); a lost race is retried after a jittered delay, at most
 *   `maxUpsertAttempts` times, then a `ConsulStoreError` (`'conflict'`).
 * - Every failure rejects with a {@link ConsulStoreError} naming the operation and the kind of failure.
 */
export class ConsulPersistentStore implements PersistentDataStore {
  /** `'consul'`. */
  readonly description = STORE;
  /** Largest item written, in UTF-8 bytes of its JSON. */
  readonly maxItemBytes: number;
  /** The key layout in use. */
  readonly keys: ConsulKeys;

  private readonly _options: ResolvedConsulOptions;
  private readonly _http: ConsulHttp;
  private readonly _logger: LDLogger;
  private readonly _guard;
  private _closed: Promise<void> | undefined;
  private _beforeUpsertWrite: (() => Promise<void>) | undefined;

  /**
   * @param options - Where Consul is, the token, prefix and pool; see {@link ConsulStoreOptions}. Invalid
   *   options throw a `ConfigError` naming the option (never showing the token).
   * @param logger - Where skipped items are reported. Default: nowhere.
   */
  constructor(options: ConsulStoreOptions = {}, logger?: Partial<LDLogger>) {
    this._options = resolveConsulOptions(options);
    this._logger = safeLogger(logger);
    this.maxItemBytes = this._options.maxItemBytes;
    this.keys = new ConsulKeys(this._options.prefix);
    this._http = new ConsulHttp(this._options);
    // The caching wrapper runs the same guard; this one covers the store used on its own.
    this._guard = createItemGuard(this);
  }

  async init(allData: readonly SerializedCollection[]): Promise<void> {
    this._assertOpen('init');
    const listed = await this._http.send('init', { method: 'GET', path: kvPath(this.keys.root), query: { keys: true }, accept: [404] });
    const existing = listed.status === 404 ? [] : parseJson<string[]>('init', listed.text);
    const stale = new Set<string>();
    const folders = allData.map((c) => this.keys.folder(c.kind.namespace));
    for (const key of existing) if (folders.some((folder) => key.startsWith(folder))) stale.add(key);

    const sets: TxnOp[] = [];
    for (const { kind, items, skippedKeys } of allData) {
      for (const { key, item } of items) {
        const full = this.keys.item(kind.namespace, key);
        stale.delete(full);
        const tooLarge = this._guard.check(kind, key, item);
        if (tooLarge) {
          this._logger.error(tooLarge.message);
          continue;
        }
        sets.push({ KV: { Verb: 'set', Key: full, Value: base64(serialized(key, item)) } });
      }
      // Items the guard refused: an older copy stays readable.
      for (const key of skippedKeys ?? []) stale.delete(this.keys.item(kind.namespace, key));
    }
    const deletes: TxnOp[] = [...stale].map((Key) => ({ KV: { Verb: 'delete', Key } }));
    await this._runBatches([...sets, ...deletes]);
    await this._runBatches([{ KV: { Verb: 'set', Key: this.keys.inited, Value: '' } }]);
  }

  async get(kind: PersistentStoreKind, key: string): Promise<SerializedItem | undefined> {
    this._assertOpen('get');
    const entry = await this._getEntry('get', this.keys.item(kind.namespace, key));
    // Consul keeps only the JSON: version 0 means "read it from the JSON" (the wrapper does).
    return entry ? { version: 0, serializedItem: valueOf(entry) } : undefined;
  }

  async getAll(kind: PersistentStoreKind): Promise<readonly KeyedSerializedItem[]> {
    this._assertOpen('getAll');
    const folder = this.keys.folder(kind.namespace);
    const response = await this._http.send('getAll', { method: 'GET', path: kvPath(folder), query: { recurse: true }, accept: [404] });
    if (response.status === 404) return [];
    return parseJson<KvEntry[]>('getAll', response.text)
      .filter((entry) => entry.Key.startsWith(folder) && entry.Key.length > folder.length)
      .map((entry) => ({ key: entry.Key.slice(folder.length), item: { version: 0, serializedItem: valueOf(entry) } }));
  }

  async upsert(kind: PersistentStoreKind, key: string, item: SerializedItem): Promise<UpsertResult> {
    this._assertOpen('upsert');
    const tooLarge = this._guard.check(kind, key, item);
    if (tooLarge) {
      this._logger.error(tooLarge.message);
      return { updated: false };
    }
    const full = this.keys.item(kind.namespace, key);
    const json = serialized(key, item);
    const attempts = this._options.maxUpsertAttempts;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const old = await this._getEntry('upsert', full);
      if (old) {
        const oldJson = valueOf(old);
        const oldVersion = versionInJson(oldJson);
        if (oldVersion >= item.version) return { updated: false, item: { version: oldVersion, serializedItem: oldJson } };
      }
      await this._beforeUpsertWrite?.();
      const written = await this._http.send('upsert', { method: 'PUT', path: kvPath(full), query: { cas: old ? old.ModifyIndex : 0 }, body: json });
      if (written.text.trim() === 'true') return { updated: true };
      if (attempt < attempts) await storeDelay(jitteredBackoffMs(attempt, 2, 100));
    }
    throw new ConsulStoreError(
      'upsert',
      'conflict',
      `gave up on ${kind.namespace} item "${key}" after ${attempts} attempts (maxUpsertAttempts): another writer changed ${full} every time`,
    );
  }

  async isInitialized(): Promise<boolean> {
    this._assertOpen('isInitialized');
    return (await this._getEntry('isInitialized', this.keys.inited)) !== undefined;
  }

  async isStoreAvailable(): Promise<boolean> {
    if (this._closed) return false;
    try {
      await this._getEntry('isStoreAvailable', this.keys.inited);
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the connections once the requests in flight are answered. Idempotent. */
  close(): Promise<void> {
    this._closed ??= this._http.close().catch(() => undefined);
    return this._closed;
  }

  /**
   * Test hook (used by the conformance suite): awaited after the version check and before the
   * check-and-set PUT, so a test can write through another store first. `undefined` removes it.
   *
   * @internal
   */
  setBeforeUpsertWriteHook(hook: (() => Promise<void>) | undefined): void {
    this._beforeUpsertWrite = hook;
  }

  // --- internals ------------------------------------------------------------------------------

  private _assertOpen(operation: StoreOperation): void {
    if (this._closed) throw new ConsulStoreError(operation, 'unexpected', 'the store is closed');
  }

  private async _getEntry(operation: StoreOperation, key: string): Promise<KvEntry | undefined> {
    const response = await this._http.send(operation, { method: 'GET', path: kvPath(key), accept: [404] });
    if (response.status === 404) return undefined;
    return parseJson<KvEntry[]>(operation, response.text)[0];
  }

  /**
   * Sends `ops` in order as transactions of at most `maxTxnOps` operations and `maxTxnBytes` bytes; an
   * operation too big for a transaction on its own goes as a plain PUT, in its place in the order.
   */
  private async _runBatches(ops: readonly TxnOp[]): Promise<void> {
    const { maxTxnOps, maxTxnBytes } = this._options;
    let batch: TxnOp[] = [];
    let bytes = 2;
    const flush = async () => {
      if (batch.length > 0) await this._transaction(batch);
      batch = [];
      bytes = 2;
    };
    for (const op of ops) {
      const size = Buffer.byteLength(JSON.stringify(op)) + 1;
      if (size + 2 > maxTxnBytes) {
        await flush();
        await this._http.send('init', { method: 'PUT', path: kvPath(op.KV.Key), body: Buffer.from(op.KV.Value ?? '', 'base64').toString('utf8') });
        continue;
      }
      if (batch.length >= maxTxnOps || bytes + size > maxTxnBytes) await flush();
      batch.push(op);
      bytes += size;
    }
    await flush();
  }

  private async _transaction(ops: readonly TxnOp[]): Promise<void> {
    const response = await this._http.send('init', { method: 'PUT', path: '/v1/txn', body: JSON.stringify(ops), accept: [409] });
    if (response.status === 200) return;
    let errors: readonly TxnError[] = [];
    try {
      errors = (JSON.parse(response.text) as { Errors?: TxnError[] | null }).Errors ?? [];
    } catch {
      // Described below from the raw text.
    }
    const what = errors.map((e) => `${ops[e.OpIndex]?.KV.Key ?? `operation ${e.OpIndex}`}: ${e.What}`);
    const denied = what.some((w) => /permission denied|acl not found/i.test(w));
    throw new ConsulStoreError(
      'init',
      denied ? 'forbidden' : 'conflict',
      this._http.redact(`a transaction of ${ops.length} operations was rolled back (409): ${what.slice(0, 3).join('; ') || response.text.slice(0, 300)}${what.length > 3 ? `; and ${what.length - 3} more` : ''}`),
      409,
    );
  }
}

/** The JSON written for an item (tombstones included). */
function serialized(key: string, item: SerializedItem): string {
  return item.serializedItem ?? JSON.stringify({ key, version: item.version, deleted: true });
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** An entry's value as text (Consul sends base64, or `null` for an empty value). */
function valueOf(entry: KvEntry): string {
  return entry.Value ? Buffer.from(entry.Value, 'base64').toString('utf8') : '';
}

function parseJson<T>(operation: StoreOperation, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ConsulStoreError(operation, 'unexpected', `Consul answered with something that is not JSON: ${text.slice(0, 100)}`, 200, { cause: err });
  }
}




