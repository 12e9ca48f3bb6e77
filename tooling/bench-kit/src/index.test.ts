import { expect, it } from 'vitest';

import { assertSameAnswers, compare, report } from './index.js';

it('measures tasks side by side and reports ratios to the baseline', async () => {
  let slowCalls = 0;
  const results = await compare(
    [
      { name: 'double work', run: () => void (slowCalls += 1), opsPerCall: 2 },
      { name: 'async', run: async () => undefined },
    ],
    { rounds: 3, roundMs: 20, warmupMs: 5, baseline: 'async' },
  );
  expect(results.map((r) => r.name)).toEqual(['double work', 'async']);
  expect(results[1]!.ratio).toBe(1);
  for (const r of results) {
    expect(r.opsPerSecond).toBeGreaterThan(0);
    expect(r.min).toBeLessThanOrEqual(r.opsPerSecond);
    expect(r.max).toBeGreaterThanOrEqual(r.opsPerSecond);
  }
  expect(slowCalls).toBeGreaterThan(0);
  expect(report('t', results)).toMatch(/double work\s+\S+\s+\S+\s+\d+\.\d\dx/);
});

it('assertSameAnswers passes for agreeing sources and names the flag where they differ', async () => {
  const same = (key: string) => ({ value: key });
  await expect(assertSameAnswers(['a', 'b'], [{ key: 'u' }], same, async (key) => same(key))).resolves.toBeUndefined();
  await expect(assertSameAnswers(['a', 'b'], [{ key: 'u' }], same, (key) => (key === 'b' ? { value: 'x' } : same(key)))).rejects.toThrow(
    /SDKs disagree on b for \{"key":"u"\}/,
  );
});
