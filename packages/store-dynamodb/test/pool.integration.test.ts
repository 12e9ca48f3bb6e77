/**
 * The socket limit, seen from the server's side: a counting TCP proxy in front of dynalite records the
 * most connections open at once while 500 operations run concurrently, and what stays open after close().
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DataKinds, type VersionedItem } from '@switchyard/core';
import { type FaultProxy, startFaultProxy, waitUntil } from '@switchyard/test-services';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DynamoDbPersistentStore, type DynamoDbStoreOptions, dynamoDbStores } from '../src/index.js';
import { type TestTable, clientOptionsFor, startTestTable } from './support.js';

const features = { namespace: 'features' };
const json = (key: string, version: number) => JSON.stringify({ key, version, on: false, variations: [1, 2], offVariation: 0, salt: 's' });

let table: TestTable;
let proxy: FaultProxy;
beforeAll(async () => {
  table = await startTestTable();
  proxy = await startFaultProxy({ target: { port: table.server.port } });
});
afterAll(async () => {
  await proxy?.stop();
  await table?.stop();
});
beforeEach(async () => {
  await waitUntil(async () => proxy.openConnections === 0, { timeoutMs: 5_000, what: 'connections of the previous test to close' });
  proxy.resetPeak();
});

/**
 * These tests count connections, not time: 500 operations queue behind 2 sockets, and on a busy 2-core machine
 * the last of them waits longer than the default request timeout (which includes the wait for a socket).
 */
const LOAD_TIMEOUT_MS = 120_000;

function options(maxSockets: number): DynamoDbStoreOptions {
  return { tableName: table.tableName, prefix: 'pool', clientOptions: clientOptionsFor(table.server, `http://127.0.0.1:${proxy.port}`), pool: { maxSockets, requestTimeoutMs: LOAD_TIMEOUT_MS } };
}

/** 500 operations at once: reads, writes, listings and init checks, as a busy client makes them. */
async function load(store: DynamoDbPersistentStore): Promise<void> {
  await store.init([{ kind: features, items: Array.from({ length: 20 }, (_, i) => ({ key: `f${i}`, item: { version: 1, serializedItem: json(`f${i}`, 1) } })) }]);
  const ops = Array.from({ length: 500 }, (_, i) => {
    const key = `f${i % 20}`;
    switch (i % 5) {
      case 0:
        return store.upsert(features, key, { version: 2 + i, serializedItem: json(key, 2 + i) });
      case 1:
        return store.getAll(features);
      case 2:
        return store.isInitialized();
      default:
        return store.get(features, key);
    }
  });
  const results = await Promise.allSettled(ops);
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
}

describe('pool.maxSockets', () => {
  it('holds at most 2 connections at once through 500 concurrent operations with maxSockets: 2, and none after close()', async () => {
    const store = new DynamoDbPersistentStore(options(2));
    await load(store);
    expect(proxy.peakConnections).toBeGreaterThan(0);
    expect(proxy.peakConnections).toBeLessThanOrEqual(2);
    await store.close();
    await waitUntil(async () => proxy.openConnections === 0, { timeoutMs: 2_000, what: 'the sockets to close' });
  });

  it('is the limit that decides: the same load with maxSockets: 8 opens more than 2', async () => {
    const store = new DynamoDbPersistentStore(options(8));
    await load(store);
    expect(proxy.peakConnections).toBeGreaterThan(2);
    expect(proxy.peakConnections).toBeLessThanOrEqual(8);
    await store.close();
    await waitUntil(async () => proxy.openConnections === 0, { timeoutMs: 2_000, what: 'the sockets to close' });
  });

  it('is shared by the feature store and big-segment store of dynamoDbStores(), and closed with the last of them', async () => {
    const pair = dynamoDbStores({ ...options(2), cacheTtlMs: 0 });
    const featureStore = pair.featureStore();
    const bigSegments = pair.bigSegmentStore();
    await featureStore.init({ features: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, JSON.parse(json(`f${i}`, 1)) as VersionedItem])) });
    // No cache: every read below is a request to DynamoDB, half of them from each store.
    const ops = Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? featureStore.get(DataKinds.features, `f${i % 20}`) : bigSegments.getMembership(`hash-${i}`)));
    const results = await Promise.allSettled(ops);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(proxy.peakConnections).toBeGreaterThan(0);
    expect(proxy.peakConnections).toBeLessThanOrEqual(2);
    await featureStore.close();
    // The big-segment store still has the client.
    expect(await bigSegments.getMetadata()).toEqual({});
    await bigSegments.close();
    await waitUntil(async () => proxy.openConnections === 0, { timeoutMs: 2_000, what: 'the sockets to close' });
  });

  it('never destroys a borrowed client', async () => {
    const client = new DynamoDBClient(clientOptionsFor(table.server));
    const store = new DynamoDbPersistentStore({ tableName: table.tableName, prefix: 'pool', client });
    await store.init([{ kind: features, items: [] }]);
    await store.close();
    const again = new DynamoDbPersistentStore({ tableName: table.tableName, prefix: 'pool', client });
    expect(await again.isInitialized()).toBe(true);
    await again.close();
    client.destroy();
  });
});
