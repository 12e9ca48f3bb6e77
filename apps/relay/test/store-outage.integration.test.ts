// Behaviour 2 (LaunchDarkly's "Persistent Store outage with 30 second TTL", here 1 s): with the store down
// and the TTL expired a new SDK gets 503 and retries with backoff; once the store is back the relay
// writes all data to it and the SDK is served.
import { afterEach, describe, expect, it } from 'vitest';

import type { DataSourceErrorInfo } from '@switchyard/node-server';
import { startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { startRedis } from '@switchyard/test-services';

import { USER, closeAll, flag, later, proxySdk, sleep, startTestRelay, status, until } from './helpers.js';

afterEach(closeAll);

describe('persistent store outage', () => {
  it('answers 503 while the store is down and the TTL expired, then rewrites the store and serves the SDK', async () => {
    const TTL = 1000;
    const redis = later(await startRedis(), (r) => r.stop());
    const flags = { f1: flag('f1', 'one'), f2: flag('f2', 'two'), f3: flag('f3', 'three') };
    const fake = later(await startFakeLaunchDarkly({ data: { flags, segments: { s1: { key: 's1', version: 1, included: ['u9'], excluded: [], rules: [], salt: 's' } } } }), (f) => f.close());
    const { relay, log } = await startTestRelay(fake.url, { type: 'redis', url: redis.url }, { cacheTtlMs: TTL });
    await until(() => relay.status().environments.test!.serving === 'upstream', 'the relay to be connected upstream');
    const sdk1 = proxySdk(relay);
    await sdk1.waitForInitialization({ timeout: 5 });

    await redis.kill(); // abrupt, and it comes back empty
    await sleep(TTL);
    // Once the TTL (counted from the relay's last store write) has run out, a new connection is refused.
    await until(async () => (await status(relay.url, '/all')) === 503, 'a new SDK connection to be refused');
    await until(() => relay.status().environments.test!.dataStoreStatus.available === false, 'the relay to see the store down');
    expect(relay.status().status).toBe('degraded');

    const errors: DataSourceErrorInfo[] = [];
    const sdk2 = proxySdk(relay);
    sdk2.dataSourceStatusProvider.on('change', (s) => {
      if (s.lastError) errors.push(s.lastError);
    });
    await until(() => errors.filter((e) => e.statusCode === 503).length >= 2, 'the SDK to be refused twice (backoff and retry)');
    expect(sdk2.initialized()).toBe(false);
    expect(await sdk1.variation('f1', USER, 'default')).toBe('one'); // a connected SDK keeps its data

    // The refresh the relay asks for on recovery is answered slowly, so there is a window in which Redis is
    // back but still empty: the relay must not serve that emptiness.
    fake.stream.nextConnections({ kind: 'serve', delayMs: 1500 });
    await redis.restart();
    await until(() => relay.status().environments.test!.dataStoreStatus.available, 'the relay to see the store back');
    expect(await redis.command('EXISTS', 'launchdarkly:$inited')).toBe(0);
    expect(await status(relay.url, '/sdk/latest-all')).toBe(503);
    await sdk2.waitForInitialization({ timeout: 15 });
    for (const [key, f] of Object.entries(flags)) expect(await sdk2.variation(key, USER, 'default')).toBe(f.variations[0]);
    // All data was written to the (empty) store again.
    expect(((await redis.command('HKEYS', 'launchdarkly:features')) as string[]).sort()).toEqual(['f1', 'f2', 'f3']);
    expect(await redis.command('HKEYS', 'launchdarkly:segments')).toEqual(['s1']);
    expect(await redis.command('EXISTS', 'launchdarkly:$inited')).toBe(1);
    expect(relay.status().environments.test!.dataStoreStatus.available).toBe(true);
    expect(log.has(/persistent store \(redis\) unavailable/)).toBe(true);
    expect(log.has(/persistent store \(redis\) available again/)).toBe(true);
  });

  it('with a negative CACHE_TTL serves through the outage, passes on updates, and writes the cache back', async () => {
    const redis = later(await startRedis(), (r) => r.stop());
    const fake = later(await startFakeLaunchDarkly({ data: { flags: { f1: flag('f1', 'one'), f2: flag('f2', 'two') }, segments: {} } }), (f) => f.close());
    const { relay, log } = await startTestRelay(fake.url, { type: 'redis', url: redis.url }, { cacheTtlMs: -1 });
    await until(() => relay.status().environments.test!.serving === 'upstream', 'the relay to be connected upstream');
    const sdk1 = proxySdk(relay);
    await sdk1.waitForInitialization({ timeout: 5 });

    await redis.kill();
    await until(() => !relay.status().environments.test!.dataStoreStatus.available, 'the relay to see the store down');
    const sdk2 = proxySdk(relay);
    await sdk2.waitForInitialization({ timeout: 5 });
    expect(await sdk2.variation('f2', USER, 'default')).toBe('two');

    fake.stream.patch('flags', flag('f1', 'changed-during-outage', 2));
    await until(async () => (await sdk2.variation('f1', USER, 'x')) === 'changed-during-outage', 'the update to reach the SDK during the outage');

    await redis.restart();
    await until(async () => (await redis.command('EXISTS', 'launchdarkly:$inited')) === 1, 'the cache to be written back');
    expect(JSON.parse(String(await redis.command('HGET', 'launchdarkly:features', 'f1')))).toMatchObject({ version: 2 });
    expect(await redis.command('HEXISTS', 'launchdarkly:features', 'f2')).toBe(1);
    expect(await status(relay.url, '/all')).toBe(200);
    expect(log.has(/available again; the cached data was written back/)).toBe(true);
  });
});
