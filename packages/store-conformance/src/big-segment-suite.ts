import type { BigSegmentStore } from '@switchyard/core';
import { afterEach, describe, expect, it } from 'vitest';

import type { BigSegmentConformanceHarness } from './harness.js';

/** A context hash as the SDK computes it (base64 of a SHA-256); the store treats it as an opaque string. */
const HASH = 'Kj8qD6bq0Yqg3fy0Xg6cU6Fh0nH3y3f8B8N0j4a7m1E=';

async function settle(promise: Promise<unknown> | unknown): Promise<void> {
  try {
    await promise;
  } catch {
    // Cleanup must go on.
  }
}

/**
 * Registers LaunchDarkly's big-segment store conformance cases (Go `BigSegmentStoreTestSuite`): metadata
 * with and without a value, and memberships (none, includes only, excludes only, both, where an include
 * wins) as vitest `describe`/`it` blocks. Call it at the top level of a test file.
 */
export function runBigSegmentStoreConformance<Store extends BigSegmentStore>(harness: BigSegmentConformanceHarness<Store>): void {
  const timeoutMs = harness.timeoutMs ?? 30_000;
  const base = harness.prefixBase ?? 'sytest';
  const runId = Math.random().toString(36).slice(2, 8);
  let counter = 0;
  const prefixes: string[] = [];
  const stores: Store[] = [];

  async function fresh(): Promise<{ prefix: string; store: Store }> {
    const prefix = `${base}-bs-${runId}-t${++counter}`;
    prefixes.push(prefix);
    await harness.clearData(prefix);
    const store = await harness.createStore(prefix);
    stores.push(store);
    return { prefix, store };
  }

  const test = (name: string, fn: () => Promise<void>) => it(name, { timeout: timeoutMs }, fn);

  describe(`${harness.name}: big-segment store conformance`, () => {
    afterEach(async () => {
      for (const store of stores.splice(0)) await settle(store.close());
      for (const prefix of prefixes.splice(0)) await harness.clearData(prefix);
    }, timeoutMs);

    test('returns the metadata that was written', async () => {
      const { prefix, store } = await fresh();
      const lastUpToDate = 1_700_000_000_123;
      await harness.setMetadata(prefix, { lastUpToDate });
      expect((await store.getMetadata())?.lastUpToDate).toBe(lastUpToDate);
    });

    test('returns no timestamp when the store was never synchronized', async () => {
      const { prefix, store } = await fresh();
      await harness.setMetadata(prefix, undefined);
      expect((await store.getMetadata())?.lastUpToDate).toBeUndefined();
    });

    test('returns no membership for an unknown context (an empty one is fine too)', async () => {
      const { store } = await fresh();
      const membership = await store.getMembership(HASH);
      expect(membership === undefined || Object.values(membership).every((v) => v === undefined || v === null)).toBe(true);
    });

    test('returns a membership with includes only', async () => {
      const { prefix, store } = await fresh();
      await harness.setSegments(prefix, HASH, ['seg1.g1', 'seg2.g2'], []);
      const membership = await store.getMembership(HASH);
      expect(membership?.['seg1.g1']).toBe(true);
      expect(membership?.['seg2.g2']).toBe(true);
      expect(membership?.['seg3.g3'] ?? null).toBeNull();
    });

    test('returns a membership with excludes only', async () => {
      const { prefix, store } = await fresh();
      await harness.setSegments(prefix, HASH, [], ['seg1.g1', 'seg2.g2']);
      const membership = await store.getMembership(HASH);
      expect(membership?.['seg1.g1']).toBe(false);
      expect(membership?.['seg2.g2']).toBe(false);
      expect(membership?.['seg3.g3'] ?? null).toBeNull();
    });

    test('returns a membership with includes and excludes, an include winning over an exclude', async () => {
      const { prefix, store } = await fresh();
      await harness.setSegments(prefix, HASH, ['seg1.g1', 'seg2.g2'], ['seg2.g2', 'seg3.g3']);
      const membership = await store.getMembership(HASH);
      expect(membership?.['seg1.g1']).toBe(true);
      expect(membership?.['seg2.g2']).toBe(true);
      expect(membership?.['seg3.g3']).toBe(false);
      expect(membership?.['seg4.g4'] ?? null).toBeNull();
    });

    test('keeps the data of two prefixes apart', async () => {
      const one = await fresh();
      const two = await fresh();
      await harness.setSegments(one.prefix, HASH, ['seg1.g1'], []);
      await harness.setMetadata(one.prefix, { lastUpToDate: 1 });
      expect((await two.store.getMetadata())?.lastUpToDate).toBeUndefined();
      const membership = await two.store.getMembership(HASH);
      expect(membership?.['seg1.g1'] ?? null).toBeNull();
    });
  });
}
