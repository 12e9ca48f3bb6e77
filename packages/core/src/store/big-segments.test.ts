import { createHash } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { BigSegmentStoreStatus } from '../index.js';
import { BigSegmentStoreWrapper, type BigSegmentStoreWrapperOptions } from '../internal.js';
import { CapturingLogger, InMemoryBigSegmentStore } from '../testing/index.js';

// Tests may use Node: node-server injects exactly this.
const sha256Base64 = (key: string) => createHash('sha256').update(key).digest('base64');

function setup(options: Partial<BigSegmentStoreWrapperOptions> = {}) {
  const store = new InMemoryBigSegmentStore();
  const log = new CapturingLogger();
  store.setMetadata({ lastUpToDate: Date.now() });
  const wrapper = new BigSegmentStoreWrapper(store, { hashContextKey: sha256Base64, logger: log, ...options });
  const statuses: BigSegmentStoreStatus[] = [];
  wrapper.status.on('change', (s) => statuses.push(s));
  return { store, wrapper, log, statuses };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('BigSegmentStoreWrapper', () => {
  it('looks memberships up by base64(sha256(context key)) and reports them healthy', async () => {
    const { wrapper, store } = setup();
    store.setMembership(sha256Base64('user-1'), { 'seg.g1': true, 'other.g2': false });
    const result = await wrapper.getMembership('user-1');
    expect(result).toEqual({ membership: { 'seg.g1': true, 'other.g2': false }, status: 'HEALTHY' });
    expect(await wrapper.getMembership('nobody')).toEqual({ membership: undefined, status: 'HEALTHY' });
    await wrapper.close();
  });

  it('hashes with core’s own SHA-256 when no hash function is given', async () => {
    const store = new InMemoryBigSegmentStore();
    store.setMetadata({ lastUpToDate: Date.now() });
    store.setMembership(sha256Base64('user-2'), { 'seg.g1': true });
    const wrapper = new BigSegmentStoreWrapper(store, {});
    expect((await wrapper.getMembership('user-2')).membership).toEqual({ 'seg.g1': true });
    await wrapper.close();
  });

  it('answers synchronously from the cache once a membership has been fetched', async () => {
    const { wrapper, store } = setup();
    store.setMembership(sha256Base64('user-3'), { 'seg.g1': true });
    expect(wrapper.getMembershipSync('user-3')).toBeUndefined();
    await wrapper.getMembership('user-3');
    expect(wrapper.getMembershipSync('user-3')).toEqual({ membership: { 'seg.g1': true }, status: 'HEALTHY' });
    expect(wrapper.getMembershipSync('someone-else')).toBeUndefined();
    await wrapper.close();
    expect(wrapper.getMembershipSync('user-3')).toEqual({ membership: undefined, status: 'STORE_ERROR' });
  });

  it('accepts an asynchronous hash function', async () => {
    const { wrapper, store } = setup({ hashContextKey: async (key) => `h:${key}` });
    store.setMembership('h:u', { 's.g1': true });
    expect((await wrapper.getMembership('u')).membership).toEqual({ 's.g1': true });
    await wrapper.close();
  });

  it('caches a membership for userCacheTime seconds and coalesces concurrent lookups', async () => {
    const { wrapper, store } = setup({ userCacheTime: 5 });
    store.setMembership(sha256Base64('u'), { 's.g1': true });
    await Promise.all([wrapper.getMembership('u'), wrapper.getMembership('u'), wrapper.getMembership('u')]);
    expect(store.calls.getMembership).toBe(1);
    store.setMembership(sha256Base64('u'), { 's.g1': false });
    await vi.advanceTimersByTimeAsync(4_999);
    expect((await wrapper.getMembership('u')).membership).toEqual({ 's.g1': true });
    await vi.advanceTimersByTimeAsync(1);
    expect((await wrapper.getMembership('u')).membership).toEqual({ 's.g1': false });
    expect(store.calls.getMembership).toBe(2);
    await wrapper.close();
  });

  it('lets the …Ms alias win over the LaunchDarkly seconds option', async () => {
    const { wrapper, store } = setup({ userCacheTime: 60, userCacheTimeMs: 100 });
    await wrapper.getMembership('u');
    await vi.advanceTimersByTimeAsync(100);
    await wrapper.getMembership('u');
    expect(store.calls.getMembership).toBe(2);
    await wrapper.close();
  });

  it('evicts the least recently used context beyond userCacheSize', async () => {
    const { wrapper, store } = setup({ userCacheSize: 2 });
    await wrapper.getMembership('a');
    await wrapper.getMembership('b');
    await wrapper.getMembership('a'); // a is now the most recently used
    await wrapper.getMembership('c'); // evicts b
    expect(store.calls.getMembership).toBe(3);
    await wrapper.getMembership('a');
    expect(store.calls.getMembership).toBe(3);
    await wrapper.getMembership('b');
    expect(store.calls.getMembership).toBe(4);
    await wrapper.close();
  });

  it('reports STORE_ERROR when the membership query fails, without caching the failure', async () => {
    const { wrapper, store, log } = setup();
    store.fail('getMembership');
    expect(await wrapper.getMembership('u')).toEqual({ membership: undefined, status: 'STORE_ERROR' });
    expect(log.messages('error')).toEqual([expect.stringMatching(/membership query returned error/)]);
    store.heal();
    store.setMembership(sha256Base64('u'), { 's.g1': true });
    expect(await wrapper.getMembership('u')).toEqual({ membership: { 's.g1': true }, status: 'HEALTHY' });
    await wrapper.close();
  });

  it('reports STALE when the data is older than staleAfter or was never synchronized', async () => {
    const { wrapper, store } = setup({ staleAfter: 120 });
    store.setMetadata({ lastUpToDate: Date.now() - 120_000 });
    expect((await wrapper.getMembership('u')).status).toBe('STALE');
    const fresh = setup();
    fresh.store.setMetadata(undefined);
    expect((await fresh.wrapper.getMembership('u')).status).toBe('STALE');
    expect(await fresh.wrapper.status.requireStatus()).toEqual({ available: true, stale: true });
    await wrapper.close();
    await fresh.wrapper.close();
  });

  it('polls the metadata every statusPollInterval and tells listeners each change once', async () => {
    const { wrapper, store, statuses } = setup({ statusPollInterval: 5, staleAfter: 60 });
    expect(wrapper.status.getStatus()).toBeUndefined();
    expect(await wrapper.status.requireStatus()).toEqual({ available: true, stale: false });
    expect(statuses).toEqual([{ available: true, stale: false }]);

    store.fail('getMetadata');
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(statuses).toEqual([
      { available: true, stale: false },
      { available: false, stale: false },
    ]);

    store.heal();
    store.setMetadata({ lastUpToDate: Date.now() - 61_000 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(statuses.at(-1)).toEqual({ available: true, stale: true });
    expect(wrapper.status.getStatus()).toEqual({ available: true, stale: true });
    expect(store.calls.getMetadata).toBe(4);
    await wrapper.close();
  });

  it('stops polling and closes the store on close', async () => {
    const { wrapper, store } = setup({ statusPollIntervalMs: 1_000 });
    await vi.advanceTimersByTimeAsync(2_000);
    await wrapper.close();
    await wrapper.close();
    const polls = store.calls.getMetadata;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.calls.getMetadata).toBe(polls);
    expect(store.closed).toBe(true);
    expect(await wrapper.getMembership('u')).toEqual({ membership: undefined, status: 'STORE_ERROR' });
  });

  it('uses the defaults for non-positive poll and stale durations, as LaunchDarkly does, and warns about invalid ones', async () => {
    const { wrapper, store, log } = setup({ statusPollInterval: 0, staleAfter: -1, userCacheSize: Number.NaN });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(store.calls.getMetadata).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.calls.getMetadata).toBe(1);
    expect(log.messages('warn')).toEqual(['[switchyard/core] option userCacheSize is invalid (NaN); using 1000']);
    await wrapper.close();
  });
});
