import { StoreError } from '@switchyard/core';
import { runPersistentStoreConformance, type CompleteConformanceHarness } from '@switchyard/store-conformance';
import { type RedisCluster, startRedisCluster } from '@switchyard/test-services';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RedisKeys } from '../src/keys.js';
import { RedisPersistentStore } from '../src/redis-store.js';
import { clearPrefix, unreachableStore } from './support.js';

let cluster: RedisCluster;
// Two borrowed clients, as two processes would have: stores built on one client share its pool (and its
// one-transaction-at-a-time connection), so the suite's "another process" store must use the other.
let borrowed: Cluster;
let borrowedByOtherProcess: Cluster;
let created = 0;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  borrowed = new Cluster([...cluster.startupNodes], { enableOfflineQueue: true });
  borrowedByOtherProcess = new Cluster([...cluster.startupNodes], { enableOfflineQueue: true });
}, 60_000);

afterAll(async () => {
  borrowed?.disconnect();
  borrowedByOtherProcess?.disconnect();
  await cluster?.stop();
});

function harness(name: string, hashTag: boolean, options: () => ConstructorParameters<typeof RedisPersistentStore>[0]): CompleteConformanceHarness<RedisPersistentStore> {
  return {
    name,
    requireAllHooks: true,
    manyItems: 2_000,
    createStore: (prefix) => new RedisPersistentStore({ ...options(), hashTag, ...(prefix === undefined ? {} : { prefix }) }),
    clearData: (prefix) => clearPrefix(cluster.masters, prefix, hashTag),
    createFailingStore: unreachableStore,
    setConcurrentModificationHook: (store, hook) => store.setBeforeUpsertWriteHook(hook),
  };
}

runPersistentStoreConformance(harness('redis cluster, hashTag', true, () => ({ clusterNodes: cluster.startupNodes })));
runPersistentStoreConformance(harness('redis cluster, no hashTag', false, () => ({ clusterNodes: cluster.startupNodes })));
runPersistentStoreConformance(harness('redis cluster, borrowed Cluster client', false, () => ({ client: created++ % 2 === 0 ? borrowed : borrowedByOtherProcess })));

describe('Redis Cluster key placement', () => {
  it('puts every key of a hash-tagged prefix in one slot, so init is one transaction', async () => {
    const keys = new RedisKeys('launchdarkly', true);
    const slots = new Set<unknown>();
    for (const key of [keys.items('features'), keys.items('segments'), keys.inited, keys.bigSegmentInclude('h'), keys.bigSegmentsSynchronizedOn]) {
      slots.add(await cluster.masters[0]!.command('CLUSTER', 'KEYSLOT', key));
    }
    expect(slots.size).toBe(1);
  });

  it('spreads LaunchDarkly’s own layout over several slots, and init still succeeds without CROSSSLOT', async () => {
    const keys = new RedisKeys('launchdarkly', false);
    const features = await cluster.masters[0]!.command('CLUSTER', 'KEYSLOT', keys.items('features'));
    const segments = await cluster.masters[0]!.command('CLUSTER', 'KEYSLOT', keys.items('segments'));
    expect(features).not.toBe(segments);
    const store = new RedisPersistentStore({ clusterNodes: cluster.startupNodes });
    try {
      await clearPrefix(cluster.masters, undefined);
      const item = (key: string) => ({ key, item: { version: 1, serializedItem: JSON.stringify({ key, version: 1 }) } });
      const outcome = await store
        .init([
          { kind: { namespace: 'segments' }, items: [item('s')] },
          { kind: { namespace: 'features' }, items: [item('f')] },
        ])
        .then(
          () => 'ok',
          (error: unknown) => (StoreError.isInstance(error) ? error.message : String(error)),
        );
      expect(outcome).toBe('ok');
      expect(await store.isInitialized()).toBe(true);
      expect((await store.get({ namespace: 'features' }, 'f'))?.serializedItem).toContain('"f"');
    } finally {
      await store.close();
      await clearPrefix(cluster.masters, undefined);
    }
  });
});
