// Switchyard extension: the same relay on a 3-master Redis Cluster (LaunchDarkly's Relay supports
// neither Cluster nor Sentinel), configured the way an operator would, with REDIS_CLUSTER_NODES.
import { afterEach, describe, expect, it } from 'vitest';

import { DataKinds } from '@switchyard/core';
import { startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { init } from '@switchyard/node-server';
import { RedisPersistentStore, redisStore } from '@switchyard/store-redis';
import { startRedisCluster } from '@switchyard/test-services';

import { loadConfig } from '../src/index.js';
import { SDK_KEY, USER, closeAll, flag, later, proxySdk, quiet, startTestRelay, until } from './helpers.js';

afterEach(closeAll);

describe('Redis Cluster', () => {
  it('serves SDKs, writes the cluster, and a daemon-mode reader on the cluster sees the flags', async () => {
    const cluster = later(await startRedisCluster({ masters: 3 }), (c) => c.stop());
    const fake = later(await startFakeLaunchDarkly({ data: { flags: { f1: flag('f1', 'clustered'), f2: flag('f2', 2) }, segments: {} } }), (f) => f.close());
    const config = loadConfig({
      LD_ENV_production: SDK_KEY,
      REDIS_CLUSTER_NODES: cluster.startupNodes.map((n) => `${n.host}:${n.port}`).join(','),
      CACHE_TTL: '5s',
      STREAM_URI: fake.url,
      BASE_URI: fake.url,
      EVENTS_HOST: fake.url,
    });
    expect(config.store).toMatchObject({ type: 'redis', clusterNodes: cluster.startupNodes });
    const { relay } = await startTestRelay(fake.url, config.store, { cacheTtlMs: config.cacheTtlMs });
    await until(() => relay.status().environments.test!.serving === 'upstream', 'the relay to be connected upstream');

    const sdk = proxySdk(relay);
    await sdk.waitForInitialization({ timeout: 10 });
    expect(await sdk.variation('f1', USER, 'default')).toBe('clustered');
    fake.stream.patch('flags', flag('f1', 'patched', 2));
    await until(async () => (await sdk.variation('f1', USER, 'default')) === 'patched', 'the change to reach the SDK');

    const direct = new RedisPersistentStore({ clusterNodes: [...cluster.startupNodes] });
    try {
      expect(await direct.isInitialized()).toBe(true);
      const stored = await direct.getAll(DataKinds.features);
      expect(stored.map((s) => s.key).sort()).toEqual(['f1', 'f2']);
      expect(JSON.parse(stored.find((s) => s.key === 'f1')!.item.serializedItem!)).toMatchObject({ version: 2, variations: ['patched', null] });
    } finally {
      await direct.close();
    }

    const daemon = later(
      init(SDK_KEY, { useLdd: true, featureStore: redisStore({ clusterNodes: [...cluster.startupNodes], cacheTtlMs: 0 }), logger: quiet, sendEvents: false }),
      (c) => c.close(),
    );
    await daemon.waitForInitialization({ timeout: 5 });
    expect(await daemon.variation('f1', USER, 'default')).toBe('patched');
    expect(await daemon.variation('f2', USER, 0)).toBe(2);
  });
});
