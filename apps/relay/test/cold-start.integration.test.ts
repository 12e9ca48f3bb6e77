// Behaviour 3 (LaunchDarkly's "Persistent Store during LaunchDarkly Outage - Cold Relay"): a relay that
// starts while the flag service is unreachable answers 503 until initTimeout has passed, then serves what
// the persistent store holds, and keeps trying upstream.
import { afterEach, describe, expect, it } from 'vitest';

import type { DataSourceErrorInfo } from '@switchyard/node-server';
import { startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { startFaultProxy, startRedis } from '@switchyard/test-services';

import { USER, closeAll, flag, later, proxySdk, startTestRelay, status, until } from './helpers.js';

afterEach(closeAll);

describe('cold start during a flag-service outage', () => {
  it('answers 503 before initTimeout and serves the store after it', async () => {
    const redis = later(await startRedis(), (r) => r.stop());
    // What an earlier relay left in Redis (LaunchDarkly's layout).
    await redis.command('HSET', 'launchdarkly:features', 'f1', JSON.stringify(flag('f1', 'stored', 3)));
    await redis.command('SET', 'launchdarkly:$inited', '');
    const fake = later(await startFakeLaunchDarkly({ data: { flags: { f1: flag('f1', 'fresh', 4) }, segments: {} } }), (f) => f.close());
    const upstream = later(await startFaultProxy({ target: { port: fake.server.port } }), (p) => p.stop());
    upstream.setMode('refuse');
    const url = `http://127.0.0.1:${upstream.port}`;

    const { relay, log } = await startTestRelay(url, { type: 'redis', url: redis.url }, { initTimeoutMs: 1500, cacheTtlMs: 30_000 });
    expect(await status(relay.url, '/all')).toBe(503);
    expect(await status(relay.url, '/sdk/latest-all')).toBe(503);
    expect(relay.status().status).toBe('degraded');

    const errors: DataSourceErrorInfo[] = [];
    const sdk = proxySdk(relay);
    sdk.dataSourceStatusProvider.on('change', (s) => {
      if (s.lastError) errors.push(s.lastError);
    });
    await sdk.waitForInitialization({ timeout: 10 });
    expect(errors.some((e) => e.statusCode === 503)).toBe(true);
    expect(await sdk.variation('f1', USER, 'default')).toBe('stored');
    expect(relay.status().environments.test!.serving).toBe('store-only');
    expect(log.has(/state store-only: no upstream data within initTimeout/)).toBe(true);
    expect(fake.stream.connectionCount).toBe(0);

    // Upstream comes back: the relay connects, stores the fresh data and passes it on.
    upstream.setMode('forward');
    await until(async () => (await sdk.variation('f1', USER, 'default')) === 'fresh', 'the fresh flag to reach the SDK', 15_000);
    expect(JSON.parse(String(await redis.command('HGET', 'launchdarkly:features', 'f1')))).toMatchObject({ version: 4 });
    expect(relay.status().environments.test!.serving).toBe('upstream');
  });

  it('keeps answering 503 after initTimeout when the store was never initialized', async () => {
    const redis = later(await startRedis(), (r) => r.stop());
    const fake = later(await startFakeLaunchDarkly(), (f) => f.close());
    const upstream = later(await startFaultProxy({ target: { port: fake.server.port } }), (p) => p.stop());
    upstream.setMode('refuse');
    const { relay, log } = await startTestRelay(`http://127.0.0.1:${upstream.port}`, { type: 'redis', url: redis.url }, { initTimeoutMs: 500 });
    await until(() => log.has(/persistent store is not initialized/), 'the relay to give up waiting');
    expect(await status(relay.url, '/all')).toBe(503);
  });
});
