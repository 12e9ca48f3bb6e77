import { StandardResolutionReasons, type ResolutionReason } from '@openfeature/server-sdk';
import type { LDEvaluationReason } from '@switchyard/node-server';

/**
 * OpenFeature's standard reason for a LaunchDarkly evaluation reason (used with the provider option
 * `standardReasons: true`):
 *
 * | LaunchDarkly | OpenFeature |
 * | --- | --- |
 * | `OFF` | `DISABLED` |
 * | `TARGET_MATCH`, `RULE_MATCH` | `TARGETING_MATCH` |
 * | `FALLTHROUGH` | `DEFAULT` (the flag's default rule served: no target or rule matched) |
 * | `PREREQUISITE_FAILED` | `TARGETING_MATCH` (the off variation, chosen by a prerequisite evaluated for this context) |
 * | `RULE_MATCH` or `FALLTHROUGH` with `inExperiment: true` | `SPLIT` (an experiment assigns by percentage rollout) |
 * | `ERROR` | `ERROR` |
 * | anything else | `UNKNOWN` |
 *
 * `FALLTHROUGH` is never `STATIC`: a reason does not say whether the flag has targets or rules that
 * did not match, and `STATIC` tells caches the value is the same for every context. A percentage
 * rollout outside an experiment reports `DEFAULT` or `TARGETING_MATCH`, as LaunchDarkly's reason does
 * not say that a rollout chose the variation.
 */
export function standardReason(reason: LDEvaluationReason | undefined): ResolutionReason {
  switch (reason?.kind) {
    case 'OFF':
      return StandardResolutionReasons.DISABLED;
    case 'FALLTHROUGH':
      return reason.inExperiment ? StandardResolutionReasons.SPLIT : StandardResolutionReasons.DEFAULT;
    case 'RULE_MATCH':
      return reason.inExperiment ? StandardResolutionReasons.SPLIT : StandardResolutionReasons.TARGETING_MATCH;
    case 'TARGET_MATCH':
    case 'PREREQUISITE_FAILED':
      return StandardResolutionReasons.TARGETING_MATCH;
    case 'ERROR':
      return StandardResolutionReasons.ERROR;
    default:
      return StandardResolutionReasons.UNKNOWN;
  }
}
