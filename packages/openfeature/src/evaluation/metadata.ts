import type { FlagMetadata } from '@openfeature/server-sdk';
import type { EvaluationMetadata, LDEvaluationDetail } from '@switchyard/node-server';

/**
 * The keys of the `flagMetadata` the provider returns. Each is present only when it has a value: no
 * `flagVersion` when the flag was not found, no `contextId` for an invalid context, no `variationIndex`
 * when the default value was served.
 */
export const FlagMetadataKeys = Object.freeze({
  /** The version of the flag evaluated (number). */
  flagVersion: 'flagVersion',
  /**
   * The context's canonical key (string): a `user` context's key, otherwise `kind:key` per kind joined
   * with `:` (LaunchDarkly's form; what OpenTelemetry records as `feature_flag.context.id`).
   */
  contextId: 'contextId',
  /** The context's kinds, comma-separated in the order given (string, e.g. `org,user`). */
  contextKinds: 'contextKinds',
  /** The index of the variation served (number); the same as `variant`, as a number. */
  variationIndex: 'variationIndex',
  /** LaunchDarkly's reason kind (string: `OFF`, `FALLTHROUGH`, `TARGET_MATCH`, `RULE_MATCH`, `PREREQUISITE_FAILED`, `ERROR`). */
  ldReasonKind: 'ldReasonKind',
  /** The index of the rule that matched (number, `RULE_MATCH`). */
  ldRuleIndex: 'ldRuleIndex',
  /** The id of the rule that matched (string, `RULE_MATCH`). */
  ldRuleId: 'ldRuleId',
  /** The prerequisite that failed (string, `PREREQUISITE_FAILED`). */
  ldPrerequisiteKey: 'ldPrerequisiteKey',
  /** True when the context is in an experiment (boolean; absent otherwise). */
  ldInExperiment: 'ldInExperiment',
  /** LaunchDarkly's error kind (string, `ERROR`: `FLAG_NOT_FOUND`, `WRONG_TYPE`…). */
  ldErrorKind: 'ldErrorKind',
  /** The big-segment store's status when the evaluation used big segments (string). */
  ldBigSegmentsStatus: 'ldBigSegmentsStatus',
} as const);

/** Builds the flag metadata from the client's detail and evaluation metadata; only defined values. @internal */
export function flagMetadataOf(detail: LDEvaluationDetail, metadata: EvaluationMetadata | undefined): FlagMetadata {
  const out: FlagMetadata = {};
  if (typeof metadata?.flagVersion === 'number') out.flagVersion = metadata.flagVersion;
  if (typeof metadata?.contextKey === 'string') out.contextId = metadata.contextKey;
  if (metadata?.contextKinds && metadata.contextKinds.length > 0) out.contextKinds = metadata.contextKinds.join(',');
  if (typeof detail.variationIndex === 'number') out.variationIndex = detail.variationIndex;
  const reason = detail.reason;
  if (typeof reason?.kind === 'string') out.ldReasonKind = reason.kind;
  if (typeof reason?.ruleIndex === 'number') out.ldRuleIndex = reason.ruleIndex;
  if (typeof reason?.ruleId === 'string') out.ldRuleId = reason.ruleId;
  if (typeof reason?.prerequisiteKey === 'string') out.ldPrerequisiteKey = reason.prerequisiteKey;
  if (reason?.inExperiment === true) out.ldInExperiment = true;
  if (typeof reason?.errorKind === 'string') out.ldErrorKind = reason.errorKind;
  if (typeof reason?.bigSegmentsStatus === 'string') out.ldBigSegmentsStatus = reason.bigSegmentsStatus;
  return out;
}
