import { describe, expect, it } from 'vitest';

import { MalformedDataError } from '../errors/index.js';
import { LDValue, toFrozenJson } from './index.js';

describe('LDValue', () => {
  it('copies what it is made from, so later changes to the original do not reach it', () => {
    const original = { plan: 'pro', limits: { seats: 5 }, tags: ['a'] };
    const value = LDValue.of(original);
    original.limits.seats = 99;
    original.tags.push('b');
    expect(value.toJSON()).toEqual({ plan: 'pro', limits: { seats: 5 }, tags: ['a'] });
  });

  it('hands out deeply frozen JSON that cannot be mutated back into it', () => {
    const value = LDValue.of({ limits: { seats: 5 }, tags: ['a'] });
    const json = value.toJSON() as { limits: { seats: number }; tags: string[] };
    expect(Object.isFrozen(json)).toBe(true);
    expect(Object.isFrozen(json.limits)).toBe(true);
    expect(() => {
      json.limits.seats = 1;
    }).toThrow(TypeError);
    expect(() => json.tags.push('x')).toThrow(TypeError);
    expect(value.get('limits').get('seats').numberValue()).toBe(5);
  });

  it('gives typed accessors with fallbacks instead of throwing', () => {
    const v = LDValue.of({ s: 'x', n: 3, b: true, a: [1, 2], o: { k: null } });
    expect(v.type).toBe('object');
    expect(v.get('s').stringValue()).toBe('x');
    expect(v.get('s').numberValue(-1)).toBe(-1);
    expect(v.get('n').numberValue()).toBe(3);
    expect(v.get('b').booleanValue()).toBe(true);
    expect(v.get('a').size).toBe(2);
    expect(v.get('a').get(1).numberValue()).toBe(2);
    expect(v.get('a').get('length').isNull()).toBe(true);
    expect(v.get('o').get('k').isNull()).toBe(true);
    expect(v.get('missing').isNull()).toBe(true);
    expect(v.get('s').get('x').isNull()).toBe(true);
    expect(v.keys()).toEqual(['s', 'n', 'b', 'a', 'o']);
    expect(v.get('a').values().map((x) => x.numberValue())).toEqual([1, 2]);
    expect(v.get('toString').isNull()).toBe(true);
  });

  it('compares structurally, ignoring object key order', () => {
    expect(LDValue.of({ a: 1, b: [1, { c: 2 }] }).equals(LDValue.of({ b: [1, { c: 2 }], a: 1 }))).toBe(true);
    expect(LDValue.of({ a: 1 }).equals({ a: 1 })).toBe(true);
    expect(LDValue.of({ a: 1 }).equals({ a: 1, b: 2 })).toBe(false);
    expect(LDValue.of([1, 2]).equals([2, 1])).toBe(false);
    expect(LDValue.of(1).equals('1')).toBe(false);
    expect(LDValue.null.equals(null)).toBe(true);
  });

  it('follows JSON.stringify for values JSON cannot hold', () => {
    const date = new Date('2020-01-01T00:00:00Z');
    const value = LDValue.of({ d: date, u: undefined, f: () => 1, nan: NaN, inf: Infinity, arr: [undefined, () => 1], big: 10n });
    expect(value.toJSON()).toEqual({ d: '2020-01-01T00:00:00.000Z', nan: null, inf: null, arr: [null, null], big: 10 });
    expect(value.toString()).toBe(JSON.stringify(value.toJSON()));
    expect(LDValue.of(undefined)).toBe(LDValue.null);
  });

  it('refuses a cyclic structure with a TypeError', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => LDValue.of(cyclic)).toThrow(TypeError);
  });

  it('parses JSON text and reports invalid text as malformed data', () => {
    expect(LDValue.fromJSON('{"a":[1,true,null]}').get('a').get(1).booleanValue()).toBe(true);
    expect(() => LDValue.fromJSON('{nope')).toThrow(MalformedDataError);
    expect(LDValue.fromJSON('null')).toBe(LDValue.null);
  });

  it('serializes with JSON.stringify', () => {
    expect(JSON.stringify({ v: LDValue.of([1, 'a']) })).toBe('{"v":[1,"a"]}');
  });

  it('reuses values that are already frozen JSON instead of copying them again', () => {
    const frozen = toFrozenJson({ a: [1] });
    expect(toFrozenJson(frozen)).toBe(frozen);
    expect(LDValue.of(frozen).toJSON()).toBe(frozen);
  });
});
