/**
 * `@switchyard/store-dynamodb`: LaunchDarkly-compatible DynamoDB feature and big-segment stores for
 * Switchyard, on `@aws-sdk/lib-dynamodb`: a byte-exact 400 KB item guard, throttled writes retried until
 * done, and a socket limit that is honored.
 *
 * @packageDocumentation
 */

export {
  dynamoDbStore,
  dynamoDbBigSegmentStore,
  dynamoDbStores,
  DynamoDBFeatureStore,
  DynamoDBBigSegmentStore,
  type DynamoDbStores,
  type DynamoDbStoreContext,
  type DynamoDbFeatureStoreFactory,
  type DynamoDbBigSegmentStoreFactory,
  type LDDynamoDBOptions,
} from './factories.js';
export { DynamoDbPersistentStore } from './dynamodb-store.js';
export { DynamoDbBigSegmentStoreImpl } from './big-segment-store.js';
export { DynamoDbLayout } from './layout.js';
export { createDynamoDbTable, type CreateDynamoDbTableOptions } from './table.js';
export { dynamoDbItemSize, DYNAMODB_MAX_ITEM_BYTES, DYNAMODB_MAX_SORT_KEY_BYTES } from './item-size.js';
export { dynamoDbStoreDefaults, type DynamoDbStoreOptions, type DynamoDbPoolOptions } from './options.js';
