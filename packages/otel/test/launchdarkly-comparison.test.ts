/**
 * The same evaluations through LaunchDarkly's Node SDK with LaunchDarkly's OpenTelemetry hook
 * (`@launchdarkly/node-server-sdk-otel`) and through Switchyard with ours, both on the global tracer
 * provider, with the same flags (TestData on each side) and the same contexts. The attributes both
 * record must carry the same values; where they differ, the difference is deliberate and spelled out here
 * (and in the README).
 */
import { type Attributes, context, trace } from '@opentelemetry/api';
import { init as ldInit, type LDClient as LaunchDarklyClient } from '@launchdarkly/node-server-sdk';
import { TestData as LDTestData } from '@launchdarkly/node-server-sdk/integrations';
import { TracingHook as LDTracingHook } from '@launchdarkly/node-server-sdk-otel';
import { init, type LDClient, type LDContext, TestData } from '@switchyard/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TracingHook } from '../src/index.js';
import { inMemoryTracing, installContextManager } from './support.js';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const ENV = 'env-42';

const EXPERIMENT = {
  key: 'experiment',
  version: 7,
  on: true,
  salt: 'salt',
  variations: ['control', 'treatment'],
  offVariation: 0,
  fallthrough: { rollout: { kind: 'experiment', variations: [{ variation: 0, weight: 50_000 }, { variation: 1, weight: 50_000 }] } },
};

/** The same flags on either SDK's TestData (their builders have the same API). */
async function flags(td: TestData | LDTestData): Promise<void> {
  const t = td as TestData;
  await t.update(t.flag('bool-flag').booleanFlag().variationForUser('alice', true).fallthroughVariation(false));
  await t.update(t.flag('rule-flag').variations('red', 'green', 'blue').fallthroughVariation(0).offVariation(2).ifMatch('user', 'plan', 'gold').thenReturn(1));
  await t.update(t.flag('json-flag').variations({ limit: 3 }, { limit: 9 }).fallthroughVariation(1).offVariation(0));
  await t.usePreconfiguredFlag(EXPERIMENT);
}

const EVALUATIONS: readonly [flag: string, context: Record<string, unknown>, fallback: unknown][] = [
  ['bool-flag', { kind: 'user', key: 'alice' }, false],
  ['rule-flag', { kind: 'user', key: 'bob', plan: 'gold' }, 'none'],
  ['json-flag', { kind: 'multi', user: { key: 'carol' }, org: { key: 'acme:eu' } }, null],
  ['experiment', { kind: 'user', key: 'erin' }, 'none'],
  ['missing', { kind: 'device', key: 'd-1' }, 'fallback'],
];

interface Recorded {
  readonly event: { readonly name: string; readonly attributes: Attributes };
  readonly span: { readonly name: string; readonly parent: string | undefined; readonly attributes: Attributes };
  readonly request: string;
}

describe("Switchyard's hook next to LaunchDarkly's", () => {
  const { provider, exporter } = inMemoryTracing();
  let uninstall: () => void;
  let ours: LDClient;
  let theirs: LaunchDarklyClient;
  const recorded: { ours: Recorded[]; theirs: Recorded[] } = { ours: [], theirs: [] };

  /** Evaluates each case inside its own request span and returns what was recorded. */
  async function run(evaluate: (flag: string, context: Record<string, unknown>, fallback: unknown) => Promise<unknown>): Promise<Recorded[]> {
    const out: Recorded[] = [];
    for (const [flag, ctx, fallback] of EVALUATIONS) {
      exporter.reset();
      const request = provider.getTracer('test').startSpan('request');
      await context.with(trace.setSpan(context.active(), request), () => evaluate(flag, ctx, fallback));
      request.end();
      const finished = exporter.getFinishedSpans();
      const requestSpan = finished.find((s) => s.name === 'request')!;
      const evalSpans = finished.filter((s) => s.name !== 'request');
      expect(requestSpan.events, flag).toHaveLength(1);
      expect(evalSpans, flag).toHaveLength(1);
      out.push({
        request: requestSpan.spanContext().spanId,
        event: { name: requestSpan.events[0]!.name, attributes: { ...requestSpan.events[0]!.attributes } },
        span: { name: evalSpans[0]!.name, parent: evalSpans[0]!.parentSpanContext?.spanId, attributes: { ...evalSpans[0]!.attributes } },
      });
    }
    return out;
  }

  beforeAll(async () => {
    uninstall = installContextManager();
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    const td = new TestData();
    const ldtd = new LDTestData();
    await Promise.all([flags(td), flags(ldtd)]);
    ours = init('sdk-key-compare', {
      updateProcessor: td.getFactory(),
      sendEvents: false,
      logger: quiet,
      hooks: [new TracingHook({ spans: true, includeValue: true, environmentId: ENV })],
    });
    theirs = ldInit('sdk-key-compare', {
      updateProcessor: ldtd.getFactory(),
      sendEvents: false,
      diagnosticOptOut: true,
      logger: quiet,
      hooks: [new LDTracingHook({ spans: true, includeValue: true, environmentId: ENV })],
    });
    await Promise.all([ours.waitForInitialization({ timeout: 5 }), theirs.waitForInitialization({ timeout: 5 })]);
    recorded.ours = await run((f, c, d) => ours.variation(f, c as LDContext, d));
    recorded.theirs = await run((f, c, d) => theirs.variation(f, c as never, d));
  });

  afterAll(async () => {
    await ours?.close();
    theirs?.close();
    await provider.shutdown();
    trace.disable();
    uninstall?.();
  });

  it('records the same flag key, context id and flag set on the event', () => {
    const shared = ['feature_flag.key', 'feature_flag.context.id', 'feature_flag.set.id'];
    const pick = (r: Recorded) => Object.fromEntries(shared.map((k) => [k, r.event.attributes[k]]));
    expect(recorded.ours.map(pick)).toEqual(recorded.theirs.map(pick));
    // Not vacuous: every one of them is present, including the multi-context's canonical key with its escaped colon.
    expect(recorded.ours.map(pick)[2]).toEqual({ 'feature_flag.key': 'json-flag', 'feature_flag.context.id': 'org:acme%3Aeu:user:carol', 'feature_flag.set.id': ENV });
  });

  it('records the same variation: their number variationIndex is our string variant', () => {
    const theirs = recorded.theirs.map((r) => r.event.attributes['feature_flag.result.variationIndex']);
    const ours = recorded.ours.map((r) => r.event.attributes['feature_flag.result.variant']);
    expect(theirs.slice(0, 4).every((v) => typeof v === 'number')).toBe(true);
    expect(ours).toEqual(theirs.map((v) => (v === undefined ? undefined : String(v))));
    // The unknown flag served the default: no variation on either side.
    expect(ours[4]).toBeUndefined();
  });

  it('records the same value: both as JSON for objects, ours as is for strings and booleans', () => {
    const theirs = recorded.theirs.map((r) => r.event.attributes['feature_flag.result.value']);
    const ours = recorded.ours.map((r) => r.event.attributes['feature_flag.result.value']);
    // LaunchDarkly's hook JSON-encodes every value ('"green"', 'true'); the conventions' type is "any".
    expect(theirs.map((v) => JSON.parse(String(v)))).toEqual(ours.map((v) => (typeof v === 'string' && v.startsWith('{') ? JSON.parse(v) : v)));
    expect(ours).toEqual([true, 'green', '{"limit":9}', expect.stringMatching(/^(control|treatment)$/), 'fallback']);
    expect(theirs[2]).toBe(ours[2]);
  });

  it('records an experiment the same way: their inExperiment flag is our in_experiment attribute and the reason split', () => {
    expect(recorded.theirs[3]!.event.attributes['feature_flag.result.reason.inExperiment']).toBe(true);
    expect(recorded.ours[3]!.event.attributes).toMatchObject({ 'switchyard.reason.in_experiment': true, 'feature_flag.result.reason': 'split' });
  });

  it('names the event and the provider differently, on purpose', () => {
    // The current conventions name the event feature_flag.evaluation; LaunchDarkly's hook still uses the old "feature_flag".
    expect(new Set(recorded.theirs.map((r) => r.event.name))).toEqual(new Set(['feature_flag']));
    expect(new Set(recorded.ours.map((r) => r.event.name))).toEqual(new Set(['feature_flag.evaluation']));
    expect(new Set(recorded.theirs.map((r) => r.event.attributes['feature_flag.provider.name']))).toEqual(new Set(['LaunchDarkly']));
    expect(new Set(recorded.ours.map((r) => r.event.attributes['feature_flag.provider.name']))).toEqual(new Set(['switchyard']));
  });

  it('adds what LaunchDarkly does not record: reason, version, error.type and the raw reason', () => {
    for (const r of recorded.theirs) {
      for (const name of ['feature_flag.result.reason', 'feature_flag.version', 'error.type', 'feature_flag.result.variant']) {
        expect(r.event.attributes).not.toHaveProperty(name);
      }
    }
    expect(recorded.ours.map((r) => [r.event.attributes['feature_flag.result.reason'], r.event.attributes['feature_flag.version'], r.event.attributes['error.type']])).toEqual([
      ['targeting_match', '1', undefined],
      ['targeting_match', '1', undefined],
      ['default', '1', undefined],
      ['split', '7', undefined],
      ['error', undefined, 'flag_not_found'],
    ]);
  });

  it('starts the optional span the same way: named after the method, a child of the active span', () => {
    expect(recorded.ours.map((r) => r.span.name)).toEqual(recorded.theirs.map((r) => r.span.name));
    expect(recorded.ours[0]!.span.name).toBe('LDClient.variation');
    for (const r of [...recorded.ours, ...recorded.theirs]) expect(r.span.parent).toBe(r.request);
    const shared = (r: Recorded) => ({ key: r.span.attributes['feature_flag.key'], id: r.span.attributes['feature_flag.context.id'] });
    expect(recorded.ours.map(shared)).toEqual(recorded.theirs.map(shared));
    // Theirs holds only the key and context id; ours also holds the result (and an ERROR status on errors).
    expect(Object.keys(recorded.theirs[0]!.span.attributes).sort()).toEqual(['feature_flag.context.id', 'feature_flag.key']);
    expect(recorded.ours[0]!.span.attributes).toMatchObject({ 'feature_flag.result.reason': 'targeting_match', 'feature_flag.result.variant': '0' });
  });

  it("also runs on LaunchDarkly's SDK, which passes no metadata: no version or context id then", async () => {
    const ldtd = new LDTestData();
    await flags(ldtd);
    const client = ldInit('sdk-key-ours-on-theirs', {
      updateProcessor: ldtd.getFactory(),
      sendEvents: false,
      diagnosticOptOut: true,
      logger: quiet,
      hooks: [new TracingHook()],
    });
    try {
      await client.waitForInitialization({ timeout: 5 });
      exporter.reset();
      const request = provider.getTracer('test').startSpan('request');
      await context.with(trace.setSpan(context.active(), request), () => client.variation('rule-flag', { kind: 'user', key: 'bob', plan: 'gold' }, 'none'));
      request.end();
      const [event] = exporter.getFinishedSpans().find((s) => s.name === 'request')!.events;
      expect(event!.name).toBe('feature_flag.evaluation');
      expect(event!.attributes).toEqual({
        'feature_flag.key': 'rule-flag',
        'feature_flag.provider.name': 'switchyard',
        'feature_flag.result.reason': 'targeting_match',
        'feature_flag.result.variant': '1',
        'switchyard.reason.kind': 'RULE_MATCH',
        'switchyard.reason.rule_index': 0,
        'switchyard.reason.rule_id': 'rule0',
      });
    } finally {
      client.close();
    }
  });
});
