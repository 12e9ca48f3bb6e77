import { type DiagLogger, DiagLogLevel, diag, SpanStatusCode, trace, type TracerProvider } from '@opentelemetry/api';
import { init, type LDClient, type LDContext, type LDLogger, TestData } from '@switchyard/node-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { TracingHook } from '../src/index.js';
import { finishedSpan, inMemoryTracing, installContextManager, withActiveSpan } from './support.js';

const alice = { kind: 'user', key: 'alice', plan: 'gold' };
const bob = { kind: 'user', key: 'bob', plan: 'free' };
const multi: LDContext = { kind: 'multi', user: { key: 'carol' }, org: { key: 'acme' } };

/** Logs into an array, so a test can assert that nothing was logged. */
class CapturingLogger implements LDLogger {
  readonly lines: string[] = [];
  error = (m: unknown): void => void this.lines.push(`error: ${String(m)}`);
  warn = (m: unknown): void => void this.lines.push(`warn: ${String(m)}`);
  info = (): void => undefined;
  debug = (): void => undefined;
}

async function testData(): Promise<TestData> {
  const td = new TestData();
  await td.update(td.flag('bool-flag').booleanFlag().variationForUser('alice', true).fallthroughVariation(false));
  await td.update(td.flag('rule-flag').variations('red', 'green', 'blue').fallthroughVariation(0).offVariation(2).ifMatch('user', 'plan', 'gold').thenReturn(1));
  await td.update(td.flag('off-flag').variations('a', 'b').offVariation(1).fallthroughVariation(0).on(false));
  await td.update(td.flag('json-flag').valueForAll({ limit: 3, tiers: ['a', 'b'] }));
  await td.usePreconfiguredFlag({
    key: 'experiment',
    version: 7,
    on: true,
    salt: 'salt',
    variations: ['control', 'treatment'],
    offVariation: 0,
    fallthrough: { rollout: { kind: 'experiment', variations: [{ variation: 0, weight: 50_000 }, { variation: 1, weight: 50_000 }] } },
  });
  await td.usePreconfiguredFlag({ key: 'child', version: 3, on: false, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 } });
  await td.usePreconfiguredFlag({
    key: 'parent',
    version: 4,
    on: true,
    variations: ['no', 'yes'],
    offVariation: 0,
    fallthrough: { variation: 1 },
    prerequisites: [{ key: 'child', variation: 1 }],
  });
  return td;
}

describe('TracingHook on a Switchyard client', () => {
  const { provider, exporter } = inMemoryTracing();
  const logger = new CapturingLogger();
  let uninstall: () => void;
  let td: TestData;
  let client: LDClient;

  beforeAll(async () => {
    uninstall = installContextManager();
    td = await testData();
    client = init('sdk-key-secret', {
      updateProcessor: td.getFactory(),
      sendEvents: false,
      logger,
      hooks: [new TracingHook({ tracerProvider: provider })],
    });
    await client.waitForInitialization({ timeout: 5 });
  });

  afterAll(async () => {
    await client.close();
    await provider.shutdown();
    uninstall();
  });

  afterEach(() => exporter.reset());

  /** The attributes of the evaluation events on the request span. */
  function events(): Record<string, unknown>[] {
    const request = finishedSpan(exporter, 'request');
    return request.events.map((e) => {
      expect(e.name).toBe('feature_flag.evaluation');
      return { ...e.attributes };
    });
  }

  it('records a feature_flag.evaluation event with the semantic-convention attributes on the active span', async () => {
    await withActiveSpan(provider, 'request', async () => {
      await client.boolVariation('bool-flag', alice, false);
      await client.stringVariation('rule-flag', multi, 'none');
    });
    const [first, second] = events();
    expect(first).toEqual({
      'feature_flag.key': 'bool-flag',
      'feature_flag.provider.name': 'switchyard',
      'feature_flag.result.reason': 'targeting_match',
      'feature_flag.result.variant': '0',
      'feature_flag.version': '1',
      'feature_flag.context.id': 'alice',
      'switchyard.context.kinds': ['user'],
      'switchyard.reason.kind': 'TARGET_MATCH',
    });
    // A multi-context: the canonical key LaunchDarkly's events use, kinds in the order given.
    expect(second).toEqual({
      'feature_flag.key': 'rule-flag',
      'feature_flag.provider.name': 'switchyard',
      'feature_flag.result.reason': 'default',
      'feature_flag.result.variant': '0',
      'feature_flag.version': '1',
      'feature_flag.context.id': 'org:acme:user:carol',
      'switchyard.context.kinds': ['user', 'org'],
      'switchyard.reason.kind': 'FALLTHROUGH',
    });
    // Never the value unless asked, never the SDK key.
    const recorded = exporter.getFinishedSpans().map((span) => ({ attributes: span.attributes, events: span.events }));
    expect(JSON.stringify(recorded)).not.toContain('sdk-key-secret');
  });

  it('agrees with the metadata and detail the client itself reports', async () => {
    await td.update(td.flag('bool-flag').booleanFlag().variationForUser('alice', true).fallthroughVariation(false));
    const { result } = await withActiveSpan(provider, 'request', () => client.variationDetailWithMetadata('bool-flag', bob, true));
    const [event] = events();
    expect(result.metadata.flagVersion).toBe(2);
    expect(event!['feature_flag.version']).toBe(String(result.metadata.flagVersion));
    expect(event!['feature_flag.context.id']).toBe(result.metadata.contextKey);
    expect(event!['feature_flag.result.variant']).toBe(String(result.detail.variationIndex));
  });

  it('maps each LaunchDarkly reason to the well-known OpenTelemetry value and keeps the raw details', async () => {
    await withActiveSpan(provider, 'request', async () => {
      await client.variation('rule-flag', alice, 'none'); // RULE_MATCH
      await client.variation('off-flag', alice, 'none'); // OFF
      await client.variation('experiment', alice, 'none'); // FALLTHROUGH in an experiment
      await client.variation('parent', alice, 'none'); // PREREQUISITE_FAILED
      await client.variation('bool-flag', bob, true); // FALLTHROUGH
    });
    const got = events().map((e) => [
      e['feature_flag.key'],
      e['feature_flag.result.reason'],
      e['switchyard.reason.kind'],
      e['feature_flag.result.variant'],
      e['feature_flag.version'],
    ]);
    expect(got).toEqual([
      ['rule-flag', 'targeting_match', 'RULE_MATCH', '1', '1'],
      ['off-flag', 'disabled', 'OFF', '1', '1'],
      ['experiment', 'split', 'FALLTHROUGH', expect.stringMatching(/^[01]$/), '7'],
      ['parent', 'targeting_match', 'PREREQUISITE_FAILED', '0', '4'],
      ['bool-flag', 'default', 'FALLTHROUGH', '1', expect.stringMatching(/^\d+$/)],
    ]);
    const [rule, , experiment, prerequisite] = events();
    expect(rule).toMatchObject({ 'switchyard.reason.rule_index': 0, 'switchyard.reason.rule_id': 'rule0' });
    expect(experiment).toMatchObject({ 'switchyard.reason.in_experiment': true });
    expect(prerequisite).toMatchObject({ 'switchyard.reason.prerequisite_key': 'child' });
    expect(rule).not.toHaveProperty('error.type');
  });

  it('records error.type for an unknown flag, a wrong type and an invalid context', async () => {
    await withActiveSpan(provider, 'request', async () => {
      await client.variation('no-such-flag', alice, 'fallback');
      await client.boolVariation('rule-flag', alice, false);
      await client.variation('bool-flag', { kind: 'user', name: 'no key' } as unknown as LDContext, false);
    });
    const [unknown, wrongType, invalid] = events();
    expect(unknown).toEqual({
      'feature_flag.key': 'no-such-flag',
      'feature_flag.provider.name': 'switchyard',
      'feature_flag.result.reason': 'error',
      'feature_flag.context.id': 'alice',
      'switchyard.context.kinds': ['user'],
      'switchyard.reason.kind': 'ERROR',
      'switchyard.reason.error_kind': 'FLAG_NOT_FOUND',
      'error.type': 'flag_not_found',
    });
    // The flag was found: its version is known although the value was the wrong type; no variant was served.
    expect(wrongType).toMatchObject({ 'error.type': 'type_mismatch', 'feature_flag.result.reason': 'error', 'feature_flag.version': '1' });
    expect(wrongType).not.toHaveProperty('feature_flag.result.variant');
    expect(invalid).toMatchObject({ 'error.type': 'invalid_context', 'switchyard.reason.error_kind': 'USER_NOT_SPECIFIED' });
    expect(invalid).not.toHaveProperty('feature_flag.context.id');
  });

  it('records nothing and creates no span when no span is active', async () => {
    await client.variation('bool-flag', alice, false);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('never makes the client log: the hook itself did not fail', () => {
    expect(logger.lines.filter((l) => l.includes('hook'))).toEqual([]);
  });
});

describe('TracingHook options', () => {
  const { provider, exporter } = inMemoryTracing();
  let uninstall: () => void;
  let td: TestData;
  const clients: LDClient[] = [];

  async function clientWith(...hooks: TracingHook[]): Promise<LDClient> {
    const client = init(`sdk-key-${clients.length}`, { updateProcessor: td.getFactory(), sendEvents: false, logger: new CapturingLogger(), hooks });
    clients.push(client);
    await client.waitForInitialization({ timeout: 5 });
    return client;
  }

  beforeAll(async () => {
    uninstall = installContextManager();
    td = await testData();
  });

  afterEach(() => exporter.reset());

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await provider.shutdown();
    uninstall();
  });

  it('records the value only with includeValue: primitives as they are, JSON otherwise', async () => {
    const client = await clientWith(
      new TracingHook({ tracerProvider: provider, providerName: 'plain' }),
      new TracingHook({ tracerProvider: provider, providerName: 'valued', includeValue: true }),
    );
    await withActiveSpan(provider, 'request', async () => {
      await client.variation('rule-flag', alice, 'none');
      await client.variation('bool-flag', alice, false);
      await client.variation('json-flag', alice, null);
      await client.variation('no-such-flag', alice, 42);
    });
    const events = finishedSpan(exporter, 'request').events.map((e) => e.attributes ?? {});
    const valued = events.filter((a) => a['feature_flag.provider.name'] === 'valued').map((a) => a['feature_flag.result.value']);
    const plain = events.filter((a) => a['feature_flag.provider.name'] === 'plain');
    expect(valued).toEqual(['green', true, '{"limit":3,"tiers":["a","b"]}', 42]);
    expect(plain).toHaveLength(4);
    for (const attributes of plain) expect(attributes).not.toHaveProperty('feature_flag.result.value');
  });

  it('leaves out the context id with includeContextId: false, and records environmentId as feature_flag.set.id', async () => {
    const client = await clientWith(new TracingHook({ tracerProvider: provider, includeContextId: false, environmentId: 'env-123' }));
    await withActiveSpan(provider, 'request', () => client.variation('bool-flag', alice, false));
    const [event] = finishedSpan(exporter, 'request').events;
    expect(event!.attributes).not.toHaveProperty('feature_flag.context.id');
    expect(event!.attributes).toMatchObject({ 'feature_flag.set.id': 'env-123', 'feature_flag.key': 'bool-flag' });
  });

  it('with spans: true, records a span per evaluation, a child of the active span, ended with the result', async () => {
    const client = await clientWith(new TracingHook({ tracerProvider: provider, spans: true }));
    const parent = await withActiveSpan(provider, 'request', async () => {
      await client.stringVariation('rule-flag', alice, 'none');
      await client.variation('no-such-flag', alice, 'fallback');
    });
    const spans = exporter.getFinishedSpans().filter((s) => s.name !== 'request');
    expect(spans.map((s) => s.name)).toEqual(['LDClient.stringVariation', 'LDClient.variation']);
    const [ok, failed] = spans;
    for (const span of spans) {
      expect(span.parentSpanContext?.spanId).toBe(parent.spanId);
      expect(span.spanContext().traceId).toBe(parent.traceId);
      expect(span.ended).toBe(true);
      expect(span.instrumentationScope.name).toBe('@switchyard/otel');
    }
    expect(ok!.attributes).toMatchObject({
      'feature_flag.key': 'rule-flag',
      'feature_flag.result.reason': 'targeting_match',
      'feature_flag.result.variant': '1',
      'feature_flag.context.id': 'alice',
      'feature_flag.version': '1',
    });
    expect(ok!.status.code).toBe(SpanStatusCode.UNSET);
    expect(failed!.attributes).toMatchObject({ 'error.type': 'flag_not_found' });
    expect(failed!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'flag_not_found' });
    // The events still go to the caller's span, as without spans.
    expect(finishedSpan(exporter, 'request').events.map((e) => e.attributes?.['feature_flag.key'])).toEqual(['rule-flag', 'no-such-flag']);
  });

  it('with spans and no active span, the evaluation span is a root span and holds the event', async () => {
    const client = await clientWith(new TracingHook({ tracerProvider: provider, spans: true }));
    await client.variation('off-flag', alice, 'none');
    const span = finishedSpan(exporter, 'LDClient.variation');
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.events.map((e) => [e.name, e.attributes?.['feature_flag.result.reason']])).toEqual([['feature_flag.evaluation', 'disabled']]);
  });

  it('uses the global tracer provider by default, even one registered after the hook was created', async () => {
    const hook = new TracingHook({ spans: true });
    const client = await clientWith(hook);
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    try {
      await withActiveSpan(provider, 'request', () => client.variation('bool-flag', alice, false));
    } finally {
      trace.disable();
    }
    expect(finishedSpan(exporter, 'LDClient.variation').attributes).toMatchObject({ 'feature_flag.key': 'bool-flag' });
    expect(finishedSpan(exporter, 'request').events).toHaveLength(1);
  });

  it('never throws into an evaluation: a broken tracer provider is reported once through diag', async () => {
    const messages: string[] = [];
    const capture = (m: string): void => void messages.push(m);
    const diagLogger: DiagLogger = { error: capture, warn: capture, info: capture, debug: capture, verbose: capture };
    diag.setLogger(diagLogger, DiagLogLevel.WARN);
    try {
      const broken = {
        getTracer: () => {
          throw new Error('tracer exploded');
        },
      } as unknown as TracerProvider;
      const logger = new CapturingLogger();
      const client = init('sdk-key-broken', { updateProcessor: td.getFactory(), sendEvents: false, logger, hooks: [new TracingHook({ tracerProvider: broken, spans: true })] });
      clients.push(client);
      await client.waitForInitialization({ timeout: 5 });
      const first = await client.variationDetail('rule-flag', alice, 'none');
      const second = await client.variation('rule-flag', bob, 'none');
      expect(first).toMatchObject({ value: 'green', variationIndex: 1, reason: { kind: 'RULE_MATCH' } });
      expect(second).toBe('red');
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/^\[switchyard\/otel\] the tracing hook failed in beforeEvaluation.*tracer exploded/);
      // The hook caught it: Switchyard's HookRunner had nothing to log.
      expect(logger.lines).toEqual([]);
    } finally {
      diag.disable();
    }
  });

  it('rejects a mistaken option with a ConfigError naming it', () => {
    expect(() => new TracingHook({ spans: 'yes' as unknown as boolean })).toThrow(/\[switchyard\/otel\] option spans must be true or false \(got "yes"\)/);
    expect(() => new TracingHook({ providerName: '' })).toThrow(/option providerName must be a non-empty string/);
    expect(() => new TracingHook({ tracerProvider: {} as TracerProvider })).toThrow(/option tracerProvider must be an object with a getTracer\(\) method/);
    expect(() => new TracingHook({ includeValue: 1 as unknown as boolean })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });
});
