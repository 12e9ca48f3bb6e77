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
  });
});

describe('EventSummarizer', () => {
  it('counts by flag key, version and variation, whatever Flag object is passed', () => {
    const summarizer = new EventSummarizer();
    expect(summarizer.incrementFlag(flag('f'), 0, ['user'], 1)).toBe(false);
    summarizer.addFlag(flag('f'), 0, false, null, ['user'], 1);
    expect(summarizer.incrementFlag(flag('f'), 0, ['org'], 4)).toBe(true); // another object, same key and version
    expect(summarizer.incrementFlag(flag('f', { version: 8 }), 0, ['user'], 4)).toBe(false);
    summarizer.addFlag(flag('f', { version: 8 }), null, 'd', 'ignored: the first default of the key is kept', ['user'], 3);
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

  it('bounds distinct unknown flag keys per window, never known flags or keys already counted', () => {
    const summarizer = new EventSummarizer({ maxUnknownFlagKeys: 1 });
    expect(summarizer.addUnknown('x', 'd', ['user'], 2)).toBe(true);
    expect(summarizer.addUnknown('y', 'd', ['user'], 2)).toBe(false);
    expect(summarizer.incrementUnknown('x', ['user'], 5)).toBe(true);
    for (let i = 0; i < 50; i++) summarizer.addFlag(flag(`known${i}`), 1, true, false, ['user'], 3);
    const summary = summarizer.takeSummary()!;
    expect(summary.features.x).toEqual({ default: 'd', contextKinds: ['user'], counters: [{ value: 'd', count: 2, unknown: true }] });
    expect(summary.features.y).toBeUndefined();
    expect(Object.keys(summary.features)).toHaveLength(51);
    // a new window has room again
    expect(summarizer.addUnknown('y', 'd', ['user'], 2)).toBe(true);
  });

  it('counts a key that was found and then not found (deleted in the window) under one feature, without using the unknown-key bound', () => {
    const summarizer = new EventSummarizer({ maxUnknownFlagKeys: 0 });
    summarizer.addFlag(flag('f'), 1, true, false, ['user'], 1);
    expect(summarizer.incrementUnknown('f', ['user'], 2)).toBe(false);
    expect(summarizer.addUnknown('f', false, ['org'], 2)).toBe(true);
    expect(summarizer.incrementUnknown('f', ['user'], 3)).toBe(true);
    expect(summarizer.incrementFlag(flag('f'), 1, ['user'], 3)).toBe(true);
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
