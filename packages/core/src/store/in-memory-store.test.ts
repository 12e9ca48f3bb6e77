import { describe, expect, it } from 'vitest';

import { DataKinds, InMemoryDataStore } from '../index.js';

const flag = (key: string, version: number, deleted = false) => ({ key, version, deleted });

describe('InMemoryDataStore', () => {
  it('is not initialized until init is called', () => {
    const store = new InMemoryDataStore();
    expect(store.initialized()).toBe(false);
    store.init({});
    expect(store.initialized()).toBe(true);
  });

  it('returns items by kind and key, and all live items of a kind', () => {
    const store = new InMemoryDataStore();
    store.init({ features: { a: flag('a', 1), b: flag('b', 1, true) }, segments: { a: flag('a', 7) } });
    expect(store.get(DataKinds.features, 'a')).toEqual(flag('a', 1));
    expect(store.get(DataKinds.segments, 'a')?.version).toBe(7);
    expect(store.get(DataKinds.features, 'b')).toBeUndefined();
    expect(Object.keys(store.all(DataKinds.features))).toEqual(['a']);
  });

  it('applies an upsert only when its version is higher', () => {
    const store = new InMemoryDataStore();
    store.init({ features: { a: flag('a', 5) } });
    expect(store.upsert(DataKinds.features, flag('a', 4))).toBe(false);
    expect(store.upsert(DataKinds.features, flag('a', 5))).toBe(false);
    expect(store.get(DataKinds.features, 'a')?.version).toBe(5);
    expect(store.upsert(DataKinds.features, flag('a', 6))).toBe(true);
    expect(store.get(DataKinds.features, 'a')?.version).toBe(6);
  });

  it('keeps a tombstone so an older version cannot resurrect a deleted item', () => {
    const store = new InMemoryDataStore();
    store.init({ features: { a: flag('a', 1) } });
    expect(store.upsert(DataKinds.features, flag('a', 2, true))).toBe(true);
    expect(store.get(DataKinds.features, 'a')).toBeUndefined();
    expect(store.upsert(DataKinds.features, flag('a', 1))).toBe(false);
    expect(store.get(DataKinds.features, 'a')).toBeUndefined();
  });
});
