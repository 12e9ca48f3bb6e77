import { describe, expect, it } from 'vitest';

import { Context } from '../context/context.js';
import { ContextKeyCache } from './context-key-cache.js';
import { flag } from './memory-sender.test-support.js';
import { RingBuffer } from './ring-buffer.js';
import { EventSummarizer } from './summarizer.js';
import { fallbackUuid, randomUuid } from './uuid.js';

/** The parts of a context of these kinds, as the summarizer reads them. */
const kinds = (...names: string[]) => names.map((kind) => ({ kind }));

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('RingBuffer', () => {
  it('refuses items beyond capacity and hands them out in order across wrap-around', () => {
    const ring = new RingBuffer<number>(3);
    expect([ring.push(1), ring.push(2), ring.push(3), ring.push(4)]).toEqual([true, true, true, false]);
    expect(ring.takeAll()).toEqual([1, 2, 3]);
    ring.push(5);
    ring.push(6);
    expect(ring.takeAll()).toEqual([5, 6]);
    for (const n of [7, 8, 9, 10]) ring.push(n);
    expect(ring.size).toBe(3);
    expect(ring.takeAll()).toEqual([7, 8, 9]);
    expect(ring.takeAll()).toEqual([]);
  });
});

describe('ContextKeyCache', () => {
  it('answers whether a key was seen and makes it the most recent, evicting the least recently used key', () => {
    const cache = new ContextKeyCache(2);
    expect(cache.see('a')).toBe(false);
    expect(cache.see('b')).toBe(false);
    expect(cache.see('a')).toBe(true); // a is now the most recent
    expect(cache.see('c')).toBe(false); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.see('b')).toBe(false); // evicts a
    expect([cache.see('c'), cache.see('a')]).toEqual([true, false]);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.see('c')).toBe(false);
  });

  it('remembers nothing with capacity 0', () => {
    const cache = new ContextKeyCache(0);
    expect([cache.see('a'), cache.see('a')]).toEqual([false, false]);
    expect(cache.size).toBe(0);
    expect([cache.seeContext(Context.from({ kind: 'org', key: 'o' })), cache.seeContext(Context.from({ kind: 'org', key: 'o' }))]).toEqual([false, false]);
  });

  it('evicts in least-recently-used order past its initial room, and starts over after clear()', () => {
    const cache = new ContextKeyCache(100);
    for (let i = 0; i < 100; i++) expect(cache.see(`k${i}`)).toBe(false);
    expect(cache.see('k0')).toBe(true); // k1 is now the least recent
    expect(cache.see('new1')).toBe(false); // evicts k1
    expect(cache.see('new2')).toBe(false); // evicts k2
    expect(cache.size).toBe(100);
    expect([cache.see('k0'), cache.see('k3'), cache.see('k99')]).toEqual([true, true, true]);
    expect(cache.see('k1')).toBe(false); // evicts k4
    expect(cache.see('k4')).toBe(false);
    cache.clear();
    expect([cache.size, cache.see('k0'), cache.see('k0')]).toEqual([0, false, true]);
  });

  it('answers exactly like a reference LRU (a Map re-inserted on every hit), for keys and contexts', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const contextOf = (n: number): Context => {
      switch (n % 5) {
        case 0:
          return Context.borrow({ kind: 'user', key: `u${n % 37}` });
        case 1:
          return Context.borrow({ kind: 'org', key: `u${n % 37}` }); // same key as a user: a different context
        case 2:
          return Context.borrow({ kind: 'multi', user: { key: `u${n % 37}` }, org: { key: `o${n % 7}` } });
        case 3:
          return Context.borrow({ kind: 'multi', org: { key: `o${n % 7}` }, user: { key: `u${n % 37}` } }); // kinds in another order
        default:
          return Context.borrow({ kind: 'user', key: `org:u${n % 37}` }); // canonical key "org:u…", like the org context's
      }
    };
    for (const capacity of [1, 2, 3, 17, 64, 65, 150]) {
      const cache = new ContextKeyCache(capacity);
      const reference = new Map<string, true>();
      const got: (boolean | number)[] = [];
      const expected: (boolean | number)[] = [];
      for (let i = 0; i < 5000; i++) {
        if (random(1000) === 0) {
          cache.clear();
          reference.clear();
        }
        const context = contextOf(random(400));
        const key = context.canonicalKey;
        const seen = reference.delete(key);
        reference.set(key, true);
        if (!seen && reference.size > capacity) reference.delete(reference.keys().next().value!);
        got.push(random(2) === 0 ? cache.seeContext(context) : cache.see(key), cache.size);
        expected.push(seen, reference.size);
      }
      expect(got).toEqual(expected);
    }
  });

  it('gives the canonical key of a context without building it for a context it has met', () => {
    const cache = new ContextKeyCache(10);
    expect(cache.canonicalKey(Context.borrow({ kind: 'user', key: 'a:b' }))).toBe('a:b');
    expect(cache.canonicalKey(Context.borrow({ kind: 'org', key: 'a:b' }))).toBe('org:a%3Ab');
    const multi = { kind: 'multi', user: { key: 'u' }, org: { key: 'o' } };
    expect(cache.canonicalKey(Context.borrow(multi))).toBe('org:o:user:u');
    multi.org.key = 'changed';
    expect(cache.canonicalKey(Context.borrow(multi))).toBe('org:changed:user:u');
    const three = { kind: 'multi', user: { key: 'u' }, org: { key: 'o' }, device: { key: 'd' } };
    expect(cache.canonicalKey(Context.borrow(three))).toBe('device:d:org:o:user:u');
    three.device.key = 'e';
    expect(cache.canonicalKey(Context.borrow(three))).toBe('device:e:org:o:user:u');
  });
});

describe('EventSummarizer', () => {
  it('counts by flag key, version and variation, whatever Flag object is passed', () => {
    const summarizer = new EventSummarizer();
    expect(summarizer.incrementFlag(flag('f'), 0, kinds('user'), 1)).toBe(false);
    summarizer.addFlag(flag('f'), 0, false, null, kinds('user'), 1);
    expect(summarizer.incrementFlag(flag('f'), 0, kinds('org'), 4)).toBe(true); // another object, same key and version
    expect(summarizer.incrementFlag(flag('f', { version: 8 }), 0, kinds('user'), 4)).toBe(false);
    summarizer.addFlag(flag('f', { version: 8 }), null, 'd', 'ignored: the first default of the key is kept', kinds('user'), 3);
    expect(summarizer.takeSummary()).toEqual({
      kind: 'summary',
      startDate: 1,
      endDate: 4,
      features: {
        f: {
          default: null,
          contextKinds: ['user', 'org'],
          counters: [
            { value: false, count: 2, variation: 0, version: 7 },
            { value: 'd', count: 1, version: 8 },
          ],
        },
      },
    });
    expect(summarizer.takeSummary()).toBeUndefined();
  });

  it('counts high variation indexes and the default, and lists variations in index order then the default', () => {
    const summarizer = new EventSummarizer();
    const f = flag('f', { variations: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] });
    for (const variation of [6, null, 0, 6, 3, 2, 6, null]) {
      if (!summarizer.incrementFlag(f, variation, kinds('user'), 5)) summarizer.addFlag(f, variation, variation === null ? 'dflt' : 'abcdefg'[variation]!, 'dflt', kinds('user'), 5);
    }
    expect(summarizer.takeSummary()!.features.f!.counters).toEqual([
      { value: 'a', count: 1, variation: 0, version: 7 },
      { value: 'c', count: 1, variation: 2, version: 7 },
      { value: 'd', count: 1, variation: 3, version: 7 },
      { value: 'g', count: 3, variation: 6, version: 7 },
      { value: 'dflt', count: 2, version: 7 },
    ]);
  });

  it('starts every window empty, even for a Flag object counted in the previous one', () => {
    const summarizer = new EventSummarizer();
    const f = flag('f');
    summarizer.addFlag(f, 1, true, false, kinds('user', 'org'), 1);
    expect(summarizer.incrementFlag(f, 1, kinds('org', 'device'), 2)).toBe(true);
    expect(summarizer.takeSummary()!.features.f).toEqual({
      default: false,
      contextKinds: ['user', 'org', 'device'],
      counters: [{ value: true, count: 2, variation: 1, version: 7 }],
    });
    expect(summarizer.incrementFlag(f, 1, kinds('user'), 3)).toBe(false);
    summarizer.addFlag(f, 1, true, false, kinds('user'), 3);
    summarizer.clear();
    expect(summarizer.isEmpty).toBe(true);
    expect(summarizer.incrementFlag(f, 1, kinds('user'), 4)).toBe(false);
  });

  it('bounds distinct unknown flag keys per window, never known flags or keys already counted', () => {
    const summarizer = new EventSummarizer({ maxUnknownFlagKeys: 1 });
    expect(summarizer.addUnknown('x', 'd', kinds('user'), 2)).toBe(true);
    expect(summarizer.addUnknown('y', 'd', kinds('user'), 2)).toBe(false);
    expect(summarizer.incrementUnknown('x', kinds('user'), 5)).toBe(true);
    for (let i = 0; i < 50; i++) summarizer.addFlag(flag(`known${i}`), 1, true, false, kinds('user'), 3);
    const summary = summarizer.takeSummary()!;
    expect(summary.features.x).toEqual({ default: 'd', contextKinds: ['user'], counters: [{ value: 'd', count: 2, unknown: true }] });
    expect(summary.features.y).toBeUndefined();
    expect(Object.keys(summary.features)).toHaveLength(51);
    // a new window has room again
    expect(summarizer.addUnknown('y', 'd', kinds('user'), 2)).toBe(true);
  });

  it('counts a key that was found and then not found (deleted in the window) under one feature, without using the unknown-key bound', () => {
    const summarizer = new EventSummarizer({ maxUnknownFlagKeys: 0 });
    summarizer.addFlag(flag('f'), 1, true, false, kinds('user'), 1);
    expect(summarizer.incrementUnknown('f', kinds('user'), 2)).toBe(false);
    expect(summarizer.addUnknown('f', false, kinds('org'), 2)).toBe(true);
    expect(summarizer.incrementUnknown('f', kinds('user'), 3)).toBe(true);
    expect(summarizer.incrementFlag(flag('f'), 1, kinds('user'), 3)).toBe(true);
    expect(summarizer.takeSummary()!.features).toEqual({
      f: {
        default: false,
        contextKinds: ['user', 'org'],
        counters: [
          { value: true, count: 2, variation: 1, version: 7 },
          { value: false, count: 2, unknown: true },
        ],
      },
    });
  });
});

describe('UUIDs', () => {
  it('are v4 UUIDs, with or without Web Crypto', () => {
    expect(randomUuid()).toMatch(V4);
    for (let i = 0; i < 50; i++) expect(fallbackUuid()).toMatch(V4);
    expect(fallbackUuid(() => 0.999999)).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });
});
