/**
 * The store through a real client while a real redis-server fails: killed with SIGKILL and restarted
 * empty on the same port, or paused with `CLIENT PAUSE`. The client's data comes from the fake flag
 * service's stream, so a patch can arrive during the outage.
 */
import { StoreError } from '@switchyard/core';
import { type FakeItem, startFakeLaunchDarkly, type FakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { init, type LDOptions } from '@switchyard/node-server';
import { type RedisServer, startRedis, waitUntil } from '@switchyard/test-services';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { RedisPersistentStore, redisStore } from '../src/index.js';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const FLAGS = 30;
const user = { kind: 'user', key: 'user-1', plan: 'gold' };

// Connection timeouts far above anything a test waits for: an evaluation that waited on Redis would show
// up as a hang (the test's own timeout), not as a quick error.
const SLOW_TO_FAIL = { commandTimeoutMs: 30_000, connectTimeoutMs: 30_000, reconnectMaxDelayMs: 200 };

function flag(i: number, version = 1, value = `v${i}`) {
  return {
    key: `flag-${i}`,
    version,
    on: true,
    salt: `s${i}`,
    variations: ['off', value, 'rule'],
    offVariation: 0,
    rules: [{ id: 'gold', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['gold'] }], variation: 2 }],
    fallthrough: { variation: 1 },
  };
}
const gold = { key: 'gold', version: 1, included: ['user-99'], rules: [] };

let redis: RedisServer;
let fake: FakeLaunchDarkly;
const clients: ReturnType<typeof init>[] = [];

beforeEach(async () => {
  const flags: Record<string, FakeItem> = {};
  for (let i = 0; i < FLAGS; i++) flags[`flag-${i}`] = flag(i);
  [redis, fake] = await Promise.all([startRedis(), startFakeLaunchDarkly({ data: { flags, segments: { gold } } })]);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all([fake?.close(), redis?.stop()]);
});

async function client(featureStore: LDOptions['featureStore']) {
  const c = init('sdk-key', { baseUri: fake.url, streamUri: fake.url, eventsUri: fake.url, sendEvents: false, logger: quiet, featureStore });
  clients.push(c);
  await c.waitForInitialization({ timeout: 10 });
  return c;
}

async function evaluateAll(c: ReturnType<typeof init>): Promise<unknown[]> {
  return Promise.all(Array.from({ length: FLAGS }, (_, i) => c.variation(`flag-${i}`, user, 'default')));
}
const expected = Array.from({ length: FLAGS }, (_, i) => `v${i}`);

describe('Redis killed with SIGKILL, infinite cache (cacheTtlMs: -1)', () => {
  it('keeps answering, serves a patch received during the outage, and writes everything back when Redis returns empty', async () => {
    const c = await client(redisStore({ url: redis.url, cacheTtlMs: -1, pool: SLOW_TO_FAIL }));
    const statuses: boolean[] = [];
    c.dataStoreStatusProvider.on('change', (s) => statuses.push(s.available));
    expect(await evaluateAll(c)).toEqual(expected);

    await redis.kill();
    expect(await evaluateAll(c)).toEqual(expected);

    // The patch cannot reach Redis; the cache takes it, the store is seen as unavailable.
    fake.stream.patch('flags', flag(0, 2, 'patched'));
    await waitUntil(async () => (await c.variation('flag-0', user, 'default')) === 'patched', { timeoutMs: 5_000, what: 'the patch to be served' });
    await waitUntil(async () => !c.dataStoreStatusProvider.getStatus().available, { timeoutMs: 10_000, what: 'the store to be reported unavailable' });
    expect(await evaluateAll(c)).toEqual(['patched', ...expected.slice(1)]);

    await redis.restart();
    expect(await redis.command('EXISTS', 'launchdarkly:$inited')).toBe(0);
    await waitUntil(async () => c.dataStoreStatusProvider.getStatus().available, { timeoutMs: 10_000, what: 'the store to be available again' });
    await waitUntil(async () => (await redis.command('HLEN', 'launchdarkly:features')) === FLAGS, {
      timeoutMs: 10_000,
      what: 'every flag to be written back',
    });
    expect(await redis.command('EXISTS', 'launchdarkly:$inited')).toBe(1);
    expect(await redis.command('HLEN', 'launchdarkly:segments')).toBe(1);
    expect(JSON.parse(String(await redis.command('HGET', 'launchdarkly:features', 'flag-0')))).toMatchObject({ version: 2, variations: ['off', 'patched', 'rule'] });
    expect(statuses).toEqual([false, true]);

    // And a daemon-mode reader now sees what the flag service said, patch included.
    const reader = init('sdk-key', { useLdd: true, sendEvents: false, logger: quiet, featureStore: redisStore({ url: redis.url, cacheTtlMs: 0 }) });
    clients.push(reader);
    await reader.waitForInitialization({ timeout: 10 });
    expect(await evaluateAll(reader)).toEqual(['patched', ...expected.slice(1)]);
  });
});

describe('Redis killed with SIGKILL, finite cache (cacheTtlMs: 60000)', () => {
  it('keeps serving the flags it has cached', async () => {
    const c = await client(redisStore({ url: redis.url, cacheTtlMs: 60_000, pool: SLOW_TO_FAIL }));
    expect(await evaluateAll(c)).toEqual(expected);
    await redis.kill();
    for (let round = 0; round < 3; round++) expect(await evaluateAll(c)).toEqual(expected);
    // A flag the cache has (read above) through every evaluation path, including allFlagsState.
    expect((await c.allFlagsState(user)).getFlagValue('flag-7')).toBe('v7');
  });
});

describe('Redis paused (CLIENT PAUSE)', () => {
  it('fails a command after commandTimeoutMs with a StoreError instead of hanging, and works again after the pause', async () => {
    // PAUSE ALL holds every client's commands, an admin's UNPAUSE too: the pause simply runs out.
    const store = new RedisPersistentStore({ url: redis.url, pool: { commandTimeoutMs: 300 } });
    try {
      await store.init([{ kind: { namespace: 'features' }, items: [{ key: 'f', item: { version: 1, serializedItem: '{"key":"f","version":1}' } }] }]);
      expect(await redis.command('CLIENT', 'PAUSE', 2_000, 'ALL')).toBe('OK');
      const error = await store.get({ namespace: 'features' }, 'f').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(StoreError.isInstance(error)).toBe(true);
      expect(String((error as Error).message)).toMatch(/timed out/i);
      expect(await store.isStoreAvailable()).toBe(false);
      await waitUntil(() => store.isStoreAvailable(), { timeoutMs: 10_000, what: 'the store to answer after the pause' });
      expect((await store.get({ namespace: 'features' }, 'f'))?.serializedItem).toBe('{"key":"f","version":1}');
    } finally {
      await store.close();
    }
  });
});

describe('data store status', () => {
  it('goes unavailable when Redis dies and available when it returns (no cache: every read goes to Redis)', async () => {
    const c = await client(redisStore({ url: redis.url, cacheTtlMs: 0, pool: { reconnectMaxDelayMs: 200 } }));
    const statuses: boolean[] = [];
    c.dataStoreStatusProvider.on('change', (s) => statuses.push(s.available));
    expect(c.dataStoreStatusProvider.getStatus().available).toBe(true);
    await redis.kill();
    // No cache: the evaluation fails fast (no offline queue) and answers the default with an error reason.
    const detail = await c.variationDetail('flag-1', user, 'default');
    expect(detail.value).toBe('default');
    expect(detail.reason).toMatchObject({ kind: 'ERROR' });
    await waitUntil(async () => statuses.includes(false), { timeoutMs: 10_000, what: 'status unavailable' });
    await redis.restart();
    await waitUntil(async () => c.dataStoreStatusProvider.getStatus().available, { timeoutMs: 10_000, what: 'status available' });
    expect(statuses).toEqual([false, true]);
    // The store came back empty and nothing was cached: the data source is asked to refresh (needsRefresh).
    await waitUntil(async () => (await c.variation('flag-1', user, 'default')) === 'v1', { timeoutMs: 10_000, what: 'flags to be served again' });
  });
});
