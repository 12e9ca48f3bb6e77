/**
 * The store on the other ways users reach Redis: through a real redis-sentinel (conformance, then a
 * failover), and over TLS (`rediss://`) against redis-server's TLS port with a certificate made here.
 */
import { StoreError } from '@switchyard/core';
import { runPersistentStoreConformance, type CompleteConformanceHarness } from '@switchyard/store-conformance';
import {
  createTestCertificate,
  type RedisSentinelSetup,
  type RedisServer,
  startRedis,
  startRedisSentinel,
  type TestCertificate,
  waitUntil,
} from '@switchyard/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RedisPersistentStore } from '../src/redis-store.js';
import type { RedisStoreOptions } from '../src/options.js';
import { clearPrefix, unreachableStore } from './support.js';

let sentinel: RedisSentinelSetup;
let cert: TestCertificate;
let tlsServer: RedisServer;

beforeAll(async () => {
  [sentinel, cert] = await Promise.all([startRedisSentinel({ masterName: 'flags' }), createTestCertificate()]);
  tlsServer = await startRedis({ tls: cert });
}, 60_000);

afterAll(async () => {
  await Promise.all([sentinel?.stop(), tlsServer?.stop()]);
  cert?.remove();
});

function harness(name: string, options: () => RedisStoreOptions, server: () => RedisServer): CompleteConformanceHarness<RedisPersistentStore> {
  return {
    name,
    requireAllHooks: true,
    manyItems: 1_000,
    createStore: (prefix) => new RedisPersistentStore({ ...options(), ...(prefix === undefined ? {} : { prefix }) }),
    clearData: (prefix) => clearPrefix([server()], prefix),
    createFailingStore: unreachableStore,
    setConcurrentModificationHook: (store, hook) => store.setBeforeUpsertWriteHook(hook),
  };
}

const viaSentinel = (): RedisStoreOptions => ({ sentinels: sentinel.sentinels, name: sentinel.masterName });
const viaTls = (): RedisStoreOptions => ({ url: tlsServer.tls!.url, redisOptions: { tls: { ca: cert.certPem, servername: 'localhost' } } });

runPersistentStoreConformance(harness('redis via sentinel', viaSentinel, () => sentinel.master));
runPersistentStoreConformance(harness('redis over TLS (rediss://)', viaTls, () => tlsServer));

const flag = (key: string, version: number) => ({ version, serializedItem: JSON.stringify({ key, version, on: true }) });
const FEATURES = { namespace: 'features' };

describe('TLS', () => {
  it('keeps TLS for rediss://: a server certificate the client does not trust is refused with a StoreError', async () => {
    const store = new RedisPersistentStore({ url: tlsServer.tls!.url, pool: { connectTimeoutMs: 2_000, reconnectMaxDelayMs: 200 } });
    try {
      const error = await store.init([]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(StoreError.isInstance(error)).toBe(true);
      expect(String((error as Error).message)).toMatch(/self.signed|certificate/i);
    } finally {
      await store.close();
    }
  });

  it('writes over TLS what a plain connection to the same server reads back', async () => {
    const store = new RedisPersistentStore({ ...viaTls(), prefix: 'tls-check' });
    try {
      await store.init([{ kind: FEATURES, items: [{ key: 'f', item: flag('f', 3) }] }]);
      expect(await tlsServer.command('HGET', 'tls-check:features', 'f')).toBe(flag('f', 3).serializedItem);
    } finally {
      await store.close();
    }
  });
});

describe('Sentinel failover', () => {
  it('follows the sentinels to the promoted replica and keeps reading and writing there', async () => {
    const store = new RedisPersistentStore({ ...viaSentinel(), prefix: 'failover', pool: { reconnectMaxDelayMs: 200 } });
    try {
      await store.init([{ kind: FEATURES, items: [{ key: 'f', item: flag('f', 1) }] }]);
      // The replica has the data before the failover (replication is asynchronous).
      await waitUntil(async () => (await sentinel.replicas[0]!.command('HGET', 'failover:features', 'f')) !== null, {
        timeoutMs: 10_000,
        what: 'the replica to have the flag',
      });
      const promoted = await sentinel.failover();
      expect(promoted.port).toBe(sentinel.replicas[0]!.port);

      // The old master drops its clients when it becomes a replica; the store reconnects through the sentinels.
      let upserted: boolean | undefined;
      await waitUntil(
        async () => {
          upserted = (await store.upsert(FEATURES, 'f', flag('f', 2))).updated;
          return true;
        },
        { timeoutMs: 20_000, what: 'an upsert to succeed on the promoted master' },
      );
      expect(upserted).toBe(true);
      expect(await sentinel.replicas[0]!.command('HGET', 'failover:features', 'f')).toBe(flag('f', 2).serializedItem);
      expect((await store.get(FEATURES, 'f'))?.serializedItem).toBe(flag('f', 2).serializedItem);
    } finally {
      await store.close();
    }
  });
});
