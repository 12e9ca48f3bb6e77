// The store-availability scenarios of reliability.md §9.A and the Go wrapper gaps of §1.7, at the level
// of the wrapper: a controllable in-memory persistent store stands in for the database, a refresh handler
// stands in for the data source. Fake timers drive the 500 ms status poller and the health check.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { type FullDataSet, PersistentStoreWrapper, StoreError, TimeoutError } from '../index.js';
import { CapturingLogger, InMemoryPersistentStore } from '../testing/index.js';
import { FEATURES, MODES, SEGMENTS, UNAVAILABLE, flag, segment, setup } from './test-helpers.test-support.js';

const AVAILABLE = { available: true, refreshNeeded: false };
const REFRESH = { available: true, refreshNeeded: true };

const data = (version = 1): FullDataSet => ({
  features: { a: flag('a', version), b: flag('b', version, { prerequisites: [{ key: 'a', variation: 0 }] }) },
  segments: { s: segment('s', version) },
});

const versions = (items: Record<string, { version: number }>) => Object.fromEntries(Object.entries(items).map(([k, v]) => [k, v.version]));

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('A.1 store down at start while the data source delivers data', () => {
  it.each(MODES.filter((m) => m.cacheTtlMs >= 0))('$name: init fails, nothing is served, and on recovery a refresh stores the full data', async ({ cacheTtlMs }) => {
    const { wrapper, store, statuses, refreshes } = setup(cacheTtlMs);
    store.fail('all');
    await expect(wrapper.init(data())).rejects.toSatisfy(StoreError.isInstance);
    expect(statuses).toEqual([UNAVAILABLE]);
    expect(await wrapper.initialized()).toBe(false);
    await expect(wrapper.get(FEATURES, 'a')).rejects.toSatisfy(StoreError.isInstance);
    expect(statuses).toEqual([UNAVAILABLE]);

    // The data source answers a refresh request with a full data set, as a restarted stream would.
    wrapper.onRefreshNeeded(() => void wrapper.init(data()));
    store.heal();
    await vi.advanceTimersByTimeAsync(500);
    expect(statuses).toEqual([UNAVAILABLE, REFRESH]);
    expect(refreshes.count).toBe(1);
    expect(versions(store.stored('features'))).toEqual({ a: 1, b: 1 });
    expect(versions(store.stored('segments'))).toEqual({ s: 1 });
    expect(await wrapper.initialized()).toBe(true);
    expect(await wrapper.get(FEATURES, 'b')).toMatchObject({ version: 1 });
  });

  it('cached forever: the data is served from the cache at once and written back on recovery, without a refresh', async () => {
    const { wrapper, store, statuses, refreshes, log } = setup(-1);
    store.fail('all');
    await expect(wrapper.init(data())).rejects.toSatisfy(StoreError.isInstance);
    expect(statuses).toEqual([UNAVAILABLE]);
    expect(await wrapper.initialized()).toBe(true);
    expect(wrapper.getSync(FEATURES, 'b')).toMatchObject({ version: 1 });
    expect(store.stored('features')).toEqual({});

    store.heal();
    await vi.advanceTimersByTimeAsync(500);
    expect(statuses).toEqual([UNAVAILABLE, AVAILABLE]);
    expect(refreshes.count).toBe(0);
    expect(versions(store.stored('features'))).toEqual({ a: 1, b: 1 });
    expect(versions(store.stored('segments'))).toEqual({ s: 1 });
    expect(store.hasInitMarker()).toBe(true);
    expect(log.messages('info')).toContain('[switchyard/core] Successfully updated persistent store from cached data');
  });
});

describe('A.2 store down at start, data source down, store populated earlier', () => {
  it.each(MODES)('$name: nothing can be read until the store is back, then the stored data is served', async ({ cacheTtlMs }) => {
    const { wrapper, store, other, statuses } = setup(cacheTtlMs);
    await other.init([{ kind: FEATURES, items: [{ key: 'a', item: { version: 3, serializedItem: '{"key":"a","version":3}' } }] }]);
    store.fail('all');
    await expect(wrapper.get(FEATURES, 'a')).rejects.toSatisfy(StoreError.isInstance);
    expect(await wrapper.initialized()).toBe(false);
    expect(statuses).toEqual([UNAVAILABLE]);

    store.heal();
    await vi.advanceTimersByTimeAsync(500);
    expect(statuses[1]?.available).toBe(true);
    expect(await wrapper.initialized()).toBe(true);
    expect(await wrapper.get(FEATURES, 'a')).toMatchObject({ key: 'a', version: 3 });
  });
});

describe('A.3 data source unreachable at start, store populated', () => {
  it.each(MODES)('$name: the store reports initialized and its data is served without an init', async ({ cacheTtlMs }) => {
    const { wrapper, store, other, statuses } = setup(cacheTtlMs);
    const seeder = new PersistentStoreWrapper(other, { cacheTtlMs: 0 });
    await seeder.init(data(4));
    expect(await wrapper.initialized()).toBe(true);
    expect(await wrapper.get(FEATURES, 'b')).toMatchObject({ version: 4 });
    expect(Object.keys(await wrapper.all(SEGMENTS))).toEqual(['s']);
    expect(store.calls.init).toBe(0);
    expect(statuses).toEqual([]);
  });
});

describe('A.4 store goes down mid-run, no updates arrive', () => {
  it('cached for 30 s: cached items are served until they expire, then async reads fail while synchronous reads serve the expired copy; unavailable is reported once', async () => {
    const { wrapper, store, statuses, refreshes } = setup(30_000);
    await wrapper.init(data());
    store.fail('all');
    await vi.advanceTimersByTimeAsync(29_000);
    expect(await wrapper.get(FEATURES, 'a')).toMatchObject({ version: 1 });
    expect(statuses).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(wrapper.getSync(FEATURES, 'a')).toMatchObject({ version: 1 });
    await expect(wrapper.get(FEATURES, 'a')).rejects.toSatisfy(StoreError.isInstance);
    expect(wrapper.getSync(FEATURES, 'a')).toMatchObject({ version: 1 });
    await expect(wrapper.all(FEATURES)).rejects.toSatisfy(StoreError.isInstance);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(statuses).toEqual([UNAVAILABLE]);
    expect(refreshes.count).toBe(0);
    await wrapper.close();
  });

  it('cached forever: every read keeps working and the store is never asked', async () => {
    const { wrapper, store, statuses } = setup(-1);
    await wrapper.init(data());
    store.fail('all');
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(await wrapper.get(FEATURES, 'a')).toMatchObject({ version: 1 });
    expect(Object.keys(await wrapper.all(FEATURES))).toEqual(['a', 'b']);
    expect(statuses).toEqual([]);
    expect(store.calls.get + store.calls.getAll).toBe(0);
  });

  it('uncached: reads fail at once and the outage is reported once', async () => {
    const { wrapper, store, statuses } = setup(0);
    await wrapper.init(data());
    store.fail('all');
    await expect(wrapper.get(FEATURES, 'a')).rejects.toSatisfy(StoreError.isInstance);
    await expect(wrapper.get(FEATURES, 'b')).rejects.toSatisfy(StoreError.isInstance);
    expect(statuses).toEqual([UNAVAILABLE]);
    await wrapper.close();
  });

  it('the health check notices an outage even without traffic', async () => {
    const { wrapper, store, statuses } = setup(30_000, { healthCheckIntervalMs: 5_000 });
    await wrapper.init(data());
    store.fail('all');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(statuses).toEqual([UNAVAILABLE]);
    await wrapper.close();
  });
});

describe('A.5 store down mid-run while an update arrives', () => {
  it.each(MODES.filter((m) => m.cacheTtlMs >= 0))('$name: the update is not served, one error is logged, and the refresh on recovery brings it', async ({ cacheTtlMs }) => {
    const { wrapper, store, statuses, refreshes, log } = setup(cacheTtlMs);
    await wrapper.init(data(1));
    store.fail('all');
    await expect(wrapper.upsert(FEATURES, flag('a', 2))).rejects.toSatisfy(StoreError.isInstance);
    await expect(wrapper.upsert(FEATURES, flag('a', 3))).rejects.toSatisfy(StoreError.isInstance);
    if (cacheTtlMs > 0) expect(wrapper.getSync(FEATURES, 'a')?.version).toBe(1);
    expect(log.messages('error')).toHaveLength(1);
    expect(statuses).toEqual([UNAVAILABLE]);
    expect(refreshes.count).toBe(0);

    // Meanwhile the flag service moved on to version 3; the refresh delivers it.
    wrapper.onRefreshNeeded(() => void wrapper.init({ ...data(1), features: { ...data(1).features, a: flag('a', 3) } }));
    store.heal();
    await vi.advanceTimersByTimeAsync(500);
    expect(statuses).toEqual([UNAVAILABLE, REFRESH]);
    expect(refreshes.count).toBe(1);
    expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(3);
    expect(store.stored('features').a?.version).toBe(3);
  });

  it('cached forever: the update is served at once, and written to the store on recovery', async () => {
    const { wrapper, store, statuses, refreshes } = setup(-1);
    await wrapper.init(data(1));
    store.fail('all');
    await expect(wrapper.upsert(FEATURES, flag('a', 2))).rejects.toSatisfy(StoreError.isInstance);
    await expect(wrapper.upsert(FEATURES, FEATURES.tombstone('b', 2))).rejects.toSatisfy(StoreError.isInstance);
    expect(wrapper.getSync(FEATURES, 'a')?.version).toBe(2);
    expect(wrapper.getSync(FEATURES, 'b')).toBeNull();
    expect(store.stored('features').a?.version).toBe(1);

    store.heal();
    await vi.advanceTimersByTimeAsync(500);
    expect(statuses).toEqual([UNAVAILABLE, AVAILABLE]);
    expect(refreshes.count).toBe(0);
    expect(store.stored('features').a?.version).toBe(2);
    expect(store.stored('features').b).toMatchObject({ version: 2, deleted: true });
  });

  it('cached forever: a write the cache took rejects with appliedToCache, one it did not take without', async () => {
    const { wrapper, store } = setup(-1);
    await wrapper.init(data(1));
    store.fail('all');
    const caught = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as StoreError);
    const first = await caught(wrapper.upsert(FEATURES, flag('a', 2))); // the store call fails
    const second = await caught(wrapper.upsert(FEATURES, flag('b', 2))); // the store is known to be down
    const older = await caught(wrapper.upsert(FEATURES, flag('a', 1)));
    const full = await caught(wrapper.init(data(5)));
    expect([first, second, older, full].map((e) => StoreError.isInstance(e) && e.appliedToCache)).toEqual([true, true, false, true]);
    expect(first!.message).toMatch(/^\[switchyard\/store-memory\] upsert failed: .*kept in the cache/);
    expect(first!.message.match(/switchyard\/store-memory/g)).toHaveLength(1);
    expect(wrapper.getSync(FEATURES, 'a')?.version).toBe(5);
  });

  it.each(MODES.filter((m) => m.cacheTtlMs >= 0))('$name: a failed write is never reported as applied to the cache', async ({ cacheTtlMs }) => {
    const { wrapper, store } = setup(cacheTtlMs);
    await wrapper.init(data(1));
    store.fail('all');
    const errors = await Promise.all([wrapper.upsert(FEATURES, flag('a', 2)), wrapper.upsert(FEATURES, flag('b', 2)), wrapper.init(data(3))].map((p) => p.then(() => undefined, (e: unknown) => e as StoreError)));
    expect(errors.map((e) => StoreError.isInstance(e) && e.appliedToCache)).toEqual([false, false, false]);
  });

  it('an update queued behind the write-back goes to the store, not only to the cache', async () => {
    const { wrapper, store } = setup(-1);
    await wrapper.init(data(1));
    store.fail('all');
    await wrapper.upsert(FEATURES, flag('a', 2)).catch(() => undefined);
    store.heal();
    store.setLatency(100);
    await vi.advanceTimersByTimeAsync(600); // the probe (100 ms latency) has answered; the write-back is running
    const late = wrapper.upsert(FEATURES, flag('a', 3));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await late).toBe(true);
    expect(store.stored('features').a?.version).toBe(3);
  });
});

describe('A.6 (§1.7a) the write-back fails on recovery', () => {
  it('cached forever: stays unavailable and keeps polling until the write-back succeeds', async () => {
    const { wrapper, store, statuses, log } = setup(-1);
    await wrapper.init(data(1));
    store.fail('all');
    await expect(wrapper.upsert(FEATURES, flag('a', 2))).rejects.toSatisfy(StoreError.isInstance);

    store.heal();
    store.fail('init'); // the store answers the probe, but the write-back is rejected (it flaps)
    await vi.advanceTimersByTimeAsync(500);
    expect(statuses).toEqual([UNAVAILABLE]);
    expect(log.messages('error')).toContainEqual(expect.stringMatching(/^\[switchyard\/core\] Tried to write cached data to persistent store after a store outage, but failed/));
    const probes = store.calls.isStoreAvailable;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.calls.isStoreAvailable).toBe(probes + 2);
    expect(statuses).toEqual([UNAVAILABLE]);

    store.heal();
    await vi.advanceTimersByTimeAsync(500);
    expect(statuses).toEqual([UNAVAILABLE, AVAILABLE]);
    expect(store.stored('features').a?.version).toBe(2);
    const after = store.calls.isStoreAvailable;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(store.calls.isStoreAvailable).toBe(after);
  });
});

describe('A.7 (§1.7c) the store restarts empty while it is available', () => {
  it('cached forever: the missing init marker is detected and the cached data is written back', async () => {
    const { wrapper, store, statuses } = setup(-1, { healthCheckIntervalMs: 5_000 });
    await wrapper.init(data(1));
    store.wipe();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(statuses).toEqual([UNAVAILABLE]);
    await vi.advanceTimersByTimeAsync(500);
    expect(statuses).toEqual([UNAVAILABLE, AVAILABLE]);
    expect(store.hasInitMarker()).toBe(true);
    expect(versions(store.stored('features'))).toEqual({ a: 1, b: 1 });
    await wrapper.close();
  });

  it.each([5_000, 30_000])('cached for %i ms: a refresh is requested and flags never disappear from reads', async (cacheTtlMs) => {
    const { wrapper, store, statuses, refreshes } = setup(cacheTtlMs, { healthCheckIntervalMs: 1_000 });
    await wrapper.init(data(1));
    let refreshRequested = false;
    wrapper.onRefreshNeeded(() => (refreshRequested = true));
    store.wipe();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(statuses).toEqual([UNAVAILABLE, REFRESH]);
    expect(refreshes.count).toBe(1);
    expect(wrapper.getSync(FEATURES, 'a')).toMatchObject({ version: 1 });

    // While the refresh has not arrived, the still-empty store does not trigger outage after outage.
    await vi.advanceTimersByTimeAsync(3_000);
    expect(statuses).toHaveLength(2);
    expect(refreshRequested).toBe(true);
    await wrapper.init(data(1));
    expect(store.hasInitMarker()).toBe(true);
    expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(1);

    // Once the refresh arrived, another wipe is detected again.
    store.wipe();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(statuses).toEqual([UNAVAILABLE, REFRESH, UNAVAILABLE, REFRESH]);
    await wrapper.close();
  });

  it('daemon mode: a wipe repaired by another process re-arms the detection', async () => {
    const { wrapper, store, other, statuses } = setup(30_000, { healthCheckIntervalMs: 1_000 });
    const relay = new PersistentStoreWrapper(other, { cacheTtlMs: 0, healthCheckIntervalMs: 0 });
    await relay.init(data(1));
    expect(await wrapper.initialized()).toBe(true);
    store.wipe();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(statuses).toEqual([UNAVAILABLE, REFRESH]);
    await relay.init(data(2)); // the process that owns the data source repairs the store
    await vi.advanceTimersByTimeAsync(1_000);
    store.wipe();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(statuses).toEqual([UNAVAILABLE, REFRESH, UNAVAILABLE, REFRESH]);
    await wrapper.close();
  });

  it('uncached: detects the wipe and asks for a refresh', async () => {
    const { wrapper, store, statuses, refreshes } = setup(0, { healthCheckIntervalMs: 1_000 });
    await wrapper.init(data(1));
    store.wipe();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(statuses).toEqual([UNAVAILABLE, REFRESH]);
    expect(refreshes.count).toBe(1);
    await wrapper.close();
  });
});

describe('A.8 (§1.7b) lost version race, then an outage, an update and recovery, two processes, cached forever', () => {
  it.each([false, true])('writes back the full data set, never a subset (store reports the winner: %s)', async (omitUpsertItem) => {
    const first = setup(-1, {}, { omitUpsertItem });
    const secondStore = new InMemoryPersistentStore({ backend: first.store.backend, prefix: first.store.prefix });
    const second = new PersistentStoreWrapper(secondStore, { cacheTtlMs: -1, healthCheckIntervalMs: 0 });
    const initial: FullDataSet = { features: { a: flag('a', 1), b: flag('b', 1), c: flag('c', 1) } };
    await first.wrapper.init(initial);
    await second.init(initial);

    // The second process wins a race on "a"; the first process loses it.
    expect(await second.upsert(FEATURES, flag('a', 3))).toBe(true);
    expect(await first.wrapper.upsert(FEATURES, flag('a', 2))).toBe(false);
    expect(Object.keys(first.wrapper.allSync(FEATURES)!).sort()).toEqual(['a', 'b', 'c']);

    // The first process's connection drops, an update arrives, the connection comes back.
    first.store.fail('all');
    await expect(first.wrapper.upsert(FEATURES, flag('b', 2))).rejects.toSatisfy(StoreError.isInstance);
    first.store.heal();
    await vi.advanceTimersByTimeAsync(500);

    expect(first.statuses).toEqual([UNAVAILABLE, AVAILABLE]);
    expect(versions(first.store.stored('features'))).toEqual({ a: 3, b: 2, c: 1 });
    await second.close();
  });

  it('without a full data set in the cache, upserts what it holds item by item and asks for a refresh', async () => {
    const { wrapper, store, other, statuses, refreshes } = setup(-1);
    await other.init([{ kind: FEATURES, items: [1, 2, 3].map((n) => ({ key: `f${n}`, item: { version: 1, serializedItem: JSON.stringify({ key: `f${n}`, version: 1 }) } })) }]);
    await wrapper.get(FEATURES, 'f1');
    store.fail('all');
    await expect(wrapper.upsert(FEATURES, flag('f1', 5))).rejects.toSatisfy(StoreError.isInstance);
    store.heal();
    await vi.advanceTimersByTimeAsync(500);
    expect(store.calls.init).toBe(0);
    expect(versions(store.stored('features'))).toEqual({ f1: 5, f2: 1, f3: 1 });
    expect(statuses).toEqual([UNAVAILABLE, REFRESH]);
    expect(refreshes.count).toBe(1);
  });
});

describe('A.9 slow store', () => {
  it('times out every operation, reports the store unavailable, and coalesces concurrent reads', async () => {
    const { wrapper, store, statuses } = setup(30_000, { operationTimeoutMs: 1_000 });
    store.setLatency(60_000);
    const reads = Array.from({ length: 10 }, () => wrapper.get(FEATURES, 'a').catch((e: unknown) => e));
    const others = [
      wrapper.all(FEATURES).catch((e: unknown) => e),
      wrapper.initialized(),
      wrapper.init(data()).catch((e: unknown) => e),
      wrapper.upsert(FEATURES, flag('x', 1)).catch((e: unknown) => e),
    ];
    await vi.advanceTimersByTimeAsync(1_000);
    const errors = await Promise.all(reads);
    expect(store.calls.get).toBe(1);
    for (const error of errors) {
      expect(StoreError.isInstance(error)).toBe(true);
      expect(TimeoutError.isInstance((error as Error).cause)).toBe(true);
    }
    expect((errors[0] as Error).message).toBe('[switchyard/store-memory] get failed: no answer within 1000 ms (operationTimeoutMs)');
    expect(statuses).toEqual([UNAVAILABLE]);
    // Everything settles within the bound: the timed-out init and the update behind it included.
    await vi.advanceTimersByTimeAsync(1_000);
    const settled = await Promise.all(others);
    expect(StoreError.isInstance(settled[0])).toBe(true);
    expect(settled[1]).toBe(false);
    expect(StoreError.isInstance(settled[2])).toBe(true);
    expect(StoreError.isInstance(settled[3])).toBe(true);
    await wrapper.close();
  });
});

describe('A.10 connection drop and server restart', () => {
  it('reports recovery within one poll interval after the store is back, probing one call at a time', async () => {
    const { wrapper, store, statuses } = setup(30_000);
    let active = 0;
    let maxActive = 0;
    const probe = store.isStoreAvailable.bind(store);
    store.isStoreAvailable = async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      try {
        return await probe();
      } finally {
        active--;
      }
    };
    await wrapper.init(data());
    store.fail('all');
    await wrapper.upsert(FEATURES, flag('a', 2)).catch(() => undefined);
    store.setLatency(2_000); // a probe takes longer than the poll interval
    await vi.advanceTimersByTimeAsync(10_000);
    expect(maxActive).toBe(1);
    expect(store.calls.isStoreAvailable).toBeLessThanOrEqual(4);

    store.setLatency(0);
    store.heal();
    await vi.advanceTimersByTimeAsync(2_500); // the probe in flight finishes, then one interval
    expect(statuses).toEqual([UNAVAILABLE, REFRESH]);
  });

  it('stops polling when closed', async () => {
    const { wrapper, store } = setup(30_000);
    store.fail('all');
    await wrapper.get(FEATURES, 'a').catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1_000);
    await wrapper.close();
    const probes = store.calls.isStoreAvailable;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.calls.isStoreAvailable).toBe(probes);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('A.11 daemon mode, the store connects slowly', () => {
  it('the first read waits for the store and returns the stored item, not "not found"', async () => {
    const { wrapper, store, other } = setup(30_000);
    await new PersistentStoreWrapper(other, { cacheTtlMs: 0 }).init(data(2));
    store.setLatency(800);
    const first = wrapper.get(FEATURES, 'a');
    await vi.advanceTimersByTimeAsync(800);
    expect(await first).toMatchObject({ key: 'a', version: 2 });
  });
});

describe('A.12 (§1.7d) daemon mode, store not initialized yet', () => {
  it.each([
    { name: 'cached for 30 s', cacheTtlMs: 30_000, within: 30_000 },
    { name: 'cached forever', cacheTtlMs: -1, within: 5_000 },
    { name: 'uncached', cacheTtlMs: 0, within: 0 },
  ])('$name: notices within $within ms that another process initialized the store', async ({ cacheTtlMs, within }) => {
    const { wrapper, other } = setup(cacheTtlMs);
    expect(await wrapper.initialized()).toBe(false);
    await new PersistentStoreWrapper(other, { cacheTtlMs: 0 }).init(data());
    if (within > 0) {
      await vi.advanceTimersByTimeAsync(within - 1);
      expect(await wrapper.initialized()).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(await wrapper.initialized()).toBe(true);
    expect(await wrapper.get(FEATURES, 'a')).toMatchObject({ version: 1 });
  });
});

describe('the item guard (reliability.md §9.C.23)', () => {
  const big = (key: string, version: number, bytes: number) => flag(key, version, { padding: 'x'.repeat(bytes) });

  it.each(MODES)('$name: init drops an oversized item with an error naming kind and key and stores the rest', async ({ cacheTtlMs }) => {
    const { wrapper, store, statuses, refreshes, log } = setup(cacheTtlMs, {}, { maxItemBytes: 1_000 });
    await wrapper.init({ features: { a: flag('a', 1) } });
    await wrapper.init({ features: { huge: big('huge', 1, 2_000), a: flag('a', 2), b: flag('b', 1) }, segments: { s: segment('s', 1) } });
    expect(versions(store.stored('features'))).toEqual({ a: 2, b: 1 });
    expect(versions(store.stored('segments'))).toEqual({ s: 1 });
    expect(await wrapper.get(FEATURES, 'huge')).toBeNull();
    expect(log.messages('error')).toEqual([expect.stringMatching(/features item "huge" is 20\d\d bytes, over the store's limit of 1000 bytes \(maxItemBytes\); it was not stored/)]);
    expect(wrapper.status.getMetrics().oversizedItemsDropped).toBe(1);
    expect(statuses).toEqual([]);
    expect(refreshes.count).toBe(0);
  });

  it.each(MODES)('$name: an oversized update is not applied, the old version stays, and the store is not even asked', async ({ cacheTtlMs }) => {
    const { wrapper, store, statuses, log } = setup(cacheTtlMs, {}, { maxItemBytes: 1_000 });
    await wrapper.init({ features: { a: flag('a', 1) } });
    expect(await wrapper.upsert(FEATURES, big('a', 2, 2_000))).toBe(false);
    expect(store.calls.upsert).toBe(0);
    expect(store.stored('features').a?.version).toBe(1);
    expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(1);
    expect(log.messages('error')).toEqual([expect.stringMatching(/features item "a" is \d+ bytes/)]);
    expect(wrapper.status.getMetrics().oversizedItemsDropped).toBe(1);
    expect(statuses).toEqual([]);
  });

  it('counts UTF-8 bytes: the same number of characters fits in ASCII but not in a multibyte script', async () => {
    const { wrapper, store } = setup(0, {}, { maxItemBytes: 1_000 });
    const ascii = flag('ascii', 1, { text: 'a'.repeat(900) });
    const greek = flag('greek', 1, { text: 'α'.repeat(900) });
    const emoji = flag('emoji', 1, { text: '😀'.repeat(240) }); // 960 bytes of emoji, under 1000 only without the JSON around it
    expect(FEATURES.serialize(ascii).length).toBeLessThan(1_000);
    await wrapper.init({ features: { ascii, greek, emoji } });
    expect(Object.keys(store.stored('features'))).toEqual(['ascii']);
    expect(wrapper.status.getMetrics().oversizedItemsDropped).toBe(2);
  });

  it('uses the byte counting of the store when it has one (DynamoDB counts attribute names and key too)', async () => {
    const counted: string[] = [];
    const { wrapper, store } = setup(
      0,
      {},
      {
        maxItemBytes: 200,
        itemByteLength: (kind, key, item) => {
          counted.push(`${kind.namespace}/${key}`);
          return 100 + key.length + (item.serializedItem?.length ?? 0);
        },
      },
    );
    await wrapper.init({ features: { short: flag('short', 1), [`long-${'k'.repeat(80)}`]: flag('long', 1) } });
    expect(Object.keys(store.stored('features'))).toEqual(['short']);
    expect(counted).toContain('features/short');
  });

  it('tells the store which keys it left out of init (so an older copy can stay), and logs the store’s own wording', async () => {
    const { wrapper, store, log } = setup(0, {}, { maxItemBytes: 1_000 });
    Object.assign(store, {
      describeOversizedItem: (kind: { namespace: string }, key: string, bytes: number, max: number) => `The item "${key}" in "${kind.namespace}" is ${bytes} > ${max}`,
    });
    await wrapper.init({ features: { huge: big('huge', 1, 2_000), a: flag('a', 1) }, segments: { s: segment('s', 1) } });
    const collections = store.inits.at(-1)!;
    expect(collections.map((c) => [c.kind.namespace, c.items.map((i) => i.key), c.skippedKeys])).toEqual([
      ['segments', ['s'], undefined],
      ['features', ['a'], ['huge']],
    ]);
    expect(log.messages('error')).toEqual([expect.stringMatching(/^The item "huge" in "features" is 20\d\d > 1000$/)]);
  });

  it('is off with maxItemBytes Infinity', async () => {
    const { wrapper, store } = setup(0, {}, { maxItemBytes: Infinity });
    await wrapper.init({ features: { huge: big('huge', 1, 500_000) } });
    expect(Object.keys(store.stored('features'))).toEqual(['huge']);
  });

  it('defaults to 400 KB (409600 bytes)', async () => {
    const { wrapper, store } = setup(0);
    const overhead = FEATURES.serialize(big('k', 1, 0)).length;
    await wrapper.init({ features: { k: big('k', 1, 409_600 - overhead), over: big('over', 1, 409_601 - overhead + 3) } });
    expect(Object.keys(store.stored('features'))).toEqual(['k']);
  });
});

describe('refresh handlers and status listeners', () => {
  it('stops calling a refresh handler once it unsubscribed, and survives a throwing listener', async () => {
    const log = new CapturingLogger();
    const store = new InMemoryPersistentStore();
    const wrapper = new PersistentStoreWrapper(store, { cacheTtlMs: 0, logger: log, healthCheckIntervalMs: 0 });
    let calls = 0;
    const unsubscribe = wrapper.onRefreshNeeded(() => calls++);
    wrapper.status.on('change', () => {
      throw new Error('listener bug');
    });
    unsubscribe();
    store.fail('all');
    await wrapper.get(FEATURES, 'a').catch(() => undefined);
    store.heal();
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toBe(0);
    expect(wrapper.status.getStatus()).toEqual(REFRESH);
    expect(log.messages('error')).toContainEqual(expect.stringMatching(/status listener threw: Error: listener bug/));
  });
});
