/**
 * Evaluation with each SDK's OpenTelemetry tracing hook: `@switchyard/otel`'s `TracingHook` on Switchyard,
 * `@launchdarkly/node-server-sdk-otel`'s on LaunchDarkly's SDK. Both record a `feature_flag.evaluation`
 * event on the active span, as in an instrumented server: a real tracer provider, an AsyncLocalStorage
 * context manager, and a request span every REQUEST_EVALUATIONS evaluations (ended and processed), so the
 * hooks pay for real span events. Both hooks are configured to record the same attributes (variant on,
 * value off, no per-evaluation spans).
 */
import { context, trace, type Context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TracingHook as LaunchDarklyTracingHook } from '@launchdarkly/node-server-sdk-otel';
import { TracingHook } from '@switchyard/otel';

import { digestEvaluations, pairs, throughput, workload, type Call } from '../loops.js';
import type { Scenario, ScenarioInput, ScenarioOutput } from '../protocol.js';
import { createClient } from '../sdk.js';

/** Evaluations per request span (a page that evaluates ten flags). */
const REQUEST_EVALUATIONS = 10;

async function otelScenario(input: ScenarioInput): Promise<ScenarioOutput> {
  const data = workload('standard');
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  const tracer = provider.getTracer('benchmark');

  const hook = input.sdk === 'switchyard' ? new TracingHook({ tracerProvider: provider }) : new LaunchDarklyTracingHook({ includeVariant: true });
  const client = createClient(input.sdk, { serviceUrl: input.serviceUrl, sendEvents: false, extra: { hooks: [hook] } });
  await client.waitForInitialization(60);
  const digest = await digestEvaluations(client, data, 100);

  let span: Span | undefined;
  let active: Context = context.active();
  let inSpan = 0;
  const call: Call = (p) => {
    if (inSpan === 0) {
      if (span) {
        span.end();
        exporter.reset();
      }
      span = tracer.startSpan('request');
      active = trace.setSpan(context.active(), span);
    }
    inSpan = (inSpan + 1) % REQUEST_EVALUATIONS;
    return context.with(active, () => client.variation(p.key, p.context, null));
  };
  const rotation = pairs(data);
  const evals = await throughput(rotation, call, input.phaseMs);

  // The hook did record: one evaluation event per call on the last request span.
  const last = tracer.startSpan('check');
  await context.with(trace.setSpan(context.active(), last), () => client.variation(data.flagKeys[0]!, data.contexts[0]!, null));
  last.end();
  // LaunchDarkly's hook names its event `feature_flag` (the older convention).
  const eventName = input.sdk === 'switchyard' ? 'feature_flag.evaluation' : 'feature_flag';
  const events = exporter.getFinishedSpans().find((s) => s.name === 'check')?.events.filter((e) => e.name === eventName).length ?? 0;
  if (events !== 1) throw new Error(`${input.sdk}'s tracing hook recorded ${events} evaluation events for one evaluation`);

  client.close();
  await provider.shutdown();
  contextManager.disable();
  return { metrics: { 'evals/s': evals }, digest: digest.hex(), digestCount: digest.count };
}

export const otelScenarios: readonly Scenario[] = [
  {
    name: 'evaluate-otel',
    title: "variation() awaited with each SDK's OpenTelemetry tracing hook, inside request spans",
    workload: 'standard',
    metrics: [{ name: 'evals/s', unit: 'evals/s', better: 'higher' }],
    run: otelScenario,
  },
];
