// Behaviour 1 (LaunchDarkly's "Persistent Store with 30 second TTL", here 2 s): while the cache TTL is
// fresh a new SDK connection is served from memory with no store read; once it expired the relay reads
// all flags from the store (resetting the TTL) before it answers.
import { afterEach, describe, expect, it } from 'vitest';

import type { DataStoreOperationInfo } from '@switchyard/core';
import { startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { startRedis } from '@switchyard/test-services';

import { USER, closeAll, flag, later, proxySdk, sleep, startTestRelay, until } from './helpers.js';

afterEach(closeAll);

describe('cache TTL', () => {
  it('serves a new SDK from memory while the TTL is fresh and reads the store once it expired', async () => {
    const TTL = 2000;
    const redis = later(await startRedis(), (r) => r.stop());
    const fake = later(await startFakeLaunchDarkly({ data: { flags: { f1: flag('f1', 'from-upstream') }, segments: {} } }), (f) => f.close());
    const { relay } = await startTestRelay(fake.url, { type: 'redis', url: redis.url }, { cacheTtlMs: TTL });
    const reads: DataStoreOperationInfo[] = [];
    relay.client.dataStoreStatusProvider.onOperation!((op) => {
      if (op.operation === 'getAll' || op.operation === 'get') reads.push(op);
    });
    await until(() => relay.status().environments.test!.serving === 'upstream', 'the relay to be connected upstream');

    // SDK1, right after the relay stored the data: TTL fresh, served from memory.
    const hitsBefore = relay.client.dataStoreStatusProvider.getMetrics().cacheHits;
    const sdk1 = proxySdk(relay);
    await sdk1.waitForInitialization({ timeout: 5 });
    expect(await sdk1.variation('f1', USER, 'default')).toBe('from-upstream');
    expect(reads).toEqual([]);
    expect(relay.client.dataStoreStatusProvider.getMetrics().cacheHits).toBeGreaterThan(hitsBefore);

    // Something else writes the store (say another relay); the TTL expires.
    await redis.command('HSET', 'launchdarkly:features', 'f1', JSON.stringify(flag('f1', 'from-store', 7)));
    await sleep(TTL + 200);

    // SDK2: TTL expired, so the relay reads all flags from the store first, and serves what it read.
    const sdk2 = proxySdk(relay);
    await sdk2.waitForInitialization({ timeout: 5 });
    expect(await sdk2.variation('f1', USER, 'default')).toBe('from-store');
    expect(reads.map((r) => r.operation).sort()).toEqual(['getAll', 'getAll']); // flags and segments
    expect(reads.every((r) => r.error === undefined)).toBe(true);

    // SDK3, at once: the read reset the TTL, so memory again.
    const sdk3 = proxySdk(relay);
    await sdk3.waitForInitialization({ timeout: 5 });
    expect(await sdk3.variation('f1', USER, 'default')).toBe('from-store');
    expect(reads).toHaveLength(2);
  });
});
