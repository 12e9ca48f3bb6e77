// The client under a persistent store (core's caching wrapper over the in-memory persistent store
// double) with a real stream from the fake flag service: store failures, cache-only writes, expired
// caches, unusable store options and allFlagsState with a failing store.
import { afterEach, describe, expect, it } from 'vitest';

import { ConfigError, PersistentStoreWrapper, type PersistentStoreWrapperOptions } from '@switchyard/core';
import { InMemoryPersistentStore } from '@switchyard/core/testing';

import type { DataSourceStatus } from '../src/data-sources/status.js';
import { boolFlag, harness, until, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const user = { kind: 'user', key: 'u1' };
const QUIET: PersistentStoreWrapperOptions = { statusPollIntervalMs: 20, healthCheckIntervalMs: 0 };

function record(client: { dataSourceStatusProvider: { on(e: 'change', l: (s: DataSourceStatus) => void): unknown } }): DataSourceStatus[] {
  const seen: DataSourceStatus[] = [];
  client.dataSourceStatusProvider.on('change', (s) => seen.push(s));
  return seen;
}

function updates(client: { on(e: string, l: (x: { key: string }) => void): unknown }): string[] {
  const keys: string[] = [];
  client.on('update', ({ key }) => keys.push(key));
  return keys;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('item 2: status after a rejected write', () => {
  it('stays INTERRUPTED with STORE_ERROR after a patch the store rejects, fires no update for it, and turns VALID only once a write reaches the store', async () => {
    h = await harness({ flags: { a: boolFlag('a'), b: boolFlag('b') } });
    const core = new InMemoryPersistentStore();
    const client = h.client({ featureStore: new PersistentStoreWrapper(core, { cacheTtlMs: 30_000, ...QUIET }) });
    await client.waitForInitialization({ timeout: 5 });
    const seen = record(client);
    const changed = updates(client);

    core.fail('all');
    h.fake.stream.patch('flags', boolFlag('a', 2, { on: false }));
    await until(() => seen.some((s) => s.lastError?.kind === 'STORE_ERROR'), 5000, 'STORE_ERROR');
    h.fake.stream.delete('flags', 'b', 2);
    await pause(150);
    expect(new Set(seen.map((s) => s.state))).toEqual(new Set(['INTERRUPTED']));
    expect(client.dataSourceStatusProvider.getStatus()).toMatchObject({ state: 'INTERRUPTED', lastError: { kind: 'STORE_ERROR' } });
    expect(changed).toEqual([]);
    expect(client.variationSync('a', user, 'dflt')).toBe(true);
    expect(client.variationSync('b', user, 'dflt')).toBe(true);

    // The store answers again: the wrapper asks for a refresh, and the refreshed put reaching the store
    // is what turns the status VALID; now the changes happened, so now they are announced.
    core.heal();
    await until(() => client.dataSourceStatusProvider.getStatus().state === 'VALID', 5000, 'VALID');
    expect(seen.findIndex((s) => s.state === 'VALID')).toBe(seen.length - 1);
    expect(client.variationSync('a', user, 'dflt')).toBe(false);
    await until(() => changed.length === 2);
    expect([...changed].sort()).toEqual(['a', 'b']);
  });

  it('does not turn VALID when the stream reconnects while the store still refuses writes', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    const core = new InMemoryPersistentStore();
    const client = h.client({ featureStore: new PersistentStoreWrapper(core, { cacheTtlMs: -1, ...QUIET, statusPollIntervalMs: 60_000 }) });
    await client.waitForInitialization({ timeout: 5 });
    core.fail('all');
    h.fake.stream.patch('flags', boolFlag('a', 2, { on: false }));
    await until(() => client.dataSourceStatusProvider.getStatus().lastError?.kind === 'STORE_ERROR', 5000, 'STORE_ERROR');
    // A new connection's put is applied to the infinite cache only: served, but the store is behind.
    h.fake.stream.drop();
    await h.fake.stream.waitForConnections(2);
    await pause(150);
    expect(client.dataSourceStatusProvider.getStatus()).toMatchObject({ state: 'INTERRUPTED', lastError: { kind: 'STORE_ERROR' } });
  });
});

describe('item 3: writes applied only to the cache during an outage (infinite TTL)', () => {
  it('fire update events for the flag and its dependents, are served, and are written back with status VALID when the store returns', async () => {
    h = await harness({
      segments: { s: { key: 's', version: 1, included: [] } },
      flags: {
        base: boolFlag('base'),
        child: boolFlag('child', 1, { prerequisites: [{ key: 'base', variation: 1 }] }),
        bySegment: boolFlag('bySegment', 1, { rules: [{ id: 'r', variation: 0, clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['s'] }] }] }),
        other: boolFlag('other'),
      },
    });
    const core = new InMemoryPersistentStore();
    const client = h.client({ featureStore: new PersistentStoreWrapper(core, { cacheTtlMs: -1, ...QUIET }) });
    await client.waitForInitialization({ timeout: 5 });
    const changed = updates(client);
    const perKey: string[] = [];
    client.on('update:child', () => perKey.push('child'));

    core.fail('all');
    h.fake.stream.patch('flags', boolFlag('base', 2, { on: false }));
    await until(() => changed.length >= 2, 5000, 'update events for base and child');
    expect([...changed].sort()).toEqual(['base', 'child']);
    expect(perKey).toEqual(['child']);
    expect(client.variationSync('base', user, 'dflt')).toBe(false);
    expect(client.variationSync('child', user, 'dflt')).toBe(false);

    // The dependency tracker learned of the cache-only segment change as well.
    h.fake.stream.patch('segments', { key: 's', version: 2, included: ['u1'] });
    await until(() => changed.includes('bySegment'), 5000, 'update for the segment user');
    expect(client.variationSync('bySegment', user, 'dflt')).toBe(false);
    expect(changed).not.toContain('other');
    expect(client.dataSourceStatusProvider.getStatus()).toMatchObject({ state: 'INTERRUPTED', lastError: { kind: 'STORE_ERROR' } });

    core.heal();
    await until(() => client.dataSourceStatusProvider.getStatus().state === 'VALID', 5000, 'VALID after the write-back');
    expect(core.stored('features').base?.version).toBe(2);
    expect(core.stored('segments').s?.version).toBe(2);
  });

  it('fire no event for a cache-only write that is older than what the cache holds', async () => {
    h = await harness({ flags: { a: boolFlag('a', 5) } });
    const core = new InMemoryPersistentStore();
    const client = h.client({ featureStore: new PersistentStoreWrapper(core, { cacheTtlMs: -1, ...QUIET }) });
    await client.waitForInitialization({ timeout: 5 });
    const changed = updates(client);
    core.fail('all');
    h.fake.stream.patch('flags', boolFlag('a', 4, { on: false }));
    await until(() => client.dataSourceStatusProvider.getStatus().lastError?.kind === 'STORE_ERROR', 5000, 'STORE_ERROR');
    await pause(50);
    expect(changed).toEqual([]);
    expect(client.variationSync('a', user, 'dflt')).toBe(true);
  });
});

describe('item 4: synchronous evaluation with a persistent store', () => {
  it('never answers with the default for a flag it holds after the TTL expired: it serves the copy and refreshes it', async () => {
    const flags: Record<string, ReturnType<typeof boolFlag>> = {};
    for (let i = 0; i < 20; i++) flags[`f${i}`] = boolFlag(`f${i}`, 1, i % 2 ? { rules: [{ id: 'r', variation: 0, clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['s'] }] }] } : { prerequisites: [{ key: 'f1', variation: 1 }] });
    h = await harness({ flags, segments: { s: { key: 's', version: 1, included: ['nobody'] } } });
    let now = Date.now();
    const core = new InMemoryPersistentStore();
    const client = h.client({ featureStore: new PersistentStoreWrapper(core, { cacheTtlMs: 1_000, now: () => now, ...QUIET }) });
    await client.waitForInitialization({ timeout: 5 });
    const fresh = Object.fromEntries(Object.keys(flags).map((key) => [key, client.variationDetailSync(key, user, 'dflt')]));
    expect(Object.values(fresh).every((d) => d.reason.kind !== 'ERROR')).toBe(true);
    for (let round = 0; round < 3; round++) {
      now += 1_001; // every cached item and list has expired
      for (const key of Object.keys(flags)) expect(client.variationDetailSync(key, user, 'dflt'), `${key} in round ${round}`).toEqual(fresh[key]);
      await pause(20); // the background refresh lands
    }
    expect(h.logger.messages('warn').join('\n')).not.toMatch(/synchronous variation/);
  });

  it('with cacheTtlMs 0 answers every *Sync call with the default and says why, once', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    const client = h.client({ featureStore: new PersistentStoreWrapper(new InMemoryPersistentStore(), { cacheTtlMs: 0, ...QUIET }) });
    await client.waitForInitialization({ timeout: 5 });
    expect(await client.variation('a', user, 'dflt')).toBe(true);
    for (let i = 0; i < 3; i++) expect(client.variationDetailSync('a', user, 'dflt')).toMatchObject({ value: 'dflt', reason: { errorKind: 'CLIENT_NOT_READY' } });
    const warnings = h.logger.messages('warn').filter((m) => /cacheTtlMs 0/.test(m));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/every \*Sync method returns the default/);
  });
});

describe('item 5: an unusable featureStore fails initialization', () => {
  const cases: [string, unknown, RegExp][] = [
    [
      'a factory that throws',
      () => {
        throw new Error('cannot parse redis url');
      },
      /featureStore factory threw: cannot parse redis url/,
    ],
    ['a factory that returns nothing', () => undefined, /featureStore factory returned undefined/],
    ['a factory that returns a promise', () => Promise.resolve({}), /returned a Promise/],
    ['an object of the wrong shape', { get: () => undefined, init: () => undefined }, /not a PersistentDataStore: missing getAll, upsert, isInitialized, isStoreAvailable, close/],
    ['a DataStore without a status provider', { getSync() {}, get() {}, allSync() {}, all() {}, init() {}, upsert() {}, initialized() {}, onRefreshNeeded() {}, close() {} }, /not a DataStore: missing status/],
    [
      "a LaunchDarkly LDFeatureStore",
      { get() {}, all() {}, init() {}, delete() {}, upsert() {}, initialized() {}, close() {}, getDescription: () => 'redis' },
      /LaunchDarkly LDFeatureStore/,
    ],
    ['a string', 'redis://localhost:6379', /featureStore is string, not a data store/],
  ];

  it.each(cases)('%s: waitForInitialization rejects with a ConfigError saying what is wrong, and nothing connects', async (_name, featureStore, message) => {
    h = await harness({ flags: { a: boolFlag('a') } });
    const client = h.client({ featureStore: featureStore as never });
    const failed = new Promise<Error>((resolve) => client.once('failed', resolve));
    const error = await client.waitForInitialization({ timeout: 5 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect(await failed).toBe(error);
    expect(client.initialized()).toBe(false);
    expect(client.dataSourceStatusProvider.getStatus().state).toBe('OFF');
    expect(await client.variationDetail('a', user, 'dflt')).toMatchObject({ value: 'dflt', reason: { errorKind: 'CLIENT_NOT_READY' } });
    expect(h.fake.stream.connections).toHaveLength(0);
    expect(h.logger.messages('error').join('\n')).toMatch(message);
  });
});

describe('item 7: allFlagsState when a flag cannot be evaluated', () => {
  it('includes every flag, the failed one with a null value and an EXCEPTION reason, like LaunchDarkly', async () => {
    h = await harness({
      segments: { s: { key: 's', version: 1, included: ['u1'] } },
      flags: { plain: boolFlag('plain'), bySegment: boolFlag('bySegment', 1, { rules: [{ id: 'r', variation: 0, clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['s'] }] }] }) },
    });
    const core = new InMemoryPersistentStore();
    const client = h.client({ featureStore: new PersistentStoreWrapper(core, { cacheTtlMs: 0, ...QUIET, statusPollIntervalMs: 60_000 }) });
    await client.waitForInitialization({ timeout: 5 });
    core.fail('get'); // listing flags works; reading the segment does not
    const errors: Error[] = [];
    client.on('error', (e: Error) => errors.push(e));
    const state = await client.allFlagsState(user, { withReasons: true });
    expect(state.valid).toBe(true);
    expect(state.toJSON()).toMatchObject({
      plain: true,
      bySegment: null,
      $valid: true,
      $flagsState: { plain: { variation: 1, reason: { kind: 'FALLTHROUGH' } }, bySegment: { reason: { kind: 'ERROR', errorKind: 'EXCEPTION' } } },
    });
    expect(Object.keys(state.allValues()).sort()).toEqual(['bySegment', 'plain']);
    expect(errors.map((e) => e.message).join('\n')).toMatch(/"bySegment".*EXCEPTION/);
  });
});
