/**
 * The pool limit seen from Redis's side: a real client (node-server) evaluating 1,000 flags at once with
 * no cache, while the flag service streams patches the store must write, and an admin connection reading
 * `CLIENT LIST` every few milliseconds. The limit is honored when the server never sees more than
 * `maxConnections` of our connections, every evaluation answers, and none remain after `close()`.
 */
import { createHash } from 'node:crypto';

import { type FakeItem, startFakeLaunchDarkly, type FakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { init, type LDOptions } from '@switchyard/node-server';
import { type RedisServer, startRedis, waitUntil } from '@switchyard/test-services';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { StoreError, TimeoutError } from '@switchyard/core';

import { RedisBigSegmentStoreImpl, RedisPersistentStore, redisStore, redisStores } from '../src/index.js';
import { ok } from './support.js';

const MAX = 4;
const EVALUATIONS = 1_000;
// Many flags, so the concurrent reads are mostly of different items (the wrapper coalesces identical ones).
const FLAGS = 500;
const ROUNDS = 8;
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

let redis: RedisServer;
let admin: Redis;
let fake: FakeLaunchDarkly;

function flag(i: number, version = 1) {
  return {
    key: `flag-${i}`,
    version,
    on: true,
    salt: `salt-${i}`,
    variations: ['off', 'member', 'rolled-a', 'rolled-b', `v${version}`],
    offVariation: 0,
    prerequisites: [{ key: 'kill-switch', variation: 1 }],
    rules: [
      { id: 'seg', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['regular'] }], variation: 1 },
      { id: 'big', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['big'] }], variation: 1 },
    ],
    fallthrough: { rollout: { variations: [{ variation: 2, weight: 50_000 }, { variation: 3, weight: 50_000 }] } },
  };
}

const killSwitch = { key: 'kill-switch', version: 1, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 }, salt: 'k' };
const regular = { key: 'regular', version: 1, included: ['user-1', 'user-2', 'user-3'], rules: [] };
const big = { key: 'big', version: 1, unbounded: true, generation: 1, included: [], excluded: [], rules: [] };

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url, { connectionName: 'test-admin', lazyConnect: true });
  await admin.connect();
  const flags: Record<string, FakeItem> = { 'kill-switch': killSwitch };
  for (let i = 0; i < FLAGS; i++) flags[`flag-${i}`] = flag(i);
  fake = await startFakeLaunchDarkly({ data: { flags, segments: { regular, big } } });
});

afterAll(async () => {
  admin?.disconnect();
  await fake?.close();
  await redis?.stop();
});

/**
 * Our connections as Redis lists them. This Redis serves only the store under test (and the admin
 * connection, left out), so every other normal connection is ours: `total` counts them all, including one
 * just accepted that has not sent `CLIENT SETNAME` yet (`name=` empty, `cmd=NULL`). `named` counts those
 * carrying our name; `anonymous` those that ran a command without a name (there must be none).
 */
async function connections(name: string): Promise<{ total: number; named: number; anonymous: number }> {
  const list = String(await admin.client('LIST'));
  const lines = list.split('\n').filter((line) => line.includes(' cmd=') && !line.includes(' name=test-admin '));
  return {
    total: lines.length,
    named: lines.filter((line) => line.includes(` name=${name} `)).length,
    anonymous: lines.filter((line) => line.includes(' name= ') && !line.includes(' cmd=NULL ')).length,
  };
}

/** Reads CLIENT LIST every 2 ms until stopped; keeps the highest counts seen. */
function sampler(name: string) {
  let running = true;
  let samples = 0;
  let maxTotal = 0;
  let maxNamed = 0;
  let maxAnonymous = 0;
  const done = (async () => {
    while (running) {
      const seen = await connections(name);
      samples++;
      maxTotal = Math.max(maxTotal, seen.total);
      maxNamed = Math.max(maxNamed, seen.named);
      maxAnonymous = Math.max(maxAnonymous, seen.anonymous);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { samples, maxTotal, maxNamed, maxAnonymous };
    },
  };
}

/** How many HGETs Redis has served (every uncached flag or segment read is one). */
async function hgetCalls(): Promise<number> {
  const stats = String(await admin.info('commandstats'));
  return Number(/cmdstat_hget:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

/** The sampler saw our connections, never more than the limit, none unnamed; after `close()` none remain. */
async function expectWithinLimitThenClosed(
  seen: Awaited<ReturnType<ReturnType<typeof sampler>['stop']>>,
  name: string,
  close: () => Promise<void>,
): Promise<void> {
  expect(seen.samples).toBeGreaterThan(10);
  expect(seen.maxNamed).toBeGreaterThanOrEqual(1);
  expect(seen.maxTotal).toBeLessThanOrEqual(MAX);
  expect(seen.maxAnonymous).toBe(0);
  await close();
  await waitUntil(async () => (await connections(name)).named === 0, { timeoutMs: 3_000, what: 'our connections to close' });
}

function sdkOptions(extra: LDOptions): LDOptions {
  return { baseUri: fake.url, streamUri: fake.url, eventsUri: fake.url, sendEvents: false, logger: quiet, ...extra };
}

/** 1,000 evaluations started together, over distinct contexts and every flag, in several rounds, while patches stream in. */
async function burst(client: ReturnType<typeof init>, rounds: number) {
  const results: { value: unknown; kind: string }[] = [];
  let version = 1;
  let patches = 0;
  const patcher = setInterval(() => {
    version++;
    patches++;
    fake.stream.patch('flags', flag(version % FLAGS, version));
  }, 3);
  try {
    for (let round = 0; round < rounds; round++) {
      const details = await Promise.all(
        Array.from({ length: EVALUATIONS }, (_, i) =>
          client.variationDetail(`flag-${i % FLAGS}`, { kind: 'user', key: `user-${round * EVALUATIONS + i}` }, 'default'),
        ),
      );
      results.push(...details.map((d) => ({ value: d.value, kind: d.reason.kind })));
    }
  } finally {
    clearInterval(patcher);
  }
  return { results, patches, lastVersion: version };
}

describe(`pool limit (maxConnections: ${MAX}) from Redis's side`, () => {
  it('never exceeds the limit under 1,000 concurrent uncached evaluations while patches are written, and closes every connection', async () => {
    const name = 'pool-proof-flags';
    const client = init('sdk-key', sdkOptions({ featureStore: redisStore({ url: redis.url, cacheTtlMs: 0, pool: { maxConnections: MAX, connectionName: name } }) }));
    await client.waitForInitialization({ timeout: 10 });
    const watch = sampler(name);
    const hgetsBefore = await hgetCalls();
    const { results, patches, lastVersion } = await burst(client, ROUNDS);
    // Uncached: each round read every flag from Redis (identical concurrent reads are coalesced).
    expect((await hgetCalls()) - hgetsBefore).toBeGreaterThanOrEqual(ROUNDS * FLAGS);
    // Let the last patches reach Redis, then check they were all written.
    const last = `flag-${lastVersion % FLAGS}`;
    await waitUntil(async () => JSON.parse(String(await admin.hget('launchdarkly:features', last))).version === lastVersion, {
      timeoutMs: 5_000,
      what: `the last patch (${last} v${lastVersion}) to be written`,
    });
    const seen = await watch.stop();

    expect(results).toHaveLength(ROUNDS * EVALUATIONS);
    expect(results.filter((r) => r.kind === 'ERROR')).toEqual([]);
    expect(results.filter((r) => r.value === 'default')).toEqual([]);
    expect(results.filter((r) => r.value === 'member').length).toBeGreaterThan(0);
    expect(patches).toBeGreaterThan(10);
    await expectWithinLimitThenClosed(seen, name, () => client.close());
  });

  it('holds the same limit for the feature store and the big-segment store together (redisStores)', async () => {
    const name = 'pool-proof-shared';
    // Membership of half the contexts in the big segment "big" (generation 1), and a fresh sync time.
    const hash = (key: string) => createHash('sha256').update(key).digest('base64');
    const members = Array.from({ length: ROUNDS * EVALUATIONS }, (_, i) => `user-${i}`).filter((_, i) => i % 2 === 0);
    const pipeline = admin.pipeline();
    for (const key of members) pipeline.sadd(`launchdarkly:big_segment_include:${hash(key)}`, 'big.g1');
    pipeline.set('launchdarkly:big_segments_synchronized_on', String(Date.now()));
    for (const [error] of (await pipeline.exec()) ?? []) expect(error).toBeNull();

    const stores = redisStores({ url: redis.url, cacheTtlMs: 0, pool: { maxConnections: MAX, connectionName: name } });
    const client = init(
      'sdk-key',
      sdkOptions({ featureStore: stores.featureStore, bigSegments: { store: stores.bigSegmentStore, userCacheSize: 1 } }),
    );
    await client.waitForInitialization({ timeout: 10 });
    const watch = sampler(name);
    const { results } = await burst(client, ROUNDS);
    const seen = await watch.stop();

    expect(results.filter((r) => r.kind === 'ERROR')).toEqual([]);
    // Contexts user-0, user-2, … are in the big segment (rule "big"), apart from the regular segment's members.
    const bigMembers = results.filter((r, i) => i % 2 === 0 && r.value === 'member').length;
    expect(bigMembers).toBe((ROUNDS * EVALUATIONS) / 2);
    await expectWithinLimitThenClosed(seen, name, () => client.close());
    ok(await redis.command('PING'));
  });
});

describe('transactions and the pool', () => {
  const FEATURES = { namespace: 'features' };
  const item = (key: string, version: number) => ({ version, serializedItem: JSON.stringify({ key, version }) });

  it('gives a WATCH transaction its own connection until EXEC; with the pool full the next one waits, then fails with a typed timeout', async () => {
    const store = new RedisPersistentStore({ url: redis.url, prefix: 'acquire', pool: { maxConnections: 1, acquireTimeoutMs: 300 } });
    const other = new RedisPersistentStore({ url: redis.url, prefix: 'acquire' });
    try {
      await store.init([{ kind: FEATURES, items: [{ key: 'a', item: item('a', 1) }] }]);
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => {
        entered = resolve;
      });
      store.setBeforeUpsertWriteHook(async () => {
        entered();
        await held;
      });
      const first = store.upsert(FEATURES, 'a', item('a', 2));
      await inside;
      expect(store.poolStats()).toMatchObject({ connections: 1, transactions: 1 });

      // Reads share the connection (pipelined) and are not held up by the transaction.
      expect((await store.get(FEATURES, 'a'))?.serializedItem).toBe(item('a', 1).serializedItem);

      // A second transaction has no connection to own: it waits acquireTimeoutMs, then fails.
      store.setBeforeUpsertWriteHook(undefined);
      const error = await store.upsert(FEATURES, 'b', item('b', 1)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(StoreError.isInstance(error)).toBe(true);
      expect((error as StoreError).operation).toBe('upsert');
      expect(TimeoutError.isInstance((error as Error).cause)).toBe(true);
      expect(String((error as Error).message)).toMatch(/pool\.acquireTimeoutMs/);

      // One that waits while the first finishes gets the connection.
      const waiting = store.upsert(FEATURES, 'c', item('c', 1));
      expect(store.poolStats().waiting).toBe(1);
      release();
      expect(await first).toEqual({ updated: true });
      expect(await waiting).toEqual({ updated: true });
      expect(store.poolStats()).toMatchObject({ connections: 1, transactions: 0, waiting: 0 });
      expect((await other.get(FEATURES, 'a'))?.serializedItem).toBe(item('a', 2).serializedItem);
      expect(await other.get(FEATURES, 'b')).toBeUndefined();
    } finally {
      await Promise.all([store.close(), other.close()]);
    }
  });

  it('shares one pool between stores given the same borrowed client, and never closes that client', async () => {
    const borrowed = new Redis(redis.url, { connectionName: 'borrowed' });
    const feature = new RedisPersistentStore({ client: borrowed, prefix: 'borrowed' });
    const segments = new RedisBigSegmentStoreImpl({ client: borrowed, prefix: 'borrowed' });
    try {
      await feature.init([]);
      expect(await segments.getMetadata()).toEqual({});
      expect(feature.poolStats().connections).toBe(1);
      expect(segments.poolStats()).toEqual(feature.poolStats());
      await Promise.all([feature.close(), segments.close()]);
      expect(await borrowed.ping()).toBe('PONG');
    } finally {
      borrowed.disconnect();
    }
  });
});

describe('a burst on a connection that is still opening', () => {
  it('waits once for the connect, whatever the number of commands (no listener leak warning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const store = new RedisPersistentStore({ url: redis.url, prefix: 'burst', pool: { minIdle: 0 } });
    try {
      const reads = await Promise.all(Array.from({ length: 200 }, (_, i) => store.get({ namespace: 'features' }, `k${i}`)));
      expect(reads.every((r) => r === undefined)).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await store.close();
    }
  });
});
