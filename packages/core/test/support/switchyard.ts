import {
  Context,
  Evaluator,
  parseFlag,
  parseSegment,
  PENDING,
  type BigSegmentLookup,
  type Flag,
  type LDEvaluationDetail,
  type Segment,
} from '../../src/index.js';

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
