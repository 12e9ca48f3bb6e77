import { expect, expectTypeOf, it } from 'vitest';

import type { ConformanceHarness } from './index.js';

it('describes a harness by createStore(prefix) and clearData(prefix)', async () => {
  const created: (string | undefined)[] = [];
  const harness: ConformanceHarness<{ prefix: string | undefined }> = {
    name: 'memory',
    createStore: (prefix) => {
      created.push(prefix);
      return { prefix };
    },
    clearData: async () => undefined,
  };
  expect(await harness.createStore('p1')).toEqual({ prefix: 'p1' });
  expect(created).toEqual(['p1']);
  expectTypeOf(harness.clearData).returns.toEqualTypeOf<Promise<void>>();
});
