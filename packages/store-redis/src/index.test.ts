import { expect, it } from 'vitest';

import { redisStoreDefaults } from './index.js';

it('uses LaunchDarkly’s Redis prefix and the 400 KB item limit by default', () => {
  expect(redisStoreDefaults).toEqual({ prefix: 'launchdarkly', maxItemBytes: 409_600 });
  expect(Object.isFrozen(redisStoreDefaults)).toBe(true);
});
