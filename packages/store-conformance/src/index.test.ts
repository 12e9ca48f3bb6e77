// The suites run against the in-memory reference stores of @switchyard/core/testing: the same few lines
// a store package writes (with its real backend) to plug into them. Like every store of this repository,
// the harness is a CompleteConformanceHarness with requireAllHooks, so no group of the suite is skipped.
import type { BigSegmentStoreMembership } from '@switchyard/core';
import { InMemoryBigSegmentStore, InMemoryPersistentBackend, InMemoryPersistentStore } from '@switchyard/core/testing';

import { type CompleteConformanceHarness, runBigSegmentStoreConformance, runPersistentStoreConformance } from './index.js';

const backend = new InMemoryPersistentBackend();

const harness: CompleteConformanceHarness<InMemoryPersistentStore> = {
  name: 'in-memory reference store',
  requireAllHooks: true,
  createStore: (prefix) => new InMemoryPersistentStore({ backend, prefix }),
  clearData: async (prefix) => backend.clear(prefix ?? 'launchdarkly'),
  createFailingStore: () => {
    const store = new InMemoryPersistentStore();
    store.fail('all');
    return store;
  },
  validateError: (error) => {
    if (!(error instanceof Error) || !/injected failure/.test(error.message)) throw new Error(`unexpected error ${String(error)}`);
  },
  setConcurrentModificationHook: (store, hook) => store.setConcurrentModificationHook(hook),
};

runPersistentStoreConformance(harness);

const bigSegmentStores = new Map<string, InMemoryBigSegmentStore>();
const bigSegmentStore = (prefix: string) => {
  let store = bigSegmentStores.get(prefix);
  if (!store) {
    store = new InMemoryBigSegmentStore();
    bigSegmentStores.set(prefix, store);
  }
  return store;
};

runBigSegmentStoreConformance({
  name: 'in-memory reference big-segment store',
  createStore: (prefix) => bigSegmentStore(prefix),
  clearData: async (prefix) => {
    bigSegmentStores.delete(prefix);
  },
  setMetadata: async (prefix, metadata) => bigSegmentStore(prefix).setMetadata(metadata),
  setSegments: async (prefix, contextHash, included, excluded) => {
    // LaunchDarkly's rule: a reference in both lists counts as included.
    const membership: Record<string, boolean> = {};
    for (const ref of excluded) membership[ref] = false;
    for (const ref of included) membership[ref] = true;
    bigSegmentStore(prefix).setMembership(contextHash, membership as BigSegmentStoreMembership);
  },
});
