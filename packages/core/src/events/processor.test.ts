import { afterEach, describe, expect, it, vi } from 'vitest';

import { Context } from '../context/context.js';
import { Reasons } from '../evaluation/reasons.js';
import { parseFlag } from '../model/flag.js';
import { CapturingLogger } from '../testing/capturing-logger.js';
import { DiagnosticsManager } from './diagnostics.js';
import { evaluation, flag, MemorySender, user } from './memory-sender.test-support.js';
import type { FeatureOutputEvent, SummaryOutputEvent } from './output.js';
import { DefaultEventProcessor, type DefaultEventProcessorOptions } from './processor.js';

const open: DefaultEventProcessor[] = [];

function setup(options: Partial<DefaultEventProcessorOptions> = {}) {
  const sender = new MemorySender();
  const logger = new CapturingLogger();
  const processor = new DefaultEventProcessor({ sender, logger, flushIntervalMs: 3_600_000, retryDelayMs: 5, ...options });
  open.push(processor);
  return { sender, logger, processor };
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(open.splice(0).map((p) => p.close()));
});

const kinds = (events: { kind: string }[]) => events.map((e) => e.kind);
const summaryOf = (events: { kind: string }[]) => events.find((e) => e.kind === 'summary') as SummaryOutputEvent | undefined;

describe('summaries', () => {
  it('counts evaluations per flag, version and variation with the context kinds', async () => {
    const { sender, processor } = setup();
    const f = flag('f', { trackEvents: false });
    const multi = Context.from({ kind: 'multi', user: { key: 'u' }, org: { key: 'o' } });
    processor.recordEvaluation(evaluation(f, user('a'), { creationDate: 1000 }));
    processor.recordEvaluation(evaluation(f, user('b'), { creationDate: 3000 }));
    processor.recordEvaluation(evaluation(f, multi, { variationIndex: 0, reason: Reasons.off, creationDate: 2000 }));
    processor.recordEvaluation(evaluation(f, user('a'), { variationIndex: null, defaultValue: 'dflt', reason: Reasons.error('MALFORMED_FLAG') }));
    const v8 = flag('f', { version: 8 });
    processor.recordEvaluation(evaluation(v8, user('a')));
    await processor.flush();

    const summary = summaryOf(sender.events())!;
    expect(summary).toMatchObject({ kind: 'summary', startDate: 1000, endDate: 3000 });
    expect(summary.features.f!.default).toBe(false);
    expect([...summary.features.f!.contextKinds].sort()).toEqual(['org', 'user']);
    expect(summary.features.f!.counters).toEqual(
      expect.arrayContaining([
        { value: true, count: 2, variation: 1, version: 7 },
        { value: false, count: 1, variation: 0, version: 7 },
        { value: 'dflt', count: 1, version: 7 },
        { value: true, count: 1, variation: 1, version: 8 },
      ]),
    );
    expect(summary.features.f!.counters).toHaveLength(4);
  });

  it('counts unknown flags as unknown with the default as value', async () => {
    const { sender, processor } = setup();
    for (let i = 0; i < 3; i++) {
      processor.recordUnknownFlag({ context: user('a'), key: 'missing', defaultValue: 'd', reason: Reasons.error('FLAG_NOT_FOUND'), withReasons: false, creationDate: 5 });
    }
    await processor.flush();
    expect(summaryOf(sender.events())!.features.missing).toEqual({
      default: 'd',
      contextKinds: ['user'],
      counters: [{ value: 'd', count: 3, unknown: true }],
    });
    expect(kinds(sender.events())).toEqual(['index', 'summary']);
  });

  it('leaves flags with excludeFromSummaries out of the summary but still sends their feature events', async () => {
    const { sender, processor } = setup();
    processor.recordEvaluation(evaluation(flag('hidden', { excludeFromSummaries: true, trackEvents: true }), user('a')));
    processor.recordEvaluation(evaluation(flag('shown'), user('a')));
    await processor.flush();
    const summary = summaryOf(sender.events())!;
    expect(Object.keys(summary.features)).toEqual(['shown']);
    expect(sender.events().some((e) => e.kind === 'feature' && e.key === 'hidden')).toBe(true);
  });

  it('counts prerequisite evaluations and sends tracked ones with prereqOf', async () => {
    const { sender, processor } = setup();
    const prereq = flag('pre', { trackEvents: true });
    processor.recordEvaluation(evaluation(prereq, user('a'), { prerequisiteOf: 'parent', defaultValue: null }));
    processor.recordEvaluation(evaluation(flag('parent', { prerequisites: [{ key: 'pre', variation: 1 }] }), user('a')));
    await processor.flush();
    const events = sender.events();
    expect(events.find((e) => e.kind === 'feature')).toMatchObject({ key: 'pre', prereqOf: 'parent', default: null, value: true, variation: 1, version: 7 });
    expect(Object.keys(summaryOf(events)!.features).sort()).toEqual(['parent', 'pre']);
  });

  it('counts by flag key, version and variation, so a store re-read (a new Flag object every time) loses nothing', async () => {
    // A persistent store with cacheTtlMs 0 parses the flag again on every read: every evaluation has its
    // own Flag object for the same key and version.
    const { sender, processor } = setup({ capacity: 5 });
    const json = (version: number) =>
      JSON.stringify({ key: 'f', version, on: true, variations: ['a', 'b', 'c'], offVariation: 0, fallthrough: { variation: 1 } });
    const a = user('a');
    const expected = new Map<string, number>();
    for (let i = 0; i < 12_000; i++) {
      const version = i % 4 === 0 ? 2 : 1;
      const variation = i % 3;
      const f = parseFlag(JSON.parse(json(version)), true);
      processor.recordEvaluation(evaluation(f, a, { variationIndex: variation }));
      const key = `${version}/${variation}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    // and the default served (no variation), and a flag that is not there, each many times
    for (let i = 0; i < 500; i++) {
      processor.recordEvaluation(evaluation(parseFlag(JSON.parse(json(1)), true), a, { variationIndex: null, defaultValue: 'd', reason: Reasons.error('WRONG_TYPE') }));
      processor.recordUnknownFlag({ context: a, key: `missing${i % 2}`, defaultValue: 'd', reason: Reasons.error('FLAG_NOT_FOUND'), withReasons: false, creationDate: 1 });
    }
    await processor.flush();

    const summaries = sender.events().filter((e) => e.kind === 'summary') as SummaryOutputEvent[];
    expect(summaries).toHaveLength(1);
    const counters = summaries[0]!.features.f!.counters;
    expect(counters).toHaveLength(expected.size + 1);
    for (const [key, count] of expected) {
      const [version, variation] = key.split('/').map(Number);
      expect(counters).toContainEqual({ value: ['a', 'b', 'c'][variation!], count, variation, version });
    }
    expect(counters).toContainEqual({ value: 'd', count: 500, version: 1 });
    expect(counters.reduce((sum, c) => sum + c.count, 0)).toBe(12_500);
    expect(summaries[0]!.features.missing0!.counters).toEqual([{ value: 'd', count: 250, unknown: true }]);
    expect(summaries[0]!.features.missing1!.counters).toEqual([{ value: 'd', count: 250, unknown: true }]);
    expect(processor.stats().droppedEvents).toBe(0);
  });

  it('bounds distinct unknown flag keys per window by maxUnknownFlagKeys, not by capacity, counting the rest as dropped', async () => {
    const { sender, logger, processor } = setup({ capacity: 2, maxUnknownFlagKeys: 3 });
    const unknown = (key: string) =>
      processor.recordUnknownFlag({ context: user('a'), key, defaultValue: 0, reason: Reasons.error('FLAG_NOT_FOUND'), withReasons: false, creationDate: 1 });
    for (let i = 0; i < 10; i++) unknown(`typo${i}`);
    for (let i = 0; i < 10; i++) unknown('typo0');
    await processor.flush();
    const features = summaryOf(sender.events())!.features;
    expect(Object.keys(features)).toEqual(['typo0', 'typo1', 'typo2']);
    expect(features.typo0!.counters).toEqual([{ value: 0, count: 11, unknown: true }]);
    expect(processor.stats().droppedEvents).toBe(7);
    expect(logger.messages('warn').filter((m) => m.includes('maxUnknownFlagKeys'))).toHaveLength(1);
    unknown('typo9');
    await processor.flush();
    expect(Object.keys(summaryOf(sender.analytics()[1]!)!.features)).toEqual(['typo9']);
  });

  it('is not limited by capacity: a flood of evaluations is counted exactly', async () => {
    const { sender, processor } = setup({ capacity: 10 });
    const f = flag('f');
    for (let i = 0; i < 1000; i++) processor.recordEvaluation(evaluation(f, user(`u${i % 50}`)));
    await processor.flush();
    expect(summaryOf(sender.events())!.features.f!.counters).toEqual([{ value: true, count: 1000, variation: 1, version: 7 }]);
    // Room for 10 index events; the other 40 are dropped once each (their contexts are remembered as
    // seen all the same, as LaunchDarkly's SDK does), and are not indexed again after the flush.
    expect(processor.stats().droppedEvents).toBe(40);
    processor.recordEvaluation(evaluation(f, user('u49')));
    await processor.flush();
    expect(sender.analytics()[1]!.map((e) => e.kind)).toEqual(['summary']);
  });
});

describe('feature and debug events', () => {
  it('sends nothing but the summary and the index for an untracked flag', async () => {
    const { sender, processor } = setup();
    processor.recordEvaluation(evaluation(flag('f'), user('a')));
    await processor.flush();
    expect(kinds(sender.events())).toEqual(['index', 'summary']);
  });

  it('sends a feature event for a flag with trackEvents, with the reason only for *Detail calls', async () => {
    const { sender, processor } = setup();
    const f = flag('f', { trackEvents: true });
    processor.recordEvaluation(evaluation(f, user('a'), { creationDate: 11, defaultValue: false }));
    processor.recordEvaluation(evaluation(f, user('a'), { creationDate: 12, withReasons: true }));
    await processor.flush();
    const features = sender.events().filter((e) => e.kind === 'feature');
    expect(features[0]).toEqual({
      kind: 'feature',
      creationDate: 11,
      context: { kind: 'user', key: 'a' },
      key: 'f',
      value: true,
      default: false,
      variation: 1,
      version: 7,
    });
    expect(features[1]).toMatchObject({ creationDate: 12, reason: { kind: 'FALLTHROUGH' } });
  });

  it('treats tracked rules, tracked fallthrough and inExperiment reasons as experiments (reason always included)', async () => {
    const { sender, processor } = setup();
    const ruled = flag('ruled', { rules: [{ id: 'r0', clauses: [], variation: 0, trackEvents: true }] });
    const fall = flag('fall', { trackEventsFallthrough: true });
    const exp = flag('exp');
    const plain = flag('plain', { rules: [{ id: 'r0', clauses: [], variation: 0 }] });
    processor.recordEvaluation(evaluation(ruled, user('a'), { variationIndex: 0, reason: Reasons.ruleMatch(0, 'r0', false) }));
    processor.recordEvaluation(evaluation(fall, user('a')));
    processor.recordEvaluation(evaluation(exp, user('a'), { reason: Reasons.fallthroughExperiment }));
    processor.recordEvaluation(evaluation(plain, user('a'), { variationIndex: 0, reason: Reasons.ruleMatch(0, 'r0', false) }));
    await processor.flush();
    const features = sender.events().filter((e): e is FeatureOutputEvent => e.kind === 'feature');
    expect(features.map((e) => [e.key, e.reason])).toEqual([
      ['ruled', { kind: 'RULE_MATCH', ruleId: 'r0', ruleIndex: 0 }],
      ['fall', { kind: 'FALLTHROUGH' }],
      ['exp', { kind: 'FALLTHROUGH', inExperiment: true }],
    ]);
  });

  it('sends debug events until debugEventsUntilDate, with the anonymous context not redacted', async () => {
    const now = 50_000;
    const { sender, processor } = setup({ now: () => now });
    const anon = Context.from({ kind: 'user', key: 'anon', anonymous: true, name: 'Ann' });
    processor.recordEvaluation(evaluation(flag('debugged', { debugEventsUntilDate: now + 1000 }), anon));
    processor.recordEvaluation(evaluation(flag('expired', { debugEventsUntilDate: now - 1 }), anon));
    await processor.flush();
    const events = sender.events();
    expect(kinds(events)).toEqual(['index', 'debug', 'summary']);
    expect(events[1]).toMatchObject({ kind: 'debug', key: 'debugged', context: { kind: 'user', key: 'anon', anonymous: true, name: 'Ann' } });
  });

  it('stops debug events by the server clock (Date header) even when the local clock is behind', async () => {
    const local = 1_000_000;
    const { sender, processor } = setup({ now: () => local });
    const f = flag('f', { debugEventsUntilDate: local + 60_000 });
    sender.answer({ status: 202, serverTime: local + 120_000 });
    processor.recordEvaluation(evaluation(f, user('a')));
    await processor.flush();
    processor.recordEvaluation(evaluation(f, user('a')));
    await processor.flush();
    expect(kinds(sender.analytics()[0]!)).toEqual(['index', 'debug', 'summary']);
    expect(kinds(sender.analytics()[1]!)).toEqual(['summary']);
  });

  it('redacts anonymous contexts fully in feature and custom events but not in index and identify events', async () => {
    const { sender, processor } = setup();
    const anon = Context.from({ kind: 'user', key: 'anon', anonymous: true, name: 'Ann', email: 'a@x' });
    processor.recordIdentify({ context: anon, creationDate: 1 });
    processor.recordEvaluation(evaluation(flag('f', { trackEvents: true }), anon));
    processor.recordCustom({ context: anon, key: 'clicked', creationDate: 2 });
    processor.recordEvaluation(evaluation(flag('g'), Context.from({ kind: 'org', key: 'o', anonymous: true, name: 'Org' })));
    await processor.flush();
    const [identify, feature, custom, index] = sender.events();
    expect(identify).toMatchObject({ kind: 'identify', context: { kind: 'user', key: 'anon', anonymous: true, name: 'Ann', email: 'a@x' } });
    const redacted = { kind: 'user', key: 'anon', anonymous: true, _meta: { redactedAttributes: ['email', 'name'] } };
    expect(feature).toMatchObject({ kind: 'feature', context: redacted });
    expect(custom).toMatchObject({ kind: 'custom', context: redacted });
    expect(index).toMatchObject({ kind: 'index', context: { kind: 'org', key: 'o', anonymous: true, name: 'Org' } });
  });

  it('samples feature events by samplingRatio and reports the ratio, while the summary counts every evaluation', async () => {
    const draws = [0.9, 0.1, 0.6, 0.4];
    const { sender, processor } = setup({ random: () => draws.shift() ?? 0 });
    const half = flag('half', { trackEvents: true, samplingRatio: 2 });
    const never = flag('never', { trackEvents: true, samplingRatio: 0 });
    for (let i = 0; i < 4; i++) processor.recordEvaluation(evaluation(half, user('a'), { creationDate: i }));
    processor.recordEvaluation(evaluation(never, user('a')));
    await processor.flush();
    const features = sender.events().filter((e): e is FeatureOutputEvent => e.kind === 'feature');
    expect(features.map((e) => [e.creationDate, e.samplingRatio])).toEqual([
      [1, 2],
      [3, 2],
    ]);
    const summary = summaryOf(sender.events())!;
    expect(summary.features.half!.counters[0]!.count).toBe(4);
    expect(summary.features.never!.counters[0]!.count).toBe(1);
  });
});

describe('custom and identify events', () => {
  it('sends track() data and metric value, and identify() without an index event', async () => {
    const { sender, processor } = setup();
    processor.recordIdentify({ context: user('a', { name: 'A' }), creationDate: 1 });
    processor.recordCustom({ context: user('a'), key: 'purchase', data: { sku: 'x1' }, metricValue: 9.5, creationDate: 2 });
    processor.recordCustom({ context: user('b'), key: 'view', data: null, creationDate: 3 });
    await processor.flush();
    expect(sender.events()).toEqual([
      { kind: 'identify', creationDate: 1, context: { kind: 'user', key: 'a', name: 'A' } },
      { kind: 'custom', creationDate: 2, context: { kind: 'user', key: 'a' }, key: 'purchase', data: { sku: 'x1' }, metricValue: 9.5 },
      { kind: 'index', creationDate: 3, context: { kind: 'user', key: 'b' } },
      { kind: 'custom', creationDate: 3, context: { kind: 'user', key: 'b' }, key: 'view' },
    ]);
    expect(processor.stats().deduplicatedContexts).toBe(1); // the purchase, after identify
  });
});

describe('context deduplication', () => {
  it('sends one index event per context until the LRU evicts it', async () => {
    const { sender, processor } = setup({ contextKeysCapacity: 2 });
    const f = flag('f');
    for (const key of ['a', 'b', 'a', 'c', 'b', 'a']) processor.recordEvaluation(evaluation(f, user(key)));
    await processor.flush();
    const indexed = sender.events().filter((e) => e.kind === 'index').map((e) => (e as unknown as { context: { key: string } }).context.key);
    // a, b new; a hit; c new (evicts b); b new (evicts a); a new.
    expect(indexed).toEqual(['a', 'b', 'c', 'b', 'a']);
    expect(processor.stats().deduplicatedContexts).toBe(1);
  });

  it('deduplicates by canonical key: the same key in different kinds is a different context', async () => {
    const { sender, processor } = setup();
    const f = flag('f');
    processor.recordEvaluation(evaluation(f, user('k')));
    processor.recordEvaluation(evaluation(f, Context.from({ kind: 'org', key: 'k' })));
    processor.recordEvaluation(evaluation(f, Context.from({ kind: 'multi', user: { key: 'k' }, org: { key: 'k' } })));
    processor.recordEvaluation(evaluation(f, Context.from({ key: 'k' }))); // legacy user: canonical key "k"
    await processor.flush();
    expect(sender.events().filter((e) => e.kind === 'index')).toHaveLength(3);
  });

  it('indexes every evaluation with contextKeysCapacity 0, and re-indexes a context an identify evicted', async () => {
    const none = setup({ contextKeysCapacity: 0 });
    const f = flag('f');
    for (let i = 0; i < 3; i++) none.processor.recordEvaluation(evaluation(f, user('a')));
    await none.processor.flush();
    expect(none.sender.events().filter((e) => e.kind === 'index')).toHaveLength(3);

    const one = setup({ contextKeysCapacity: 1 });
    one.processor.recordEvaluation(evaluation(f, user('a')));
    one.processor.recordIdentify({ context: user('b'), creationDate: 1 }); // evicts a
    one.processor.recordEvaluation(evaluation(f, user('a')));
    one.processor.recordEvaluation(evaluation(f, user('a')));
    await one.processor.flush();
    expect(one.sender.events().map((e) => e.kind)).toEqual(['index', 'identify', 'index', 'summary']);
  });

  it('recognises a multi-kind context given with its kinds in another order', async () => {
    const { sender, processor } = setup();
    const f = flag('f');
    processor.recordEvaluation(evaluation(f, Context.from({ kind: 'multi', user: { key: 'u' }, org: { key: 'o' } })));
    processor.recordEvaluation(evaluation(f, Context.from({ kind: 'multi', org: { key: 'o' }, user: { key: 'u' } })));
    processor.recordEvaluation(evaluation(f, Context.from({ kind: 'multi', org: { key: 'o' }, user: { key: 'other' } })));
    await processor.flush();
    expect(sender.events().filter((e) => e.kind === 'index')).toHaveLength(2);
    expect(processor.stats().deduplicatedContexts).toBe(1);
  });

  it('forgets the indexed contexts every contextKeysFlushIntervalMs', async () => {
    vi.useFakeTimers();
    const { sender, processor } = setup({ contextKeysFlushIntervalMs: 1000 });
    const f = flag('f');
    processor.recordEvaluation(evaluation(f, user('a')));
    processor.recordEvaluation(evaluation(f, user('a')));
    vi.advanceTimersByTime(1000);
    processor.recordEvaluation(evaluation(f, user('a')));
    vi.useRealTimers();
    await processor.flush();
    expect(sender.events().filter((e) => e.kind === 'index')).toHaveLength(2);
  });
});

describe('what the caller passes cannot change what is sent', () => {
  it('keeps the context, default value and data as they were at the call', async () => {
    const { sender, processor } = setup();
    const plainContext = { kind: 'user', key: 'a', name: 'Before', address: { city: 'Oslo' } };
    const defaultValue = { theme: 'light' };
    const data = { items: [1, 2] };
    const f = flag('f', { trackEvents: true, variations: [{ a: 1 }, { b: 2 }] });
    processor.recordEvaluation(
      evaluation(f, Context.borrow(plainContext), { variationIndex: null, value: defaultValue, defaultValue, reason: Reasons.off }),
    );
    processor.recordCustom({ context: Context.borrow(plainContext), key: 'k', data, creationDate: 1 });
    plainContext.name = 'After';
    plainContext.address.city = 'Bergen';
    defaultValue.theme = 'dark';
    data.items.push(3);
    await processor.flush();
    const [index, feature, custom, summary] = sender.events() as unknown as Record<string, unknown>[];
    expect(index!.context).toEqual({ kind: 'user', key: 'a', name: 'Before', address: { city: 'Oslo' } });
    expect(feature).toMatchObject({ value: { theme: 'light' }, default: { theme: 'light' }, context: { name: 'Before' } });
    expect(custom).toMatchObject({ data: { items: [1, 2] }, context: { name: 'Before' } });
    expect((summary as unknown as SummaryOutputEvent).features.f!.default).toEqual({ theme: 'light' });
  });

  it('sends null for a default value that is not JSON instead of failing the payload', async () => {
    const { sender, processor } = setup();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    processor.recordEvaluation(evaluation(flag('f', { trackEvents: true }), user('a'), { defaultValue: cyclic }));
    await processor.flush();
    expect(sender.events().find((e) => e.kind === 'feature')).toMatchObject({ default: null, value: true });
  });
});

describe('the bounded inbox', () => {
  it('drops events beyond capacity, counts them exactly and warns once per overflow episode', async () => {
    const diagnostics = new DiagnosticsManager({ sdkKey: 'sdk-key-123456', sdk: { name: 't', version: '1' }, platform: { name: 'test' }, configuration: {} });
    const { sender, logger, processor } = setup({ capacity: 10, diagnostics });
    const a = user('a');
    for (let i = 0; i < 100; i++) processor.recordCustom({ context: a, key: `e${i}`, creationDate: i });
    expect(processor.stats().queuedEvents).toBe(10);
    expect(logger.messages('warn').filter((m) => m.includes('Exceeded event queue capacity'))).toHaveLength(1);
    await processor.flush();
    expect(sender.analytics()[0]).toHaveLength(10); // 1 index + 9 custom
    for (let i = 0; i < 15; i++) processor.recordCustom({ context: a, key: `f${i}`, creationDate: i });
    expect(logger.messages('warn').filter((m) => m.includes('Exceeded event queue capacity'))).toHaveLength(2);
    await processor.sendDiagnosticStats();
    const stats = sender.diagnostics().find((d) => d.kind === 'diagnostic')!;
    expect(stats).toMatchObject({ droppedEvents: 91 + 5, deduplicatedUsers: 99 + 15, eventsInLastBatch: 10 });
  });

  it('remembers a context as seen even when its index event was dropped, as LaunchDarkly does', async () => {
    const { sender, processor } = setup({ capacity: 1, contextKeysCapacity: 2 });
    processor.recordCustom({ context: user('a'), key: 'x', creationDate: 1 }); // index queued, custom dropped
    processor.recordEvaluation(evaluation(flag('f'), user('b'))); // index dropped; b is seen
    processor.recordIdentify({ context: user('c'), creationDate: 1 }); // dropped; c is seen, a evicted
    await processor.flush();
    for (const key of ['b', 'c', 'a']) processor.recordEvaluation(evaluation(flag('f'), user(key)));
    await processor.flush();
    const second = sender.analytics()[1]!;
    expect(second.map((e) => e.kind)).toEqual(['index', 'summary']);
    expect(second[0]).toMatchObject({ context: { key: 'a' } });
    expect(processor.stats().droppedEvents).toBe(3);
  });
});

describe('delivery', () => {
  it('posts schema-4 analytics payloads with a fresh payload id each', async () => {
    const { sender, processor } = setup();
    processor.recordCustom({ context: user('a'), key: 'x', creationDate: 1 });
    await processor.flush();
    processor.recordCustom({ context: user('a'), key: 'y', creationDate: 2 });
    await processor.flush();
    const [first, second] = sender.sent;
    expect(first!.payloadId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second!.payloadId).not.toBe(first!.payloadId);
  });

  it('does not post when there is nothing to send', async () => {
    const { sender, processor } = setup();
    await processor.flush();
    expect(sender.sent).toHaveLength(0);
  });

  it.each([503, 429, 400, 'network-error'] as const)('retries once after %s with the same payload id', async (failure) => {
    const { sender, processor, logger } = setup();
    sender.answer(failure);
    processor.recordCustom({ context: user('a'), key: 'x', creationDate: 1 });
    await processor.flush();
    expect(sender.sent).toHaveLength(2);
    expect(sender.sent[1]!.payloadId).toBe(sender.sent[0]!.payloadId);
    expect(sender.sent[1]!.body).toEqual(sender.sent[0]!.body);
    expect(processor.stats()).toMatchObject({ payloadsDelivered: 1, payloadsDropped: 0 });
    expect(logger.messages('warn')).toEqual([]);
  });

  it('drops the payload after the retry fails, warns once per outage, and delivers the next payload', async () => {
    const { sender, processor, logger } = setup();
    sender.answer('network-error', 503, 'network-error', 'network-error');
    processor.recordCustom({ context: user('a'), key: 'x', creationDate: 1 });
    await processor.flush();
    processor.recordCustom({ context: user('a'), key: 'y', creationDate: 2 });
    await processor.flush();
    processor.recordCustom({ context: user('a'), key: 'z', creationDate: 3 });
    await processor.flush();
    expect(sender.sent).toHaveLength(5);
    expect(processor.stats()).toMatchObject({ payloadsDelivered: 1, payloadsDropped: 2, disabled: false });
    expect(logger.messages('warn')).toHaveLength(1);
    expect(logger.messages('warn')[0]).toMatch(/could not deliver 2 events after a retry/);
    expect(sender.analytics()[4]!.find((e) => e.kind === 'custom')).toMatchObject({ key: 'z' });
  });

  it.each([401, 403])('disables events for good after %i, with one error and no retry', async (status) => {
    const diagnostics = new DiagnosticsManager({ sdkKey: 'sdk-secret-key', sdk: { name: 't', version: '1' }, platform: { name: 'test' }, configuration: {} });
    const { sender, processor, logger } = setup({ diagnostics });
    await Promise.resolve();
    sender.answer(status);
    processor.recordCustom({ context: user('a'), key: 'x', creationDate: 1 });
    await processor.flush();
    const posts = sender.sent.length;
    processor.recordCustom({ context: user('a'), key: 'y', creationDate: 2 });
    processor.recordEvaluation(evaluation(flag('f'), user('b')));
    await processor.flush();
    await processor.sendDiagnosticStats();
    expect(sender.sent).toHaveLength(posts);
    expect(sender.analytics()).toHaveLength(1);
    expect(processor.stats()).toMatchObject({ disabled: true, queuedEvents: 0 });
    expect(logger.messages('error')).toHaveLength(1);
    expect(logger.messages('error')[0]).toMatch(new RegExp(`rejected the SDK key \\(HTTP ${status}\\)`));
    expect(logger.text()).not.toContain('sdk-secret-key');
  });

  it('drops only the payload answered with 413 and keeps going', async () => {
    const { sender, processor, logger } = setup();
    sender.answer(413);
    processor.recordCustom({ context: user('a'), key: 'big', creationDate: 1 });
    await processor.flush();
    processor.recordCustom({ context: user('a'), key: 'small', creationDate: 2 });
    await processor.flush();
    expect(sender.sent).toHaveLength(2);
    expect(processor.stats()).toMatchObject({ disabled: false, payloadsDelivered: 1, payloadsDropped: 1 });
    expect(logger.messages('warn')[0]).toMatch(/HTTP 413/);
  });

  it('keeps at most maxConcurrentDeliveries payloads in flight and skips timed flushes while all are busy', async () => {
    const { sender, processor } = setup({ flushIntervalMs: 5, capacity: 20 });
    sender.answer('hang', 'hang', 'hang', 'hang', 'hang');
    const a = user('a');
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50; i++) processor.recordCustom({ context: a, key: `r${round}`, creationDate: round });
      await new Promise((r) => setTimeout(r, 8));
    }
    expect(sender.maxInFlight).toBe(5);
    expect(sender.sent).toHaveLength(5);
    expect(processor.stats().queuedEvents).toBe(20);
    sender.release();
    await processor.flush();
    expect(processor.stats().queuedEvents).toBe(0);
  });

  it('flush() resolves only when what was recorded before it has been delivered', async () => {
    const { sender, processor } = setup();
    sender.answer('hang');
    processor.recordCustom({ context: user('a'), key: 'x', creationDate: 1 });
    let done = false;
    const flushed = processor.flush().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    sender.release();
    await flushed;
    expect(processor.stats().payloadsDelivered).toBe(1);
  });

  it('flushes on its own every flushIntervalMs', async () => {
    const { sender, processor } = setup({ flushIntervalMs: 10 });
    processor.recordCustom({ context: user('a'), key: 'x', creationDate: 1 });
    await vi.waitFor(() => expect(sender.analytics()).toHaveLength(1));
  });
});

describe('close()', () => {
  it('delivers what was recorded, releases the sender, and ignores later calls', async () => {
    const { sender, processor } = setup({ flushIntervalMs: 5 });
    processor.recordCustom({ context: user('a'), key: 'x', creationDate: 1 });
    await processor.close();
    expect(sender.analytics()).toHaveLength(1);
    expect(sender.closed).toBe(1);
    processor.recordCustom({ context: user('a'), key: 'y', creationDate: 2 });
    await processor.flush();
    await processor.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(sender.analytics()).toHaveLength(1);
    expect(sender.closed).toBe(1);
  });
});

describe('diagnostics', () => {
  const config = { eventsCapacity: 10000, eventsFlushIntervalMillis: 5000 };

  it('sends diagnostic-init at start and periodic stats with stream inits', async () => {
    let now = 1000;
    const diagnostics = new DiagnosticsManager({
      sdkKey: 'sdk-abcdef-123456',
      sdk: { name: '@switchyard/node-server', version: '0.1.0', userAgentBase: 'NodeJSClient' },
      platform: { name: 'Node', nodeVersion: '20' },
      configuration: config,
      now: () => now,
    });
    const { sender, processor } = setup({ diagnostics });
    processor.recordStreamInit({ timestamp: 1000, failed: true, durationMillis: 30 });
    processor.recordStreamInit({ timestamp: 1100, failed: false, durationMillis: 40 });
    processor.recordEvaluation(evaluation(flag('f'), user('a')));
    processor.recordEvaluation(evaluation(flag('f'), user('a')));
    await processor.flush();
    now = 5000;
    await processor.sendDiagnosticStats();
    const [init, stats] = sender.diagnostics();
    expect(sender.sent.filter((p) => p.kind === 'diagnostic').every((p) => p.payloadId === undefined)).toBe(true);
    expect(init).toEqual({
      kind: 'diagnostic-init',
      id: { diagnosticId: expect.any(String), sdkKeySuffix: '123456' },
      creationDate: 1000,
      sdk: { name: '@switchyard/node-server', version: '0.1.0', userAgentBase: 'NodeJSClient' },
      configuration: config,
      platform: { name: 'Node', nodeVersion: '20' },
    });
    expect(stats).toEqual({
      kind: 'diagnostic',
      id: init!.id,
      creationDate: 5000,
      dataSinceDate: 1000,
      droppedEvents: 0,
      deduplicatedUsers: 1,
      eventsInLastBatch: 2,
      streamInits: [
        { timestamp: 1000, failed: true, durationMillis: 30 },
        { timestamp: 1100, failed: false, durationMillis: 40 },
      ],
    });
    now = 9000;
    await processor.sendDiagnosticStats();
    expect(sender.diagnostics()[2]).toMatchObject({ dataSinceDate: 5000, deduplicatedUsers: 0, streamInits: [] });
  });

  it('sends the periodic event every diagnosticRecordingIntervalMs', async () => {
    const diagnostics = new DiagnosticsManager({ sdkKey: 'k', sdk: { name: 't', version: '1' }, platform: { name: 'test' }, configuration: {} });
    const { sender } = setup({ diagnostics, diagnosticRecordingIntervalMs: 10 });
    await vi.waitFor(() => expect(sender.diagnostics().filter((d) => d.kind === 'diagnostic').length).toBeGreaterThanOrEqual(2));
  });

  it('sends no diagnostic events without a diagnostics manager (diagnosticOptOut)', async () => {
    const { sender, processor } = setup();
    await processor.sendDiagnosticStats();
    expect(sender.diagnostics()).toEqual([]);
  });
});

describe('recording never throws', () => {
  it('ignores invalid contexts', async () => {
    const { sender, processor } = setup();
    const invalid = Context.from({ kind: 'user' });
    processor.recordEvaluation(evaluation(flag('f', { trackEvents: true }), invalid));
    processor.recordCustom({ context: invalid, key: 'x', creationDate: 1 });
    processor.recordIdentify({ context: invalid, creationDate: 1 });
    await processor.flush();
    expect(sender.sent).toHaveLength(0);
  });
});
