import { describe, expect, it } from 'vitest';

import { type DataKind, DataKinds } from '../index.js';
import { itemDependencies, sortDataSet } from '../internal.js';

const flag = (key: string, prerequisites: string[] = []) => ({ key, version: 1, prerequisites: prerequisites.map((p) => ({ key: p, variation: 0 })) });
const segment = (key: string, refs: string[] = []) => ({
  key,
  version: 1,
  rules: refs.length ? [{ clauses: [{ attribute: 'key', op: 'segmentMatch', values: refs, negate: false }] }] : [],
});
const keysOf = (data: Parameters<typeof sortDataSet>[0], kinds: DataKind[] = [DataKinds.features, DataKinds.segments]) =>
  sortDataSet(data, kinds).map((c) => [c.kind.namespace, c.items.map(([k]) => k)]);

describe('sortDataSet', () => {
  it('writes segments before flags and prerequisites before the flags that need them', () => {
    const data = {
      features: { c: flag('c', ['b']), a: flag('a'), b: flag('b', ['a']), d: flag('d') },
      segments: { s1: segment('s1') },
    };
    expect(keysOf(data)).toEqual([
      ['segments', ['s1']],
      ['features', ['a', 'b', 'c', 'd']],
    ]);
  });

  it('orders segments after the segments their rules match', () => {
    const data = { segments: { outer: segment('outer', ['inner']), inner: segment('inner') } };
    expect(keysOf(data)[0]).toEqual(['segments', ['inner', 'outer']]);
  });

  it('gives every known kind, empty when the data lacks it, and leaves out unknown kinds', () => {
    expect(keysOf({ other: { x: flag('x') } })).toEqual([
      ['segments', []],
      ['features', []],
    ]);
  });

  it('writes each item of a prerequisite cycle exactly once', () => {
    const data = { features: { a: flag('a', ['b']), b: flag('b', ['a']), self: flag('self', ['self']), c: flag('c', ['missing']) } };
    const [, features] = keysOf(data)[1]!;
    expect([...(features as string[])].sort()).toEqual(['a', 'b', 'c', 'self']);
    expect(features).toEqual(['b', 'a', 'self', 'c']);
  });

  it('sorts a prerequisite chain 20 000 deep without overflowing the stack', () => {
    const features: Record<string, ReturnType<typeof flag>> = {};
    for (let i = 0; i < 20_000; i++) features[`f${i}`] = flag(`f${i}`, i + 1 < 20_000 ? [`f${i + 1}`] : []);
    const order = sortDataSet({ features }, [DataKinds.features])[0]!.items.map(([k]) => k);
    expect(order[0]).toBe('f19999');
    expect(order.at(-1)).toBe('f0');
  });

  it('uses a kind\'s own dependencyKeys when it has one', () => {
    const kind: DataKind = { ...DataKinds.features, dependencyKeys: (item) => (item.key === 'x' ? ['y'] : []) };
    expect(keysOf({ features: { x: flag('x'), y: flag('y') } }, [kind])).toEqual([['features', ['y', 'x']]]);
  });

  it('orders parsed flags and segments of the SDK\'s own kinds, not only raw JSON', () => {
    const features = {
      dependant: DataKinds.features.fromJSON(flag('dependant', ['base'])),
      base: DataKinds.features.fromJSON(flag('base')),
    };
    const segments = {
      outer: DataKinds.segments.fromJSON(segment('outer', ['inner'])),
      inner: DataKinds.segments.fromJSON(segment('inner')),
    };
    expect(keysOf({ features, segments })).toEqual([
      ['segments', ['inner', 'outer']],
      ['features', ['base', 'dependant']],
    ]);
  });
});

describe('itemDependencies', () => {
  it('lists prerequisites and segmentMatch segments of a parsed flag, across kinds, and nothing for a tombstone', () => {
    const flag = DataKinds.features.fromJSON({
      key: 'f',
      version: 1,
      prerequisites: [{ key: 'p', variation: 0 }],
      rules: [{ clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['s1', 7, 's2'] }, { attribute: 'x', op: 'in', values: ['s3'] }] }],
    });
    expect(itemDependencies('features', flag)).toEqual([
      { namespace: 'features', key: 'p' },
      { namespace: 'segments', key: 's1' },
      { namespace: 'segments', key: 's2' },
    ]);
    expect(itemDependencies('features', DataKinds.features.tombstone('f', 2))).toEqual([]);
    expect(itemDependencies('segments', { rules: 'garbage' })).toEqual([]);
  });

  it('reads the same from a flag or segment parsed without its JSON', () => {
    const raw = {
      key: 'f',
      version: 1,
      prerequisites: [{ key: 'p', variation: 0 }],
      rules: [{ clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['s1'] }] }],
    };
    const flag = DataKinds.features.fromJSON(JSON.parse(JSON.stringify(raw)), true, false);
    expect(flag.json).toBeUndefined();
    expect(itemDependencies('features', flag)).toEqual(itemDependencies('features', raw));
    const segment = DataKinds.segments.fromJSON({ key: 's', version: 1, rules: [{ clauses: [{ op: 'segmentMatch', values: ['inner'] }] }] }, true, false);
    expect(itemDependencies('segments', segment)).toEqual([{ namespace: 'segments', key: 'inner' }]);
  });
});
