import { afterEach, expect, it } from 'vitest';

import { InMemoryDataStore } from '@switchyard/core';
import { CapturingLogger } from '@switchyard/core/testing';

import { DataSourceUpdates } from '../src/data-sources/data-source-updates.js';
import { PollingDataSource } from '../src/data-sources/polling.js';
import { DataSourceStatusManager } from '../src/data-sources/status.js';
import { HttpClient } from '../src/http/http-client.js';
import { validateOptions } from '../src/validate-options.js';
import { SDK_KEY, boolFlag, harness, until, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

it('keeps polling after a ready listener throws', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const client = h.client({ stream: false }, { pollIntervalMs: 30 });
  client.once('ready', () => {
    throw new Error('a bug in the application');
  });
  await client.waitForInitialization({ timeout: 5 });
  await until(() => h.fake.polling.requests.length >= 3, 5000, 'the polls after the exception');
  expect(h.logger.messages('error').join('\n')).toContain("a 'ready' listener threw: a bug in the application");
  h.fake.data.set('flags', boolFlag('a', 2, { on: false }));
  await until(() => client.variationSync('a', { kind: 'user', key: 'u' }, 'dflt') === false, 5000, 'a change picked up by a later poll');
});

it('schedules the next poll whatever a poll throws', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const logger = new CapturingLogger();
  const config = validateOptions({ baseUri: h.fake.url, logger }, logger);
  const http = new HttpClient(config);
  const store = new InMemoryDataStore();
  const updates = new DataSourceUpdates(store, new DataSourceStatusManager(logger), { hasListeners: () => false, onChange: () => undefined, onError: () => undefined }, logger);
  let inits = 0;
  const source = new PollingDataSource(
    { url: `${h.fake.url}/sdk/latest-all`, http, headers: { authorization: SDK_KEY }, logger, intervalMs: 30, timeoutMs: 5000 },
    updates,
    () => {
      inits++;
      throw new Error('initSuccess failed');
    },
    () => undefined,
  );
  try {
    source.start();
    await until(() => h.fake.polling.requests.length >= 3, 5000, 'the polls after the exception');
    expect(inits).toBe(1);
    expect(logger.messages('error').join('\n')).toContain('unexpected error in a poll (will retry at the next poll): initSuccess failed');
    expect(updates.status.getStatus().lastError).toMatchObject({ kind: 'UNKNOWN' });
  } finally {
    source.close();
    http.close();
  }
});
