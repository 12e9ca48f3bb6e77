import { afterEach, describe, expect, it } from 'vitest';

import { PersistentStoreWrapper } from '@switchyard/core';
import { InMemoryPersistentStore } from '@switchyard/core/testing';

import type { DataSourceStatus } from '../src/data-sources/status.js';
import { SDK_KEY, boolFlag, harness, until, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const user = { kind: 'user', key: 'u1' };

function statuses(client: { dataSourceStatusProvider: { on(e: 'change', l: (s: DataSourceStatus) => void): unknown } }): DataSourceStatus[] {
  const seen: DataSourceStatus[] = [];
  client.dataSourceStatusProvider.on('change', (s) => seen.push(s));
  return seen;
}

describe('streaming: the happy path', () => {
  it('initializes from the put, applies patches and deletes, and fires update events', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    const client = h.client();
    await client.waitForInitialization({ timeout: 5 });
    expect(client.initialized()).toBe(true);
    expect(client.dataSourceStatusProvider.getStatus().state).toBe('VALID');
    expect(await client.variation('a', user, 'dflt')).toBe(true);

    const updates: string[] = [];
    client.on('update', ({ key }: { key: string }) => updates.push(key));
    h.fake.stream.patch('flags', boolFlag('a', 2, { on: false }));
    await until(() => client.variationSync('a', user, 'dflt') === false, 5000, 'patch');
    h.fake.stream.delete('flags', 'a', 3);
    await until(() => client.variationDetailSync('a', user, 'dflt').reason.errorKind === 'FLAG_NOT_FOUND', 5000, 'delete');
    await until(() => updates.length === 2);
    expect(updates).toEqual(['a', 'a']);
  });

  it('sends the SDK key, user agent, instance id, wrapper and application tags, and the payload filter', async () => {
    h = await harness();
    const client = h.client({ wrapperName: 'my-wrapper', wrapperVersion: '1.2', application: { id: 'app', version: '3.0' }, payloadFilterKey: 'mobile' });
    await client.waitForInitialization({ timeout: 5 });
    const request = h.fake.stream.connections[0]!.request;
    expect(request.headers.authorization).toBe(SDK_KEY);
    expect(request.headers['user-agent']).toMatch(/^SwitchyardNodeServer\/\d+\.\d+\.\d+/);
    expect(request.headers['x-launchdarkly-instance-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(request.headers['x-launchdarkly-wrapper']).toBe('my-wrapper/1.2');
    expect(request.headers['x-launchdarkly-tags']).toBe('application-id/app application-version/3.0');
    expect(request.query.get('filter')).toBe('mobile');
  });

  it('fires update events for flags that depend on a changed segment or prerequisite, transitively', async () => {
    h = await harness({
      segments: { inner: { key: 'inner', version: 1, included: ['u1'] }, outer: { key: 'outer', version: 1, rules: [{ clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['inner'] }] }] } },
      flags: {
        base: boolFlag('base', 1, { rules: [{ id: 'r', variation: 0, clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['outer'] }] }] }),
        child: boolFlag('child', 1, { prerequisites: [{ key: 'base', variation: 1 }] }),
        grandchild: boolFlag('grandchild', 1, { prerequisites: [{ key: 'child', variation: 1 }] }),
        unrelated: boolFlag('unrelated'),
      },
    });
    const client = h.client();
    await client.waitForInitialization({ timeout: 5 });
    const updates: string[] = [];
    const perKey: string[] = [];
    client.on('update', ({ key }: { key: string }) => updates.push(key));
    client.on('update:grandchild', ({ key }: { key: string }) => perKey.push(key));
    h.fake.stream.patch('segments', { key: 'inner', version: 2, included: [] });
    await until(() => updates.length >= 3, 5000, 'update events');
    await new Promise((r) => setTimeout(r, 50));
    expect(updates.sort()).toEqual(['base', 'child', 'grandchild']);
    expect(perKey).toEqual(['grandchild']);
  });
});

describe('streaming: faults (reliability §9.E)', () => {
  it('35: reconnects after a dropped stream, reporting INTERRUPTED/NETWORK_ERROR, and sends Last-Event-ID', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    h.fake.stream.nextConnections({ kind: 'raw', text: `id: evt-7\nevent: put\ndata: ${JSON.stringify({ path: '/', data: h.fake.data.payload() })}\n\n` });
    const client = h.client();
    const seen = statuses(client);
    await client.waitForInitialization({ timeout: 5 });
    h.fake.stream.drop();
    await h.fake.stream.waitForConnections(2);
    await until(() => client.dataSourceStatusProvider.getStatus().state === 'VALID' && seen.length >= 3, 5000, 'recovery');
    expect(seen.map((s) => s.state)).toEqual(['VALID', 'INTERRUPTED', 'VALID']);
    expect(seen[1]!.lastError?.kind).toBe('NETWORK_ERROR');
    expect(h.fake.stream.connections[1]!.request.headers['last-event-id']).toBe('evt-7');
    expect(await client.variation('a', user, 'dflt')).toBe(true);
  });

  it('35: also reconnects after a clean end of the stream (EOF)', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    const client = h.client();
    await client.waitForInitialization({ timeout: 5 });
    h.fake.stream.end();
    await h.fake.stream.waitForConnections(2);
    await until(() => h.fake.stream.openCount === 1);
  });

  it('36: treats a stream that stays silent past the read timeout as dead and reconnects', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    h.fake.stream.nextConnections({ kind: 'silent-after-headers' });
    const client = h.client({}, { streamReadTimeoutMs: 300, random: () => 0 });
    await client.waitForInitialization({ timeout: 10 });
    expect(h.fake.stream.connections.length).toBe(2);
    expect(client.dataSourceStatusProvider.getStatus().lastError?.message).toMatch(/read timeout/);
  });

  it('36: also times out a connection that never answers at all', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    h.fake.stream.nextConnections({ kind: 'silent' });
    const client = h.client({}, { streamReadTimeoutMs: 300, random: () => 0 });
    await client.waitForInitialization({ timeout: 10 });
    expect(h.fake.stream.connections.length).toBe(2);
  });

  for (const status of [401, 403, 404]) {
    it(`37: gives up permanently on HTTP ${status}: OFF, 'failed', waitForInitialization rejects, no retry, no SDK key in logs`, async () => {
      h = await harness({ flags: { a: boolFlag('a') } });
      h.fake.stream.nextConnections({ kind: 'status', status });
      const client = h.client();
      const failed: Error[] = [];
      const errors: Error[] = [];
      client.on('failed', (e: Error) => failed.push(e));
      client.on('error', (e: Error) => errors.push(e));
      await expect(client.waitForInitialization({ timeout: 5 })).rejects.toThrow(status === 401 ? /Authentication failed/ : new RegExp(String(status)));
      const status_ = client.dataSourceStatusProvider.getStatus();
      expect(status_.state).toBe('OFF');
      expect(status_.lastError).toMatchObject({ kind: 'ERROR_RESPONSE', statusCode: status });
      expect(failed).toHaveLength(1);
      expect(errors).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 200));
      expect(h.fake.stream.connections).toHaveLength(1);
      expect(h.logger.text()).toMatch(/giving up permanently/);
      if (status !== 404) expect(h.logger.text()).toMatch(/invalid SDK key/);
      expect(h.logger.text()).not.toContain(SDK_KEY);
      expect(failed[0]!.message).not.toContain(SDK_KEY);
      expect(await client.variationDetail('a', user, 'dflt')).toMatchObject({ value: 'dflt', reason: { kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' } });
    });
  }

  it('38: retries HTTP 400, 408, 429, 500, 502 and 503 with backoff, reporting each status, then initializes', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    const codes = [400, 408, 429, 500, 502, 503];
    h.fake.stream.nextConnections(...codes.map((status) => ({ kind: 'status' as const, status })));
    const client = h.client();
    const seen = statuses(client);
    await client.waitForInitialization({ timeout: 10 });
    expect(h.fake.stream.connections).toHaveLength(codes.length + 1);
    expect(seen.filter((s) => s.state === 'INITIALIZING').map((s) => s.lastError!.statusCode)).toEqual(codes);
    // Still initializing while it retried: INTERRUPTED is reported as INITIALIZING before the first put.
    expect(seen.slice(0, codes.length).every((s) => s.state === 'INITIALIZING')).toBe(true);
    expect(seen.at(-1)!.state).toBe('VALID');
    expect(h.logger.text()).toMatch(/will retry/);
  });

  const malformed: [string, string][] = [
    ['put with bad JSON', 'event: put\ndata: {"path":"/","data":{"flags":\n\n'],
    ['put without data', 'event: put\ndata: {"path":"/"}\n\n'],
    ['patch without path', `event: patch\ndata: ${JSON.stringify({ data: boolFlag('a', 9) })}\n\n`],
    ['patch without data', 'event: patch\ndata: {"path":"/flags/a"}\n\n'],
    ['delete without version', 'event: delete\ndata: {"path":"/flags/a"}\n\n'],
    ['patch of a flag without a version', 'event: patch\ndata: {"path":"/flags/a","data":{"key":"a","on":false}}\n\n'],
    ['put whose flag has no version (63)', 'event: put\ndata: {"path":"/","data":{"flags":{"a":{"key":"a"}},"segments":{}}}\n\n'],
  ];
  for (const [name, text] of malformed) {
    it(`39: on a ${name}, logs, reports INVALID_DATA, restarts the stream and keeps the old data`, async () => {
      h = await harness({ flags: { a: boolFlag('a') } });
      const client = h.client();
      await client.waitForInitialization({ timeout: 5 });
      const errors: Error[] = [];
      client.on('error', (e: Error) => errors.push(e));
      const seen = statuses(client);
      h.fake.stream.nextConnections({ kind: 'silent-after-headers' });
      h.fake.stream.sendRaw(text);
      await h.fake.stream.waitForConnections(2);
      await until(() => seen.length > 0);
      expect(seen[0]).toMatchObject({ state: 'INTERRUPTED', lastError: { kind: 'INVALID_DATA' } });
      expect(errors).toHaveLength(1);
      expect(h.logger.messages('error').join('\n')).toMatch(/malformed data.*will restart the stream/);
      expect(client.variationSync('a', user, 'dflt')).toBe(true);
      expect(h.fake.stream.connections[0]!.closedAt).toBeDefined();
    });
  }

  it('40: ignores unknown event names (logged at info) and stays VALID', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    const client = h.client();
    await client.waitForInitialization({ timeout: 5 });
    h.fake.stream.send('surprise', { anything: true });
    h.fake.stream.patch('flags', boolFlag('a', 2, { on: false }));
    await until(() => client.variationSync('a', user, 'dflt') === false);
    expect(client.dataSourceStatusProvider.getStatus().state).toBe('VALID');
    expect(h.fake.stream.connections).toHaveLength(1);
    expect(h.logger.messages('info').join('\n')).toMatch(/unexpected event "surprise"/);
  });

  it('41: ignores a patch or delete for an unknown path', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    const client = h.client();
    await client.waitForInitialization({ timeout: 5 });
    h.fake.stream.send('patch', { path: '/foo/a', data: { key: 'a', version: 5 } });
    h.fake.stream.send('delete', { path: '/foo/a', version: 5 });
    h.fake.stream.patch('flags', boolFlag('b', 1));
    await until(() => client.variationSync('b', user, 'dflt') === true);
    expect(client.variationSync('a', user, 'dflt')).toBe(true);
    expect(client.dataSourceStatusProvider.getStatus().state).toBe('VALID');
    expect(h.fake.stream.connections).toHaveLength(1);
  });

  it('42: ignores a patch or delete with an older or equal version, without update events', async () => {
    h = await harness({ flags: { a: boolFlag('a', 5) } });
    const client = h.client();
    await client.waitForInitialization({ timeout: 5 });
    const updates: string[] = [];
    client.on('update', ({ key }: { key: string }) => updates.push(key));
    h.fake.stream.send('patch', { path: '/flags/a', data: boolFlag('a', 5, { on: false }) });
    h.fake.stream.send('patch', { path: '/flags/a', data: boolFlag('a', 4, { on: false }) });
    h.fake.stream.send('delete', { path: '/flags/a', version: 5 });
    h.fake.stream.patch('flags', boolFlag('marker', 1));
    await until(() => client.variationSync('marker', user, 'dflt') === true);
    await new Promise((r) => setTimeout(r, 50));
    expect(client.variationSync('a', user, 'dflt')).toBe(true);
    expect(updates).toEqual(['marker']);
  });

  it('43: a put with unknown categories is accepted, and a kind missing from it becomes empty', async () => {
    h = await harness({ flags: { a: boolFlag('a') }, segments: { s: { key: 's', version: 1, included: ['u1'] } } });
    const client = h.client();
    await client.waitForInitialization({ timeout: 5 });
    h.fake.stream.send('put', { path: '/', data: { flags: { b: boolFlag('b') }, somethingNew: { x: 1 } } });
    await until(() => client.variationSync('b', user, 'dflt') === true);
    expect(client.variationDetailSync('a', user, 'dflt').reason.errorKind).toBe('FLAG_NOT_FOUND');
    expect(await client.dataStoreStatusProvider.getStatus().available).toBe(true);
  });

  it('44: a put the store cannot take reports STORE_ERROR without restarting; the store recovery refreshes the stream', async () => {
    const core = new InMemoryPersistentStore();
    const store = new PersistentStoreWrapper(core, { cacheTtlMs: 10_000, statusPollIntervalMs: 20, healthCheckIntervalMs: 0 });
    h = await harness({ flags: { a: boolFlag('a') } });
    core.fail('all');
    const client = h.client({ featureStore: store });
    const seen = statuses(client);
    await until(() => seen.some((s) => s.lastError?.kind === 'STORE_ERROR'), 5000, 'STORE_ERROR');
    expect(client.initialized()).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.stream.connections).toHaveLength(1);
    core.heal();
    await client.waitForInitialization({ timeout: 5 });
    expect(h.fake.stream.connections.length).toBe(2);
    expect(await client.variation('a', user, 'dflt')).toBe(true);
  });

  it('initializes from a put whose store write finishes after the stream that brought it has ended', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    h.fake.stream.nextConnections({ kind: 'put-then-close' }, ...Array.from({ length: 100 }, () => ({ kind: 'status' as const, status: 503 })));
    const core = new InMemoryPersistentStore({ latencyMs: 100 }); // the write outlasts the connection
    const client = h.client({ featureStore: new PersistentStoreWrapper(core, { healthCheckIntervalMs: 0 }) });
    await client.waitForInitialization({ timeout: 5 });
    expect(await client.variation('a', user, 'dflt')).toBe(true);
    expect(client.dataSourceStatusProvider.getStatus().state).not.toBe('VALID');
  });

  it('45: the SSE retry field replaces the reconnect base delay', async () => {
    h = await harness({ flags: { a: boolFlag('a') } });
    const client = h.client({ streamInitialReconnectDelay: 30 }, { random: () => 0 });
    await client.waitForInitialization({ timeout: 5 });
    h.fake.stream.sendRaw('retry: 20\n\n');
    await new Promise((r) => setTimeout(r, 50));
    h.fake.stream.drop();
    // With the 30 s base this would take 30 s; the server asked for 20 ms.
    await h.fake.stream.waitForConnections(2, 5000);
    expect(h.logger.text()).toMatch(/will retry the stream connection in 20 milliseconds/);
  });

  it('46: applies a large put (several MB) without trouble', async () => {
    const flags: Record<string, unknown> = {};
    for (let i = 0; i < 2000; i++) {
      flags[`f${i}`] = boolFlag(`f${i}`, 1, { targets: [{ variation: 0, values: Array.from({ length: 200 }, (_, j) => `user-${i}-${j}`) }] });
    }
    h = await harness({ flags: flags as never });
    const client = h.client();
    await client.waitForInitialization({ timeout: 20 });
    expect(client.variationSync('f1999', { kind: 'user', key: 'user-1999-5' }, 'dflt')).toBe(false);
    expect(client.variationSync('f1999', user, 'dflt')).toBe(true);
  });

  it('47: parses SSE split into tiny chunks, CRLF line ends, comments and multi-line data', async () => {
    h = await harness();
    const payload = JSON.stringify({ path: '/', data: { flags: { a: boolFlag('a') }, segments: {} } }, null, 1);
    const body = `: heartbeat comment\r\nevent: put\r\n${payload
      .split('\n')
      .map((l) => `data: ${l}`)
      .join('\r\n')}\r\n\r\n`;
    h.fake.stream.nextConnections({ kind: 'silent-after-headers' });
    const client = h.client();
    await h.fake.stream.waitForConnections(1);
    await until(() => h.fake.stream.openCount === 1);
    for (let i = 0; i < body.length; i += 7) {
      h.fake.stream.sendRaw(body.slice(i, i + 7));
      if (i % 70 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await client.waitForInitialization({ timeout: 5 });
    expect(client.variationSync('a', user, 'dflt')).toBe(true);
  });
});
