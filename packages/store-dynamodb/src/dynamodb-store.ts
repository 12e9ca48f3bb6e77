import { BatchWriteCommand, GetCommand, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import {
  type KeyedSerializedItem,
  type LDLogger,
  type PersistentDataStore,
  type PersistentStoreKind,
  type SerializedCollection,
  type SerializedItem,
  StoreError,
  type StoreOperation,
  type UpsertResult,
  createItemGuard,
  jitteredBackoffMs,
  safeLogger,
  storeDelay,
} from '@switchyard/core';

import { DynamoDbClientHandle } from './client.js';
import { PREFIX, STORE, errorName, isRetryable, storeError } from './errors.js';
import { DYNAMODB_MAX_SORT_KEY_BYTES, dynamoDbItemSize } from './item-size.js';
import { DynamoDbLayout } from './layout.js';
import { type DynamoDbStoreOptions, type ResolvedDynamoDbOptions, resolveDynamoDbOptions } from './options.js';

/** DynamoDB's most requests in one `BatchWriteItem`. */
const BATCH_SIZE = 25;

/** A row of the table as `@aws-sdk/lib-dynamodb` returns it. */
type Row = Record<string, unknown>;
/** One request of a `BatchWriteItem`. */
type WriteRequest = { PutRequest: { Item: Row } } | { DeleteRequest: { Key: Row } };

/**
 * LaunchDarkly's DynamoDB feature store as a Switchyard {@link PersistentDataStore}, in LaunchDarkly's
 * table layout (see {@link DynamoDbLayout}), so LaunchDarkly's SDKs, its Relay Proxy and Switchyard read
 * each other's data.
 *
 * Most users want {@link dynamoDbStore}, which wraps this in core's caching `PersistentStoreWrapper`.
 *
 * - `init` lists the keys already stored (paginated, consistent reads), writes every item in the order
 *   given with `BatchWriteItem` (25 per request, `initConcurrency` requests at a time, never two
 *   requests for one key in a request), then deletes the items no longer present, then writes the init
 *   marker. Throttled items (`UnprocessedItems`, throttling errors, 5xx) are retried with jittered
 *   backoff until `writeDeadlineMs`; after that it rejects with a `StoreError` that says how many items
 *   were not written, and the marker is not written.
 * - An item bigger than `maxItemBytes` (as DynamoDB counts it) or whose key DynamoDB cannot store is
 *   never sent: it is logged at error level with LaunchDarkly's line (`The item "<key>" in
 *   "<namespace>" was too large to store in DynamoDB and was dropped`) and skipped; every other item is
 *   written and an older copy of the skipped item stays in the table.
 * - `upsert` is one conditional `PutItem` (`attribute_not_exists(version) OR version < :version`); when
 *   the condition fails the item is read again and reported with `updated: false`.
 * - Every failure rejects with a `StoreError` naming the operation; nothing is logged and swallowed.
 */
export class DynamoDbPersistentStore implements PersistentDataStore {
  /** `'dynamodb'`. */
  readonly description = STORE;
  /** Largest item written, in bytes as DynamoDB counts them ({@link dynamoDbItemSize}). */
  readonly maxItemBytes: number;
  /** The table layout in use. */
  readonly layout: DynamoDbLayout;
  /** The table. */
  readonly tableName: string;

  private readonly _options: ResolvedDynamoDbOptions;
  private readonly _client: DynamoDbClientHandle;
  private readonly _logger: LDLogger;
  private readonly _guard;
  private _closed = false;
  private _beforeUpsertWrite: (() => Promise<void>) | undefined;

  /**
   * @param options - The table, prefix and client; see {@link DynamoDbStoreOptions}. Invalid options
   *   throw a `ConfigError` naming the option.
   * @param logger - Where dropped items are reported. Default: nowhere.
   * @param client - Internal: the client of a {@link dynamoDbStores} pair. Omit it: the store makes its own.
   */
  constructor(options: DynamoDbStoreOptions, logger?: Partial<LDLogger>, client?: DynamoDbClientHandle) {
    this._options = resolveDynamoDbOptions(options);
    this._logger = safeLogger(logger);
    this.maxItemBytes = this._options.maxItemBytes;
    this.tableName = this._options.tableName;
    this.layout = new DynamoDbLayout(this._options.prefix);
    this._client = client ?? new DynamoDbClientHandle(this._options, this._logger);
    this._client.retain();
    // The same guard the caching wrapper runs: a store used on its own never sends an oversized item either.
    this._guard = createItemGuard(this);
  }

  /** The item's size as DynamoDB counts it: its row, with `namespace`, `key`, `version` and `item`. */
  itemByteLength(kind: PersistentStoreKind, key: string, item: SerializedItem): number {
    return dynamoDbItemSize(this._row(kind, key, item));
  }

  /** LaunchDarkly's log line for a dropped item (users search for it), with the sizes. */
  describeOversizedItem(kind: PersistentStoreKind, key: string, bytes: number, maxItemBytes: number): string {
    return (
      `${PREFIX} The item "${key}" in "${this.layout.namespace(kind.namespace)}" was too large to store in DynamoDB and was dropped ` +
      `(${bytes} bytes as DynamoDB counts them, over maxItemBytes ${maxItemBytes}); an older copy in the table, if any, stays`
    );
  }

  async init(allData: readonly SerializedCollection[]): Promise<void> {
    this._assertOpen('init');
    const existing = await Promise.all(allData.map((collection) => this._storedKeys(this.layout.namespace(collection.kind.namespace))));
    const puts: WriteRequest[] = [];
    const deletes: WriteRequest[] = [];
    allData.forEach((collection, i) => {
      const namespace = this.layout.namespace(collection.kind.namespace);
      const stale = existing[i]!;
      const rows = new Map<string, Row>();
      for (const { key, item } of collection.items) {
        stale.delete(key);
        if (this._writable(collection.kind, key, item)) rows.set(key, this._row(collection.kind, key, item));
      }
      for (const key of collection.skippedKeys ?? []) stale.delete(key);
      for (const row of rows.values()) puts.push({ PutRequest: { Item: row } });
      for (const key of stale) deletes.push({ DeleteRequest: { Key: { namespace, key } } });
    });
    const deadline = Date.now() + this._options.writeDeadlineMs;
    // Every item first, in the order given; then what is gone; the marker only when all of that is done.
    await this._writeAll(puts, deadline);
    await this._writeAll(deletes, deadline);
    await this._call('init', () =>
      this._client.doc.send(new PutCommand({ TableName: this.tableName, Item: { namespace: this.layout.inited, key: this.layout.inited } })),
    );
  }

  async get(kind: PersistentStoreKind, key: string): Promise<SerializedItem | undefined> {
    this._assertOpen('get');
    const row = await this._getRow('get', this.layout.namespace(kind.namespace), key);
    return row ? fromRow(row) : undefined;
  }

  async getAll(kind: PersistentStoreKind): Promise<readonly KeyedSerializedItem[]> {
    this._assertOpen('getAll');
    const items: KeyedSerializedItem[] = [];
    await this._query('getAll', this.layout.namespace(kind.namespace), undefined, (row) => {
      items.push({ key: String(row.key), item: fromRow(row) });
    });
    return items;
  }

  async upsert(kind: PersistentStoreKind, key: string, item: SerializedItem): Promise<UpsertResult> {
    this._assertOpen('upsert');
    if (!this._writable(kind, key, item)) return { updated: false };
    await this._beforeUpsertWrite?.();
    try {
      await this._client.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this._row(kind, key, item),
          ConditionExpression: 'attribute_not_exists(#version) OR #version < :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': item.version },
        }),
      );
      return { updated: true };
    } catch (err) {
      if (errorName(err) !== 'ConditionalCheckFailedException') throw storeError('upsert', err, this.tableName);
    }
    // The table holds the same or a newer version: report what it holds.
    const current = await this._getRow('upsert', this.layout.namespace(kind.namespace), key);
    return current ? { updated: false, item: fromRow(current) } : { updated: false };
  }

  async isInitialized(): Promise<boolean> {
    this._assertOpen('isInitialized');
    return (await this._getRow('isInitialized', this.layout.inited, this.layout.inited)) !== undefined;
  }

  async isStoreAvailable(): Promise<boolean> {
    if (this._closed) return false;
    try {
      await this._getRow('isStoreAvailable', this.layout.inited, this.layout.inited);
      return true;
    } catch {
      return false;
    }
  }

  /** Releases the client (destroying it and its sockets when no other store shares it). Idempotent; a borrowed client stays open. */
  close(): Promise<void> {
    if (!this._closed) {
      this._closed = true;
      this._client.release();
    }
    return Promise.resolve();
  }

  /**
   * Test hook (used by the conformance suite): awaited right before the conditional `PutItem` of
   * `upsert`, so a test can write through another store first. `undefined` removes it.
   *
   * @internal
   */
  setBeforeUpsertWriteHook(hook: (() => Promise<void>) | undefined): void {
    this._beforeUpsertWrite = hook;
  }

  // --- internals ------------------------------------------------------------------------------

  private _assertOpen(operation: StoreOperation): void {
    if (this._closed) throw new StoreError(STORE, operation, 'the store is closed');
  }

  private _row(kind: PersistentStoreKind, key: string, item: SerializedItem): Row {
    return {
      namespace: this.layout.namespace(kind.namespace),
      key,
      version: item.version,
      item: item.serializedItem ?? JSON.stringify({ key, version: item.version, deleted: true }),
    };
  }

  /** False (and logged) for an item DynamoDB would refuse: too large, or a key it cannot store. */
  private _writable(kind: PersistentStoreKind, key: string, item: SerializedItem): boolean {
    const keyBytes = Buffer.byteLength(key, 'utf8');
    if (keyBytes === 0 || keyBytes > DYNAMODB_MAX_SORT_KEY_BYTES) {
      this._logger.error(
        `${PREFIX} The item "${key}" in "${this.layout.namespace(kind.namespace)}" was not stored: DynamoDB sort keys must be 1 to ${DYNAMODB_MAX_SORT_KEY_BYTES} bytes (this one is ${keyBytes})`,
      );
      return false;
    }
    const tooLarge = this._guard.check(kind, key, item);
    if (tooLarge) this._logger.error(tooLarge.message);
    return tooLarge === undefined;
  }

  private async _call<T>(operation: StoreOperation, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw storeError(operation, err, this.tableName);
    }
  }

  private _getRow(operation: StoreOperation, namespace: string, key: string): Promise<Row | undefined> {
    return this._call(operation, async () => {
      const out = await this._client.doc.send(new GetCommand({ TableName: this.tableName, Key: { namespace, key }, ConsistentRead: true }));
      return out.Item;
    });
  }

  /** Every row of `namespace`, page by page (DynamoDB pages at 1 MB). */
  private _query(operation: StoreOperation, namespace: string, projection: string | undefined, each: (row: Row) => void): Promise<void> {
    return this._call(operation, async () => {
      const pages = paginateQuery(
        { client: this._client.doc },
        {
          TableName: this.tableName,
          KeyConditionExpression: '#namespace = :namespace',
          ExpressionAttributeNames: { '#namespace': 'namespace', ...(projection ? { '#key': 'key' } : {}) },
          ExpressionAttributeValues: { ':namespace': namespace },
          ConsistentRead: true,
          ...(projection ? { ProjectionExpression: projection } : {}),
        },
      );
      for await (const page of pages) for (const row of page.Items ?? []) each(row);
    });
  }

  private async _storedKeys(namespace: string): Promise<Set<string>> {
    const keys = new Set<string>();
    await this._query('init', namespace, '#key', (row) => keys.add(String(row.key)));
    return keys;
  }

  /**
   * Sends `requests` in batches of 25, `initConcurrency` at a time, in order. Throttled requests are
   * retried until `deadline`; then no new batch starts and a `StoreError` says how many were not written.
   */
  private async _writeAll(requests: readonly WriteRequest[], deadline: number): Promise<void> {
    const batches: WriteRequest[][] = [];
    for (let i = 0; i < requests.length; i += BATCH_SIZE) batches.push(requests.slice(i, i + BATCH_SIZE));
    let next = 0;
    let unwritten = 0;
    let failure: unknown;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        if (failure !== undefined || unwritten > 0) {
          unwritten += batch.length;
          continue;
        }
        try {
          // Not `unwritten += await …`: that reads `unwritten` before the await and loses other workers' counts.
          const left = await this._writeBatch(batch, deadline);
          unwritten += left;
        } catch (err) {
          failure ??= err;
          unwritten += batch.length;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this._options.initConcurrency, batches.length) }, worker));
    if (failure !== undefined) throw storeError('init', failure, this.tableName);
    if (unwritten > 0) {
      throw new StoreError(
        STORE,
        'init',
        `${unwritten} of ${requests.length} items were not written: DynamoDB was still throttling after writeDeadlineMs (${this._options.writeDeadlineMs} ms); the init marker was not written`,
      );
    }
  }

  /** One batch until done or past the deadline; resolves with the number of requests not written. */
  private async _writeBatch(batch: readonly WriteRequest[], deadline: number): Promise<number> {
    let pending: readonly WriteRequest[] = batch;
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this._client.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as WriteRequest[] } }));
        pending = (out.UnprocessedItems?.[this.tableName] as WriteRequest[] | undefined) ?? [];
      } catch (err) {
        if (!isRetryable(err)) throw err;
      }
      if (pending.length === 0) return 0;
      const delay = jitteredBackoffMs(attempt, 50, 2_000);
      if (this._closed || Date.now() + delay > deadline) return pending.length;
      await storeDelay(delay);
    }
  }
}

/** A row as the wrapper wants it; a `deleted` attribute (written by Go and Relay) marks a tombstone. */
function fromRow(row: Row): SerializedItem {
  const version = Number(row.version ?? 0);
  const json = typeof row.item === 'string' ? row.item : undefined;
  if (row.deleted === true || json === undefined) return { version, deleted: true, ...(json === undefined ? {} : { serializedItem: json }) };
  return { version, serializedItem: json };
}


