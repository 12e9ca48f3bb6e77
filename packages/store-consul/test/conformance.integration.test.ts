/**
 * The shared conformance suite. Runs against the Consul KV emulator from `tooling/`, or unchanged against
 * a real Consul agent when `CONSUL_HTTP_ADDR` is set (see the README's "Tests").
 */
import { StoreError } from '@switchyard/core';
import { type CompleteConformanceHarness, runPersistentStoreConformance } from '@switchyard/store-conformance';
import { freePort } from '@switchyard/test-services';
import { afterAll, beforeAll, expect } from 'vitest';

import { ConsulPersistentStore, consulStoreDefaults } from '../src/index.js';
import { type ConsulTarget, startConsulTarget } from './support.js';

let consul: ConsulTarget;

beforeAll(async () => {
  consul = await startConsulTarget();
});

afterAll(async () => {
  await consul?.stop();
});

const harness: CompleteConformanceHarness<ConsulPersistentStore> = {
  name: 'consul',
  requireAllHooks: true,
  createStore: (prefix) => new ConsulPersistentStore({ url: consul.url, ...(consul.token ? { token: consul.token } : {}), ...(prefix === undefined ? {} : { prefix }) }),
  clearData: (prefix) => consul.deleteTree(prefix ?? consulStoreDefaults.prefix),
  createFailingStore: async () => new ConsulPersistentStore({ url: `http://127.0.0.1:${await freePort()}`, pool: { connectTimeoutMs: 1_000 } }),
  validateError: (error) => {
    expect(StoreError.isInstance(error) && error.store).toBe('consul');
  },
  setConcurrentModificationHook: (store, hook) => store.setBeforeUpsertWriteHook(hook),
};

runPersistentStoreConformance(harness);

// Keys with the layout's separator and URL-special characters in the prefix stay isolated too.
runPersistentStoreConformance({ ...harness, name: 'consul, custom prefix with / : and %', prefixBase: 'my/app:%20x' });
