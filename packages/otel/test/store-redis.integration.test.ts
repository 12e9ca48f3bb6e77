/**
 * Store metrics through a real client on a real redis-server (started by @switchyard/test-services),
 * killed with SIGKILL and restarted: the operation counter's outcome and error type, the latency
 * histogram, availability and outages, and the evaluation event recorded during the outage.
 */
import { init, type LDClient, TestData } from '@switchyard/node-server';
import { redisStore } from '@switchyard/store-redis';
import { type RedisServer, startRedis, waitUntil } from '@switchyard/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SwitchyardMetricNames as M, SwitchyardOtelPlugin } from '../src/index.js';
import { type CollectingReader, collectPoints, finishedSpan, inMemoryMetrics, inMemoryTracing, installContextManager, sumOf, valueOf, withActiveSpan } from './support.js';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const user = { kind: 'user', key: 'user-1' };

describe('store metrics with Redis', () => {
  const tracing = inMemoryTracing();
  let reader: CollectingReader;
  let redis: RedisServer;
  let client: LDClient;
  let plugin: SwitchyardOtelPlugin;
  let uninstall: () => void;

  beforeAll(async () => {
    uninstall = installContextManager();
    redis = await startRedis();
    const td = new TestData();
    await td.update(td.flag('checkout').variations('old', 'new').fallthroughVariation(1).offVariation(0));
    const meters = inMemoryMetrics();
    reader = meters.reader;
    plugin = new SwitchyardOtelPlugin({ tracerProvider: tracing.provider, meterProvider: meters.provider, metricAttributes: { 'service.component': 'redis-test' } });
    client = init('sdk-key-redis', {
      updateProcessor: td.getFactory(),
      sendEvents: false,
      logger: quiet,
      plugins: [plugin],
      // No cache: every evaluation reads Redis, so the outage shows at once.
      featureStore: redisStore({ url: redis.url, cacheTtlMs: 0, pool: { reconnectMaxDelayMs: 200 } }),
    });
    await client.waitForInitialization({ timeout: 10 });
  });

  afterAll(async () => {
    plugin?.shutdown();
    await client?.close();
    await redis?.stop();
    await tracing.provider.shutdown();
    uninstall?.();
  });

  it('counts successful reads and writes with their latency while Redis is up', async () => {
    expect(await client.variation('checkout', user, 'default')).toBe('new');
    const points = await collectPoints(reader);
    const base = { 'service.component': 'redis-test' };
    // The plugin was registered while the client was built, so it saw the data source's init.
    expect(valueOf(points, M.storeOperations, { ...base, 'switchyard.store.operation': 'init', 'switchyard.store.outcome': 'success' })).toBe(1);
    expect(valueOf(points, M.storeOperations, { ...base, 'switchyard.store.operation': 'get', 'switchyard.store.outcome': 'success' })).toBeGreaterThanOrEqual(1);
    const latency = points.get(M.storeOperationDuration)!.find((p) => p.attributes['switchyard.store.operation'] === 'get')!;
    expect(typeof latency.value).toBe('object');
    if (typeof latency.value === 'number') throw new Error('not a histogram');
    expect(latency.value.count).toBeGreaterThanOrEqual(1);
    expect(latency.value.sum).toBeGreaterThan(0);
    expect(latency.unit).toBe('s');
    expect(valueOf(points, M.storeAvailable, base)).toBe(1);
    expect(valueOf(points, M.storeOutages, base)).toBe(0);
    expect(points.get(M.storeOperations)!.filter((p) => p.attributes['switchyard.store.outcome'] === 'error')).toEqual([]);
  });

  it('counts failed operations by error type and reports the outage when Redis is killed', async () => {
    await redis.kill();
    const { result: detail } = await withActiveSpan(tracing.provider, 'request', () => client.variationDetail('checkout', user, 'default'));
    expect(detail).toMatchObject({ value: 'default', reason: { kind: 'ERROR', errorKind: 'EXCEPTION' } });
    await waitUntil(async () => !client.dataStoreStatusProvider.getStatus().available, { timeoutMs: 10_000, what: 'the store to be reported unavailable' });

    const points = await collectPoints(reader);
    expect(valueOf(points, M.storeAvailable)).toBe(0);
    expect(valueOf(points, M.storeOutages)).toBe(1);
    const failed = points.get(M.storeOperations)!.filter((p) => p.attributes['switchyard.store.outcome'] === 'error');
    expect(failed.map((p) => p.attributes['switchyard.store.operation'])).toContain('get');
    // The Redis store's "not connected" StoreError has no cause or failure kind to classify it by, so it
    // gets OpenTelemetry's fallback value (the Consul store's `failure`, or a cause's code, would be used).
    expect(failed.map((p) => p.attributes['error.type'])).toEqual(failed.map(() => '_OTHER'));
    // Failed calls are timed too.
    const failedLatency = points.get(M.storeOperationDuration)!.filter((p) => p.attributes['switchyard.store.outcome'] === 'error');
    expect(failedLatency.length).toBe(failed.length);
    expect(sumOf(points, M.storeOperationDuration, { 'switchyard.store.outcome': 'error' })).toBe(sumOf(points, M.storeOperations, { 'switchyard.store.outcome': 'error' }));
    // The evaluation itself: an error result, on the counter and on the caller's span.
    expect(sumOf(points, M.evaluations, { 'feature_flag.key': 'checkout', 'error.type': 'general' })).toBe(1);
    expect(finishedSpan(tracing.exporter, 'request').events.map((e) => e.attributes)).toEqual([
      expect.objectContaining({ 'feature_flag.key': 'checkout', 'feature_flag.result.reason': 'error', 'error.type': 'general', 'switchyard.reason.error_kind': 'EXCEPTION' }),
    ]);
  });

  it('reports the store available again once Redis is back, after probing it', async () => {
    await redis.restart();
    await waitUntil(async () => client.dataStoreStatusProvider.getStatus().available, { timeoutMs: 15_000, what: 'the store to recover' });
    const points = await collectPoints(reader);
    expect(valueOf(points, M.storeAvailable)).toBe(1);
    expect(valueOf(points, M.storeOutages)).toBe(1);
    expect(sumOf(points, M.storeOperations, { 'switchyard.store.operation': 'isStoreAvailable', 'switchyard.store.outcome': 'success' })).toBeGreaterThanOrEqual(1);
  });
});
