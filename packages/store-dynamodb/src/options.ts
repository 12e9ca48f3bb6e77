import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { describeOptionValue, storeOptionChecks } from '@switchyard/core';

import { PREFIX } from './errors.js';
import { DYNAMODB_MAX_ITEM_BYTES } from './item-size.js';

/**
 * Connection settings of the client the store creates, wired into the AWS SDK's Node HTTP handler
 * (`@smithy/node-http-handler`) through Node agents the store owns and destroys on `close()`.
 */
export interface DynamoDbPoolOptions {
  /**
   * Most TCP/TLS sockets open to DynamoDB at once, for the feature and big-segment store together when
   * built by {@link dynamoDbStores}. Requests beyond it wait for a free socket. Default 16 (the AWS SDK's
   * own default is 50).
   */
  readonly maxSockets?: number;
  /** Keep idle sockets open for reuse. Default `true`. */
  readonly keepAlive?: boolean;
  /** How long to wait for a socket to connect, in milliseconds. Default 3000. */
  readonly connectionTimeoutMs?: number;
  /** How long one HTTP request may take, in milliseconds, before it fails with a `TimeoutError`. Default 10000. */
  readonly requestTimeoutMs?: number;
}

/** Options of {@link dynamoDbStore}, {@link dynamoDbBigSegmentStore} and {@link dynamoDbStores}. */
export interface DynamoDbStoreOptions {
  /**
   * The table, with partition key `namespace` (S) and sort key `key` (S). Required. The store never
   * creates tables; {@link createDynamoDbTable} does, for local use.
   */
  readonly tableName: string;
  /**
   * Prepended with a colon to every `namespace` (`<prefix>:features`), so several environments share a
   * table. Default: none (`features`), as in LaunchDarkly's SDKs.
   */
  readonly prefix?: string;
  /**
   * How long the SDK caches what it read, in milliseconds: positive is a TTL, `0` no cache (every
   * evaluation reads DynamoDB), negative caches forever. Default 15000 (LaunchDarkly's 15 seconds).
   */
  readonly cacheTtlMs?: number;
  /**
   * Largest item written, in bytes as DynamoDB counts them ({@link dynamoDbItemSize}: UTF-8 names and
   * values, number sizes). A bigger flag or segment is not sent: it is logged and skipped, the rest is
   * written, and an older copy in the table stays. Default and maximum 409600 (DynamoDB's 400 KB).
   */
  readonly maxItemBytes?: number;
  /**
   * Passed to `new DynamoDBClient(…)` (region, endpoint, credentials, maxAttempts, …). Without it the
   * AWS SDK's default chain applies (`AWS_REGION`, credentials from the environment or role). Cannot be
   * combined with `client`; its `requestHandler` cannot be combined with `pool`.
   */
  readonly clientOptions?: DynamoDBClientConfig;
  /** A client you own: used as it is, never destroyed by the store. Cannot be combined with `clientOptions` or `pool`. */
  readonly client?: DynamoDBClient;
  /** Sockets and timeouts of the client the store creates; see {@link DynamoDbPoolOptions}. */
  readonly pool?: DynamoDbPoolOptions;
  /** `BatchWriteItem` requests of 25 items that `init` keeps in flight at once. Default 4. */
  readonly initConcurrency?: number;
  /**
   * How long `init` keeps retrying items DynamoDB throttled (`UnprocessedItems`,
   * `ProvisionedThroughputExceededException`), in milliseconds, before it fails with a `StoreError` that
   * says how many items were not written. Default 60000.
   */
  readonly writeDeadlineMs?: number;
}

/** Defaults of {@link DynamoDbStoreOptions}. */
export const dynamoDbStoreDefaults = Object.freeze({
  /** Partition key attribute (`<prefix>:features`, `<prefix>:segments`, or without a prefix). */
  partitionKey: 'namespace',
  /** Sort key attribute: the flag or segment key. */
  sortKey: 'key',
  /** No prefix, as in LaunchDarkly's SDKs. */
  prefix: '',
  /** 15 seconds, LaunchDarkly's default `cacheTTL`. */
  cacheTtlMs: 15_000,
  /** Largest item written, in bytes as DynamoDB counts them: 400 KB. */
  maxItemBytes: DYNAMODB_MAX_ITEM_BYTES,
  initConcurrency: 4,
  writeDeadlineMs: 60_000,
  pool: Object.freeze({ maxSockets: 16, keepAlive: true, connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 }),
});

/** Options after validation, defaults filled in. @internal */
export interface ResolvedDynamoDbOptions {
  readonly tableName: string;
  readonly prefix: string;
  readonly cacheTtlMs: number;
  readonly maxItemBytes: number;
  readonly clientOptions: DynamoDBClientConfig;
  readonly client: DynamoDBClient | undefined;
  readonly pool: Required<DynamoDbPoolOptions>;
  readonly initConcurrency: number;
  readonly writeDeadlineMs: number;
}

const check = storeOptionChecks(PREFIX);

/** Validates options up front so a mistake is a `ConfigError` naming the option, never a failure later. @internal */
export function resolveDynamoDbOptions(options: DynamoDbStoreOptions): ResolvedDynamoDbOptions {
  const { fail } = check;
  if (typeof options !== 'object' || options === null) fail('object', `must be an object with at least tableName (got ${describeOptionValue(options)})`);
  const d = dynamoDbStoreDefaults;
  const { tableName } = options;
  if (typeof tableName !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    fail('tableName', `is required: 3 to 255 letters, digits, "_", "-" or "." (got ${describeOptionValue(tableName)})`);
  }
  const prefix = options.prefix ?? d.prefix;
  if (typeof prefix !== 'string') fail('prefix', `must be a string (got ${describeOptionValue(prefix)})`);
  if (options.client !== undefined) {
    if (typeof options.client !== 'object' || options.client === null || typeof (options.client as { send?: unknown }).send !== 'function') {
      fail('client', 'must be a DynamoDBClient from @aws-sdk/client-dynamodb');
    }
    if (options.clientOptions !== undefined) fail('clientOptions', 'cannot be combined with client: configure the client you pass instead');
    if (options.pool !== undefined) fail('pool', 'cannot be combined with client: the pool configures a client the store creates');
  }
  if (options.clientOptions !== undefined && (typeof options.clientOptions !== 'object' || options.clientOptions === null)) {
    fail('clientOptions', 'must be a DynamoDBClientConfig object');
  }
  if (options.pool !== undefined && options.clientOptions?.requestHandler !== undefined) {
    fail('pool', 'cannot be combined with clientOptions.requestHandler: give the limits in one place');
  }
  const pool = options.pool ?? {};
  return {
    tableName,
    prefix,
    cacheTtlMs: check.cacheTtlMs(options.cacheTtlMs, d.cacheTtlMs),
    maxItemBytes: check.maxItemBytes(options.maxItemBytes, d.maxItemBytes, DYNAMODB_MAX_ITEM_BYTES),
    clientOptions: { ...(options.clientOptions ?? {}) },
    client: options.client,
    initConcurrency: check.integer('initConcurrency', options.initConcurrency, d.initConcurrency, 1),
    writeDeadlineMs: check.durationMs('writeDeadlineMs', options.writeDeadlineMs, d.writeDeadlineMs),
    pool: {
      maxSockets: check.integer('pool.maxSockets', pool.maxSockets, d.pool.maxSockets, 1),
      keepAlive: check.boolean('pool.keepAlive', pool.keepAlive, d.pool.keepAlive),
      connectionTimeoutMs: check.durationMs('pool.connectionTimeoutMs', pool.connectionTimeoutMs, d.pool.connectionTimeoutMs),
      requestTimeoutMs: check.durationMs('pool.requestTimeoutMs', pool.requestTimeoutMs, d.pool.requestTimeoutMs),
    },
  };
}
