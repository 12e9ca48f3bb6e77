import { StoreError } from '@switchyard/core';
import { type CompleteConformanceHarness, runBigSegmentStoreConformance, runPersistentStoreConformance } from '@switchyard/store-conformance';
import { afterAll, beforeAll, expect } from 'vitest';

import { DynamoDbBigSegmentStoreImpl, DynamoDbLayout, DynamoDbPersistentStore } from '../src/index.js';
import { type TestTable, startTestTable, unreachableClientOptions } from './support.js';

let table: TestTable;

beforeAll(async () => {
  table = await startTestTable();
});

afterAll(async () => {
  await table?.stop();
});

const harness: CompleteConformanceHarness<DynamoDbPersistentStore> = {
  name: 'dynamodb',
  requireAllHooks: true,
  createStore: (prefix) =>
    new DynamoDbPersistentStore({ tableName: table.tableName, clientOptions: table.clientOptions, ...(prefix === undefined ? {} : { prefix }) }),
  clearData: (prefix) => table.clearPrefix(prefix),
  createFailingStore: async () => new DynamoDbPersistentStore({ tableName: table.tableName, clientOptions: await unreachableClientOptions(table.server) }),
  validateError: (error) => {
    expect(StoreError.isInstance(error) && error.store).toBe('dynamodb');
  },
  setConcurrentModificationHook: (store, hook) => store.setBeforeUpsertWriteHook(hook),
};

runPersistentStoreConformance(harness);

// Prefixes with the layout's separator and DynamoDB expression characters stay isolated too.
runPersistentStoreConformance({ ...harness, name: 'dynamodb, custom prefix with : and #', prefixBase: 'my:app#[x]' });

runBigSegmentStoreConformance({
  name: 'dynamodb',
  createStore: (prefix) => new DynamoDbBigSegmentStoreImpl({ tableName: table.tableName, clientOptions: table.clientOptions, prefix }),
  clearData: (prefix) => table.clearPrefix(prefix),
  async setMetadata(prefix, metadata) {
    const layout = new DynamoDbLayout(prefix);
    const row = { namespace: layout.bigSegmentsMetadata, key: layout.bigSegmentsMetadata };
    await table.put(metadata?.lastUpToDate === undefined ? row : { ...row, synchronizedOn: metadata.lastUpToDate });
  },
  async setSegments(prefix, contextHash, included, excluded) {
    const layout = new DynamoDbLayout(prefix);
    await table.put({
      namespace: layout.bigSegmentsUser,
      key: contextHash,
      ...(included.length > 0 ? { included: new Set(included) } : {}),
      ...(excluded.length > 0 ? { excluded: new Set(excluded) } : {}),
    });
  },
});
