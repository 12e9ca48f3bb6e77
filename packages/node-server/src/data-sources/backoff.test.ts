import { expect, it } from 'vitest';

import { Backoff } from './backoff.js';

it('doubles from the initial delay up to 30 s', () => {
  const b = new Backoff({ initialMs: 1000, random: () => 0 });
  expect(Array.from({ length: 7 }, () => b.next(0))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});

it('jitters each delay into [d/2, d]', () => {
  const b = new Backoff({ initialMs: 1000, random: () => 0.999999 });
  expect(b.next(0)).toBe(500);
  expect(b.next(0)).toBe(1000);
});

it('starts over after a connection that stayed up for 60 s, but not after a shorter one', () => {
  const b = new Backoff({ initialMs: 1000, random: () => 0 });
  b.next(0);
  b.next(0);
  b.connected(10_000);
  expect(b.next(20_000)).toBe(4000);
  b.connected(100_000);
  expect(b.next(160_000)).toBe(1000);
});

it('takes a new base from the server (SSE retry) and never goes below 1 ms', () => {
  const b = new Backoff({ initialMs: 0, random: () => 0 });
  expect(b.next(0)).toBe(1);
  b.setBase(250);
  expect(b.next(0)).toBe(250);
});
