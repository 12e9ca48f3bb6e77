import type { LDEvaluationReason } from '@switchyard/node-server';

/**
 * OpenTelemetry's well-known values of `feature_flag.result.reason`. The conventions say a well-known
 * value that applies MUST be used; this package only ever records these.
 */
export type OtelFlagReason = 'static' | 'default' | 'targeting_match' | 'split' | 'cached' | 'disabled' | 'unknown' | 'stale' | 'error';

/**
 * OpenTelemetry's well-known values of `error.type` for feature-flag evaluations (OpenFeature's error
 * codes, lowercased).
 */
export type OtelFlagErrorType =
  | 'flag_not_found'
  | 'type_mismatch'
  | 'invalid_context'
  | 'targeting_key_missing'
  | 'parse_error'
  | 'provider_not_ready'
  | 'provider_fatal'
  | 'general';

const ERROR_TYPES: Readonly<Record<string, OtelFlagErrorType>> = Object.freeze({
  FLAG_NOT_FOUND: 'flag_not_found',
  WRONG_TYPE: 'type_mismatch',
  // LaunchDarkly's name is historical: it covers every invalid context (no key, a bad kind, an empty multi-context).
  USER_NOT_SPECIFIED: 'invalid_context',
  MALFORMED_FLAG: 'parse_error',
  CLIENT_NOT_READY: 'provider_not_ready',
  EXCEPTION: 'general',
});

/**
 * Maps a LaunchDarkly evaluation reason to OpenTelemetry's `feature_flag.result.reason`:
 *
 * | LaunchDarkly | OpenTelemetry |
 * | --- | --- |
 * | `OFF` | `disabled` |
 * | `FALLTHROUGH` | `default` (the flag's default rule; no targeting rule matched) |
 * | `TARGET_MATCH`, `RULE_MATCH` | `targeting_match` |
 * | `PREREQUISITE_FAILED` | `targeting_match` (the off variation, chosen by a prerequisite evaluated for this context) |
 * | `ERROR` | `error` |
 * | any of them with `inExperiment: true` | `split` (an experiment always assigns by percentage rollout) |
 * | anything else | `unknown` |
 *
 * A percentage rollout outside an experiment reports `default` or `targeting_match`: LaunchDarkly's
 * reason does not say whether a rollout chose the variation.
 */
export function otelReason(reason: LDEvaluationReason | undefined): OtelFlagReason {
  switch (reason?.kind) {
    case 'ERROR':
      return 'error';
    case 'OFF':
      return 'disabled';
    case 'FALLTHROUGH':
      return reason.inExperiment === true ? 'split' : 'default';
    case 'TARGET_MATCH':
    case 'RULE_MATCH':
      return reason.inExperiment === true ? 'split' : 'targeting_match';
    case 'PREREQUISITE_FAILED':
      return 'targeting_match';
    default:
      return 'unknown';
  }
}

/**
 * Maps LaunchDarkly's error kind to OpenTelemetry's `error.type` for flags:
 *
 * | LaunchDarkly `errorKind` | `error.type` |
 * | --- | --- |
 * | `FLAG_NOT_FOUND` | `flag_not_found` |
 * | `WRONG_TYPE` | `type_mismatch` |
 * | `USER_NOT_SPECIFIED` | `invalid_context` |
 * | `MALFORMED_FLAG` | `parse_error` |
 * | `CLIENT_NOT_READY` | `provider_not_ready` |
 * | `EXCEPTION`, missing or unknown | `general` |
 */
export function otelErrorType(errorKind: string | undefined): OtelFlagErrorType {
  return (errorKind !== undefined && Object.hasOwn(ERROR_TYPES, errorKind) ? ERROR_TYPES[errorKind] : undefined) ?? 'general';
}
