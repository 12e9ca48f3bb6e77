import { describe, expect, it } from 'vitest';

import { cancelTimer, sleep, startInterval, startTimeout, utf8ByteLength } from './index.js';

describe('utf8ByteLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['€', 3],
    ['日本語', 9],
    ['😀', 4],
    ['a😀b', 6],
    ['\ud800', 3], // lone high surrogate
    ['\udc00x', 4], // lone low surrogate
    ['\ud800\ud800', 6],
  ])('counts %j as %i bytes, like Buffer.byteLength', (text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
    expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });

  it('agrees with Buffer.byteLength on random strings', () => {
    for (let i = 0; i < 200; i++) {
      const codes = Array.from({ length: 50 }, () => Math.floor(Math.random() * 0x10000));
      const text = String.fromCharCode(...codes);
      expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
  });
});

describe('timers', () => {
  it('runs a timeout once and can cancel one', async () => {
    let fired = 0;
    startTimeout(() => fired++, 1);
    const cancelled = startTimeout(() => fired++, 1);
    cancelTimer(cancelled);
    await sleep(20);
    expect(fired).toBe(1);
  });

  it('runs an interval until cancelled', async () => {
    let ticks = 0;
    const handle = startInterval(() => ticks++, 2);
    await sleep(30);
    cancelTimer(handle);
    const seen = ticks;
    await sleep(20);
    expect(seen).toBeGreaterThan(1);
    expect(ticks).toBe(seen);
  });

  it('does not keep the process alive', () => {
    const handle = startTimeout(() => undefined, 60_000) as unknown as { hasRef(): boolean };
    expect(handle.hasRef()).toBe(false);
    cancelTimer(handle as never);
  });
});
