import { afterEach, describe, expect, it } from 'vitest';

import { InMemoryDataStore, type FullDataSet } from '@switchyard/core';

import type { DataSourceStatus } from '../src/data-sources/status.js';
import { SDK_KEY, boolFlag, harness, until, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const user = { kind: 'user', key: 'u1' };

/** An in-memory store that counts full-data writes. */
class CountingStore extends InMemoryDataStore {
  inits = 0;
  override init(data: FullDataSet): Promise<void> {
    this.inits++;
    return super.init(data);
  }
}

describe('polling (reliability §9.F)', () => {
  it('polls /sdk/latest-all with the SDK key, and picks up changes at the next poll', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    const client = h.client({ stream: false }, { pollIntervalMs: 50 });
    await client.waitForInitialization({ timeout: 5 });
    expect(h.fake.stream.connections).toHaveLength(0);
    expect(h.fake.polling.requests[0]!.request.headers.authorization).toBe(SDK_KEY);
    h.fake.data.set('flags', boolFlag('a', 2, { on: false }));
    await until(() => client.variationSync('a', user, 'dflt') === false, 5000, 'next poll');
  });

  it('48: a 304 Not Modified (ETag matched) writes nothing to the store', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    const store = new CountingStore();
    const client = h.client({ stream: false, featureStore: store }, { pollIntervalMs: 30 });
    await client.waitForInitialization({ timeout: 5 });
    await until(() => h.fake.polling.requests.length >= 4, 5000, 'several polls');
    const requests = h.fake.polling.requests;
    expect(requests[1]!.request.headers['if-none-match']).toBeDefined();
    expect(requests.slice(1, 4).every((r) => r.status === 304)).toBe(true);
    expect(store.inits).toBe(1);
    expect(client.dataSourceStatusProvider.getStatus().state).toBe('VALID');
  });

  it('48: malformed JSON is reported as INVALID_DATA and retried at the next poll, keeping the data', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    const client = h.client({ stream: false }, { pollIntervalMs: 30 });
    await client.waitForInitialization({ timeout: 5 });
    const seen: DataSourceStatus[] = [];
    client.dataSourceStatusProvider.on('change', (s) => seen.push(s));
    h.fake.polling.nextRequests({ kind: 'raw', body: '{"flags": {' });
    await until(() => seen.some((s) => s.state === 'VALID'), 5000, 'recovery');
    expect(seen[0]).toMatchObject({ state: 'INTERRUPTED', lastError: { kind: 'INVALID_DATA' } });
    expect(client.variationSync('a', user, 'dflt')).toBe(true);
    expect(h.logger.messages('error').join('\n')).toMatch(/polling received malformed data/);
  });

  it('48: 503 and network-level failures are retried; 401 stops polling for good', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    h.fake.polling.nextRequests({ kind: 'status', status: 503 }, { kind: 'status', status: 429 });
    const client = h.client({ stream: false }, { pollIntervalMs: 30 });
    await client.waitForInitialization({ timeout: 5 });
    expect(h.fake.polling.requests.map((r) => r.status).slice(0, 3)).toEqual([503, 429, 200]);

    h.fake.polling.nextRequests({ kind: 'status', status: 401 });
    const failed: Error[] = [];
    client.on('failed', (e: Error) => failed.push(e));
    await until(() => client.dataSourceStatusProvider.getStatus().state === 'OFF', 5000, 'OFF');
    const count = h.fake.polling.requests.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(h.fake.polling.requests.length).toBe(count);
    expect(failed[0]!.message).toMatch(/Authentication failed/);
    expect(client.variationSync('a', user, 'dflt')).toBe(true);
    expect(h.logger.text()).not.toContain(SDK_KEY);
  });

  it('applies the request timeout to a poll that never answers, then retries', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    h.fake.polling.nextRequests({ kind: 'silent' });
    const client = h.client({ stream: false, timeout: 1 }, { pollIntervalMs: 30 });
    await client.waitForInitialization({ timeout: 5 });
    expect(client.dataSourceStatusProvider.getStatus().lastError?.kind).toBe('NETWORK_ERROR');
  });

  it('raises pollInterval below 30 s to 30 s, with a warning', async () => {
    h = await harness();
    h.client({ stream: false, pollInterval: 5 });
    expect(h.logger.messages('warn').join('\n')).toMatch(/"pollInterval" is 5, below its minimum 30; using 30/);
  });
});
