import { describe, expect, it } from 'vitest';

import { FEATURES, flag, putRaw, setup } from './test-helpers.test-support.js';

/** Lets the background refresh started by `getSync` settle (the in-memory store answers in microtasks). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('PersistentStoreWrapper: synchronous reads after the TTL expired (stale-while-revalidate)', () => {
  it('serves the expired copy from a full list and refreshes the whole kind with one getAll', async () => {
    let now = 1_000;
    const { wrapper, store, other } = setup(30_000, { now: () => now });
    const flags = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, flag(`f${i}`, 1)]));
    await wrapper.init({ features: flags });
    await putRaw(other, 'features', 'f7', 2, { key: 'f7', version: 2, on: true });
    now += 30_000;
    for (let i = 0; i < 100; i++) expect(wrapper.getSync(FEATURES, `f${i}`)?.version).toBe(1);
    await settle();
    expect(store.calls.getAll).toBe(1);
    expect(store.calls.get).toBe(0);
    expect(wrapper.getSync(FEATURES, 'f7')?.version).toBe(2);
    expect(wrapper.getSync(FEATURES, 'f8')?.version).toBe(1);
    expect(store.calls.getAll).toBe(1);
  });

  it('serves an expired single item and refreshes only that item', async () => {
    let now = 1_000;
    const { wrapper, store, other } = setup(30_000, { now: () => now });
    await putRaw(other, 'features', 'a', 1, { key: 'a', version: 1, on: true });
    expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(1);
    await putRaw(other, 'features', 'a', 2, { key: 'a', version: 2, on: true });
    now += 30_000;
    expect(wrapper.getSync(FEATURES, 'a')?.version).toBe(1);
    expect(wrapper.getSync(FEATURES, 'a')?.version).toBe(1);
    await settle();
    expect(store.calls.get).toBe(2);
    expect(wrapper.getSync(FEATURES, 'a')?.version).toBe(2);
  });

  it('keeps serving expired copies while the store is down, without asking it again', async () => {
    let now = 1_000;
    const { wrapper, store, statuses } = setup(30_000, { now: () => now, statusPollIntervalMs: 60_000 });
    await wrapper.init({ features: { a: flag('a', 1) } });
    store.fail('all');
    now += 30_000;
    expect(wrapper.getSync(FEATURES, 'a')?.version).toBe(1);
    await settle();
    expect(statuses).toEqual([{ available: false, refreshNeeded: false }]);
    const calls = store.calls.getAll + store.calls.get;
    for (let i = 0; i < 50; i++) expect(wrapper.getSync(FEATURES, 'a')?.version).toBe(1);
    await settle();
    expect(store.calls.getAll + store.calls.get).toBe(calls);
    await wrapper.close();
  });

  it('reports a flag the refresh found deleted as absent, and the old copy never comes back', async () => {
    let now = 1_000;
    const { wrapper, other } = setup(30_000, { now: () => now });
    await wrapper.init({ features: { a: flag('a', 1), b: flag('b', 1) } });
    await other.init([{ kind: FEATURES, items: [{ key: 'b', item: { version: 1, serializedItem: JSON.stringify({ key: 'b', version: 1 }) } }] }]);
    now += 30_000;
    expect(wrapper.getSync(FEATURES, 'a')?.version).toBe(1);
    await settle();
    expect(wrapper.getSync(FEATURES, 'a')).toBeNull();
    // Long after every entry expired and was swept, there is still no copy of "a" to serve.
    now += 10 * 60_000;
    expect(wrapper.getSync(FEATURES, 'b')?.version).toBe(1);
    await settle();
    expect(wrapper.getSync(FEATURES, 'a')).toBeNull();
  });

  it('does not treat an expired "not found" answer as a copy', async () => {
    let now = 1_000;
    const { wrapper } = setup(30_000, { now: () => now });
    expect(await wrapper.get(FEATURES, 'nope')).toBeNull();
    expect(wrapper.getSync(FEATURES, 'nope')).toBeNull();
    now += 30_000;
    expect(wrapper.getSync(FEATURES, 'nope')).toBeUndefined();
  });

  it('has nothing to serve synchronously without a cache (cacheTtlMs 0)', async () => {
    const { wrapper } = setup(0);
    await wrapper.init({ features: { a: flag('a', 1) } });
    expect(wrapper.getSync(FEATURES, 'a')).toBeUndefined();
    expect((await wrapper.get(FEATURES, 'a'))?.version).toBe(1);
  });
});
