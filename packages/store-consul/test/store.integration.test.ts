/**
 * What the emulator can show and a real agent cannot be made to do on demand: connections counted from
 * the server's side, transactions counted, ACL answers, injected failures and latency.
 */
import { type ConsulEmulator, startConsulEmulator } from '@switchyard/consul-kv-emulator';
import { type SerializedItem } from '@switchyard/core';
import { waitUntil } from '@switchyard/test-services';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ConsulPersistentStore, type ConsulStoreOptions, ConsulStoreError } from '../src/index.js';

const features = { namespace: 'features' };
const segments = { namespace: 'segments' };
const flagJson = (key: string, version = 1, extra = '') => JSON.stringify({ key, version, on: false, variations: [1, 2], offVariation: 0, salt: extra });
const item = (key: string, version = 1, extra = ''): SerializedItem => ({ version, serializedItem: flagJson(key, version, extra) });
const items = (n: number, version = 1) => Array.from({ length: n }, (_, i) => ({ key: `flag-${i}`, item: item(`flag-${i}`, version) }));

function recordingLogger() {
  const lines: string[] = [];
  const log = (m: string) => lines.push(m);
  return { lines, logger: { error: log, warn: log, info: log, debug: log } };
}

async function rejection(promise: Promise<unknown>): Promise<ConsulStoreError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(ConsulStoreError.isConsulStoreError(error)).toBe(true);
  return error as ConsulStoreError;
}

describe('against the emulator', () => {
  let consul: ConsulEmulator;
  const stores: ConsulPersistentStore[] = [];
  const store = (options: ConsulStoreOptions = {}, logger?: ReturnType<typeof recordingLogger>['logger']) => {
    const s = new ConsulPersistentStore({ url: consul.url, ...options }, logger);
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    consul = await startConsulEmulator();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await consul?.stop();
  });
  beforeEach(async () => {
    consul.faults.clear();
    consul.delete('', { recurse: true });
  });

  describe('pool.maxConnections', () => {
    // These tests count connections, not time: 500 operations queue behind the pool, and on a busy 2-core machine
    // the last of them waits longer than the default request timeout (which includes the wait for a connection).
    const LOAD_TIMEOUT_MS = 120_000;

    async function load(s: ConsulPersistentStore): Promise<void> {
      await s.init([{ kind: features, items: items(20) }]);
      // 500 operations at once while patches (upserts of rising versions) arrive.
      const ops = Array.from({ length: 500 }, (_, i) => {
        const key = `flag-${i % 20}`;
        if (i % 4 === 0) return s.upsert(features, key, item(key, 2 + i));
        if (i % 4 === 1) return s.getAll(features);
        return s.get(features, key);
      });
      const results = await Promise.allSettled(ops);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    }

    it('holds at most 2 connections through 500 concurrent operations with maxConnections: 2, and none after close()', async () => {
      const s = store({ pool: { maxConnections: 2, requestTimeoutMs: LOAD_TIMEOUT_MS } });
      consul.stats.reset();
      await load(s);
      expect(consul.stats.peakConnections).toBeGreaterThan(0);
      expect(consul.stats.peakConnections).toBeLessThanOrEqual(2);
      await s.close();
      await waitUntil(async () => consul.stats.openConnections === 0, { timeoutMs: 2_000, what: 'connections to close' });
    });

    it('is the limit that decides: the same load with maxConnections: 8 opens more than 2', async () => {
      const s = store({ pool: { maxConnections: 8, requestTimeoutMs: LOAD_TIMEOUT_MS } });
      consul.stats.reset();
      await load(s);
      expect(consul.stats.peakConnections).toBeGreaterThan(2);
      expect(consul.stats.peakConnections).toBeLessThanOrEqual(8);
      await s.close();
      await waitUntil(async () => consul.stats.openConnections === 0, { timeoutMs: 2_000, what: 'connections to close' });
    });
  });

  describe('init', () => {
    it('writes 600 items in several transactions of at most 64 operations, $inited last', async () => {
      const s = store({ prefix: 'big' });
      consul.stats.reset();
      await s.init([
        { kind: segments, items: [{ key: 'seg', item: { version: 1, serializedItem: '{"key":"seg","version":1}' } }] },
        { kind: features, items: items(600) },
      ]);
      // 601 sets in ⌈601/64⌉ = 10 transactions, then the marker in its own.
      expect(consul.stats.requests['PUT /v1/txn']).toBe(11);
      expect(consul.keys('big/features/')).toHaveLength(600);
      expect(consul.get('big/$inited')).toBeDefined();
      expect(consul.get('big/$inited')!.modifyIndex).toBeGreaterThan(Math.max(...consul.keys('big/').filter((k) => k !== 'big/$inited').map((k) => consul.get(k)!.modifyIndex)));
      expect(JSON.parse(consul.get('big/features/flag-599')!.value.toString('utf8'))).toMatchObject({ key: 'flag-599', version: 1 });
    });

    it('keeps each transaction under maxTxnBytes and writes an item too big for any transaction with a plain PUT', async () => {
      const s = store({ prefix: 'large' });
      consul.stats.reset();
      // 300 KB items fit one per transaction (400 KB in base64); a 400 KB item (546 KB in base64) fits none.
      const large = [1, 2, 3].map((i) => ({ key: `large-${i}`, item: item(`large-${i}`, 1, 'x'.repeat(300_000)) }));
      const huge = { key: 'huge', item: item('huge', 1, 'y'.repeat(400_000)) };
      await s.init([{ kind: features, items: [...large, huge, ...items(5)] }]);
      expect(consul.keys('large/features/').sort()).toEqual(['huge', 'large-1', 'large-2', 'large-3', ...items(5).map((i) => i.key)].map((k) => `large/features/${k}`).sort());
      expect(consul.get('large/features/huge')!.value.length).toBe(Buffer.byteLength(flagJson('huge', 1, 'y'.repeat(400_000))));
      expect(consul.stats.requests['PUT /v1/kv']).toBe(1);
      expect(consul.stats.requests['PUT /v1/txn']).toBeGreaterThanOrEqual(4);
    });

    it('removes keys no longer present, and keeps prefixes ld and ld2 apart through init, upsert and delete', async () => {
      const ld = store({ prefix: 'ld' });
      const ld2 = store({ prefix: 'ld2' });
      await ld2.init([{ kind: features, items: [{ key: 'keep', item: item('keep') }, { key: 'a', item: item('a', 7) }] }]);
      await ld.init([{ kind: features, items: [{ key: 'a', item: item('a') }, { key: 'b', item: item('b') }] }]);
      await ld.init([{ kind: features, items: [{ key: 'a', item: item('a', 2) }] }]);
      expect(consul.keys('ld/').sort()).toEqual(['ld/$inited', 'ld/features/a']);
      expect(consul.keys('ld2/').sort()).toEqual(['ld2/$inited', 'ld2/features/a', 'ld2/features/keep']);

      expect((await ld.upsert(features, 'a', item('a', 3))).updated).toBe(true);
      expect((await ld.upsert(features, 'a', { version: 4, deleted: true, serializedItem: '{"key":"a","version":4,"deleted":true}' })).updated).toBe(true);
      expect(await ld2.get(features, 'a')).toEqual({ version: 0, serializedItem: flagJson('a', 7) });
      expect((await ld2.getAll(features)).map((i) => i.key).sort()).toEqual(['a', 'keep']);
      expect((await ld.getAll(features)).map((i) => i.key)).toEqual(['a']);
    });

    it('drops an item over maxItemBytes with an error naming its key, writes the rest, and keeps an older copy', async () => {
      const { lines, logger } = recordingLogger();
      const s = store({ prefix: 'guard', maxItemBytes: 10_000 }, logger);
      await s.init([{ kind: features, items: [{ key: 'grows', item: item('grows') }] }]);
      await s.init([{ kind: features, items: [{ key: 'grows', item: item('grows', 2, 'z'.repeat(20_000)) }, ...items(3)] }]);
      expect(lines.filter((l) => /features item "grows" is \d+ bytes, over the store's limit of 10000 bytes/.test(l))).toHaveLength(1);
      expect(consul.keys('guard/features/').sort()).toEqual(['guard/features/flag-0', 'guard/features/flag-1', 'guard/features/flag-2', 'guard/features/grows']);
      expect(JSON.parse(consul.get('guard/features/grows')!.value.toString('utf8'))).toMatchObject({ version: 1 });
      expect((await s.upsert(features, 'grows', item('grows', 3, 'z'.repeat(20_000)))).updated).toBe(false);
      expect(lines).toHaveLength(2);
    });
  });

  describe('typed errors', () => {
    it('reports 5xx as server-error, with Consul’s message', async () => {
      consul.faults.failNext(1, 500);
      const error = await rejection(store().get(features, 'x'));
      expect([error.failure, error.statusCode, error.operation]).toEqual(['server-error', 500, 'get']);
      expect(error.message).toMatch(/^\[switchyard\/store-consul\] get failed: Consul answered 500: No cluster leader/);
    });

    it('reports a rolled-back transaction as conflict (409), naming the key and Consul’s reason, and writes no $inited', async () => {
      const errors = JSON.stringify({ Results: null, Errors: [{ OpIndex: 1, What: 'failed to set key: raft apply failed' }] });
      consul.faults.failNext(1, 409, errors, 'PUT /v1/txn');
      const s = store({ prefix: 'rolled' });
      const error = await rejection(s.init([{ kind: features, items: items(3) }]));
      expect([error.failure, error.statusCode, error.operation]).toEqual(['conflict', 409, 'init']);
      expect(error.message).toMatch(/a transaction of 3 operations was rolled back \(409\): rolled\/features\/flag-1: failed to set key: raft apply failed/);
      expect(consul.get('rolled/$inited')).toBeUndefined();
      expect(await s.isInitialized()).toBe(false);
    });

    it('reports a transaction over Consul’s operation limit as too-large (413)', async () => {
      const strict = await startConsulEmulator({ maxTxnOps: 10 });
      const s = new ConsulPersistentStore({ url: strict.url, maxTxnOps: 64 });
      const error = await rejection(s.init([{ kind: features, items: items(30) }]));
      expect([error.failure, error.statusCode, error.operation]).toEqual(['too-large', 413, 'init']);
      await s.close();
      await strict.stop();
    });

    it('reports a request that gets no answer within pool.requestTimeoutMs as timeout', async () => {
      consul.faults.setLatencyMs(1_000);
      const error = await rejection(store({ pool: { requestTimeoutMs: 200 } }).get(features, 'x'));
      expect(error.failure).toBe('timeout');
      expect(error.message).toMatch(/within 200 ms \(pool.requestTimeoutMs\)/);
    });

    it('reports a dropped connection and a refused one as network errors', async () => {
      consul.faults.dropConnections(1);
      expect((await rejection(store().get(features, 'x'))).failure).toBe('network');
    });

    it('reports an unknown datacenter as a server error naming it', async () => {
      const error = await rejection(store({ datacenter: 'dc9' }).isInitialized());
      expect(error.failure).toBe('server-error');
      expect(error.message).toMatch(/No path to datacenter/);
    });
  });
});

describe('ACL tokens', () => {
  const TOKEN = 'b1gs3cr3t-0000-4000-8000-token';
  const WRONG = 'wr0ng-1111-4111-8111-token';
  let consul: ConsulEmulator;
  beforeAll(async () => {
    consul = await startConsulEmulator({ aclToken: TOKEN });
  });
  afterAll(async () => {
    await consul?.stop();
  });

  it('sends the token as X-Consul-Token on every request', async () => {
    const s = new ConsulPersistentStore({ url: consul.url, token: TOKEN, prefix: 'acl' });
    await s.init([{ kind: features, items: items(3) }]);
    expect((await s.upsert(features, 'flag-0', item('flag-0', 2))).updated).toBe(true);
    expect((await s.getAll(features)).length).toBe(3);
    expect(await s.isInitialized()).toBe(true);
    await s.close();
  });

  it('surfaces a wrong token as a typed 403 error, the token redacted', async () => {
    const s = new ConsulPersistentStore({ url: consul.url, token: WRONG, prefix: 'acl' });
    for (const run of [() => s.get(features, 'x'), () => s.init([{ kind: features, items: items(1) }]), () => s.upsert(features, 'x', item('x'))]) {
      const error = await rejection(run());
      expect([error.failure, error.statusCode]).toEqual(['forbidden', 403]);
      expect(error.message).toMatch(/Consul answered 403: ACL not found \(check the ACL token/);
      expect(error.message).not.toContain(WRONG);
      expect(String(error.stack)).not.toContain(WRONG);
    }
    expect(await s.isStoreAvailable()).toBe(false);
    await s.close();
  });

  it('surfaces a missing token as forbidden too (Consul filters listings and refuses the transaction)', async () => {
    const s = new ConsulPersistentStore({ url: consul.url, prefix: 'acl' });
    const error = await rejection(s.init([{ kind: features, items: items(1) }]));
    expect(error.failure).toBe('forbidden');
    expect((await rejection(s.get(features, 'flag-0'))).failure).toBe('forbidden');
    await s.close();
  });
});
