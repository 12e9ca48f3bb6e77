import { afterEach, expect, it } from 'vitest';

import { DataKinds, PersistentStoreWrapper, TimeoutError } from '@switchyard/core';
import { InMemoryPersistentBackend, InMemoryPersistentStore } from '@switchyard/core/testing';

import type { DataSourceStatus } from '../src/data-sources/status.js';
import { boolFlag, harness, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const user = { kind: 'user', key: 'u1' };

/** A shared "database" that another process (Relay, an earlier run) filled with flag data. */
async function populatedBackend(): Promise<InMemoryPersistentBackend> {
  const backend = new InMemoryPersistentBackend();
  const writer = new PersistentStoreWrapper(new InMemoryPersistentStore({ backend }));
  await writer.init({
    features: { stored: DataKinds.features.fromJSON(boolFlag('stored', 3)) },
    segments: {},
  });
  await writer.close();
  return backend;
}

it('serves flags from an initialized persistent store while LaunchDarkly cannot be reached, then switches to the stream', async () => {
  const backend = await populatedBackend();
  h = await harness({ flags: { stored: boolFlag('stored', 4, { on: false }) } });
  // The flag service answers 503 for a while: the stream keeps retrying.
  h.fake.stream.nextConnections(...Array.from({ length: 8 }, () => ({ kind: 'status' as const, status: 503 })));
  const store = new PersistentStoreWrapper(new InMemoryPersistentStore({ backend }), { cacheTtlMs: 30_000 });
  const client = h.client({ featureStore: store }, { streamMaxReconnectDelayMs: 100, random: () => 0 });
  const seen: DataSourceStatus[] = [];
  client.dataSourceStatusProvider.on('change', (s) => seen.push(s));

  const waited = client.waitForInitialization({ timeout: 0.2 }).then(
    () => 'resolved',
    (err: unknown) => err,
  );
  const error = await waited;
  expect(TimeoutError.isInstance(error)).toBe(true);
  expect((error as Error).message).toMatch(/serves the last known flag values/);
  expect(client.initialized()).toBe(false);
  // Served from the store (version 3, on), not defaults.
  expect(await client.variationDetail('stored', user, 'dflt')).toMatchObject({ value: true, reason: { kind: 'FALLTHROUGH' } });
  expect(client.variationSync('stored', user, 'dflt')).toBe(true);
  const state = await client.allFlagsState(user);
  expect(state.valid).toBe(true);
  expect(state.getFlagValue('stored')).toBe(true);
  expect(h.logger.messages('warn').join('\n')).toMatch(/using the last known values from the data store/);
  expect(seen.every((s) => s.state === 'INITIALIZING')).toBe(true);
  expect(seen.at(-1)?.lastError).toMatchObject({ kind: 'ERROR_RESPONSE', statusCode: 503 });

  // The stream recovers: the client initializes and serves the fresh data.
  const ready = new Promise((resolve) => client.once('ready', resolve));
  await ready;
  expect(client.initialized()).toBe(true);
  expect(await client.variation('stored', user, 'dflt')).toBe(false);
  expect(client.dataSourceStatusProvider.getStatus().state).toBe('VALID');
});

it('returns defaults (CLIENT_NOT_READY) when LaunchDarkly is unreachable and the store is empty', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  h.fake.stream.nextConnections(...Array.from({ length: 100 }, () => ({ kind: 'status' as const, status: 503 })));
  const store = new PersistentStoreWrapper(new InMemoryPersistentStore());
  const client = h.client({ featureStore: store }, { streamMaxReconnectDelayMs: 100, random: () => 0 });
  await expect(client.waitForInitialization({ timeout: 0.2 })).rejects.toThrow(/timed out/);
  expect(await client.variationDetail('a', user, 'dflt')).toMatchObject({ value: 'dflt', reason: { errorKind: 'CLIENT_NOT_READY' } });
  expect((await client.allFlagsState(user)).valid).toBe(false);
});
