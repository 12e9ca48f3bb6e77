import { context, diag, type Span, SpanKind, SpanStatusCode, trace, type TracerProvider } from '@opentelemetry/api';
import type {
  EvaluationMetadata,
  EvaluationSeriesContext,
  EvaluationSeriesData,
  Hook,
  HookMetadata,
  LDEvaluationDetail,
} from '@switchyard/node-server';

import { FEATURE_FLAG_EVALUATION_EVENT, FeatureFlagAttributes as FF } from './attributes.js';
import { type EvaluationAttributeOptions, evaluationAttributes } from './evaluation.js';
import { booleanOption, optionsObject, PREFIX, providerOption, stringOption, type TracingHookOptions } from './options.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/** The key under which `beforeEvaluation` hands the evaluation span to `afterEvaluation`. */
const SPAN = '@switchyard/otel.span';

/** The name {@link TracingHook.getMetadata} reports (Switchyard logs a failing hook under it). */
export const TRACING_HOOK_NAME = '@switchyard/otel tracing hook';

/**
 * Records every evaluation as OpenTelemetry's `feature_flag.evaluation` event on the active span, with
 * the feature-flag semantic-convention attributes (key, variant, reason, version, context id, provider,
 * flag set, `error.type` on errors, and the value when asked), and optionally a span around each
 * evaluation. Needs only `@opentelemetry/api`; with no OpenTelemetry SDK registered it does nothing.
 *
 * Use it on its own through the `hooks` option (`init(sdkKey, { hooks: [new TracingHook()] })`) or let
 * {@link SwitchyardOtelPlugin} add it. It never throws into an evaluation: a failure is reported once
 * through OpenTelemetry's `diag` logger and the evaluation is unaffected.
 */
export class TracingHook implements Hook {
  private readonly tracerProvider: TracerProvider | undefined;
  private readonly spans: boolean;
  private readonly attributeOptions: EvaluationAttributeOptions;
  private failed = false;

  /**
   * @param options see {@link TracingHookOptions}; checked at once, a mistake throws a `ConfigError`
   *   naming the option.
   */
  constructor(options?: TracingHookOptions) {
    const o = optionsObject(options);
    this.tracerProvider = providerOption<TracerProvider>('tracerProvider', o.tracerProvider, 'getTracer');
    this.spans = booleanOption('spans', o.spans, false);
    this.attributeOptions = {
      providerName: stringOption('providerName', o.providerName) ?? 'switchyard',
      includeValue: booleanOption('includeValue', o.includeValue, false),
      includeContextId: booleanOption('includeContextId', o.includeContextId, true),
      environmentId: stringOption('environmentId', o.environmentId),
    };
  }

  /** The hook's name, for Switchyard's logs. */
  getMetadata(): HookMetadata {
    return { name: TRACING_HOOK_NAME };
  }

  /** With `spans: true`, starts the evaluation span as a child of the active span. */
  beforeEvaluation(hookContext: EvaluationSeriesContext, data: EvaluationSeriesData): EvaluationSeriesData {
    if (!this.spans) return data;
    try {
      const tracer = (this.tracerProvider ?? trace.getTracerProvider()).getTracer(PACKAGE_NAME, PACKAGE_VERSION);
      const setId = this.attributeOptions.environmentId ?? hookContext.environmentId;
      const span = tracer.startSpan(
        hookContext.method,
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            [FF.key]: hookContext.flagKey,
            [FF.providerName]: this.attributeOptions.providerName,
            ...(setId !== undefined ? { [FF.setId]: setId } : {}),
          },
        },
        context.active(),
      );
      return { ...data, [SPAN]: span };
    } catch (err) {
      this.report('beforeEvaluation', err);
      return data;
    }
  }

  /**
   * Adds the `feature_flag.evaluation` event to the active span (or, with no active span, to the
   * evaluation span) and ends the evaluation span with the same attributes; an error result sets its
   * status to `ERROR`.
   */
  afterEvaluation(
    hookContext: EvaluationSeriesContext,
    data: EvaluationSeriesData,
    detail: LDEvaluationDetail,
    metadata?: EvaluationMetadata,
  ): EvaluationSeriesData {
    const own = data[SPAN] as Span | undefined;
    try {
      const active = trace.getActiveSpan();
      const target = active?.isRecording() ? active : own?.isRecording() ? own : undefined;
      if (target === undefined) return data;
      const attributes = evaluationAttributes(this.attributeOptions, hookContext, detail, metadata);
      target.addEvent(FEATURE_FLAG_EVALUATION_EVENT, attributes);
      if (own?.isRecording()) {
        own.setAttributes(attributes);
        if (detail.reason?.kind === 'ERROR') own.setStatus({ code: SpanStatusCode.ERROR, message: String(attributes[FF.errorType]) });
      }
    } catch (err) {
      this.report('afterEvaluation', err);
    } finally {
      // Ended whatever happened above, so a failure never leaks an open span.
      try {
        own?.end();
      } catch (err) {
        this.report('afterEvaluation', err);
      }
    }
    return data;
  }

  private report(stage: string, err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    diag.error(`${PREFIX} the tracing hook failed in ${stage}; evaluations are unaffected (reported once): ${String(err)}`);
  }
}
