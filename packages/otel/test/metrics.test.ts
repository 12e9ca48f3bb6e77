import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { metrics } from '@opentelemetry/api';
import { InMemoryPersistentStore } from '@switchyard/core/testing';
import { init, type LDClient, type LDOptions, PersistentStoreWrapper, TestData } from '@switchyard/node-server';
import { waitUntil } from '@switchyard/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registerMetrics, SwitchyardMetricNames as M, SwitchyardOtelPlugin } from '../src/index.js';
import { collectPoints, finishedSpan, inMemoryMetrics, inMemoryTracing, installContextManager, sumOf, valueOf, withActiveSpan } from './support.js';

const alice = { kind: 'user', key: 'alice' };
const bob = { kind: 'user', key: 'bob' };
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

let td: TestData;
const clients: LDClient[] = [];
let keys = 0;

async function client(options: LDOptions = {}): Promise<LDClient> {
  const c = init(`sdk-key-${++keys}`, { updateProcessor: td.getFactory(), sendEvents: false, logger: quiet, ...options });
  clients.push(c);
  await c.waitForInitialization({ timeout: 5 });
  return c;
}

beforeAll(async () => {
  td = new TestData();
  await td.update(td.flag('bool-flag').booleanFlag().variationForUser('alice', true).fallthroughVariation(false));
  await td.update(td.flag('off-flag').variations('a', 'b').offVariation(1).on(false));
  for (let i = 0; i < 5; i++) await td.update(td.flag(`flag-${i}`).variationForAll(true));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

describe('registerMetrics', () => {
  it('counts evaluations by flag, reason, variant and error type, with the extra attributes', async () => {
    const { provider, reader } = inMemoryMetrics();
    const c = await client();
    registerMetrics(c, { meterProvider: provider, metricAttributes: { 'switchyard.client': 'unit' } });
    for (let i = 0; i < 3; i++) await c.boolVariation('bool-flag', alice, false);
    await c.boolVariation('bool-flag', bob, true);
    await c.boolVariation('bool-flag', bob, true);
    await c.variation('off-flag', alice, 'x');
    await c.variation('missing', alice, 'x');
    const points = (await collectPoints(reader)).get(M.evaluations)!;
    expect(points.map((p) => [p.attributes, p.value])).toEqual(
      expect.arrayContaining([
        [{ 'switchyard.client': 'unit', 'feature_flag.key': 'bool-flag', 'feature_flag.result.reason': 'targeting_match', 'feature_flag.result.variant': '0' }, 3],
        [{ 'switchyard.client': 'unit', 'feature_flag.key': 'bool-flag', 'feature_flag.result.reason': 'default', 'feature_flag.result.variant': '1' }, 2],
        [{ 'switchyard.client': 'unit', 'feature_flag.key': 'off-flag', 'feature_flag.result.reason': 'disabled', 'feature_flag.result.variant': '1' }, 1],
        [{ 'switchyard.client': 'unit', 'feature_flag.key': 'missing', 'feature_flag.result.reason': 'error', 'error.type': 'flag_not_found' }, 1],
      ]),
    );
    expect(points).toHaveLength(4);
    expect(points[0]!.unit).toBe('{evaluation}');
  });

  it('reports no store or event metrics for the in-memory store with events off', async () => {
    const { provider, reader } = inMemoryMetrics();
    const c = await client();
    registerMetrics(c, { meterProvider: provider });
    await c.variation('bool-flag', alice, false);
    const points = await collectPoints(reader);
    for (const name of [M.storeAvailable, M.cacheLookups, M.storeOperations, M.storeOperationDuration, M.eventsQueued, M.eventsDropped, M.eventPayloads]) {
      expect(points.get(name) ?? [], name).toEqual([]);
    }
    expect(sumOf(points, M.evaluations)).toBe(1);
  });

  it('reports cache hits and misses and store availability for a persistent store with a cache', async () => {
    const { provider, reader } = inMemoryMetrics();
    const core = new InMemoryPersistentStore();
    const c = await client({ featureStore: new PersistentStoreWrapper(core, { cacheTtlMs: 60_000 }) });
    registerMetrics(c, { meterProvider: provider });
    await c.variation('flag-0', alice, false);
    await c.variation('flag-0', alice, false);
    const points = await collectPoints(reader);
    const counters = c.dataStoreStatusProvider.getMetrics();
    expect(counters.cacheHits).toBeGreaterThanOrEqual(2);
    expect(valueOf(points, M.cacheLookups, { 'switchyard.store.cache.result': 'hit' })).toBe(counters.cacheHits);
    expect(valueOf(points, M.cacheLookups, { 'switchyard.store.cache.result': 'miss' })).toBe(counters.cacheMisses);
    expect(points.get(M.cacheLookups)![0]!.unit).toBe('{lookup}');
    expect(valueOf(points, M.storeAvailable)).toBe(1);
    expect(valueOf(points, M.storeOutages)).toBe(0);
    expect(valueOf(points, M.storeOversizedItems)).toBe(0);
  });

  it('reports failed store operations, their latency, and availability through an outage', async () => {
    const { provider, reader } = inMemoryMetrics();
    const core = new InMemoryPersistentStore();
    // No cache: every evaluation reads the store, so the first one after the failure starts the outage.
    const c = await client({ featureStore: new PersistentStoreWrapper(core, { cacheTtlMs: 0 }) });
    const status = c.dataStoreStatusProvider;
    // Calls before registration (the data source's init) are not counted: the counter starts with it.
    const before = status.getMetrics().storeOperations;
    expect(before).toBeGreaterThan(0);
    registerMetrics(c, { meterProvider: provider });
    expect(await c.variation('flag-0', alice, false)).toBe(true);

    core.fail('all');
    expect(await c.variationDetail('flag-0', alice, false)).toMatchObject({ value: false, reason: { kind: 'ERROR', errorKind: 'EXCEPTION' } });
    expect(status.getStatus().available).toBe(false);
    let points = await collectPoints(reader);
    expect(valueOf(points, M.storeAvailable)).toBe(0);
    expect(valueOf(points, M.storeOutages)).toBe(1);
    const failedGets = points.get(M.storeOperations)!.filter((p) => p.attributes['switchyard.store.operation'] === 'get' && p.attributes['switchyard.store.outcome'] === 'error');
    // The injected StoreError has no cause with a code: OpenTelemetry's fallback value.
    expect(failedGets.map((p) => [p.attributes['error.type'], p.value])).toEqual([['_OTHER', 1]]);
    expect(valueOf(points, M.storeOperations, { 'switchyard.store.operation': 'get', 'switchyard.store.outcome': 'success' })).toBe(1);
    expect(sumOf(points, M.evaluations, { 'error.type': 'general' })).toBe(1);

    core.heal();
    await waitUntil(async () => status.getStatus().available, { timeoutMs: 10_000, what: 'the store to recover' });
    points = await collectPoints(reader);
    expect(valueOf(points, M.storeAvailable)).toBe(1);
    expect(valueOf(points, M.storeOutages)).toBe(1);
    // The wrapper probed the store while it was down; the last probe succeeded.
    expect(valueOf(points, M.storeOperations, { 'switchyard.store.operation': 'isStoreAvailable', 'switchyard.store.outcome': 'success' })).toBeGreaterThanOrEqual(1);

    // Every call the store reported is counted once and has one latency point with the same attributes.
    const operations = points.get(M.storeOperations)!;
    expect(sumOf(points, M.storeOperations)).toBe(status.getMetrics().storeOperations - before);
    for (const op of operations) {
      const histogram = points.get(M.storeOperationDuration)!.find((h) => JSON.stringify(h.attributes) === JSON.stringify(op.attributes));
      expect(histogram, JSON.stringify(op.attributes)).toBeDefined();
      expect(histogram!.unit).toBe('s');
      expect(typeof histogram!.value === 'object' ? histogram!.value.count : undefined).toBe(op.value);
    }
  });

  it('stops recording after shutdown()', async () => {
    const { provider, reader } = inMemoryMetrics();
    const core = new InMemoryPersistentStore();
    const c = await client({ featureStore: new PersistentStoreWrapper(core, { cacheTtlMs: 60_000 }) });
    const registration = registerMetrics(c, { meterProvider: provider });
    await c.variation('flag-1', alice, false);
    let points = await collectPoints(reader);
    const evaluations = sumOf(points, M.evaluations);
    const operations = sumOf(points, M.storeOperations);
    const hits = valueOf(points, M.cacheLookups, { 'switchyard.store.cache.result': 'hit' });
    expect(evaluations).toBe(1);

    registration.shutdown();
    registration.shutdown();
    await c.variation('flag-1', alice, false);
    await c.variation('flag-2', alice, false);
    await c.variation('never-cached', alice, false);
    expect(status(c).cacheHits).toBeGreaterThan(hits ?? 0);
    points = await collectPoints(reader);
    expect(sumOf(points, M.evaluations)).toBe(evaluations);
    expect(sumOf(points, M.storeOperations)).toBe(operations);
    // The callback is gone: the cumulative point, if the SDK still exports it, keeps its old value.
    expect([undefined, hits]).toContain(valueOf(points, M.cacheLookups, { 'switchyard.store.cache.result': 'hit' }));
  });

  it('uses the global meter provider by default', async () => {
    const { provider, reader } = inMemoryMetrics();
    expect(metrics.setGlobalMeterProvider(provider)).toBe(true);
    try {
      const c = await client();
      registerMetrics(c);
      await c.variation('bool-flag', alice, false);
    } finally {
      metrics.disable();
    }
    expect(sumOf(await collectPoints(reader), M.evaluations, { 'feature_flag.key': 'bool-flag' })).toBe(1);
  });

  it('rejects what is not a client, and mistaken options, with a ConfigError', async () => {
    expect(() => registerMetrics({} as LDClient)).toThrow(/\[switchyard\/otel\] registerMetrics needs a Switchyard client/);
    const c = await client();
    expect(() => registerMetrics(c, { metricAttributes: 'x' as never })).toThrow(/option metricAttributes must be an object/);
    expect(() => registerMetrics(c, { evaluations: 'no' as never })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });

  it('holds no strong reference to the client: a closed, dropped client is garbage-collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { provider, reader } = inMemoryMetrics();
    const ref = await (async () => {
      const core = new InMemoryPersistentStore();
      const c = init('sdk-key-gc', { updateProcessor: td.getFactory(), sendEvents: false, logger: quiet, featureStore: new PersistentStoreWrapper(core, { cacheTtlMs: 60_000 }) });
      await c.waitForInitialization({ timeout: 5 });
      registerMetrics(c, { meterProvider: provider });
      await c.variation('flag-3', alice, false);
      expect(valueOf(await collectPoints(reader), M.storeAvailable)).toBe(1);
      await c.close();
      return new WeakRef(c);
    })();
    await waitUntil(
      async () => {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
        return ref.deref() === undefined;
      },
      { timeoutMs: 5_000, what: 'the closed client to be garbage-collected' },
    );
    // The next collections find the client gone and remove the callback; nothing throws.
    await collectPoints(reader);
    await collectPoints(reader);
  });
});

function status(c: LDClient) {
  return c.dataStoreStatusProvider.getMetrics();
}

describe('SwitchyardOtelPlugin', () => {
  let uninstall: () => void;
  beforeAll(() => {
    uninstall = installContextManager();
  });
  afterAll(() => uninstall());

  it('wires the tracing hook and the metrics from the plugins option', async () => {
    const tracing = inMemoryTracing();
    const { provider, reader } = inMemoryMetrics();
    const plugin = new SwitchyardOtelPlugin({ tracerProvider: tracing.provider, meterProvider: provider, includeValue: true });
    expect(plugin.getMetadata()).toEqual({ name: '@switchyard/otel', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const core = new InMemoryPersistentStore();
    const c = await client({ plugins: [plugin], featureStore: new PersistentStoreWrapper(core, { cacheTtlMs: 60_000 }) });
    await withActiveSpan(tracing.provider, 'request', () => c.variation('bool-flag', alice, false));
    expect(finishedSpan(tracing.exporter, 'request').events.map((e) => e.attributes)).toEqual([
      expect.objectContaining({ 'feature_flag.key': 'bool-flag', 'feature_flag.result.value': true, 'feature_flag.result.reason': 'targeting_match' }),
    ]);
    let points = await collectPoints(reader);
    expect(sumOf(points, M.evaluations, { 'feature_flag.key': 'bool-flag' })).toBe(1);
    expect(valueOf(points, M.storeAvailable)).toBe(1);
    expect(sumOf(points, M.storeOperations, { 'switchyard.store.operation': 'init', 'switchyard.store.outcome': 'success' })).toBeGreaterThanOrEqual(1);

    plugin.shutdown();
    await c.variation('bool-flag', alice, false);
    points = await collectPoints(reader);
    expect(sumOf(points, M.evaluations, { 'feature_flag.key': 'bool-flag' })).toBe(1);
    await tracing.provider.shutdown();
  });

  it('can record metrics only, or tracing only', async () => {
    const tracing = inMemoryTracing();
    const { provider, reader } = inMemoryMetrics();
    const metricsOnly = new SwitchyardOtelPlugin({ tracerProvider: tracing.provider, meterProvider: provider, tracing: false });
    const tracingOnly = new SwitchyardOtelPlugin({ tracerProvider: tracing.provider, meterProvider: provider, metrics: false, providerName: 'tracing-only' });
    expect(metricsOnly.getHooks().map((h) => h.getMetadata().name)).toEqual(['@switchyard/otel metrics hook']);
    expect(tracingOnly.getHooks().map((h) => h.getMetadata().name)).toEqual(['@switchyard/otel tracing hook']);
    const c = await client({ plugins: [metricsOnly, tracingOnly] });
    await withActiveSpan(tracing.provider, 'request', () => c.variation('bool-flag', bob, true));
    expect(finishedSpan(tracing.exporter, 'request').events.map((e) => e.attributes?.['feature_flag.provider.name'])).toEqual(['tracing-only']);
    expect(sumOf(await collectPoints(reader), M.evaluations)).toBe(1);
    await tracing.provider.shutdown();
  });

  it('ignores a register() call with something that is not a client, without throwing', () => {
    const plugin = new SwitchyardOtelPlugin({ meterProvider: inMemoryMetrics().provider });
    expect(() => plugin.register({ not: 'a client' }, { sdk: { name: 'x', version: '1' }, sdkKey: 'secret' })).not.toThrow();
    expect(() => plugin.register(undefined, { sdk: { name: 'x', version: '1' }, sdkKey: 'secret' })).not.toThrow();
  });
});
