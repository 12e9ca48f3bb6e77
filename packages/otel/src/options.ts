import type { Attributes, MeterProvider, TracerProvider } from '@opentelemetry/api';
import { ConfigError } from '@switchyard/node-server';

/** Greppable prefix of every message of this package. @internal */
export const PREFIX = '[switchyard/otel]';

/** Options of {@link TracingHook}. */
export interface TracingHookOptions {
  /**
   * Where spans come from. Default: the global tracer provider (`trace.getTracer`), looked up at each
   * span, so an OpenTelemetry SDK started after the hook was created is still used.
   */
  readonly tracerProvider?: TracerProvider;
  /**
   * Also record a span around each evaluation (named after the client method, e.g.
   * `LDClient.boolVariation`), a child of the active span. Default `false`: only the
   * `feature_flag.evaluation` event is recorded, on the active span.
   */
  readonly spans?: boolean;
  /**
   * Record the value served as `feature_flag.result.value` (strings, numbers and booleans as they are,
   * anything else as JSON). Default `false`: values can be large or sensitive, and the variant
   * (`feature_flag.result.variant`) already tells the variations apart.
   */
  readonly includeValue?: boolean;
  /**
   * Record the context's canonical key as `feature_flag.context.id` (a `user` context's key, otherwise
   * `kind:key`, per kind, joined with `:`). Default `true`, as the conventions recommend; set `false`
   * when context keys are personal data that must not reach your tracing backend.
   */
  readonly includeContextId?: boolean;
  /** `feature_flag.provider.name`. Default `'switchyard'`. */
  readonly providerName?: string;
  /**
   * `feature_flag.set.id`: the LaunchDarkly environment the flags belong to. Default: the environment ID
   * the flag service reported (`X-LD-EnvId`), once known; nothing before that.
   */
  readonly environmentId?: string;
}

/** Options of {@link registerMetrics}. */
export interface MetricsOptions {
  /**
   * Where instruments come from. Default: the global meter provider (`metrics.getMeterProvider()`) at the
   * time the metrics are registered. Unlike tracing, OpenTelemetry's metrics API has no proxy: start the
   * OpenTelemetry SDK before creating the client, or pass the provider here.
   */
  readonly meterProvider?: MeterProvider;
  /**
   * Attributes added to every metric point, e.g. `{ 'switchyard.client': 'checkout' }` to tell two clients
   * of one process apart (without them, their store and event metrics share attribute sets and overwrite
   * each other). Never put the SDK key here. Default: none.
   */
  readonly metricAttributes?: Attributes;
  /**
   * Count evaluations (`switchyard.flag.evaluations`), through a hook added to the client. Default `true`.
   */
  readonly evaluations?: boolean;
}

/** Options of {@link SwitchyardOtelPlugin}: the tracing hook's, the metrics', and what to turn on. */
export interface SwitchyardOtelPluginOptions extends TracingHookOptions, MetricsOptions {
  /** Record evaluation events (and spans, with `spans: true`). Default `true`. */
  readonly tracing?: boolean;
  /** Record metrics (evaluations, store, events). Default `true`. */
  readonly metrics?: boolean;
}

/** Throws a `ConfigError` naming the option. @internal */
export function fail(option: string, problem: string): never {
  throw new ConfigError(`${PREFIX} option ${option} ${problem}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' || typeof value === 'function' ? typeof value : `${typeof value} ${String(value)}`;
}

/** A boolean option with its default. @internal */
export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(name, `must be true or false (got ${describe(value)})`);
  return value;
}

/** An optional non-empty string option. @internal */
export function stringOption(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') fail(name, `must be a non-empty string (got ${describe(value)})`);
  return value;
}

/** An optional object with the named method (a provider). @internal */
export function providerOption<T>(name: string, value: unknown, method: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof (value as Record<string, unknown>)[method] !== 'function') {
    fail(name, `must be an object with a ${method}() method (got ${describe(value)})`);
  }
  return value as T;
}

/** Checks the options object itself. @internal */
export function optionsObject<T extends object>(value: T | undefined): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null) fail('object', `must be an object (got ${describe(value)})`);
  return value;
}

/** Checks `metricAttributes` and copies it. @internal */
export function attributesOption(value: unknown): Attributes {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('metricAttributes', `must be an object of attributes (got ${describe(value)})`);
  return { ...(value as Attributes) };
}
