/**
 * `@switchyard/otel`: OpenTelemetry for Switchyard (`@switchyard/node-server`). A hook that records each
 * flag evaluation as OpenTelemetry's `feature_flag.evaluation` span event (and optionally a span), and
 * metrics for evaluations, the persistent store (operations, latency, cache, availability) and the
 * analytics event queue. Needs only `@opentelemetry/api` at runtime.
 *
 * @packageDocumentation
 */

export { SwitchyardOtelPlugin } from './plugin.js';
export { TracingHook, TRACING_HOOK_NAME } from './tracing-hook.js';
export { registerMetrics, storeErrorType, SwitchyardMetricNames, type MetricsRegistration } from './metrics.js';
export type { TracingHookOptions, MetricsOptions, SwitchyardOtelPluginOptions } from './options.js';
export { FEATURE_FLAG_EVALUATION_EVENT, FeatureFlagAttributes, SwitchyardAttributes } from './attributes.js';
export { otelReason, otelErrorType, type OtelFlagReason, type OtelFlagErrorType } from './reasons.js';
export { valueAttribute } from './evaluation.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
