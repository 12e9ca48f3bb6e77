import { expect, it } from 'vitest';

import { dynamoDbStoreDefaults } from './index.js';

it('uses LaunchDarkly’s DynamoDB table layout and the 400 KB item limit', () => {
  expect(dynamoDbStoreDefaults).toEqual({ partitionKey: 'namespace', sortKey: 'key', maxItemBytes: 409_600 });
  expect(Object.isFrozen(dynamoDbStoreDefaults)).toBe(true);
});
