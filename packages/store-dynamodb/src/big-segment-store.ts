import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  type BigSegmentStore,
  type BigSegmentStoreMembership,
  type BigSegmentStoreMetadata,
  type LDLogger,
  type StoreOperation,
  safeLogger,
} from '@switchyard/core';

import { DynamoDbClientHandle } from './client.js';
import { STORE, storeError } from './errors.js';
import { DynamoDbLayout } from './layout.js';
import { type DynamoDbStoreOptions, resolveDynamoDbOptions } from './options.js';

/**
 * LaunchDarkly's DynamoDB big-segment store: reads what Relay Proxy writes into the same table (the
 * `<prefix>:big_segments_metadata` item with `synchronizedOn`, and one `<prefix>:big_segments_user` item
 * per context hash with the string sets `included` and `excluded`). Read-only; an include wins over an
 * exclude. Most users want {@link dynamoDbBigSegmentStore} or {@link dynamoDbStores}.
 */
export class DynamoDbBigSegmentStoreImpl implements BigSegmentStore {
  /** `'dynamodb'`. */
  readonly description = STORE;
  /** The table layout in use. */
  readonly layout: DynamoDbLayout;
  /** The table. */
  readonly tableName: string;

  private readonly _client: DynamoDbClientHandle;
  private _closed = false;

  /**
   * @param options - The same options as the feature store; `cacheTtlMs` and `maxItemBytes` do not apply.
   * @param logger - Where the HTTP handler's warnings go. Default: nowhere.
   * @param client - Internal: the client of a {@link dynamoDbStores} pair. Omit it: the store makes its own.
   */
  constructor(options: DynamoDbStoreOptions, logger?: Partial<LDLogger>, client?: DynamoDbClientHandle) {
    const resolved = resolveDynamoDbOptions(options);
    this.tableName = resolved.tableName;
    this.layout = new DynamoDbLayout(resolved.prefix);
    this._client = client ?? new DynamoDbClientHandle(resolved, safeLogger(logger));
    this._client.retain();
  }

  async getMetadata(): Promise<BigSegmentStoreMetadata | undefined> {
    const row = await this._get('getMetadata', this.layout.bigSegmentsMetadata, this.layout.bigSegmentsMetadata);
    const synchronizedOn = row?.synchronizedOn;
    return typeof synchronizedOn === 'number' && Number.isFinite(synchronizedOn) ? { lastUpToDate: synchronizedOn } : {};
  }

  async getMembership(contextHash: string): Promise<BigSegmentStoreMembership | undefined> {
    const row = await this._get('getMembership', this.layout.bigSegmentsUser, contextHash);
    if (!row) return undefined;
    const membership: Record<string, boolean> = {};
    for (const ref of refs(row.excluded)) membership[ref] = false;
    for (const ref of refs(row.included)) membership[ref] = true;
    return membership;
  }

  /** Releases the client (destroying it when no other store shares it). Idempotent. */
  close(): Promise<void> {
    if (!this._closed) {
      this._closed = true;
      this._client.release();
    }
    return Promise.resolve();
  }

  private async _get(operation: StoreOperation, namespace: string, key: string): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this._client.doc.send(new GetCommand({ TableName: this.tableName, Key: { namespace, key }, ConsistentRead: true }));
      return out.Item;
    } catch (err) {
      throw storeError(operation, err, this.tableName);
    }
  }
}

/** The members of a string set (lib-dynamodb returns `Set`s; a list is accepted too). */
function refs(value: unknown): string[] {
  if (value instanceof Set || Array.isArray(value)) return [...(value as Iterable<unknown>)].filter((v): v is string => typeof v === 'string');
  return [];
}
