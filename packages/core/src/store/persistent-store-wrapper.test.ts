import { afterEach, describe, expect, it, vi } from 'vitest';

import { ClosedError, MalformedDataError, PersistentStoreWrapper, StoreError, type DataStoreOperationInfo } from '../index.js';
import { CapturingLogger, InMemoryPersistentStore } from '../testing/index.js';
import { FEATURES, MODES, SEGMENTS, UNAVAILABLE, flag, putRaw, segment, setup } from './test-helpers.test-support.js';

afterEach(() => {
  vi.useRealTimers();
});

describe.each(MODES)('PersistentStoreWrapper, $name', ({ cacheTtlMs }) => {
  const cached = cacheTtlMs !== 0;

  describe('get', () => {
    it('returns an existing item', async () => {
      const { wrapper, other } = setup(cacheTtlMs);
      await putRaw(other, 'features', 'a', 3, { key: 'a', version: 3, on: true });
      expect(await wrapper.get(FEATURES, 'a')).toMatchObject({ key: 'a', version: 3, on: true });
    });

    it('returns null for an unknown item', async () => {
      const { wrapper } = setup(cacheTtlMs);
      expect(await wrapper.get(FEATURES, 'nope')).toBeNull();
    });

    it('returns null for a deleted item', async () => {
      const { wrapper, other } = setup(cacheTtlMs);
      await putRaw(other, 'features', 'a', 4, { key: 'a', version: 4, deleted: true }, true);
      expect(await wrapper.get(FEATURES, 'a')).toBeNull();
    });

    it('reads tombstones written by other SDKs as deleted, in either format', async () => {
      const { wrapper, other } = setup(cacheTtlMs);
      // Go writes a full item under the key "$deleted"; js-core writes {key, version, deleted}; neither sets the store's flag.
      await putRaw(other, 'features', 'go', 5, { key: '$deleted', version: 5, deleted: true, on: false });
      await putRaw(other, 'features', 'js', 6, { key: 'js', version: 6, deleted: true });
      await putRaw(other, 'features', 'live', 1, { key: 'live', version: 1 });
      expect(await wrapper.get(FEATURES, 'go')).toBeNull();
      expect(await wrapper.get(FEATURES, 'js')).toBeNull();
      expect(Object.keys(await wrapper.all(FEATURES))).toEqual(['live']);
      // The tombstone keeps its version: an older update cannot resurrect the item.
      expect(await wrapper.upsert(FEATURES, flag('go', 4))).toBe(false);
    });

    it('rejects with a MalformedDataError naming kind and key for an unparsable item, and the store stays available', async () => {
      const { wrapper, other, statuses } = setup(cacheTtlMs);
      await putRaw(other, 'features', 'bad', 1, '{not json');
      const error = await wrapper.get(FEATURES, 'bad').catch((e: unknown) => e);
      expect(MalformedDataError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/features item "bad"/);
      expect(statuses).toEqual([]);
      expect(wrapper.getSync(FEATURES, 'bad')).toBeUndefined();
    });

    it('uses the store version when it differs from the version in the JSON', async () => {
      const { wrapper, other } = setup(cacheTtlMs);
      await putRaw(other, 'features', 'a', 7, { key: 'a', version: 3 });
      expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(7);
    });

    it('reads the version from the JSON when the store reports version 0', async () => {
      const { wrapper, other } = setup(cacheTtlMs, {}, { hideVersions: true });
      await putRaw(other, 'features', 'a', 9, { key: 'a', version: 9 });
      expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(9);
      expect(await wrapper.upsert(FEATURES, flag('a', 8))).toBe(false);
    });
  });

  describe('all', () => {
    it('returns the live items of the requested kind only', async () => {
      const { wrapper, other } = setup(cacheTtlMs);
      await putRaw(other, 'features', 'a', 1, { key: 'a', version: 1 });
      await putRaw(other, 'features', 'gone', 2, { key: 'gone', version: 2, deleted: true }, true);
      await putRaw(other, 'segments', 's', 1, { key: 's', version: 1 });
      const all = await wrapper.all(FEATURES);
      expect(Object.keys(all)).toEqual(['a']);
      expect(all.a).toMatchObject({ key: 'a', version: 1 });
    });

    it('rejects as a whole, naming the item, when any item cannot be parsed', async () => {
      const { wrapper, other } = setup(cacheTtlMs);
      await putRaw(other, 'features', 'a', 1, { key: 'a', version: 1 });
      await putRaw(other, 'features', 'bad', 1, '[]');
      await expect(wrapper.all(FEATURES)).rejects.toThrow(/features item "bad"/);
    });
  });

  describe('upsert and delete', () => {
    it('applies a newer version and refuses an older or equal one', async () => {
      const { wrapper, store } = setup(cacheTtlMs);
      await wrapper.init({ features: { a: flag('a', 5) } });
      expect(await wrapper.upsert(FEATURES, flag('a', 4))).toBe(false);
      expect(await wrapper.upsert(FEATURES, flag('a', 5))).toBe(false);
      expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(5);
      expect(await wrapper.upsert(FEATURES, flag('a', 6))).toBe(true);
      expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(6);
      expect(store.stored('features').a?.version).toBe(6);
    });

    it('deletes with a newer tombstone and refuses an older one', async () => {
      const { wrapper, store } = setup(cacheTtlMs);
      await wrapper.init({ features: { a: flag('a', 5), b: flag('b', 5) } });
      expect(await wrapper.upsert(FEATURES, FEATURES.tombstone('a', 6))).toBe(true);
      expect(await wrapper.get(FEATURES, 'a')).toBeNull();
      expect(store.stored('features').a).toMatchObject({ version: 6, deleted: true });
      expect(JSON.parse(store.stored('features').a!.serializedItem!)).toEqual({ key: 'a', version: 6, deleted: true });
      expect(await wrapper.upsert(FEATURES, FEATURES.tombstone('b', 4))).toBe(false);
      expect((await wrapper.get(FEATURES, 'b'))?.version).toBe(5);
    });

    it('caches what the store holds after losing a version race to another process', async () => {
      const { wrapper, other } = setup(cacheTtlMs);
      await wrapper.init({ features: { a: flag('a', 1), b: flag('b', 1) } });
      await putRaw(other, 'features', 'a', 10, { key: 'a', version: 10 });
      expect(await wrapper.upsert(FEATURES, flag('a', 2))).toBe(false);
      expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(10);
      expect(Object.keys(await wrapper.all(FEATURES)).sort()).toEqual(['a', 'b']);
    });

    it('re-reads the item after losing a race when the store does not say what it holds', async () => {
      const { wrapper, other, store } = setup(cacheTtlMs, {}, { omitUpsertItem: true });
      await wrapper.init({ features: { a: flag('a', 1) } });
      await putRaw(other, 'features', 'a', 10, { key: 'a', version: 10 });
      const gets = store.calls.get;
      expect(await wrapper.upsert(FEATURES, flag('a', 2))).toBe(false);
      expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(10);
      // Cached: one re-read refreshes the cache and the get is served from it. Uncached: only the get.
      expect(store.calls.get - gets).toBe(1);
    });
  });

  describe('init', () => {
    it('writes every kind, segments first and prerequisites before dependants', async () => {
      const { wrapper, store } = setup(cacheTtlMs);
      await wrapper.init({
        features: { b: flag('b', 1, { prerequisites: [{ key: 'a', variation: 0 }] }), a: flag('a', 1) },
        segments: { s: segment('s', 1) },
      });
      expect(store.inits).toHaveLength(1);
      expect(store.inits[0]!.map((c) => [c.kind.namespace, c.items.map((i) => i.key)])).toEqual([
        ['segments', ['s']],
        ['features', ['a', 'b']],
      ]);
    });

    it('passes a kind missing from the data as empty, and ignores unknown kinds with a warning', async () => {
      const { wrapper, store, log } = setup(cacheTtlMs);
      await putRaw(store, 'segments', 'old', 1, { key: 'old', version: 1 });
      await wrapper.init({ features: { a: flag('a', 1) }, widgets: { w: flag('w', 1) } });
      expect(store.stored('segments')).toEqual({});
      expect(store.stored('widgets')).toEqual({});
      expect(log.messages('warn')).toEqual([expect.stringMatching(/unknown kind "widgets"/)]);
    });
  });

  describe('initialized', () => {
    it('does not ask the store again once init succeeded', async () => {
      const { wrapper, store } = setup(cacheTtlMs);
      await wrapper.init({});
      const before = store.calls.isInitialized;
      expect(await wrapper.initialized()).toBe(true);
      expect(await wrapper.initialized()).toBe(true);
      expect(store.calls.isInitialized).toBe(before);
    });

    it('remembers a true answer from the store forever', async () => {
      const { wrapper, store, other } = setup(cacheTtlMs);
      await other.init([]);
      expect(await wrapper.initialized()).toBe(true);
      expect(await wrapper.initialized()).toBe(true);
      expect(store.calls.isInitialized).toBe(1);
    });

    it(cached ? 'caches a false answer for a while' : 'asks the store again after a false answer', async () => {
      const { wrapper, store } = setup(cacheTtlMs);
      expect(await wrapper.initialized()).toBe(false);
      expect(await wrapper.initialized()).toBe(false);
      expect(store.calls.isInitialized).toBe(cached ? 1 : 2);
    });

    it('answers false without rejecting when the store fails', async () => {
      const { wrapper, store, statuses } = setup(cacheTtlMs);
      store.fail('isInitialized');
      expect(await wrapper.initialized()).toBe(false);
      expect(statuses).toEqual([UNAVAILABLE]);
      await wrapper.close();
    });
  });

  describe('status', () => {
    it('has status monitoring enabled and starts available', () => {
      const { wrapper } = setup(cacheTtlMs);
      expect(wrapper.status.isStatusMonitoringEnabled()).toBe(true);
      expect(wrapper.status.getStatus()).toEqual({ available: true, refreshNeeded: false });
    });

    it.each(['get', 'getAll'] as const)('becomes unavailable after a %s error, says so once, and recovers', async (operation) => {
      vi.useFakeTimers();
      const { wrapper, store, statuses, refreshes, log } = setup(cacheTtlMs);
      store.fail(operation);
      const read = () => (operation === 'get' ? wrapper.get(FEATURES, 'a') : wrapper.all(FEATURES));
      await expect(read()).rejects.toSatisfy(StoreError.isInstance);
      await expect(read()).rejects.toSatisfy(StoreError.isInstance);
      expect(statuses).toEqual([UNAVAILABLE]);
      expect(log.messages('error')).toEqual([expect.stringMatching(/^\[switchyard\/core\] Data store returned error: .*injected failure/)]);
      store.heal();
      await vi.advanceTimersByTimeAsync(499);
      expect(statuses).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      // Nothing was cached as a full data set (no init), so even an infinite cache cannot restore the
      // store by itself and asks for a refresh; see the outage tests for the write-back case.
      expect(statuses).toEqual([UNAVAILABLE, { available: true, refreshNeeded: true }]);
      expect(refreshes.count).toBe(1);
      await wrapper.close();
    });

    it('counts store errors and outages in the metrics', async () => {
      const { wrapper, store } = setup(cacheTtlMs);
      store.fail('get');
      await wrapper.get(FEATURES, 'a').catch(() => undefined);
      await wrapper.get(FEATURES, 'b').catch(() => undefined);
      expect(wrapper.status.getMetrics()).toEqual({
        oversizedItemsDropped: 0,
        storeErrors: 2,
        outages: 1,
        storeOperations: 2,
        cacheHits: 0,
        cacheMisses: cacheTtlMs === 0 ? 0 : 2,
      });
      await wrapper.close();
    });

    it('reports every store call with its duration and error, and counts cache hits and misses', async () => {
      const { wrapper, store } = setup(cacheTtlMs);
      const calls: DataStoreOperationInfo[] = [];
      const off = wrapper.status.onOperation!((op) => calls.push(op));
      await putRaw(store, 'features', 'a', 1, { key: 'a', version: 1, on: true });
      expect(await wrapper.get(FEATURES, 'a')).toMatchObject({ version: 1 });
      expect(await wrapper.get(FEATURES, 'a')).toMatchObject({ version: 1 });
      wrapper.getSync(FEATURES, 'a');
      store.fail('get');
      await wrapper.get(FEATURES, 'b').catch(() => undefined);
      const cached = cacheTtlMs !== 0;
      // A cached item makes no call; without a cache every async read is one.
      expect(calls.map((c) => [c.operation, c.error === undefined])).toEqual([
        ['get', true],
        ...(cached ? [] : [['get', true]]),
        ['get', false],
      ]);
      for (const c of calls) expect(c.durationMs).toBeGreaterThanOrEqual(0);
      expect(StoreError.isInstance(calls.at(-1)!.error)).toBe(true);
      expect(calls.at(-1)!.error!.message).toMatch(/injected failure/);
      const metrics = wrapper.status.getMetrics();
      expect(metrics.storeOperations).toBe(calls.length);
      expect([metrics.cacheHits, metrics.cacheMisses]).toEqual(cached ? [2, 2] : [0, 0]);
      off();
      await wrapper.get(FEATURES, 'other').catch(() => undefined);
      expect(calls).toHaveLength(cached ? 2 : 3);
      const closing: string[] = [];
      wrapper.status.onOperation!((op) => closing.push(op.operation));
      await wrapper.close();
      expect(closing).toEqual(['close']);
    });
  });

  describe('close', () => {
    it('closes the store once, stops answering and rejects later calls with ClosedError', async () => {
      const { wrapper, store } = setup(cacheTtlMs);
      await wrapper.init({ features: { a: flag('a', 1) } });
      await Promise.all([wrapper.close(), wrapper.close()]);
      expect(store.calls.close).toBe(1);
      expect(wrapper.getSync(FEATURES, 'a')).toBeUndefined();
      await expect(wrapper.get(FEATURES, 'a')).rejects.toSatisfy(ClosedError.isInstance);
      await expect(wrapper.init({})).rejects.toSatisfy(ClosedError.isInstance);
      expect(await wrapper.initialized()).toBe(false);
    });
  });
});

describe.each(MODES.filter((m) => m.cacheTtlMs !== 0))('PersistentStoreWrapper cache, $name', ({ cacheTtlMs }) => {
  const forever = cacheTtlMs < 0;

  it('serves reads from the values written by init without asking the store', async () => {
    const { wrapper, store } = setup(cacheTtlMs);
    await wrapper.init({ features: { a: flag('a', 1) }, segments: { s: segment('s', 2) } });
    expect(wrapper.getSync(FEATURES, 'a')).toMatchObject({ key: 'a', version: 1 });
    expect(wrapper.getSync(FEATURES, 'unknown')).toBeNull();
    expect(await wrapper.get(SEGMENTS, 's')).toMatchObject({ key: 's', version: 2 });
    expect(Object.keys(wrapper.allSync(FEATURES) ?? {})).toEqual(['a']);
    expect(store.calls.get + store.calls.getAll).toBe(0);
  });

  it('answers getSync with undefined on a cache miss and with the item once it was read', async () => {
    const { wrapper, other } = setup(cacheTtlMs);
    await putRaw(other, 'features', 'a', 1, { key: 'a', version: 1 });
    expect(wrapper.getSync(FEATURES, 'a')).toBeUndefined();
    expect(wrapper.allSync(FEATURES)).toBeUndefined();
    await wrapper.get(FEATURES, 'a');
    expect(wrapper.getSync(FEATURES, 'a')).toMatchObject({ version: 1 });
    await wrapper.all(FEATURES);
    expect(Object.keys(wrapper.allSync(FEATURES)!)).toEqual(['a']);
  });

  it('coalesces concurrent reads of one key into one store call', async () => {
    const { wrapper, store, other } = setup(cacheTtlMs);
    await putRaw(other, 'features', 'a', 1, { key: 'a', version: 1 });
    const results = await Promise.all(Array.from({ length: 20 }, () => wrapper.get(FEATURES, 'a')));
    expect(new Set(results).size).toBe(1);
    expect(store.calls.get).toBe(1);
    await Promise.all([wrapper.all(SEGMENTS), wrapper.all(SEGMENTS), wrapper.all(SEGMENTS)]);
    expect(store.calls.getAll).toBe(1);
  });

  it('serves all() from init values, and fresh values after an update', async () => {
    const { wrapper, store } = setup(cacheTtlMs);
    await wrapper.init({ features: { a: flag('a', 1), b: flag('b', 1) } });
    await wrapper.upsert(FEATURES, flag('a', 2));
    await wrapper.upsert(FEATURES, FEATURES.tombstone('b', 2));
    await wrapper.upsert(FEATURES, flag('c', 1));
    const all = await wrapper.all(FEATURES);
    expect(Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.version]))).toEqual({ a: 2, c: 1 });
    expect(store.calls.getAll).toBe(0);
  });

  it('does not let a read that started before a write cache its older result over the write', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Reads the stored item at once but answers only when released: the write lands in between.
    class SlowAnswers extends InMemoryPersistentStore {
      override async get(kind: { namespace: string }, key: string) {
        const item = await super.get(kind, key);
        await gate;
        return item;
      }
    }
    const store = new SlowAnswers();
    await putRaw(store, 'features', 'a', 1, { key: 'a', version: 1 });
    const wrapper = new PersistentStoreWrapper(store, { cacheTtlMs, healthCheckIntervalMs: 0 });
    const slowRead = wrapper.get(FEATURES, 'a');
    await wrapper.upsert(FEATURES, flag('a', 2));
    release();
    expect((await slowRead)?.version).toBe(1);
    expect(wrapper.getSync(FEATURES, 'a')?.version).toBe(2);
    // A read that starts after the write does not join the old one.
    expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(2);
  });

  it(forever ? 'applies an update to the cache even when the store write fails' : 'leaves the cache alone when the store write fails', async () => {
    const { wrapper, store } = setup(cacheTtlMs);
    await wrapper.init({ features: { a: flag('a', 1) } });
    store.fail('upsert');
    await expect(wrapper.upsert(FEATURES, flag('a', 2))).rejects.toSatisfy(StoreError.isInstance);
    expect(wrapper.getSync(FEATURES, 'a')?.version).toBe(forever ? 2 : 1);
    expect(store.stored('features').a?.version).toBe(1);
    await wrapper.close();
  });

  it(forever ? 'caches the data of a failed init and counts as initialized' : 'keeps the old data when init fails', async () => {
    const { wrapper, store } = setup(cacheTtlMs);
    await wrapper.init({ features: { old: flag('old', 1) } });
    store.fail('init');
    await expect(wrapper.init({ features: { new: flag('new', 1) } })).rejects.toSatisfy(StoreError.isInstance);
    expect(wrapper.getSync(FEATURES, 'new')).toEqual(forever ? expect.objectContaining({ key: 'new' }) : null);
    expect(wrapper.getSync(FEATURES, 'old')).toEqual(forever ? null : expect.objectContaining({ key: 'old' }));
    await wrapper.close();
  });

  it('never applies an older update to the cache while the store is failing', async () => {
    const { wrapper, store } = setup(cacheTtlMs);
    await wrapper.init({ features: { a: flag('a', 5) } });
    store.fail('all');
    await expect(wrapper.upsert(FEATURES, flag('a', 3))).rejects.toSatisfy(StoreError.isInstance);
    expect(wrapper.getSync(FEATURES, 'a')?.version).toBe(5);
    await wrapper.close();
  });
});

describe('PersistentStoreWrapper with a finite cache', () => {
  it('re-reads items and lists from the store once they expire', async () => {
    let now = 1_000;
    const { wrapper, store, other } = setup(30_000, { now: () => now });
    await wrapper.init({ features: { a: flag('a', 1) } });
    await putRaw(other, 'features', 'a', 2, { key: 'a', version: 2 });
    now += 29_999;
    expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(1);
    now += 1;
    // Synchronous reads serve the expired copy and start a refresh; async reads wait for the store.
    expect(wrapper.getSync(FEATURES, 'a')?.version).toBe(1);
    expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(2);
    expect(Object.keys(await wrapper.all(FEATURES))).toEqual(['a']);
    expect(store.calls.get).toBe(1);
    expect(store.calls.getAll).toBe(1);
  });

  it('caches a "not found" answer until it expires', async () => {
    let now = 1_000;
    const { wrapper, store, other } = setup(10_000, { now: () => now });
    expect(await wrapper.get(FEATURES, 'a')).toBeNull();
    expect(wrapper.getSync(FEATURES, 'a')).toBeNull();
    await putRaw(other, 'features', 'a', 1, { key: 'a', version: 1 });
    now += 10_000;
    expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(1);
    expect(store.calls.get).toBe(2);
  });
});

describe('PersistentStoreWrapper with an infinite cache', () => {
  it('keeps no "not found" entries, so an item another process adds later is found', async () => {
    const { wrapper, store, other } = setup(-1);
    expect(await wrapper.get(FEATURES, 'a')).toBeNull();
    expect(wrapper.getSync(FEATURES, 'a')).toBeUndefined();
    await putRaw(other, 'features', 'a', 1, { key: 'a', version: 1 });
    expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(1);
    expect(store.calls.get).toBe(2);
  });

  it('accepts Infinity as "forever"', () => {
    expect(new PersistentStoreWrapper(new InMemoryPersistentStore(), { cacheTtlMs: Infinity }).cacheMode).toBe('forever');
    expect(new PersistentStoreWrapper(new InMemoryPersistentStore(), { cacheTtlMs: -1 }).cacheMode).toBe('forever');
    expect(new PersistentStoreWrapper(new InMemoryPersistentStore(), { cacheTtlMs: 0 }).cacheMode).toBe('none');
    expect(new PersistentStoreWrapper(new InMemoryPersistentStore()).cacheMode).toBe('ttl');
  });
});

describe('PersistentStoreWrapper with no cache', () => {
  it('never answers synchronously and reads the store every time', async () => {
    const { wrapper, store } = setup(0);
    await wrapper.init({ features: { a: flag('a', 1) } });
    expect(wrapper.getSync(FEATURES, 'a')).toBeUndefined();
    expect(wrapper.allSync(FEATURES)).toBeUndefined();
    await wrapper.get(FEATURES, 'a');
    await wrapper.get(FEATURES, 'a');
    expect(store.calls.get).toBe(2);
  });
});

describe('PersistentStoreWrapper options', () => {
  it('warns about an invalid option and uses its default', () => {
    const log = new CapturingLogger();
    const wrapper = new PersistentStoreWrapper(new InMemoryPersistentStore(), { cacheTtlMs: Number.NaN, statusPollIntervalMs: -5, logger: log });
    expect(wrapper.cacheMode).toBe('ttl');
    expect(log.messages('warn')).toEqual([
      '[switchyard/store-memory] option cacheTtlMs is invalid (NaN); using 15000',
      '[switchyard/store-memory] option statusPollIntervalMs is invalid (-5); using 500',
    ]);
  });

  it('uses the description of the store', () => {
    expect(new PersistentStoreWrapper(new InMemoryPersistentStore({ description: 'redis' })).description).toBe('redis');
  });

  it('turns a non-StoreError rejection of a store into a StoreError naming store and operation', async () => {
    const { wrapper, store } = setup(0);
    store.fail('get', new TypeError('socket hang up'));
    const error = await wrapper.get(FEATURES, 'a').catch((e: unknown) => e);
    expect(StoreError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ store: 'memory', operation: 'get', message: '[switchyard/store-memory] get failed: socket hang up' });
    await wrapper.close();
  });
});
