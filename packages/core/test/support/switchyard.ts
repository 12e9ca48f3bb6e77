import { Context, type EventProcessor, parseFlag, parseSegment, type Flag, type LDEvaluationDetail, type Segment } from '../../src/index.js';
import { Evaluator, toDetail, PENDING, recordEvaluationWithPrerequisites, type BigSegmentLookup } from '../../src/internal.js';

/** Flags and segments as LaunchDarkly JSON, by key. */
export interface RawData {
  flags?: Record<string, Record<string, unknown>>;
  segments?: Record<string, Record<string, unknown>>;
}

/** An in-memory evaluation setup over parsed data: what the client does, minus events. */
export class LocalEvaluator {
  readonly flags = new Map<string, Flag>();
  readonly segments = new Map<string, Segment>();
  private readonly _evaluator: Evaluator;

  constructor(data: RawData, bigSegments?: (contextKey: string) => BigSegmentLookup) {
    for (const [key, json] of Object.entries(data.flags ?? {})) this.flags.set(key, parseFlag({ key, version: 1, ...json }));
    for (const [key, json] of Object.entries(data.segments ?? {})) this.segments.set(key, parseSegment({ key, version: 1, ...json }));
    this._evaluator = new Evaluator({
      flag: (key) => this.flags.get(key),
      segment: (key) => this.segments.get(key),
      ...(bigSegments ? { bigSegments } : {}),
    });
  }

  /** `variationDetail` semantics: invalid context, missing flag and default substitution included. */
  detail(flagKey: string, context: unknown, defaultValue: unknown): LDEvaluationDetail {
    // As the SDK's variation path does: read the caller's object in place for this synchronous call.
    const ctx = Context.borrow(context);
    const result = this._evaluator.evaluateDetail(this.flags.get(flagKey), ctx, defaultValue);
    if (result === PENDING) throw new Error('unexpected PENDING with in-memory data');
    return result;
  }

  evaluator(): Evaluator {
    return this._evaluator;
  }
}

/**
 * What node-server's client does with events, over a {@link LocalEvaluator}: an evaluation records each
 * prerequisite evaluation (default `null`, `prerequisiteOf`) and then itself, an unknown flag is recorded
 * as such, an invalid context records nothing. Used to compare events with LaunchDarkly's SDK in core.
 */
export class LocalClient {
  constructor(
    private readonly _local: LocalEvaluator,
    private readonly _events: EventProcessor,
  ) {}

  variationDetail(flagKey: string, input: unknown, defaultValue: unknown, withReasons: boolean): LDEvaluationDetail {
    const context = Context.from(input);
    const flag = this._local.flags.get(flagKey);
    if (!context.valid || !flag) {
      const detail = this._local.detail(flagKey, input, defaultValue);
      if (context.valid) {
        this._events.recordUnknownFlag({ context, key: flagKey, defaultValue, reason: detail.reason, withReasons, creationDate: Date.now() });
      }
      return detail;
    }
    const result = this._local.evaluator().evaluate(flag, context);
    if (result === PENDING) throw new Error('unexpected PENDING with in-memory data');
    const detail = toDetail(result, defaultValue);
    recordEvaluationWithPrerequisites(
      this._events,
      { context, flag, value: detail.value, variationIndex: detail.variationIndex, reason: detail.reason, defaultValue, withReasons, creationDate: Date.now() },
      result.prerequisiteEvaluations,
    );
    return detail;
  }

  track(key: string, input: unknown, data?: unknown): void {
    const context = Context.from(input);
    if (context.valid) this._events.recordCustom({ context, key, ...(data === undefined ? {} : { data }), creationDate: Date.now() });
  }

  identify(input: unknown): void {
    const context = Context.from(input);
    if (context.valid) this._events.recordIdentify({ context, creationDate: Date.now() });
  }
}
