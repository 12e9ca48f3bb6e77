// DefaultEventProcessor.recordForwarded: what a cluster primary does with the payloads its workers
// forward. The merged payload must equal what one processor would have sent for all the evaluations.
import { afterEach, expect, it } from 'vitest';

import { Context } from '../context/context.js';
import { Reasons } from '../evaluation/reasons.js';
import { CapturingLogger } from '../testing/capturing-logger.js';
import { evaluation, flag, MemorySender, user } from './memory-sender.test-support.js';
import type { OutputEvent, SummaryOutputEvent } from './output.js';
import { DefaultEventProcessor, type DefaultEventProcessorOptions } from './processor.js';

const open: DefaultEventProcessor[] = [];

function setup(options: Partial<DefaultEventProcessorOptions> = {}) {
  const sender = new MemorySender();
  const processor = new DefaultEventProcessor({ sender, logger: new CapturingLogger(), flushIntervalMs: 3_600_000, ...options });
  open.push(processor);
  return { sender, processor };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

/** What `processor` would send now, taken from its sender. */
async function payloadOf(setupResult: { sender: MemorySender; processor: DefaultEventProcessor }): Promise<OutputEvent[]> {
  await setupResult.processor.flush();
  return setupResult.sender.sent.flatMap((p) => (p.kind === 'analytics' ? (p.body as OutputEvent[]) : []));
}

const summaryOf = (events: OutputEvent[]) => events.find((e) => e.kind === 'summary') as SummaryOutputEvent | undefined;
const sortCounters = (s: SummaryOutputEvent) =>
  Object.fromEntries(
    Object.entries(s.features).map(([k, f]) => [
      k,
      { ...f, contextKinds: [...f.contextKinds].sort(), counters: [...f.counters].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) },
    ]),
  );

it('merging workers’ summaries gives the summary one processor would have built for all their evaluations', async () => {
  const f = flag('f');
  const g = flag('g', { variations: ['a', 'b', 'c', 'd', 'e', 'f'], fallthrough: { variation: 5 } });
  const g2 = flag('g', { version: 9, variations: ['a', 'b', 'c', 'd', 'e', 'f'], fallthrough: { variation: 5 } });
  const multi = { kind: 'multi', user: { key: 'u' }, org: { key: 'o' } };
  const evaluations = [
    evaluation(f, user('a'), { creationDate: 1000 }),
    evaluation(f, user('b'), { creationDate: 5000, variationIndex: 0, reason: Reasons.off }),
    evaluation(f, Context.from(multi), { creationDate: 3000 }),
    evaluation(g, user('a'), { creationDate: 2000, variationIndex: 5 }),
    evaluation(g, user('c'), { creationDate: 2500, variationIndex: null, defaultValue: 'dflt', reason: Reasons.error('MALFORMED_FLAG') }),
    evaluation(g2, user('d'), { creationDate: 4000, variationIndex: 4 }),
  ];
  const unknown = { context: user('a'), key: 'missing', defaultValue: 'x', reason: Reasons.error('FLAG_NOT_FOUND'), withReasons: false, creationDate: 1500 };

  // One processor sees everything.
  const single = setup();
  for (const e of evaluations) single.processor.recordEvaluation(e);
  single.processor.recordUnknownFlag(unknown);
  const expected = summaryOf(await payloadOf(single))!;

  // Two workers see half each; the primary merges their payloads.
  const w1 = setup();
  const w2 = setup();
  evaluations.forEach((e, i) => (i % 2 ? w1 : w2).processor.recordEvaluation(e));
  w1.processor.recordUnknownFlag(unknown);
  w2.processor.recordUnknownFlag(unknown);
  const primary = setup();
  primary.processor.recordForwarded(await payloadOf(w1));
  primary.processor.recordForwarded(await payloadOf(w2));
  const merged = summaryOf(await payloadOf(primary))!;

  expect(merged.startDate).toBe(expected.startDate);
  expect(merged.endDate).toBe(expected.endDate);
  const want = sortCounters(expected);
  want.missing!.counters = [{ value: 'x', count: 2, unknown: true }]; // both workers counted it once
  expect(sortCounters(merged)).toEqual(want);
});

it('the primary’s own evaluations and forwarded summaries share counters', async () => {
  const f = flag('f');
  const worker = setup();
  for (let i = 0; i < 3; i++) worker.processor.recordEvaluation(evaluation(f, user('a')));
  const primary = setup();
  primary.processor.recordEvaluation(evaluation(f, user('z')));
  primary.processor.recordForwarded(await payloadOf(worker));
  primary.processor.recordEvaluation(evaluation(f, user('z')));
  const summary = summaryOf(await payloadOf(primary))!;
  expect(summary.features.f!.counters).toEqual([{ value: true, count: 5, variation: 1, version: 7 }]);
});

it('index events are deduplicated across workers; feature, custom and identify events pass through once each', async () => {
  const tracked = flag('t', { trackEvents: true });
  const w1 = setup();
  const w2 = setup();
  for (const w of [w1, w2]) {
    w.processor.recordEvaluation(evaluation(tracked, user('same', { name: 'Sam' })));
    w.processor.recordCustom({ context: user('same'), key: 'clicked', metricValue: 2, creationDate: 1 });
  }
  w2.processor.recordIdentify({ context: user('other'), creationDate: 2 });
  const primary = setup();
  primary.processor.recordForwarded(await payloadOf(w1));
  primary.processor.recordForwarded(await payloadOf(w2));
  // The primary has now seen 'other' (from the identify): its own evaluation adds no index event.
  primary.processor.recordEvaluation(evaluation(flag('f'), user('other')));
  const events = await payloadOf(primary);

  expect(events.filter((e) => e.kind === 'index')).toHaveLength(1);
  expect(events.filter((e) => e.kind === 'feature')).toHaveLength(2);
  expect(events.filter((e) => e.kind === 'custom')).toHaveLength(2);
  expect(events.filter((e) => e.kind === 'identify')).toHaveLength(1);
  expect(events.find((e) => e.kind === 'index')).toMatchObject({ context: { kind: 'user', key: 'same', name: 'Sam' } });
  expect(primary.processor.stats().deduplicatedContexts).toBeGreaterThanOrEqual(1);
});

it('a forwarded payload that does not fit sends what is queued first instead of dropping', async () => {
  const primary = setup({ capacity: 3 });
  const custom = (key: string): OutputEvent => ({ kind: 'custom', creationDate: 1, context: { kind: 'user', key: 'u' }, key });
  primary.processor.recordForwarded([custom('a'), custom('b')]);
  primary.processor.recordForwarded([custom('c'), custom('d')]);
  const events = await payloadOf(primary);
  expect(events.map((e) => (e as { key?: string }).key)).toEqual(['a', 'b', 'c', 'd']);
  expect(primary.sender.sent.filter((p) => p.kind === 'analytics')).toHaveLength(2);
  expect(primary.processor.stats().droppedEvents).toBe(0);
});

it('forwarded events count against capacity when no delivery slot is free; malformed entries are skipped without throwing', async () => {
  const primary = setup({ capacity: 2, maxConcurrentDeliveries: 1 });
  primary.sender.answer('hang');
  primary.processor.recordForwarded([{ kind: 'custom', creationDate: 1, context: { kind: 'user', key: 'u' }, key: 'busy' }]);
  void primary.processor.flush(); // the one slot hangs
  const custom = (key: string): OutputEvent => ({ kind: 'custom', creationDate: 1, context: { kind: 'user', key: 'u' }, key });
  primary.processor.recordForwarded([custom('a'), null, 42, { kind: 'nonsense' }, { kind: 'summary' }, custom('b'), custom('c')]);
  primary.processor.recordForwarded('not an array' as unknown as unknown[]);
  primary.sender.release();
  const events = await payloadOf(primary);
  expect(events.map((e) => (e as { key?: string }).key)).toEqual(['busy', 'a', 'b']);
  expect(primary.processor.stats().droppedEvents).toBe(1);
});

it('new unknown flag keys from forwarded summaries respect maxUnknownFlagKeys', async () => {
  const primary = setup({ maxUnknownFlagKeys: 1 });
  const summary = (key: string, count: number): OutputEvent => ({
    kind: 'summary',
    startDate: 1,
    endDate: 2,
    features: { [key]: { default: null, contextKinds: ['user'], counters: [{ value: null, count, unknown: true }] } },
  });
  primary.processor.recordForwarded([summary('u1', 2)]);
  primary.processor.recordForwarded([summary('u2', 3)]);
  primary.processor.recordForwarded([summary('u1', 1)]);
  const merged = summaryOf(await payloadOf(primary))!;
  expect(Object.keys(merged.features)).toEqual(['u1']);
  expect(merged.features.u1!.counters).toEqual([{ value: null, count: 3, unknown: true }]);
  expect(primary.processor.stats().droppedEvents).toBe(3);
});
