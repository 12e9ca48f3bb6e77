import { describe, expect, it } from 'vitest';

import { ContextKeyCache } from './context-key-cache.js';
import { flag } from './memory-sender.test-support.js';
import { RingBuffer } from './ring-buffer.js';
import { EventSummarizer } from './summarizer.js';
import { fallbackUuid, randomUuid } from './uuid.js';

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
  it('evicts the least recently used key', () => {
    const cache = new ContextKeyCache(2);
    cache.add('a');
    cache.add('b');
    expect(cache.has('a')).toBe(true); // a is now the most recent
    cache.add('c'); // evicts b
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.size).toBe(2);
    cache.clear();
    expect(cache.has('c')).toBe(false);
  });

  it('deduplicates nothing with capacity 0', () => {
    const cache = new ContextKeyCache(0);
    cache.add('a');
    expect(cache.has('a')).toBe(false);
  });
});

describe('EventSummarizer', () => {
  it('refuses new counters beyond its limit but keeps counting existing ones', () => {
    const summarizer = new EventSummarizer(2);
    const f = flag('f');
    expect(summarizer.addFlag(f, 0, false, null, ['user'], 1)).toBe(true);
    expect(summarizer.addUnknown('x', 'd', ['user'], 2)).toBe(true);
    expect(summarizer.addFlag(f, 1, true, null, ['user'], 3)).toBe(false);
    expect(summarizer.incrementFlag(f, 0, ['org'], 4)).toBe(true);
    expect(summarizer.incrementUnknown('x', ['user'], 5)).toBe(true);
    const summary = summarizer.takeSummary()!;
    expect(summary).toEqual({
      kind: 'summary',
      startDate: 1,
      endDate: 5,
      features: {
        f: { default: null, contextKinds: ['user', 'org'], counters: [{ value: false, count: 2, variation: 0, version: 7 }] },
        x: { default: 'd', contextKinds: ['user'], counters: [{ value: 'd', count: 2, unknown: true }] },
      },
    });
    expect(summarizer.takeSummary()).toBeUndefined();
  });
});

describe('UUIDs', () => {
  it('are v4 UUIDs, with or without Web Crypto', () => {
    expect(randomUuid()).toMatch(V4);
    for (let i = 0; i < 50; i++) expect(fallbackUuid()).toMatch(V4);
    expect(fallbackUuid(() => 0.999999)).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });
});
