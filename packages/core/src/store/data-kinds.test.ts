import { describe, expect, it } from 'vitest';

import { DataKinds, MalformedDataError } from '../index.js';
import { InMemoryPersistentStore } from '../testing/index.js';
import { PersistentStoreWrapper } from './persistent-store-wrapper.js';

const rawFlag = { key: 'f', version: 3, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 }, custom: 'kept' };

describe('DataKinds serialize', () => {
  it('writes a parsed item as the JSON it came from, unknown fields included', () => {
    const flag = DataKinds.features.fromJSON(rawFlag);
    expect(JSON.parse(DataKinds.features.serialize(flag))).toEqual(rawFlag);
  });

  it('parses a plain JSON object it is given, so it is written as itself and never as a tombstone', () => {
    const written = DataKinds.features.serialize(rawFlag as never);
    expect(JSON.parse(written)).toEqual(rawFlag);
    const segment = { key: 's', version: 2, included: ['a'], rules: [] };
    expect(JSON.parse(DataKinds.segments.serialize(segment as never))).toMatchObject(segment);
  });

  it('refuses an item parsed without its JSON, rather than writing something else', () => {
    const flag = DataKinds.features.fromJSON(JSON.parse(JSON.stringify(rawFlag)), true, false);
    expect(flag.json).toBeUndefined();
    expect(() => DataKinds.features.serialize(flag)).toThrow(/flag "f" was parsed without its JSON/);
  });

  it('rejects a plain object that is not an item of the kind', () => {
    expect(() => DataKinds.features.serialize({ version: 1 } as never)).toThrow(MalformedDataError);
  });

  it('lets a store’s init take plain JSON objects through the wrapper', async () => {
    const core = new InMemoryPersistentStore();
    const wrapper = new PersistentStoreWrapper(core, { cacheTtlMs: 0, healthCheckIntervalMs: 0 });
    try {
      await wrapper.init({ features: { f: rawFlag as never }, segments: {} } as never);
      const stored = await core.get(DataKinds.features, 'f');
      expect(JSON.parse(stored!.serializedItem!)).toEqual(rawFlag);
    } finally {
      await wrapper.close();
    }
  });
});
