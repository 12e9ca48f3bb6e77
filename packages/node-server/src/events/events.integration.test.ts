// The analytics event pipeline end to end: node-server's HTTP sender and core's processor, posting over
// real HTTP to the fake LaunchDarkly events service (with fault injection).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { Context, DefaultEventProcessor, parseFlag, type EvaluationEvent, type Flag } from '@switchyard/core';
import { Reasons } from '@switchyard/core/internal';
import { CapturingLogger } from '@switchyard/core/testing';
import { FakeEvents, FakeServer } from '@switchyard/fake-launchdarkly';
import { afterEach, describe, expect, it } from 'vitest';

import { SDK_VERSION, USER_AGENT } from '../http/headers.js';
import { createEventProcessor, type LDEventOptions } from './index.js';

const SDK_KEY = 'sdk-11111111-2222-3333-4444-555555abcdef';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const servers: FakeServer[] = [];
const processors: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(processors.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(options: LDEventOptions = {}) {
  const server = new FakeServer();
  const events = new FakeEvents(server);
  await server.listen();
  servers.push(server);
  const logger = new CapturingLogger();
  // A long flush interval: tests flush explicitly unless they test the timer.
  const processor = createEventProcessor(SDK_KEY, { eventsUri: server.url, flushInterval: 3600, diagnosticOptOut: true, ...options }, logger);
  processors.push(processor);
  expect(processor).toBeInstanceOf(DefaultEventProcessor);
  return { server, events, logger, processor: processor as DefaultEventProcessor };
}

const flag = (key: string, extra: Record<string, unknown> = {}): Flag =>
  parseFlag({ key, version: 3, on: true, variations: ['off', 'on'], offVariation: 0, fallthrough: { variation: 1 }, ...extra });

function evaluation(f: Flag, context: Context, extra: Partial<EvaluationEvent> = {}): EvaluationEvent {
  return {
    context,
    flag: f,
    value: f.variations[1],
    variationIndex: 1,
    reason: Reasons.fallthrough,
    defaultValue: 'dflt',
    withReasons: false,
    creationDate: Date.now(),
    ...extra,
  };
}

const byKind = (events: Record<string, unknown>[], kind: string) => events.filter((e) => e.kind === kind);

describe('analytics payloads over HTTP', () => {
  it('posts every event kind as schema 4 with the SDK headers and a payload id', async () => {
    const { events, processor } = await setup();
    const alice = Context.from({ kind: 'user', key: 'alice', name: 'Alice' });
    const now = Date.now();
    processor.recordIdentify({ context: alice, creationDate: now });
    processor.recordEvaluation(evaluation(flag('tracked', { trackEvents: true }), alice, { withReasons: true }));
    processor.recordEvaluation(evaluation(flag('debugged', { debugEventsUntilDate: now + 60_000 }), alice));
    processor.recordEvaluation(evaluation(flag('pre', { trackEvents: true }), alice, { prerequisiteOf: 'tracked', defaultValue: null }));
    processor.recordUnknownFlag({ context: alice, key: 'ghost', defaultValue: 42, reason: Reasons.error('FLAG_NOT_FOUND'), withReasons: false, creationDate: now });
    processor.recordCustom({ context: Context.from({ kind: 'org', key: 'acme' }), key: 'checkout', data: { total: 3 }, metricValue: 99.5, creationDate: now });
    await processor.flush();

    const [post] = events.analyticsPosts();
    expect(post!.schema).toBe('4');
    expect(post!.payloadId).toMatch(UUID);
    expect(post!.request.headers).toMatchObject({ authorization: SDK_KEY, 'user-agent': USER_AGENT, 'content-type': 'application/json' });
    expect(USER_AGENT).toContain(SDK_VERSION);

    const sent = events.analyticsEvents();
    expect(sent.map((e) => e.kind)).toEqual(['identify', 'feature', 'debug', 'feature', 'index', 'custom', 'summary']);
    expect(sent[1]).toEqual({
      kind: 'feature',
      creationDate: expect.any(Number),
      context: { kind: 'user', key: 'alice', name: 'Alice' },
      key: 'tracked',
      value: 'on',
      default: 'dflt',
      variation: 1,
      version: 3,
      reason: { kind: 'FALLTHROUGH' },
    });
    expect(sent[2]).toMatchObject({ kind: 'debug', key: 'debugged', value: 'on' });
    expect(sent[3]).toMatchObject({ kind: 'feature', key: 'pre', prereqOf: 'tracked', default: null });
    expect(sent[5]).toEqual({ kind: 'custom', creationDate: now, context: { kind: 'org', key: 'acme' }, key: 'checkout', data: { total: 3 }, metricValue: 99.5 });
    const summary = sent[6] as { features: Record<string, { counters: unknown[] }> };
    expect(Object.keys(summary.features).sort()).toEqual(['debugged', 'ghost', 'pre', 'tracked']);
    expect(summary.features.ghost!.counters).toEqual([{ value: 42, count: 1, unknown: true }]);
  });

  it('counts evaluations in the summary per flag, version and variation', async () => {
    const { events, processor } = await setup();
    const f3 = flag('f');
    const f4 = flag('f', { version: 4 });
    for (let i = 0; i < 30; i++) processor.recordEvaluation(evaluation(f3, Context.from({ kind: 'user', key: `u${i % 7}` })));
    for (let i = 0; i < 5; i++) processor.recordEvaluation(evaluation(f3, Context.from({ kind: 'device', key: 'd' }), { variationIndex: 0, value: 'off', reason: Reasons.off }));
    processor.recordEvaluation(evaluation(f4, Context.from({ kind: 'user', key: 'u0' })));
    await processor.flush();
    const summary = byKind(events.analyticsEvents(), 'summary')[0] as { features: { f: { contextKinds: string[]; counters: unknown[]; default: unknown } } };
    expect(summary.features.f.default).toBe('dflt');
    expect([...summary.features.f.contextKinds].sort()).toEqual(['device', 'user']);
    expect(summary.features.f.counters).toEqual(
      expect.arrayContaining([
        { value: 'on', count: 30, variation: 1, version: 3 },
        { value: 'off', count: 5, variation: 0, version: 3 },
        { value: 'on', count: 1, variation: 1, version: 4 },
      ]),
    );
    expect(byKind(events.analyticsEvents(), 'index')).toHaveLength(8);
  });

  it('honours samplingRatio and excludeFromSummaries', async () => {
    const { events, processor } = await setup();
    const a = Context.from({ kind: 'user', key: 'a' });
    processor.recordEvaluation(evaluation(flag('never-sampled', { trackEvents: true, samplingRatio: 0 }), a));
    processor.recordEvaluation(evaluation(flag('always-sampled', { trackEvents: true, samplingRatio: 1 }), a));
    processor.recordEvaluation(evaluation(flag('unsummarized', { trackEvents: true, excludeFromSummaries: true }), a));
    await processor.flush();
    const sent = events.analyticsEvents();
    expect(byKind(sent, 'feature').map((e) => e.key)).toEqual(['always-sampled', 'unsummarized']);
    expect(byKind(sent, 'feature').every((e) => !('samplingRatio' in e))).toBe(true);
    expect(Object.keys((byKind(sent, 'summary')[0] as { features: object }).features).sort()).toEqual(['always-sampled', 'never-sampled']);
  });

  it('flushes on its own every flushInterval seconds', async () => {
    const { events, processor } = await setup({ flushInterval: 0.05 });
    processor.recordCustom({ context: Context.from({ kind: 'user', key: 'a' }), key: 'k', creationDate: Date.now() });
    await events.waitFor((e) => e.analyticsEvents().some((ev) => ev.kind === 'custom'));
  });

  it('gzips payloads with enableEventCompression', async () => {
    const { events, processor } = await setup({ enableEventCompression: true });
    processor.recordCustom({ context: Context.from({ kind: 'user', key: 'a' }), key: 'zipped', creationDate: 1 });
    await processor.flush();
    const [post] = events.posts;
    expect(post!.request.headers['content-encoding']).toBe('gzip');
    expect(post!.request.rawBody.subarray(0, 2).toString('hex')).toBe('1f8b');
    expect(post!.body).toEqual([
      { kind: 'index', creationDate: 1, context: { kind: 'user', key: 'a' } },
      { kind: 'custom', creationDate: 1, context: { kind: 'user', key: 'a' }, key: 'zipped' },
    ]);
  });
});

describe('context redaction over HTTP', () => {
  it('applies allAttributesPrivate, global privateAttributes, per-context _meta.privateAttributes and anonymous redaction', async () => {
    const { events, processor } = await setup({ privateAttributes: ['email', '/address/street'] });
    const context = Context.from({
      kind: 'multi',
      user: { key: 'u', name: 'U', email: 'u@x', address: { street: 's', city: 'c' }, _meta: { privateAttributes: ['name'] } },
      session: { key: 's1', anonymous: true, device: 'phone' },
    });
    processor.recordEvaluation(evaluation(flag('f', { trackEvents: true }), context));
    await processor.flush();
    const [index, feature] = events.analyticsEvents();
    expect(index!.context).toEqual({
      kind: 'multi',
      user: { key: 'u', address: { city: 'c' }, _meta: { redactedAttributes: ['/address/street', 'email', 'name'] } },
      session: { key: 's1', anonymous: true, device: 'phone' },
    });
    expect(feature!.context).toEqual({
      kind: 'multi',
      user: { key: 'u', address: { city: 'c' }, _meta: { redactedAttributes: ['/address/street', 'email', 'name'] } },
      session: { key: 's1', anonymous: true, _meta: { redactedAttributes: ['device'] } },
    });

    const all = await setup({ allAttributesPrivate: true });
    all.processor.recordIdentify({ context: Context.from({ kind: 'user', key: 'k', name: 'N', plan: 'gold' }), creationDate: 1 });
    await all.processor.flush();
    expect(all.events.analyticsEvents()[0]!.context).toEqual({ kind: 'user', key: 'k', _meta: { redactedAttributes: ['name', 'plan'] } });
  });
});

describe('context deduplication over HTTP', () => {
  it('indexes each context once per window and reports the deduplicated count in diagnostics', async () => {
    const { events, processor } = await setup({ contextKeysCapacity: 3, diagnosticOptOut: false });
    const f = flag('f');
    for (const key of ['a', 'b', 'a', 'c', 'a', 'd', 'b']) processor.recordEvaluation(evaluation(f, Context.from({ kind: 'user', key })));
    await processor.flush();
    await processor.sendDiagnosticStats();
    const indexed = byKind(events.analyticsEvents(), 'index').map((e) => (e.context as { key: string }).key);
    // Capacity 3: a b (a) c (a) d evicts b, so b is indexed again.
    expect(indexed).toEqual(['a', 'b', 'c', 'd', 'b']);
    expect(events.diagnosticEvents().find((d) => d.kind === 'diagnostic')).toMatchObject({ deduplicatedUsers: 2 });
  });
});

describe('delivery faults', () => {
  it('retries once after about a second with the same payload id when the service answers 503', async () => {
    const { events, processor, logger } = await setup();
    events.failNext(1, 503);
    processor.recordCustom({ context: Context.from({ kind: 'user', key: 'a' }), key: 'k', creationDate: 1 });
    await processor.flush();
    const [first, second] = events.analyticsPosts();
    expect([first!.status, second!.status]).toEqual([503, 202]);
    expect(second!.payloadId).toBe(first!.payloadId);
    expect(second!.body).toEqual(first!.body);
    expect(second!.request.receivedAt - first!.request.receivedAt).toBeGreaterThanOrEqual(900);
    expect(logger.messages('warn')).toEqual([]);
  });

  it('retries with the same payload id when the connection is reset', async () => {
    const { events, processor } = await setup();
    events.nextRequests({ kind: 'close' });
    processor.recordCustom({ context: Context.from({ kind: 'user', key: 'a' }), key: 'k', creationDate: 1 });
    await processor.flush();
    const posts = events.analyticsPosts();
    expect(posts.map((p) => p.status)).toEqual([undefined, 202]);
    expect(posts[1]!.payloadId).toBe(posts[0]!.payloadId);
  });

  it.each([401, 403])('stops sending for good after %i, logging one error without the SDK key', async (status) => {
    const { events, processor, logger } = await setup({ diagnosticOptOut: false });
    events.failNext(1, status);
    const a = Context.from({ kind: 'user', key: 'a' });
    processor.recordCustom({ context: a, key: 'k', creationDate: 1 });
    await processor.flush();
    for (let i = 0; i < 10; i++) processor.recordCustom({ context: a, key: `after${i}`, creationDate: 2 });
    await processor.flush();
    await processor.sendDiagnosticStats();
    expect(events.analyticsPosts()).toHaveLength(1);
    expect(events.posts.filter((p) => p.endpoint === 'diagnostic').map((p) => (p.body as { kind: string }).kind)).toEqual(['diagnostic-init']);
    expect(processor.stats()).toMatchObject({ disabled: true, queuedEvents: 0 });
    expect(logger.messages('error')).toHaveLength(1);
    expect(logger.text()).not.toContain(SDK_KEY);
  });

  it('drops only the payload answered with 413', async () => {
    const { events, processor } = await setup();
    events.failNext(1, 413);
    const a = Context.from({ kind: 'user', key: 'a' });
    processor.recordCustom({ context: a, key: 'too-big', creationDate: 1 });
    await processor.flush();
    processor.recordCustom({ context: a, key: 'fine', creationDate: 2 });
    await processor.flush();
    expect(events.analyticsPosts().map((p) => p.status)).toEqual([413, 202]);
    expect(byKind(events.analyticsEvents(), 'custom').map((e) => e.key)).toEqual(['fine']);
    expect(processor.stats().disabled).toBe(false);
  });

  it('survives the service being down: one retry, the payload dropped, one warning, and recording never blocks', async () => {
    const down = new FakeServer();
    await down.listen();
    const url = down.url;
    await down.close();
    const logger = new CapturingLogger();
    const processor = createEventProcessor(SDK_KEY, { eventsUri: url, diagnosticOptOut: true, flushInterval: 3600 }, logger) as DefaultEventProcessor;
    processors.push(processor);
    const a = Context.from({ kind: 'user', key: 'a' });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 100; i++) processor.recordCustom({ context: a, key: `k${i}`, creationDate: i });
      await processor.flush();
    }
    expect(processor.stats()).toMatchObject({ payloadsDelivered: 0, payloadsDropped: 2, queuedEvents: 0, disabled: false });
    expect(logger.messages('warn')).toHaveLength(1);
    expect(logger.messages('warn')[0]).toMatch(/could not deliver 101 events after a retry/);
  });

  it('stops debug events by the server Date header even when the local clock is behind', async () => {
    const { events, processor } = await setup();
    events.serverDate = new Date(Date.now() + 3_600_000);
    const f = flag('debugged', { debugEventsUntilDate: Date.now() + 600_000 });
    const a = Context.from({ kind: 'user', key: 'a' });
    processor.recordEvaluation(evaluation(f, a));
    await processor.flush();
    processor.recordEvaluation(evaluation(f, a));
    await processor.flush();
    const [first, second] = events.analyticsPosts().map((p) => (p.body as { kind: string }[]).map((e) => e.kind));
    expect(first).toEqual(['index', 'debug', 'summary']);
    expect(second).toEqual(['summary']);
  });
});

describe('a flood between flushes', () => {
  it('keeps memory bounded by capacity and reports the exact number dropped in diagnostics', async () => {
    const capacity = 100;
    const { events, processor, logger } = await setup({ capacity, diagnosticOptOut: false });
    const a = Context.from({ kind: 'user', key: 'a' });
    const f = flag('tracked', { trackEvents: true });
    // 10x capacity of evaluations (each a feature event) plus 10x capacity of custom events.
    for (let i = 0; i < 10 * capacity; i++) {
      processor.recordEvaluation(evaluation(f, a));
      processor.recordCustom({ context: a, key: 'flood', creationDate: i });
      expect(processor.stats().queuedEvents).toBeLessThanOrEqual(capacity);
    }
    await processor.flush();
    await processor.sendDiagnosticStats();
    const payload = events.analyticsPosts()[0]!.body as { kind: string }[];
    expect(payload).toHaveLength(capacity + 1); // the queue, plus the summary
    const summary = payload[capacity] as unknown as { features: { tracked: { counters: { count: number }[] } } };
    expect(summary.features.tracked.counters[0]!.count).toBe(10 * capacity); // summaries are never dropped
    // 1 index + 1000 feature + 1000 custom events wanted, 100 queued.
    const dropped = 1 + 2 * 10 * capacity - capacity;
    expect(processor.stats().droppedEvents).toBe(dropped);
    expect(events.diagnosticEvents().find((d) => d.kind === 'diagnostic')).toMatchObject({ droppedEvents: dropped, eventsInLastBatch: capacity + 1 });
    expect(logger.messages('warn').filter((m) => m.includes('Exceeded event queue capacity'))).toHaveLength(1);
  });
});

describe('diagnostic events over HTTP', () => {
  it('sends diagnostic-init with the configuration and periodic stats with stream inits, without a payload id', async () => {
    const { server, events, processor } = await setup({ diagnosticOptOut: false, capacity: 500 });
    processor.recordStreamInit({ timestamp: 1000, failed: false, durationMillis: 25 });
    await processor.sendDiagnosticStats();
    const [init, stats] = events.diagnosticEvents();
    expect(init).toMatchObject({
      kind: 'diagnostic-init',
      id: { diagnosticId: expect.stringMatching(UUID), sdkKeySuffix: 'abcdef' },
      sdk: { name: '@switchyard/node-server', version: SDK_VERSION },
      configuration: { customEventsURI: true, customBaseURI: false, eventsCapacity: 500, eventsFlushIntervalMillis: 3_600_000, diagnosticRecordingIntervalMillis: 900_000, dataStoreType: 'memory' },
      platform: { name: 'Node', nodeVersion: process.versions.node },
    });
    expect(stats).toMatchObject({ kind: 'diagnostic', streamInits: [{ timestamp: 1000, failed: false, durationMillis: 25 }] });
    const diagnosticPosts = events.posts.filter((p) => p.endpoint === 'diagnostic');
    expect(diagnosticPosts.every((p) => p.payloadId === undefined && p.request.path === '/diagnostic')).toBe(true);
    expect(JSON.stringify(events.diagnosticEvents())).not.toContain(SDK_KEY);
    expect(server.url).toContain('127.0.0.1');
  });

  it('sends no diagnostic events with diagnosticOptOut', async () => {
    const { events, processor } = await setup({ diagnosticOptOut: true });
    processor.recordCustom({ context: Context.from({ kind: 'user', key: 'a' }), key: 'k', creationDate: 1 });
    await processor.close();
    expect(events.posts.filter((p) => p.endpoint === 'diagnostic')).toEqual([]);
  });
});

describe('close()', () => {
  it('delivers what was recorded and leaves nothing keeping the process alive', async () => {
    const server = new FakeServer();
    const events = new FakeEvents(server);
    await server.listen();
    servers.push(server);
    const script = `
      import { Context } from '@switchyard/core';
      import { createEventProcessor } from ${JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)))};
      const processor = createEventProcessor('sdk-key', { eventsUri: ${JSON.stringify(server.url)} });
      processor.recordCustom({ context: Context.from({ kind: 'user', key: 'child' }), key: 'bye', creationDate: 1 });
      await processor.close();
      // Sockets destroyed by close() release their handles on the next turns of the event loop.
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      // What is still open: a ref'd timer or a live socket would show here.
      console.log('closed', JSON.stringify(process.getActiveResourcesInfo()));
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    // The 5-minute context-key timer and 15-minute diagnostic timer would hold the process if they were
    // not cleared or not unref'd; the child must exit by itself.
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(output).toContain('closed');
    const open = JSON.parse(/closed (.*)/.exec(output)![1]!) as string[];
    expect(open.filter((r) => r === 'Timeout' || r === 'TCPSocketWrap' || r === 'TLSSocketWrap')).toEqual([]);
    expect(code).toBe(0);
    expect(byKind(events.analyticsEvents(), 'custom')).toMatchObject([{ key: 'bye' }]);
    expect(events.diagnosticEvents().map((d) => d.kind)).toEqual(['diagnostic-init']);
  });
});
