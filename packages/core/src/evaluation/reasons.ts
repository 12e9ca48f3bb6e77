/** Why a flag served the value it did. */
export type ReasonKind = 'OFF' | 'FALLTHROUGH' | 'TARGET_MATCH' | 'RULE_MATCH' | 'PREREQUISITE_FAILED' | 'ERROR';

/**
 * What went wrong, for `kind: 'ERROR'`. `EXCEPTION` (as in LaunchDarkly's Go and Java SDKs) is an
 * unexpected failure outside the flag data, such as a data store that could not be read.
 */
export type ErrorKind = 'MALFORMED_FLAG' | 'USER_NOT_SPECIFIED' | 'FLAG_NOT_FOUND' | 'CLIENT_NOT_READY' | 'WRONG_TYPE' | 'EXCEPTION';

/** The health of big-segment data used by an evaluation. */
export type BigSegmentsStatus = 'HEALTHY' | 'STALE' | 'STORE_ERROR' | 'NOT_CONFIGURED';

/** LaunchDarkly's evaluation reason (the same JSON shape). */
export interface LDEvaluationReason {
  readonly kind: ReasonKind;
  readonly errorKind?: ErrorKind;
  readonly ruleIndex?: number;
  readonly ruleId?: string;
  readonly prerequisiteKey?: string;
  readonly inExperiment?: boolean;
  readonly bigSegmentsStatus?: BigSegmentsStatus;
}

/** The full result of an evaluation: value, variation index (null when the default was served) and reason. */
export interface LDEvaluationDetail<T = unknown> {
  readonly value: T;
  readonly variationIndex: number | null;
  readonly reason: LDEvaluationReason;
}

/** Shared, frozen reasons: evaluation allocates no reason objects for the common cases. */
export const Reasons = Object.freeze({
  off: Object.freeze({ kind: 'OFF' }) as LDEvaluationReason,
  fallthrough: Object.freeze({ kind: 'FALLTHROUGH' }) as LDEvaluationReason,
  fallthroughExperiment: Object.freeze({ kind: 'FALLTHROUGH', inExperiment: true }) as LDEvaluationReason,
  targetMatch: Object.freeze({ kind: 'TARGET_MATCH' }) as LDEvaluationReason,
  error: (errorKind: ErrorKind): LDEvaluationReason => ERRORS[errorKind],
  // Fresh objects: the evaluator makes each once per flag outcome and freezes it there (see `prepared`
  // in evaluator.ts), since the result is then shared by every evaluation that ends the same way.
  prerequisiteFailed: (prerequisiteKey: string): LDEvaluationReason => ({ kind: 'PREREQUISITE_FAILED', prerequisiteKey }),
  ruleMatch: (ruleIndex: number, ruleId: string | undefined, inExperiment: boolean): LDEvaluationReason => {
    // Key order as LaunchDarkly's SDK writes it, so the JSON is byte-for-byte the same.
    if (ruleId === undefined) return inExperiment ? { kind: 'RULE_MATCH', ruleIndex, inExperiment } : { kind: 'RULE_MATCH', ruleIndex };
    return inExperiment ? { kind: 'RULE_MATCH', ruleId, ruleIndex, inExperiment } : { kind: 'RULE_MATCH', ruleId, ruleIndex };
  },
});

const ERRORS: Record<ErrorKind, LDEvaluationReason> = Object.freeze({
  MALFORMED_FLAG: Object.freeze({ kind: 'ERROR', errorKind: 'MALFORMED_FLAG' }),
  USER_NOT_SPECIFIED: Object.freeze({ kind: 'ERROR', errorKind: 'USER_NOT_SPECIFIED' }),
  FLAG_NOT_FOUND: Object.freeze({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' }),
  CLIENT_NOT_READY: Object.freeze({ kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' }),
  WRONG_TYPE: Object.freeze({ kind: 'ERROR', errorKind: 'WRONG_TYPE' }),
  EXCEPTION: Object.freeze({ kind: 'ERROR', errorKind: 'EXCEPTION' }),
}) as Record<ErrorKind, LDEvaluationReason>;

const STATUS_PRIORITY: Record<BigSegmentsStatus, number> = { HEALTHY: 1, STALE: 2, STORE_ERROR: 3, NOT_CONFIGURED: 4 };

/** The worse of two big-segment statuses (NOT_CONFIGURED > STORE_ERROR > STALE > HEALTHY). */
export function worseBigSegmentsStatus(a: BigSegmentsStatus | undefined, b: BigSegmentsStatus): BigSegmentsStatus {
  return a !== undefined && STATUS_PRIORITY[a] > STATUS_PRIORITY[b] ? a : b;
}
