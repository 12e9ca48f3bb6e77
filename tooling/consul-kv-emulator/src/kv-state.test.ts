import { describe, expect, it } from 'vitest';

import { KvState } from './kv-state.js';

const v = (text: string): Buffer => Buffer.from(text);

describe('KvState', () => {
  it('sets CreateIndex once and ModifyIndex on every change', () => {
    const s = KvState.empty();
    expect(s.set(5, 'a', v('1'), 0n)).toMatchObject({ createIndex: 5, modifyIndex: 5 });
    expect(s.set(7, 'a', v('2'), 0n)).toMatchObject({ createIndex: 5, modifyIndex: 7 });
    expect(s.tableIndex).toBe(7);
  });

  it('leaves the entry and the table index alone when a write changes nothing (same value and flags)', () => {
    const s = KvState.empty();
    s.set(5, 'a', v('1'), 3n);
    expect(s.set(9, 'a', v('1'), 3n)).toMatchObject({ modifyIndex: 5 });
    expect(s.tableIndex).toBe(5);
    expect(s.set(10, 'a', v('1'), 4n)).toMatchObject({ modifyIndex: 10 });
  });

  it('cas 0 only creates; cas N only updates a key whose ModifyIndex is N', () => {
    const s = KvState.empty();
    expect(s.cas(2, 'a', v('1'), 0n, 0)).toMatchObject({ createIndex: 2 });
    expect(s.cas(3, 'a', v('2'), 0n, 0)).toBeUndefined();
    expect(s.cas(4, 'a', v('2'), 0n, 99)).toBeUndefined();
    expect(s.cas(5, 'a', v('2'), 0n, 2)).toMatchObject({ modifyIndex: 5 });
    expect(s.cas(6, 'missing', v('x'), 0n, 5)).toBeUndefined();
  });

  it('delete-cas succeeds on a matching index and on a missing key, fails on a stale index', () => {
    const s = KvState.empty();
    s.set(2, 'a', v('1'), 0n);
    expect(s.deleteCas(3, 'a', 1)).toBe(false);
    expect(s.get('a')).toBeDefined();
    expect(s.deleteCas(4, 'a', 2)).toBe(true);
    expect(s.get('a')).toBeUndefined();
    expect(s.deleteCas(5, 'never', 42)).toBe(true);
  });

  it('lists by string prefix in byte order, so "ld" also matches "ld2/" but "ld/" does not', () => {
    const s = KvState.empty();
    for (const [i, k] of ['ld2/x', 'ld/b', 'ld/a', 'ld/\u00e9', 'ld/Z'].entries()) s.set(i + 1, k, v(k), 0n);
    expect(s.list('ld/').result.map((e) => e.key)).toEqual(['ld/Z', 'ld/a', 'ld/b', 'ld/\u00e9']);
    expect(s.list('ld').result.map((e) => e.key)).toContain('ld2/x');
  });

  it('reports the highest ModifyIndex of a subtree, counting tombstones of deleted keys', () => {
    const s = KvState.empty();
    s.set(2, 'p/a', v('1'), 0n);
    s.set(3, 'q/a', v('1'), 0n);
    s.set(4, 'p/b', v('1'), 0n);
    expect(s.list('p/').index).toBe(4);
    s.delete(6, 'p/b');
    expect(s.list('p/').index).toBe(6);
    expect(s.list('q/').index).toBe(3);
    expect(s.list('none/').index).toBe(6);
    expect(s.list('').index).toBe(6);
    expect(s.read('p/a').index).toBe(2);
    expect(s.read('missing').index).toBe(6);
  });

  it('deletes a tree by plain prefix, leaving other prefixes alone', () => {
    const s = KvState.empty();
    s.set(2, 'ld/a', v('1'), 0n);
    s.set(3, 'ld2/a', v('1'), 0n);
    s.deleteTree(4, 'ld/');
    expect(s.list('').result.map((e) => e.key)).toEqual(['ld2/a']);
    s.deleteTree(5, 'nothing/');
    expect(s.tableIndex).toBe(4);
  });

  it('lists key names up to the first separator after the prefix', () => {
    const s = KvState.empty();
    for (const [i, k] of ['web/a', 'web/sub/x', 'web/sub/y', 'web/z/q', 'other'].entries()) s.set(i + 1, k, v(''), 0n);
    expect(s.listKeys('web/', '/').result).toEqual(['web/a', 'web/sub/', 'web/z/']);
    expect(s.listKeys('', '/').result).toEqual(['other', 'web/']);
    expect(s.listKeys('web/s', '').result).toEqual(['web/sub/x', 'web/sub/y']);
  });

  it('keeps clones independent', () => {
    const s = KvState.empty();
    const draft = s.clone();
    draft.set(2, 'a', v('1'), 0n);
    expect(s.get('a')).toBeUndefined();
    expect(s.tableIndex).toBe(0);
  });
});
