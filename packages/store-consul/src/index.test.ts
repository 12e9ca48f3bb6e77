import { expect, it } from 'vitest';

import { consulStoreDefaults } from './index.js';

it('uses LaunchDarkly’s Consul prefix and the local agent by default', () => {
  expect(consulStoreDefaults).toEqual({ prefix: 'launchdarkly', url: 'http://127.0.0.1:8500', maxItemBytes: 409_600 });
  expect(Object.isFrozen(consulStoreDefaults)).toBe(true);
});
