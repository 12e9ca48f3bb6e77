// Behaviour 4 (LaunchDarkly's "Persistent Store during LaunchDarkly Outage - Warm Relay"): a relay that
// has data keeps serving new SDK connections from memory while the flag service is gone, reconnects with
// backoff, and when the service is back writes the fresh data to the store and passes it on.
import { afterEach, describe, expect, it } from 'vitest';

import type { DataStoreOperationInfo } from '@switchyard/core';
import { startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { startFaultProxy, startRedis } from '@switchyard/test-services';

import { USER, closeAll, flag, later, proxySdk, startTestRelay, until } from './helpers.js';

afterEach(closeAll);

describe('flag-service outage with a warm relay', () => {
  it('serves new SDKs from memory, reconnects, and stores a change made during the outage', async () => {
    const redis = later(await startRedis(), (r) => r.stop());
    const fake = later(await startFakeLaunchDarkly({ data: { flags: { f1: flag('f1', 'before') }, segments: {} } }), (f) => f.close());
    const upstream = later(await startFaultProxy({ target: { port: fake.server.port } }), (p) => p.stop());
    const { relay, log } = await startTestRelay(`http://127.0.0.1:${upstream.port}`, { type: 'redis', url: redis.url }, { cacheTtlMs: 30_000 });
    await until(() => relay.status().environments.test!.serving === 'upstream', 'the relay to be connected upstream');
    const sdk1 = proxySdk(relay);
    await sdk1.waitForInitialization({ timeout: 5 });

    upstream.setMode('refuse'); // drops the relay's stream and refuses reconnects
    await until(() => relay.status().environments.test!.connectionStatus.state === 'INTERRUPTED', 'the relay to notice the outage');
    expect(relay.status().environments.test!.status).toBe('disconnected');
    const attemptsAtStart = upstream.totalConnections;
    await until(() => upstream.totalConnections >= attemptsAtStart + 2, 'the relay to keep retrying with backoff');

    const reads: DataStoreOperationInfo[] = [];
    relay.client.dataStoreStatusProvider.onOperation!((op) => {
      if (op.operation === 'getAll') reads.push(op);
    });
    const sdk2 = proxySdk(relay);
    await sdk2.waitForInitialization({ timeout: 5 });
    expect(await sdk2.variation('f1', USER, 'default')).toBe('before');
    expect(reads).toEqual([]);

    fake.data.set('flags', flag('f1', 'during-outage', 2));
    upstream.setMode('forward');
    await until(
      async () => (await sdk1.variation('f1', USER, 'x')) === 'during-outage' && (await sdk2.variation('f1', USER, 'x')) === 'during-outage',
      'the change to reach both connected SDKs',
      15_000,
    );
    expect(JSON.parse(String(await redis.command('HGET', 'launchdarkly:features', 'f1')))).toMatchObject({ version: 2, variations: ['during-outage', null] });
    expect(relay.status().environments.test!.connectionStatus.state).toBe('VALID');
    expect(log.has(/upstream stream interrupted/)).toBe(true);
  });
});
