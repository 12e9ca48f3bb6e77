import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { type DataStore, type LDLogger, PersistentStoreWrapper, safeLogger } from '@switchyard/core';

import { DynamoDbBigSegmentStoreImpl } from './big-segment-store.js';
import { DynamoDbClientHandle } from './client.js';
import { DynamoDbPersistentStore } from './dynamodb-store.js';
import { type DynamoDbPoolOptions, type DynamoDbStoreOptions, dynamoDbStoreDefaults, resolveDynamoDbOptions } from './options.js';

/**
 * What the SDK passes to a store factory; node-server's `ClientContext` fits. The logger receives
 * dropped-item lines and the caching wrapper's messages.
 */
export interface DynamoDbStoreContext {
  readonly logger?: Partial<LDLogger>;
}

/** A feature-store factory: the value of the SDK's `featureStore` option. */
export type DynamoDbFeatureStoreFactory = (context?: DynamoDbStoreContext) => DataStore;

/** A big-segment store factory: the value of the SDK's `bigSegments.store` option. */
export type DynamoDbBigSegmentStoreFactory = (context?: DynamoDbStoreContext) => DynamoDbBigSegmentStoreImpl;

function wrap(store: DynamoDbPersistentStore, cacheTtlMs: number, logger: Partial<LDLogger> | undefined): DataStore {
  return new PersistentStoreWrapper(store, { cacheTtlMs, ...(logger ? { logger } : {}) });
}

/**
 * The DynamoDB feature store, for the SDK's `featureStore` option: LaunchDarkly's table layout, core's
 * caching wrapper with this store's `cacheTtlMs`, a byte-exact 400 KB guard and a bounded socket pool.
 *
 * @example
 * ```ts
 * import { init } from '@switchyard/node-server';
 * import { dynamoDbStore } from '@switchyard/store-dynamodb';
 *
 * const client = init(sdkKey, {
 *   featureStore: dynamoDbStore({ tableName: 'flags', cacheTtlMs: 30_000, pool: { maxSockets: 8 } }),
 * });
 * ```
 *
 * Options are checked now: a mistake throws a `ConfigError` naming the option. Each call of the returned
 * factory makes its own client; use {@link dynamoDbStores} to share one with the big-segment store.
 */
export function dynamoDbStore(options: DynamoDbStoreOptions): DynamoDbFeatureStoreFactory {
  const { cacheTtlMs } = resolveDynamoDbOptions(options);
  return (context) => wrap(new DynamoDbPersistentStore(options, context?.logger), cacheTtlMs, context?.logger);
}

/**
 * The DynamoDB big-segment store, for the SDK's `bigSegments.store` option. It makes its own client
 * unless given one; use {@link dynamoDbStores} to share the feature store's client (and socket limit).
 */
export function dynamoDbBigSegmentStore(options: DynamoDbStoreOptions): DynamoDbBigSegmentStoreFactory {
  resolveDynamoDbOptions(options);
  return (context) => new DynamoDbBigSegmentStoreImpl(options, context?.logger);
}

/** The pair returned by {@link dynamoDbStores}. */
export interface DynamoDbStores {
  /** For `featureStore`. */
  readonly featureStore: DynamoDbFeatureStoreFactory;
  /** For `bigSegments.store`. */
  readonly bigSegmentStore: DynamoDbBigSegmentStoreFactory;
}

/**
 * A feature store and a big-segment store on **one** DynamoDB client: `pool.maxSockets` is the limit for
 * both together. The client is made when the first of them is built and destroyed when the last is closed.
 *
 * @example
 * ```ts
 * const dynamo = dynamoDbStores({ tableName: 'flags', pool: { maxSockets: 8 } });
 * const client = init(sdkKey, { featureStore: dynamo.featureStore, bigSegments: { store: dynamo.bigSegmentStore } });
 * ```
 */
export function dynamoDbStores(options: DynamoDbStoreOptions): DynamoDbStores {
  const resolved = resolveDynamoDbOptions(options);
  let handle: DynamoDbClientHandle | undefined;
  const shared = (context: DynamoDbStoreContext | undefined): DynamoDbClientHandle => {
    // A client whose stores were all closed is destroyed: a later store gets a new one.
    if (!handle || handle.closed) handle = new DynamoDbClientHandle(resolved, safeLogger(context?.logger));
    return handle;
  };
  return {
    featureStore: (context) => wrap(new DynamoDbPersistentStore(options, context?.logger, shared(context)), resolved.cacheTtlMs, context?.logger),
    bigSegmentStore: (context) => new DynamoDbBigSegmentStoreImpl(options, context?.logger, shared(context)),
  };
}

/**
 * LaunchDarkly's `LDDynamoDBOptions` shape, accepted by {@link DynamoDBFeatureStore} and
 * {@link DynamoDBBigSegmentStore} so code written for `@launchdarkly/node-server-sdk-dynamodb` switches by
 * changing the import.
 */
export interface LDDynamoDBOptions {
  /** Passed to `new DynamoDBClient(…)`; ignored when `dynamoDBClient` is given (as in LaunchDarkly's SDK). */
  clientOptions?: DynamoDBClientConfig;
  /** A client you own; never destroyed by the store. */
  dynamoDBClient?: DynamoDBClient;
  /** Namespace prefix. Default none. */
  prefix?: string;
  /** Cache TTL in **seconds** (LaunchDarkly's unit). Default 15; `0` no cache; negative: cache forever (a Switchyard addition). */
  cacheTTL?: number | null;
  /** Switchyard's socket settings (not in LaunchDarkly's options); ignored with `dynamoDBClient`. */
  pool?: DynamoDbPoolOptions;
}

/** LaunchDarkly's option shape as {@link DynamoDbStoreOptions} (`cacheTTL` seconds to `cacheTtlMs`). @internal */
export function fromLaunchDarkly(tableName: string, options: LDDynamoDBOptions = {}): DynamoDbStoreOptions {
  const { clientOptions, dynamoDBClient, prefix, cacheTTL, pool } = options;
  return {
    tableName,
    ...(dynamoDBClient ? { client: dynamoDBClient } : { ...(clientOptions ? { clientOptions } : {}), ...(pool ? { pool } : {}) }),
    ...(prefix !== undefined ? { prefix } : {}),
    cacheTtlMs: cacheTTL === undefined || cacheTTL === null ? dynamoDbStoreDefaults.cacheTtlMs : cacheTTL * 1000,
  };
}

/**
 * LaunchDarkly-compatible name: `DynamoDBFeatureStore(tableName, { clientOptions, dynamoDBClient, prefix,
 * cacheTTL })`, as exported by `@launchdarkly/node-server-sdk-dynamodb` (`cacheTTL` in seconds, default
 * 15). The same as `dynamoDbStore({ tableName, clientOptions, client: dynamoDBClient, prefix, cacheTtlMs })`.
 */
export function DynamoDBFeatureStore(tableName: string, options?: LDDynamoDBOptions): DynamoDbFeatureStoreFactory {
  return dynamoDbStore(fromLaunchDarkly(tableName, options));
}

/** LaunchDarkly-compatible name of {@link dynamoDbBigSegmentStore}, taking `LDDynamoDBOptions` (`cacheTTL` is ignored). */
export function DynamoDBBigSegmentStore(tableName: string, options?: LDDynamoDBOptions): DynamoDbBigSegmentStoreFactory {
  return dynamoDbBigSegmentStore(fromLaunchDarkly(tableName, options));
}
