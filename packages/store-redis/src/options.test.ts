import { ConfigError } from '@switchyard/core';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

import { fromLaunchDarkly } from './factories.js';
import { RedisKeys } from './keys.js';
import { type RedisStoreOptions, redactUrl, redisStoreDefaults, resolveRedisOptions } from './options.js';
import { clientOptionsFor, poolFor } from './pool.js';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

describe('defaults', () => {
  it('are LaunchDarkly’s where it has one, with a bounded pool, and frozen', () => {
    expect(redisStoreDefaults).toMatchObject({ prefix: 'launchdarkly', maxItemBytes: 409_600, cacheTtlMs: 30_000, url: 'redis://127.0.0.1:6379' });
    expect(redisStoreDefaults.pool).toMatchObject({ maxConnections: 4, minIdle: 1, acquireTimeoutMs: 5_000, commandTimeoutMs: 2_000, connectTimeoutMs: 5_000 });
    expect(Object.isFrozen(redisStoreDefaults)).toBe(true);
    expect(Object.isFrozen(redisStoreDefaults.pool)).toBe(true);
  });

  it('apply when an option is left out', () => {
    const resolved = resolveRedisOptions({});
    expect(resolved).toMatchObject({ prefix: 'launchdarkly', hashTag: false, cacheTtlMs: 30_000, maxUpsertAttempts: 10 });
    expect(resolved.pool).toEqual(redisStoreDefaults.pool);
  });

  it('keeps a negative or zero cacheTtlMs (forever, none) and Infinity', () => {
    expect(resolveRedisOptions({ cacheTtlMs: -1 }).cacheTtlMs).toBe(-1);
    expect(resolveRedisOptions({ cacheTtlMs: 0 }).cacheTtlMs).toBe(0);
    expect(resolveRedisOptions({ cacheTtlMs: Infinity }).cacheTtlMs).toBe(Infinity);
  });
});

describe('invalid options are a ConfigError naming the option', () => {
  const cases: [string, unknown, RegExp][] = [
    ['maxConnections 0', { pool: { maxConnections: 0 } }, /pool\.maxConnections must be an integer of at least 1 \(got 0\)/],
    ['maxConnections 2.5', { pool: { maxConnections: 2.5 } }, /pool\.maxConnections/],
    ['maxConnections as a string', { pool: { maxConnections: '4' } }, /pool\.maxConnections .*got "4"/],
    ['minIdle above maxConnections', { pool: { maxConnections: 2, minIdle: 3 } }, /pool\.minIdle \(3\) must not exceed pool\.maxConnections \(2\)/],
    ['a negative timeout', { pool: { commandTimeoutMs: -5 } }, /pool\.commandTimeoutMs must be a positive number of milliseconds/],
    ['acquireTimeoutMs NaN', { pool: { acquireTimeoutMs: Number.NaN } }, /pool\.acquireTimeoutMs/],
    ['connectTimeoutMs 0', { pool: { connectTimeoutMs: 0 } }, /pool\.connectTimeoutMs/],
    ['reconnect max below min', { pool: { reconnectMinDelayMs: 500, reconnectMaxDelayMs: 100 } }, /pool\.reconnectMaxDelayMs \(100\) must not be below/],
    ['a connection name with a space', { pool: { connectionName: 'my app' } }, /pool\.connectionName must be a non-empty string without spaces/],
    ['an empty prefix', { prefix: '' }, /option prefix must be a non-empty string/],
    ['hashTag on a prefix with a brace', { prefix: '{x}', hashTag: true }, /hashTag cannot wrap prefix/],
    ['hashTag not a boolean', { hashTag: 'yes' }, /hashTag must be a boolean/],
    ['cacheTtlMs NaN', { cacheTtlMs: Number.NaN }, /cacheTtlMs must be a number of milliseconds/],
    ['cacheTtlMs a string', { cacheTtlMs: '30s' }, /cacheTtlMs/],
    ['maxItemBytes 0', { maxItemBytes: 0 }, /maxItemBytes must be a positive number of bytes/],
    ['an http url', { url: 'http://redis:6379' }, /url must start with redis:\/\/ or rediss:\/\//],
    ['url and client', { url: 'redis://x', client: new Redis({ lazyConnect: true }) }, /url cannot be combined with client/],
    ['client and sentinels', { client: new Redis({ lazyConnect: true }), sentinels: [{ host: 'a', port: 1 }], name: 'm' }, /client cannot be combined with sentinels/],
    ['a client that is not ioredis', { client: { get: () => 1 } }, /client must be an ioredis Redis or Cluster instance/],
    ['sentinels without name', { sentinels: [{ host: 'a', port: 26379 }] }, /name is required with sentinels/],
    ['empty sentinels', { sentinels: [], name: 'm' }, /sentinels must be a non-empty array/],
    ['empty clusterNodes', { clusterNodes: [] }, /clusterNodes must be a non-empty array/],
    ['maxUpsertAttempts 0', { maxUpsertAttempts: 0 }, /maxUpsertAttempts must be an integer of at least 1/],
    ['not an object', 'redis://x', /must be an object/],
  ];
  it.each(cases)('%s', (_, options, message) => {
    let thrown: unknown;
    try {
      resolveRedisOptions(options as RedisStoreOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).toMatch(/^\[switchyard\/store-redis\]/);
  });
});

describe('the options a pooled connection is opened with', () => {
  it('override what would make the store hang or queue while Redis is down, and name the connection', () => {
    const options = clientOptionsFor(
      resolveRedisOptions({
        url: 'redis://127.0.0.1:6390/2',
        redisOptions: { enableOfflineQueue: true, maxRetriesPerRequest: 20, keyPrefix: 'ignored?', password: 'pw' },
        pool: { commandTimeoutMs: 750, connectTimeoutMs: 1_500, connectionName: 'checkout-api' },
      }),
    );
    expect(options).toMatchObject({
      host: '127.0.0.1',
      port: 6390,
      db: 2,
      password: 'pw',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 750,
      connectTimeout: 1_500,
      connectionName: 'checkout-api',
      lazyConnect: true,
    });
    expect(typeof options.retryStrategy).toBe('function');
  });

  it('keep TLS for rediss://, with the user’s tls settings (a custom CA) passed through', () => {
    expect(clientOptionsFor(resolveRedisOptions({ url: 'rediss://cache.internal:6380' })).tls).toBeTruthy();
    const tls = clientOptionsFor(resolveRedisOptions({ url: 'rediss://cache.internal:6380', redisOptions: { tls: { ca: 'PEM', servername: 'cache' } } })).tls;
    expect(tls).toMatchObject({ ca: 'PEM', servername: 'cache' });
    expect(clientOptionsFor(resolveRedisOptions({ url: 'redis://cache.internal:6380' })).tls).toBeUndefined();
  });

  it('ask the sentinels for the named master', () => {
    const options = clientOptionsFor(resolveRedisOptions({ sentinels: [{ host: '10.0.0.1', port: 26379 }], name: 'flags' }));
    expect(options).toMatchObject({ sentinels: [{ host: '10.0.0.1', port: 26379 }], name: 'flags', enableOfflineQueue: false });
  });

  it('back off between reconnects, doubling with jitter up to the maximum', () => {
    const retry = clientOptionsFor(resolveRedisOptions({ pool: { reconnectMinDelayMs: 100, reconnectMaxDelayMs: 1_000 } })).retryStrategy!;
    for (let times = 1; times < 30; times++) {
      const step = Math.min(1_000, 100 * 2 ** (times - 1));
      const delay = Number(retry(times));
      expect(delay).toBeGreaterThanOrEqual(step / 2);
      expect(delay).toBeLessThanOrEqual(step);
    }
  });
});

describe('LaunchDarkly’s option shape', () => {
  it('maps redisOpts, prefix and cacheTTL in seconds (default 30, 0 none, negative forever)', () => {
    expect(fromLaunchDarkly({ redisOpts: { port: 6390 }, prefix: 'ld', cacheTTL: 15 })).toEqual({ redisOptions: { port: 6390 }, prefix: 'ld', cacheTtlMs: 15_000 });
    expect(fromLaunchDarkly({}).cacheTtlMs).toBe(30_000);
    expect(fromLaunchDarkly({ cacheTTL: null }).cacheTtlMs).toBe(30_000);
    expect(fromLaunchDarkly({ cacheTTL: 0 }).cacheTtlMs).toBe(0);
    expect(fromLaunchDarkly({ cacheTTL: -1 }).cacheTtlMs).toBeLessThan(0);
  });
});

describe('key layout', () => {
  it('is LaunchDarkly’s, and with hashTag puts the prefix in braces', () => {
    const keys = new RedisKeys('launchdarkly', false);
    expect([keys.items('features'), keys.items('segments'), keys.inited]).toEqual(['launchdarkly:features', 'launchdarkly:segments', 'launchdarkly:$inited']);
    expect(keys.bigSegmentInclude('abc=')).toBe('launchdarkly:big_segment_include:abc=');
    expect(keys.bigSegmentsSynchronizedOn).toBe('launchdarkly:big_segments_synchronized_on');
    expect(new RedisKeys('prod', true).items('features')).toBe('{prod}:features');
  });

  it('escapes glob characters of the prefix in its SCAN pattern', () => {
    expect(new RedisKeys('my:app*[x]?', false).scanPattern).toBe('my:app\\*\\[x\\]\\?:*');
  });
});

describe('pools', () => {
  it('share one pool between stores given the same borrowed client, and a new one once that is closed', async () => {
    const client = new Redis({ lazyConnect: true });
    const options = resolveRedisOptions({ client });
    const first = poolFor(options, quiet);
    expect(poolFor(options, quiet)).toBe(first);
    expect(poolFor(resolveRedisOptions({ client: new Redis({ lazyConnect: true }) }), quiet)).not.toBe(first);
    await first.close();
    expect(poolFor(options, quiet)).not.toBe(first);
    expect(client.status).toBe('wait');
  });
});

it('redacts credentials from a URL before it is shown', () => {
  expect(redactUrl('redis://user:s3cret@cache:6379/1')).toBe('redis://cache:6379/1');
  expect(redactUrl('not a url')).toBe('(unparsable url)');
});
