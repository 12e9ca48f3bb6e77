import { describe, expect, it } from 'vitest';

import { MalformedDataError } from '../errors/index.js';
import { compareSemVer, parseFlag, parseSegment, parseSemVer } from './index.js';

describe('parseFlag', () => {
  it('precomputes target sets, compiled clauses and attribute references', () => {
    const f = parseFlag({
      key: 'f',
      version: 2,
      on: true,
      variations: [1, 2],
      targets: [{ values: ['a', 'b'], variation: 1 }],
      rules: [{ id: 'r', clauses: [{ contextKind: 'org', attribute: '/address/city', op: 'matches', values: ['^O'] }], variation: 0 }],
      fallthrough: { variation: 0 },
    });
    expect(f.malformed).toBeUndefined();
    expect(f.targetChecks).toHaveLength(1);
    expect(f.targetChecks[0]!.contextKind).toBe('user');
    expect(f.targetChecks[0]!.keys.has('b')).toBe(true);
    const clause = f.rules[0]!.clauses![0]!;
    expect(clause.attribute.components).toEqual(['address', 'city']);
    expect(clause.matches('Oslo')).toBe(true);
    expect(clause.matches('Rome')).toBe(false);
    expect(Object.isFrozen(f)).toBe(true);
    expect(Object.isFrozen(f.variations)).toBe(true);
  });

  it('keeps the JSON it came from, unknown fields included, for writing back to stores', () => {
    const json = { key: 'f', version: 2, on: false, variations: [], futureField: { x: 1 } };
    expect(parseFlag(json).json).toEqual(json);
  });

  it('throws only when there is no usable key or version', () => {
    expect(() => parseFlag(null)).toThrow(MalformedDataError);
    expect(() => parseFlag({ version: 1 })).toThrow(/no string "key"/);
    expect(() => parseFlag({ key: 'f' })).toThrow(/"f" has no numeric "version"/);
    expect(() => parseFlag([1])).toThrow(/an array/);
  });

  it.each([
    [{ on: 'yes' }, /flag "f".on must be a boolean/],
    [{ variations: {} }, /variations must be an array/],
    [{ rules: [{ clauses: 'x' }] }, /rules\[0\].clauses must be an array/],
    [{ fallthrough: { variation: 1.5 } }, /fallthrough.variation must be an integer/],
    [{ prerequisites: [{ key: 'p' }] }, /prerequisites\[0\].variation must be an integer/],
    [{ targets: [{ values: [1], variation: 0 }] }, /targets\[0\].values\[0\] must be a string/],
    [{ fallthrough: { rollout: { variations: [{ weight: 1 }] } } }, /rollout.variations\[0\].variation must be an integer/],
  ])('keeps a flag with a wrong field as malformed, naming the field: %j', (fields, message) => {
    const f = parseFlag({ key: 'f', version: 1, ...fields });
    expect(f.malformed).toMatch(message);
    expect(f.key).toBe('f');
    expect(f.version).toBe(1);
  });

  it('treats null as absent for optional fields', () => {
    const f = parseFlag({ key: 'f', version: 1, on: true, variations: [0], offVariation: null, rules: null, salt: null, fallthrough: { variation: 0, rollout: null } });
    expect(f.malformed).toBeUndefined();
    expect(f.offVariation).toBeUndefined();
    expect(f.rules).toEqual([]);
  });

  it('parses tombstones', () => {
    const f = parseFlag({ key: 'f', version: 9, deleted: true });
    expect(f.deleted).toBe(true);
    expect(f.malformed).toBeUndefined();
  });

  it('ignores the legacy clientSide field, as LaunchDarkly does: without clientSideAvailability a flag is server-side only', () => {
    expect(parseFlag({ key: 'f', version: 1, clientSide: true }).clientSideAvailability).toEqual({ usingMobileKey: false, usingEnvironmentId: false });
    expect(parseFlag({ key: 'f', version: 1, clientSideAvailability: { usingEnvironmentId: true } }).clientSideAvailability).toEqual({
      usingMobileKey: false,
      usingEnvironmentId: true,
    });
  });
});

describe('parseSegment', () => {
  it('turns key lists into sets and keeps rules', () => {
    const s = parseSegment({ key: 's', version: 1, included: ['a'], excludedContexts: [{ contextKind: 'org', values: ['o'] }], rules: [{ clauses: [], weight: 5000 }] });
    expect(s.included.has('a')).toBe(true);
    expect(s.excludedContexts[0]!.values.has('o')).toBe(true);
    expect(s.rules[0]!.weight).toBe(5000);
  });

  it('keeps a segment with a wrong field as malformed', () => {
    expect(parseSegment({ key: 's', version: 1, included: 'a' }).malformed).toMatch(/included must be an array/);
  });
});

describe('parsing without the JSON (keepJson false)', () => {
  const text = JSON.stringify({
    key: 'f',
    version: 2,
    on: true,
    variations: [{ deep: { list: [1] } }, 'b'],
    fallthrough: { variation: 1 },
    rules: [{ id: 'r', variation: 0, clauses: [{ attribute: 'tags', op: 'in', values: [{ o: 1 }, 'x'] }, { op: 'segmentMatch', values: ['seg'] }] }],
    prerequisites: [{ key: 'p', variation: 0 }],
  });

  it('drops the JSON and freezes everything the model keeps from the parsed value', () => {
    const f = parseFlag(JSON.parse(text), true, false);
    expect(f.json).toBeUndefined();
    expect(f.malformed).toBeUndefined();
    expect(Object.isFrozen(f.variations)).toBe(true);
    expect(Object.isFrozen((f.variations[0] as { deep: { list: number[] } }).deep.list)).toBe(true);
    const values = f.rules[0]!.clauses![0]!.values;
    expect(Object.isFrozen(values)).toBe(true);
    expect(Object.isFrozen(values[0])).toBe(true);
    expect(Object.isFrozen(f.rules[0]!.clauses![1]!.values)).toBe(true);
  });

  it('evaluates the same model as when the JSON is kept', () => {
    const { json: kept, ...withJson } = parseFlag(JSON.parse(text), true, true);
    const { json: dropped, ...without } = parseFlag(JSON.parse(text), true, false);
    expect(kept).toEqual(JSON.parse(text));
    expect(dropped).toBeUndefined();
    expect(without).toEqual(withJson);
  });

  it('freezes a segment’s clause values', () => {
    const s = parseSegment(JSON.parse('{"key":"s","version":1,"rules":[{"clauses":[{"attribute":"a","op":"in","values":[["n"]]}]}]}'), true, false);
    expect(s.json).toBeUndefined();
    expect(Object.isFrozen(s.rules[0]!.clauses![0]!.values[0]!)).toBe(true);
  });

  it('copies a value that is not its own, whatever keepJson says', () => {
    const input = JSON.parse(text) as { variations: unknown[] };
    const f = parseFlag(input, false, false);
    expect(Object.isFrozen(input.variations)).toBe(false);
    expect(f.variations).not.toBe(input.variations);
    expect(Object.isFrozen(f.variations[0])).toBe(true);
  });
});

describe('semantic versions', () => {
  it.each([
    ['1.2.3', [1, 2, 3, []]],
    ['1.2.3-rc.1+b', [1, 2, 3, ['rc', 1]]],
    ['2', [2, 0, 0, []]],
    ['2.1-beta', [2, 1, 0, ['beta']]],
    [' 1.0.0 ', [1, 0, 0, []]],
  ])('parses %j', (text, [major, minor, patch, pre]) => {
    expect(parseSemVer(text)).toEqual({ major, minor, patch, prerelease: pre });
  });

  it.each(['v1.2.3', '01.2.3', '1.2.3.4', 'x', '', '1.2.3-', '1.2.3-01', 5, '9'.repeat(300)])('rejects %j', (text) => {
    expect(parseSemVer(text)).toBeUndefined();
  });

  it('orders by SemVer precedence', () => {
    const order = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '2.0.0'];
    for (let i = 0; i + 1 < order.length; i++) {
      expect(compareSemVer(parseSemVer(order[i])!, parseSemVer(order[i + 1])!), `${order[i]} < ${order[i + 1]}`).toBe(-1);
      expect(compareSemVer(parseSemVer(order[i + 1])!, parseSemVer(order[i])!)).toBe(1);
    }
    expect(compareSemVer(parseSemVer('1.0.0+a')!, parseSemVer('1.0.0+b')!)).toBe(0);
  });
});
