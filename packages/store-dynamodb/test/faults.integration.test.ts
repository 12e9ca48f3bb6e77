/**
 * Failures, through the store and through a real client: a missing table, a server that stops answering,
 * and dynalite killed and restarted empty while a client with an infinite cache keeps serving.
 */
import { StoreError } from '@switchyard/core';
import { type FakeItem, startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { init } from '@switchyard/node-server';
import { startFaultProxy, waitUntil } from '@switchyard/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DynamoDbPersistentStore, createDynamoDbTable, dynamoDbStore } from '../src/index.js';
import { type TestTable, clientOptionsFor, startTestTable } from './support.js';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const features = { namespace: 'features' };

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table?.stop();
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err as Error,
  );
}

describe('errors', () => {
  it('names a missing table in a StoreError, and isStoreAvailable answers false', async () => {
    const store = new DynamoDbPersistentStore({ tableName: 'no-such-table', clientOptions: table.clientOptions });
    const error = await rejection(store.get(features, 'x'));
    expect(StoreError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/^\[switchyard\/store-dynamodb\] get failed: table "no-such-table" was not found/);
    expect(await store.isStoreAvailable()).toBe(false);
    await store.close();
  });

  it('fails a request that gets no answer after pool.requestTimeoutMs, as a StoreError', async () => {
    const proxy = await startFaultProxy({ target: { port: table.server.port } });
    proxy.setMode('blackhole');
    const store = new DynamoDbPersistentStore({
      tableName: table.tableName,
      clientOptions: { ...clientOptionsFor(table.server, `http://127.0.0.1:${proxy.port}`), maxAttempts: 1 },
      pool: { requestTimeoutMs: 300 },
    });
    const error = await rejection(store.get(features, 'x'));
    expect(StoreError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/get failed: TimeoutError: .*300 ms/);
    await store.close();
    await proxy.stop();
  });

  it('rejects every operation after close() with a StoreError', async () => {
    const store = new DynamoDbPersistentStore({ tableName: table.tableName, clientOptions: table.clientOptions });
    await store.close();
    await store.close();
    expect((await rejection(store.get(features, 'x'))).message).toMatch(/get failed: the store is closed/);
    expect(await store.isStoreAvailable()).toBe(false);
  });
});

describe('dynalite killed and restarted empty, infinite cache (cacheTtlMs: -1)', () => {
  it('keeps serving, takes a patch during the outage, and writes everything back when DynamoDB returns', async () => {
    const flags: Record<string, FakeItem> = {};
    const flag = (i: number, version = 1, value = `v${i}`) => ({ key: `f${i}`, version, on: true, variations: ['off', value], offVariation: 0, fallthrough: { variation: 1 }, salt: 's' });
    for (let i = 0; i < 20; i++) flags[`f${i}`] = flag(i);
    const fake = await startFakeLaunchDarkly({ data: { flags, segments: {} } });
    const client = init('sdk-key', {
      baseUri: fake.url,
      streamUri: fake.url,
      eventsUri: fake.url,
      sendEvents: false,
      logger: quiet,
      featureStore: dynamoDbStore({ tableName: table.tableName, clientOptions: table.clientOptions, prefix: 'outage', cacheTtlMs: -1, pool: { requestTimeoutMs: 1_000 } }),
    });
    const user = { kind: 'user', key: 'u' };
    const all = () => Promise.all(Array.from({ length: 20 }, (_, i) => client.variation(`f${i}`, user, 'default')));
    const expected = Array.from({ length: 20 }, (_, i) => `v${i}`);
    try {
      await client.waitForInitialization({ timeout: 10 });
      expect(await all()).toEqual(expected);
      expect((await table.rows('outage:features')).length).toBe(20);

      await table.server.kill();
      expect(await all()).toEqual(expected);
      fake.stream.patch('flags', flag(3, 2, 'patched'));
      await waitUntil(async () => (await client.variation('f3', user, 'default')) === 'patched', { timeoutMs: 5_000, what: 'the patch to be served' });
      await waitUntil(async () => !client.dataStoreStatusProvider.getStatus().available, { timeoutMs: 10_000, what: 'the store to be reported unavailable' });
      expect(await all()).toEqual(['v0', 'v1', 'v2', 'patched', ...expected.slice(4)]);

      // Back, empty: the table has to be created again (as an operator would), then the cache is written back.
      await table.server.restart();
      await createDynamoDbTable(table.tableName, { clientOptions: table.clientOptions });
      await waitUntil(async () => client.dataStoreStatusProvider.getStatus().available, { timeoutMs: 15_000, what: 'the store to be available again' });
      await waitUntil(async () => (await table.rows('outage:features')).length === 20, { timeoutMs: 10_000, what: 'the cached flags to be written back' });
      expect(JSON.parse(String((await table.get('outage:features', 'f3'))!.item))).toMatchObject({ version: 2, variations: ['off', 'patched'] });
      expect(await table.get('outage:$inited', 'outage:$inited')).toBeDefined();
    } finally {
      await client.close();
      await fake.close();
    }
  });
});
