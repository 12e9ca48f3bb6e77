// Which stores get each item's JSON: the in-memory store never writes items anywhere, so the data
// sources drop the JSON for it (less than half the memory); a persistent store gets the JSON as the
// service sent it, unknown fields included.
import { afterEach, describe, expect, it } from 'vitest';

import { DataKinds, InMemoryDataStore, PersistentStoreWrapper } from '@switchyard/core';
import { InMemoryPersistentStore } from '@switchyard/core/testing';

import { boolFlag, FAST, harness, until, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const user = { kind: 'user', key: 'u1' };
const segment = { key: 's', version: 1, included: ['u1'], futureField: { x: 1 } };
const flag = (version: number) => boolFlag('a', version, { futureField: 'kept', rules: [{ id: 'r', variation: 0, clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['s'] }] }] });

describe.each([
  ['streaming', true],
  ['polling', false],
])('the in-memory store (%s)', (_, stream) => {
  it('holds items without their JSON, evaluates them, and takes updates the same way', async () => {
    h = await harness({ flags: { a: flag(1) }, segments: { s: segment } });
    const store = new InMemoryDataStore();
    const client = h.client({ featureStore: store, stream }, { ...FAST, pollIntervalMs: 50 });
    await client.waitForInitialization({ timeout: 5 });
    expect(store.getSync(DataKinds.features, 'a')).toMatchObject({ version: 1, json: undefined });
    expect(store.getSync(DataKinds.segments, 's')).toMatchObject({ version: 1, json: undefined });
    expect(await client.variationDetail('a', user, 'dflt')).toMatchObject({ value: false, reason: { kind: 'RULE_MATCH', ruleId: 'r' } });

    if (stream) h.fake.stream.patch('flags', flag(2));
    else h.fake.data.set('flags', flag(2));
    await until(() => store.getSync(DataKinds.features, 'a')?.version === 2, 5000, 'version 2');
    expect(store.getSync(DataKinds.features, 'a')!.json).toBeUndefined();
    expect(Object.isFrozen(store.getSync(DataKinds.features, 'a')!.variations)).toBe(true);
  });
});

describe('a persistent store', () => {
  it('is written the JSON the service sent, unknown fields included, for the put and for patches', async () => {
    h = await harness({ flags: { a: flag(1) }, segments: { s: segment } });
    const core = new InMemoryPersistentStore();
    const client = h.client({ featureStore: new PersistentStoreWrapper(core, { cacheTtlMs: 30_000, healthCheckIntervalMs: 0 }) });
    await client.waitForInitialization({ timeout: 5 });
    const stored = async (kind: typeof DataKinds.features | typeof DataKinds.segments, key: string) =>
      JSON.parse((await core.get(kind, key))!.serializedItem!) as unknown;
    expect(await stored(DataKinds.features, 'a')).toEqual(flag(1));
    expect(await stored(DataKinds.segments, 's')).toEqual(segment);

    h.fake.stream.patch('flags', flag(2));
    await until(async () => (await core.get(DataKinds.features, 'a'))?.version === 2, 5000, 'version 2 stored');
    expect(await stored(DataKinds.features, 'a')).toEqual(flag(2));
  });
});
