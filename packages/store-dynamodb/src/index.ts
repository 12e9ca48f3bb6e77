/**
 * `@switchyard/store-dynamodb`: a DynamoDB persistent feature store and big-segment store on
 * `@aws-sdk/lib-dynamodb`, with explicit connection settings. The store itself arrives with its issue;
 * this package already fixes the table layout it shares with LaunchDarkly's SDKs and Relay Proxy.
 *
 * @packageDocumentation
 */

/** Defaults and layout of the DynamoDB store, matching LaunchDarkly's. */
export const dynamoDbStoreDefaults = Object.freeze({
  /** Partition key attribute (`<prefix>:features`, `<prefix>:segments`, or without a prefix). */
  partitionKey: 'namespace',
  /** Sort key attribute: the flag or segment key. */
  sortKey: 'key',
  /** Largest item written, in bytes as DynamoDB counts them (UTF-8): 400 KB. */
  maxItemBytes: 400 * 1024,
});
