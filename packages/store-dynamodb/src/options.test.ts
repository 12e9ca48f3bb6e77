import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expectConfigError } from '@switchyard/store-conformance';
import { describe, expect, it } from 'vitest';

import { fromLaunchDarkly } from './factories.js';
import { DynamoDBBigSegmentStore, DynamoDBFeatureStore, DynamoDbLayout, dynamoDbItemSize, dynamoDbStore, dynamoDbStoreDefaults } from './index.js';
import { resolveDynamoDbOptions } from './options.js';

describe('options', () => {
  it('fills in LaunchDarkly’s defaults: no prefix, 15 s cache, 400 KB items, and a bounded pool', () => {
    const resolved = resolveDynamoDbOptions({ tableName: 'flags' });
    expect(resolved).toMatchObject({ tableName: 'flags', prefix: '', cacheTtlMs: 15_000, maxItemBytes: 409_600, initConcurrency: 4, writeDeadlineMs: 60_000 });
    expect(resolved.pool).toEqual({ maxSockets: 16, keepAlive: true, connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 });
    expect(dynamoDbStoreDefaults).toMatchObject({ partitionKey: 'namespace', sortKey: 'key', maxItemBytes: 409_600 });
    expect(Object.isFrozen(dynamoDbStoreDefaults)).toBe(true);
  });

  it.each([
    [{}, /option tableName is required/],
    [{ tableName: 'x' }, /option tableName is required: 3 to 255/],
    [{ tableName: 'bad name!' }, /got "bad name!"/],
    [{ tableName: 'flags', prefix: 7 }, /option prefix must be a string/],
    [{ tableName: 'flags', maxItemBytes: 500_000 }, /option maxItemBytes must not exceed 409600/],
    [{ tableName: 'flags', maxItemBytes: 0 }, /option maxItemBytes must be a positive number of bytes/],
    [{ tableName: 'flags', cacheTtlMs: 'soon' }, /option cacheTtlMs must be a number of milliseconds/],
    [{ tableName: 'flags', pool: { maxSockets: 0 } }, /option pool.maxSockets must be an integer of at least 1/],
    [{ tableName: 'flags', pool: { keepAlive: 'yes' } }, /option pool.keepAlive must be a boolean/],
    [{ tableName: 'flags', pool: { requestTimeoutMs: -1 } }, /option pool.requestTimeoutMs must be a positive number of milliseconds/],
    [{ tableName: 'flags', initConcurrency: 1.5 }, /option initConcurrency must be an integer/],
    [{ tableName: 'flags', writeDeadlineMs: 0 }, /option writeDeadlineMs must be a positive number/],
    [{ tableName: 'flags', client: {} }, /option client must be a DynamoDBClient/],
    [{ tableName: 'flags', pool: {}, clientOptions: { requestHandler: { handle: () => undefined } } }, /option pool cannot be combined with clientOptions.requestHandler/],
  ])('refuses %j with a ConfigError naming the option', (options, message) => {
    expect(expectConfigError(() => dynamoDbStore(options as never))).toMatch(message);
    expect(expectConfigError(() => dynamoDbStore(options as never))).toMatch(/^\[switchyard\/store-dynamodb\] option /);
  });

  it('refuses a borrowed client together with settings for a client the store would create', () => {
    const client = new DynamoDBClient({ region: 'us-east-1' });
    expect(expectConfigError(() => dynamoDbStore({ tableName: 'flags', client, pool: { maxSockets: 2 } }))).toMatch(/option pool cannot be combined with client/);
    expect(expectConfigError(() => dynamoDbStore({ tableName: 'flags', client, clientOptions: {} }))).toMatch(/option clientOptions cannot be combined with client/);
    client.destroy();
  });
});

describe('LaunchDarkly’s option shape', () => {
  it('takes cacheTTL in seconds (default 15) and dynamoDBClient over clientOptions, as their SDK does', () => {
    const client = new DynamoDBClient({ region: 'us-east-1' });
    expect(fromLaunchDarkly('flags', { cacheTTL: 30, prefix: 'env' })).toEqual({ tableName: 'flags', prefix: 'env', cacheTtlMs: 30_000 });
    expect(fromLaunchDarkly('flags')).toEqual({ tableName: 'flags', cacheTtlMs: 15_000 });
    expect(fromLaunchDarkly('flags', { cacheTTL: null })).toMatchObject({ cacheTtlMs: 15_000 });
    expect(fromLaunchDarkly('flags', { cacheTTL: -1 })).toMatchObject({ cacheTtlMs: -1_000 });
    expect(fromLaunchDarkly('flags', { dynamoDBClient: client, clientOptions: { region: 'eu-west-1' } })).toEqual({ tableName: 'flags', client, cacheTtlMs: 15_000 });
    expect(typeof DynamoDBFeatureStore('flags', { dynamoDBClient: client })).toBe('function');
    expect(typeof DynamoDBBigSegmentStore('flags', { dynamoDBClient: client })).toBe('function');
    client.destroy();
  });
});

describe('layout', () => {
  it('is LaunchDarkly’s: <prefix>:<kind>, the marker and big-segment items, or bare names without a prefix', () => {
    const layout = new DynamoDbLayout('env1');
    expect([layout.namespace('features'), layout.inited, layout.bigSegmentsMetadata, layout.bigSegmentsUser]).toEqual([
      'env1:features',
      'env1:$inited',
      'env1:big_segments_metadata',
      'env1:big_segments_user',
    ]);
    const bare = new DynamoDbLayout('');
    expect([bare.namespace('segments'), bare.inited]).toEqual(['segments', '$inited']);
  });
});

describe('dynamoDbItemSize', () => {
  it('counts numbers by significant digits, booleans and null as one byte, sets, lists and maps as DynamoDB documents', () => {
    expect(dynamoDbItemSize({ n: 1 })).toBe(1 + 2);
    expect(dynamoDbItemSize({ n: 1200 })).toBe(1 + 2);
    expect(dynamoDbItemSize({ n: 123_456 })).toBe(1 + 4);
    expect(dynamoDbItemSize({ n: -0.5 })).toBe(1 + 3);
    expect(dynamoDbItemSize({ b: true, z: null })).toBe(2 + 2);
    expect(dynamoDbItemSize({ s: new Set(['ab', 'ü']) })).toBe(1 + 2 + 2);
    expect(dynamoDbItemSize({ l: ['a', 1] })).toBe(1 + 3 + (1 + 1) + (1 + 2));
    expect(dynamoDbItemSize({ m: { k: 'v' } })).toBe(1 + 3 + (1 + 1 + 1));
    expect(dynamoDbItemSize({ bin: new Uint8Array(10) })).toBe(3 + 10);
    expect(dynamoDbItemSize({ 'ä': 'x' })).toBe(2 + 1);
  });
});
