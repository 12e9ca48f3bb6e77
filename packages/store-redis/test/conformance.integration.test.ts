import { runBigSegmentStoreConformance, runPersistentStoreConformance, type CompleteConformanceHarness } from '@switchyard/store-conformance';
import { type RedisServer, startRedis } from '@switchyard/test-services';
import { StoreError } from '@switchyard/core';
import { afterAll, beforeAll, expect } from 'vitest';

import { RedisBigSegmentStoreImpl } from '../src/big-segment-store.js';
import { RedisKeys } from '../src/keys.js';
import { RedisPersistentStore } from '../src/redis-store.js';
import { clearPrefix, ok, unreachableStore } from './support.js';

let server: RedisServer;

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await server?.stop();
});

const harness: CompleteConformanceHarness<RedisPersistentStore> = {
  name: 'redis',
  requireAllHooks: true,
  createStore: (prefix) => new RedisPersistentStore({ url: server.url, ...(prefix === undefined ? {} : { prefix }) }),
  clearData: (prefix) => clearPrefix([server], prefix),
  createFailingStore: unreachableStore,
  validateError: (error) => {
    expect(StoreError.isInstance(error) && error.store).toBe('redis');
  },
  setConcurrentModificationHook: (store, hook) => store.setBeforeUpsertWriteHook(hook),
};

runPersistentStoreConformance(harness);

// Prefixes with Redis glob characters and separators must stay isolated too.
runPersistentStoreConformance({ ...harness, name: 'redis, custom prefix with : and *', prefixBase: 'my:app*[x]' });

runBigSegmentStoreConformance({
  name: 'redis',
  createStore: (prefix) => new RedisBigSegmentStoreImpl({ url: server.url, prefix }),
  clearData: (prefix) => clearPrefix([server], prefix),
  async setMetadata(prefix, metadata) {
    const keys = new RedisKeys(prefix, false);
    if (metadata?.lastUpToDate === undefined) ok(await server.command('DEL', keys.bigSegmentsSynchronizedOn));
    else ok(await server.command('SET', keys.bigSegmentsSynchronizedOn, String(metadata.lastUpToDate)));
  },
  async setSegments(prefix, contextHash, included, excluded) {
    const keys = new RedisKeys(prefix, false);
    if (included.length > 0) ok(await server.command('SADD', keys.bigSegmentInclude(contextHash), ...included));
    if (excluded.length > 0) ok(await server.command('SADD', keys.bigSegmentExclude(contextHash), ...excluded));
  },
});
