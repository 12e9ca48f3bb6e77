export { Evaluator, evaluateAsync, PENDING, MAX_NESTING_DEPTH } from './evaluator.js';
export type { EvaluationData, AsyncEvaluationData, BigSegmentLookup, BigSegmentMembership } from './evaluator.js';
export type { EvaluationResult, PrerequisiteEvaluation } from './result.js';
export { Reasons, worseBigSegmentsStatus } from './reasons.js';
export type { ReasonKind, ErrorKind, BigSegmentsStatus, LDEvaluationReason, LDEvaluationDetail } from './reasons.js';
export { FlagsStateBuilder, isExperiment, secureModeHash } from './flags-state.js';
export { toDetail, errorDetail, precheck } from './detail.js';
export type { LDFlagsState, LDFlagsStateOptions, FlagMetadata } from './flags-state.js';
export { bucketContext, KEY_ATTRIBUTE } from './bucketing.js';
