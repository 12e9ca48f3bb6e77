import { describe, expect, it } from 'vitest';

import { ListenerSet } from '../internal.js';

describe('ListenerSet', () => {
  it('calls each listener once per value and stops after it is removed', () => {
    const set = new ListenerSet<number>();
    const seen: number[] = [];
    const listener = (n: number) => seen.push(n);
    const remove = set.add(listener);
    set.add(listener);
    set.emit(1);
    remove();
    remove();
    set.emit(2);
    expect(seen).toEqual([1]);
    expect(set.size).toBe(0);
  });

  it('keeps calling the other listeners when one throws, and reports the error', () => {
    const errors: unknown[] = [];
    const set = new ListenerSet<string>((err) => errors.push(err));
    const seen: string[] = [];
    set.add(() => {
      throw new Error('boom');
    });
    set.add((v) => seen.push(v));
    expect(() => set.emit('x')).not.toThrow();
    expect(seen).toEqual(['x']);
    expect(errors).toEqual([new Error('boom')]);
  });

  it('lets a listener remove itself while values are being emitted', () => {
    const set = new ListenerSet<number>();
    const seen: string[] = [];
    const remove = set.add(() => {
      seen.push('once');
      remove();
    });
    set.add(() => seen.push('always'));
    set.emit(1);
    set.emit(2);
    expect(seen).toEqual(['once', 'always', 'always']);
  });
});
