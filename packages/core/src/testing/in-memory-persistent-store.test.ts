import { afterEach, describe, expect, it, vi } from 'vitest';

import { StoreError } from '../index.js';
import { InMemoryPersistentBackend, InMemoryPersistentStore } from './index.js';

const KIND = { namespace: 'features' };
const item = (version: number) => ({ version, serializedItem: JSON.stringify({ key: 'a', version }) });

afterEach(() => {
  vi.useRealTimers();
});

describe('InMemoryPersistentStore', () => {
  it('shares data between instances on one backend and prefix, and only those', async () => {
    const backend = new InMemoryPersistentBackend();
    const one = new InMemoryPersistentStore({ backend, prefix: 'p' });
    const two = new InMemoryPersistentStore({ backend, prefix: 'p' });
    const elsewhere = new InMemoryPersistentStore({ backend, prefix: 'q' });
    await one.init([{ kind: KIND, items: [{ key: 'a', item: item(1) }] }]);
    expect(await two.isInitialized()).toBe(true);
    expect(await two.get(KIND, 'a')).toEqual(item(1));
    expect(await elsewhere.isInitialized()).toBe(false);
    expect(await elsewhere.getAll(KIND)).toEqual([]);
  });

  it('fails the chosen operations with a StoreError until healed, and counts every call', async () => {
    const store = new InMemoryPersistentStore();
    store.fail('get');
    await expect(store.get(KIND, 'a')).rejects.toSatisfy((e: unknown) => StoreError.isInstance(e) && e.operation === 'get');
    expect(await store.getAll(KIND)).toEqual([]);
    expect(await store.isStoreAvailable()).toBe(true);
    store.fail('all', new Error('down'));
    await expect(store.getAll(KIND)).rejects.toThrow('down');
    expect(await store.isStoreAvailable()).toBe(false);
    store.heal();
    expect(await store.get(KIND, 'a')).toBeUndefined();
    expect(store.calls).toMatchObject({ get: 2, getAll: 2, isStoreAvailable: 2, init: 0 });
  });

  it('forgets everything, init marker included, on wipe', async () => {
    const store = new InMemoryPersistentStore();
    await store.init([{ kind: KIND, items: [{ key: 'a', item: item(1) }] }]);
    store.wipe();
    expect(store.hasInitMarker()).toBe(false);
    expect(store.stored('features')).toEqual({});
  });

  it('delays operations by the configured latency', async () => {
    vi.useFakeTimers();
    const store = new InMemoryPersistentStore({ latencyMs: 100 });
    let done = false;
    void store.isInitialized().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it('reports version 0 when told to hide versions, as a store keeping only JSON text would', async () => {
    const store = new InMemoryPersistentStore({ hideVersions: true });
    await store.upsert(KIND, 'a', item(3));
    expect((await store.get(KIND, 'a'))?.version).toBe(0);
  });

  it('retries an upsert that lost a race, and gives up with a StoreError after maxUpsertAttempts', async () => {
    const backend = new InMemoryPersistentBackend();
    const store = new InMemoryPersistentStore({ backend, maxUpsertAttempts: 3 });
    const other = new InMemoryPersistentStore({ backend });
    let external = 1;
    let hookCalls = 0;
    store.setConcurrentModificationHook(async () => {
      hookCalls++;
      await other.upsert(KIND, 'a', item(++external));
    });
    await expect(store.upsert(KIND, 'a', item(100))).rejects.toThrow(/gave up after 3 attempts/);
    expect(hookCalls).toBe(3);
    store.setConcurrentModificationHook(undefined);
    expect(await store.upsert(KIND, 'a', item(100))).toEqual({ updated: true, item: item(100) });
  });

  it('records init payloads in order', async () => {
    const store = new InMemoryPersistentStore();
    await store.init([]);
    await store.init([{ kind: KIND, items: [] }]);
    expect(store.inits).toEqual([[], [{ kind: KIND, items: [] }]]);
  });
});
