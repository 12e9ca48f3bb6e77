/**
 * Event-processor metrics through a real client whose flags and analytics events go to the fake
 * LaunchDarkly service (@switchyard/fake-launchdarkly, on a free port): queue depth, dropped events and
 * delivered or given-up payloads, against the processor's own counters and what the service received.
 */
import { type FakeLaunchDarkly, startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { init, type LDClient } from '@switchyard/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SwitchyardMetricNames as M, SwitchyardOtelPlugin } from '../src/index.js';
import { type CollectingReader, collectPoints, inMemoryMetrics, valueOf } from './support.js';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const CAPACITY = 5;

describe('analytics event metrics', () => {
  let fake: FakeLaunchDarkly;
  let client: LDClient;
  let reader: CollectingReader;
  let plugin: SwitchyardOtelPlugin;

  beforeAll(async () => {
    fake = await startFakeLaunchDarkly({
      data: {
        flags: {
          tracked: { key: 'tracked', version: 3, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 }, trackEvents: true },
        },
      },
    });
    const meters = inMemoryMetrics();
    reader = meters.reader;
    plugin = new SwitchyardOtelPlugin({ meterProvider: meters.provider, tracing: false });
    client = init('sdk-key-events', {
      baseUri: fake.url,
      streamUri: fake.url,
      eventsUri: fake.url,
      capacity: CAPACITY,
      // Nothing is flushed by the timer during the test: only flush() delivers.
      flushInterval: 3600,
      diagnosticOptOut: true,
      logger: quiet,
      plugins: [plugin],
    });
    await client.waitForInitialization({ timeout: 10 });
  });

  afterAll(async () => {
    plugin?.shutdown();
    await client?.close();
    await fake?.close();
  });

  it('reports the queue depth and the events dropped when more events than capacity are recorded', async () => {
    let points = await collectPoints(reader);
    expect(valueOf(points, M.eventsQueued)).toBe(0);
    expect(valueOf(points, M.eventsDropped)).toBe(0);

    // 20 new contexts, each evaluation of a tracked flag: an index and a feature event each, 40 events.
    for (let i = 0; i < 20; i++) expect(await client.boolVariation('tracked', { kind: 'user', key: `u-${i}` }, false)).toBe(true);
    const stats = client.getEventProcessorStats()!;
    expect(stats.queuedEvents).toBe(CAPACITY);
    expect(stats.droppedEvents).toBe(40 - CAPACITY);

    points = await collectPoints(reader);
    expect(valueOf(points, M.eventsQueued)).toBe(CAPACITY);
    expect(valueOf(points, M.eventsDropped)).toBe(40 - CAPACITY);
    expect(points.get(M.eventsQueued)![0]!.unit).toBe('{event}');
    expect(valueOf(points, M.eventPayloads, { 'switchyard.events.payload.outcome': 'delivered' })).toBe(0);
  });

  it('reports the delivered payload and an empty queue after a flush', async () => {
    await client.flush();
    const points = await collectPoints(reader);
    expect(valueOf(points, M.eventsQueued)).toBe(0);
    expect(valueOf(points, M.eventPayloads, { 'switchyard.events.payload.outcome': 'delivered' })).toBe(1);
    // Dropped is a running total: it does not go back down.
    expect(valueOf(points, M.eventsDropped)).toBe(40 - CAPACITY);
    const posts = fake.events.analyticsPosts();
    expect(posts).toHaveLength(1);
    // What was queued, plus the summary event.
    expect((posts[0]!.body as unknown[]).length).toBe(CAPACITY + 1);
  });

  it('reports a payload given up after the service refused it twice', async () => {
    fake.events.failNext(2, 503);
    await client.boolVariation('tracked', { kind: 'user', key: 'after-flush' }, false);
    await client.flush();
    const points = await collectPoints(reader);
    expect(valueOf(points, M.eventPayloads, { 'switchyard.events.payload.outcome': 'dropped' })).toBe(client.getEventProcessorStats()!.payloadsDropped);
    expect(valueOf(points, M.eventPayloads, { 'switchyard.events.payload.outcome': 'dropped' })).toBe(1);
    expect(valueOf(points, M.eventPayloads, { 'switchyard.events.payload.outcome': 'delivered' })).toBe(1);
  });
});
