import type { LDClient } from '@launchdarkly/node-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchDarklyClient } from '../support/launchdarkly.js';
import { loadCaseFiles } from './load-cases.js';

/**
 * The same cases through LaunchDarkly's own Node SDK: proof that every expectation in ./cases is what
 * LaunchDarkly does, except the cases marked `launchDarkly: <why we differ>`, where we check that it
 * really does differ (so the note stays true).
 */
describe.each(loadCaseFiles())('LaunchDarkly agrees on $file', ({ data, cases }) => {
  let client: LDClient;
  beforeAll(async () => {
    client = await launchDarklyClient(data);
  });
  afterAll(() => client?.close());

  it.each(cases)('$name', async (c) => {
    const detail = await client.variationDetail(c.flag, c.context as never, c.default ?? null);
    if (c.launchDarkly) expect(detail, c.launchDarkly).not.toEqual(c.expect);
    else expect(detail).toEqual(c.expect);
  });
});
