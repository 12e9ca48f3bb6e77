import { describe, expect, it } from 'vitest';

import { ClosedError, DataKinds, InMemoryDataStore } from '../index.js';

const flag = (key: string, version: number, deleted = false) => ({ key, version, deleted });

describe('InMemoryDataStore', () => {
  it('is not initialized until init is called', async () => {
    const store = new InMemoryDataStore();
    expect(await store.initialized()).toBe(false);
    await store.init({});
    expect(await store.initialized()).toBe(true);
  });

  it('returns items by kind and key, and all live items of a kind', async () => {
    const store = new InMemoryDataStore();
    await store.init({ features: { a: flag('a', 1), b: flag('b', 1, true) }, segments: { a: flag('a', 7) } });
    expect(await store.get(DataKinds.features, 'a')).toEqual(flag('a', 1));
    expect((await store.get(DataKinds.segments, 'a'))?.version).toBe(7);
    expect(await store.get(DataKinds.features, 'b')).toBeNull();
    expect(Object.keys(await store.all(DataKinds.features))).toEqual(['a']);
  });

  it('answers every read synchronously: the item, or null when missing or deleted', () => {
    const store = new InMemoryDataStore();
    void store.init({ features: { a: flag('a', 1), b: flag('b', 1, true) } });
    expect(store.getSync(DataKinds.features, 'a')).toEqual(flag('a', 1));
    expect(store.getSync(DataKinds.features, 'b')).toBeNull();
    expect(store.getSync(DataKinds.features, 'missing')).toBeNull();
    expect(store.getSync(DataKinds.segments, 'missing')).toBeNull();
    expect(store.allSync(DataKinds.features)).toEqual({ a: flag('a', 1) });
    expect(store.allSync(DataKinds.segments)).toEqual({});
  });

  it('applies an upsert only when its version is higher', async () => {
    const store = new InMemoryDataStore();
    await store.init({ features: { a: flag('a', 5) } });
    expect(await store.upsert(DataKinds.features, flag('a', 4))).toBe(false);
    expect(await store.upsert(DataKinds.features, flag('a', 5))).toBe(false);
    expect(store.getSync(DataKinds.features, 'a')?.version).toBe(5);
    expect(await store.upsert(DataKinds.features, flag('a', 6))).toBe(true);
    expect(store.getSync(DataKinds.features, 'a')?.version).toBe(6);
  });

  it('keeps a tombstone so an older version cannot resurrect a deleted item', async () => {
    const store = new InMemoryDataStore();
    await store.init({ features: { a: flag('a', 1) } });
    expect(await store.upsert(DataKinds.features, DataKinds.features.tombstone('a', 2))).toBe(true);
    expect(store.getSync(DataKinds.features, 'a')).toBeNull();
    expect(await store.upsert(DataKinds.features, flag('a', 1))).toBe(false);
    expect(await store.get(DataKinds.features, 'a')).toBeNull();
  });

  it('reports itself always available, without status monitoring, and never asks for a refresh', () => {
    const store = new InMemoryDataStore();
    expect(store.status.getStatus()).toEqual({ available: true, refreshNeeded: false });
    expect(store.status.isStatusMonitoringEnabled()).toBe(false);
    expect(store.description).toBe('memory');
    const unsubscribe = store.onRefreshNeeded(() => undefined);
    expect(unsubscribe).toBeTypeOf('function');
  });

  it('rejects reads and writes after close and answers nothing synchronously', async () => {
    const store = new InMemoryDataStore();
    await store.init({ features: { a: flag('a', 1) } });
    await store.close();
    expect(store.getSync(DataKinds.features, 'a')).toBeUndefined();
    expect(store.allSync(DataKinds.features)).toBeUndefined();
    await expect(store.get(DataKinds.features, 'a')).rejects.toSatisfy(ClosedError.isInstance);
    await expect(store.upsert(DataKinds.features, flag('a', 2))).rejects.toSatisfy(ClosedError.isInstance);
    expect(await store.initialized()).toBe(false);
  });
});
