import { AsyncLocalStorage } from 'node:async_hooks';

import { type Attributes, type Context, type ContextManager, ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { DataPointType, type Histogram, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * A minimal AsyncLocalStorage context manager, so `context.with` makes a span active across awaits as
 * `@opentelemetry/context-async-hooks` would (that package is not a dependency; this is test-only).
 */
export class TestContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(ctx, () => fn.call(thisArg, ...args));
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (...args: unknown[]): unknown => this.with(ctx, () => (target as (...a: unknown[]) => unknown)(...args));
    return run as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}

/** Registers the test context manager globally; returns the function that removes it. */
export function installContextManager(): () => void {
  if (!context.setGlobalContextManager(new TestContextManager())) throw new Error('a global context manager is already registered');
  return () => context.disable();
}

/** A tracer provider that keeps finished spans in memory. */
export function inMemoryTracing(): { provider: BasicTracerProvider; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { provider, exporter };
}

/** Runs `fn` with a fresh span active and ends the span after `fn` settles; returns the span and fn's result. */
export async function withActiveSpan<T>(provider: BasicTracerProvider, name: string, fn: () => T | Promise<T>): Promise<{ spanId: string; traceId: string; result: T }> {
  const span = provider.getTracer('test').startSpan(name);
  try {
    const result = await context.with(trace.setSpan(context.active(), span), fn);
    return { ...span.spanContext(), result };
  } finally {
    span.end();
  }
}

/** The finished span with this name (exactly one). */
export function finishedSpan(exporter: InMemorySpanExporter, name: string): ReadableSpan {
  const spans = exporter.getFinishedSpans().filter((s) => s.name === name);
  if (spans.length !== 1) throw new Error(`expected one finished span "${name}", found ${spans.length}`);
  return spans[0]!;
}

/** A metric reader the test collects from on demand. */
export class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** A meter provider with a {@link CollectingReader}. */
export function inMemoryMetrics(): { provider: MeterProvider; reader: CollectingReader } {
  const reader = new CollectingReader();
  return { provider: new MeterProvider({ readers: [reader] }), reader };
}

/** One data point: its attributes and its value (a number, or a histogram). */
export interface Point {
  readonly attributes: Attributes;
  readonly value: number | Histogram;
  readonly unit: string;
}

/** Collects once and returns the points of every metric, by name. */
export async function collectPoints(reader: CollectingReader): Promise<Map<string, Point[]>> {
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw new Error(`metric collection failed: ${errors.map(String).join('; ')}`);
  const byName = new Map<string, Point[]>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const list = byName.get(metric.descriptor.name) ?? [];
      for (const dp of metric.dataPoints) {
        list.push({
          attributes: dp.attributes,
          value: metric.dataPointType === DataPointType.HISTOGRAM ? (dp.value as Histogram) : (dp.value as number),
          unit: metric.descriptor.unit,
        });
      }
      byName.set(metric.descriptor.name, list);
    }
  }
  return byName;
}

/** The numeric value of the single point of `name` whose attributes include `match` (undefined when none). */
export function valueOf(points: Map<string, Point[]>, name: string, match: Attributes = {}): number | undefined {
  const found = (points.get(name) ?? []).filter((p) => Object.entries(match).every(([k, v]) => JSON.stringify(p.attributes[k]) === JSON.stringify(v)));
  if (found.length > 1) throw new Error(`${found.length} points of ${name} match ${JSON.stringify(match)}`);
  const value = found[0]?.value;
  if (value !== undefined && typeof value !== 'number') throw new Error(`${name} is a histogram`);
  return value;
}

/** The sum over every point of `name` whose attributes include `match`. */
export function sumOf(points: Map<string, Point[]>, name: string, match: Attributes = {}): number {
  return (points.get(name) ?? [])
    .filter((p) => Object.entries(match).every(([k, v]) => JSON.stringify(p.attributes[k]) === JSON.stringify(v)))
    .reduce((total, p) => total + (typeof p.value === 'number' ? p.value : p.value.count), 0);
}
