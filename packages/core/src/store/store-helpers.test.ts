import { describe, expect, it } from 'vitest';

import { jitteredBackoffMs, storeDelay, versionInJson } from './store-helpers.js';

describe('store helpers', () => {
  it('reads the version inside JSON, -1 when there is none or the JSON is unreadable', () => {
    expect(versionInJson('{"key":"a","version":7}')).toBe(7);
    expect([versionInJson('{"key":"a"}'), versionInJson('{"version":"7"}'), versionInJson('nope'), versionInJson('null'), versionInJson('')]).toEqual([-1, -1, -1, -1, -1]);
  });

  it('backs off exponentially from baseMs to maxMs, jittered within the upper half', () => {
    for (let i = 0; i < 50; i++) {
      const first = jitteredBackoffMs(1, 50, 2_000);
      expect(first).toBeGreaterThanOrEqual(25);
      expect(first).toBeLessThanOrEqual(50);
      const third = jitteredBackoffMs(3, 50, 2_000);
      expect(third).toBeGreaterThanOrEqual(100);
      expect(third).toBeLessThanOrEqual(200);
      const capped = jitteredBackoffMs(30, 50, 2_000);
      expect(capped).toBeGreaterThanOrEqual(1_000);
      expect(capped).toBeLessThanOrEqual(2_000);
    }
  });

  it('delays', async () => {
    const started = Date.now();
    await storeDelay(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });
});
