/**
 * The names this package records. The `feature_flag.*`, `error.*` names and the event name are
 * OpenTelemetry's feature-flag semantic conventions (release candidate at the time of writing); the
 * `switchyard.*` names are ours, for what the conventions have no name for (LaunchDarkly's reason details,
 * store and event-processor metrics).
 */

/** The name of the span event recorded for each evaluation (OpenTelemetry's evaluation event). */
export const FEATURE_FLAG_EVALUATION_EVENT = 'feature_flag.evaluation';

/**
 * OpenTelemetry's feature-flag attributes, as recorded on the `feature_flag.evaluation` event, on the
 * optional evaluation span, and (some of them) on the evaluation counter.
 */
export const FeatureFlagAttributes = Object.freeze({
  /** The flag key (required by the conventions). */
  key: 'feature_flag.key',
  /** Who evaluated the flag: `'switchyard'` unless `providerName` says otherwise. */
  providerName: 'feature_flag.provider.name',
  /** The variation index as a string (`'0'`, `'1'`, …); absent when the default value was served. */
  variant: 'feature_flag.result.variant',
  /** The reason as one of OpenTelemetry's well-known values (`targeting_match`, `default`, …). */
  reason: 'feature_flag.result.reason',
  /** The value served; only with `includeValue: true`. */
  value: 'feature_flag.result.value',
  /** The context's canonical key (LaunchDarkly's, as in analytics events); only with `includeContextId` (default on). */
  contextId: 'feature_flag.context.id',
  /** The flag's version, as a string (the conventions' type). */
  version: 'feature_flag.version',
  /** The LaunchDarkly environment ID (the flag set): `environmentId`, or the one the flag service reported. */
  setId: 'feature_flag.set.id',
  /** On an error only: the OpenFeature-style error code (`flag_not_found`, `type_mismatch`, …). */
  errorType: 'error.type',
} as const);

/**
 * Our own attributes: LaunchDarkly's reason details, which the conventions have no names for, and the
 * labels of the store and event metrics.
 */
export const SwitchyardAttributes = Object.freeze({
  /** LaunchDarkly's reason kind as is (`OFF`, `FALLTHROUGH`, `TARGET_MATCH`, `RULE_MATCH`, `PREREQUISITE_FAILED`, `ERROR`). */
  reasonKind: 'switchyard.reason.kind',
  /** LaunchDarkly's error kind as is (`FLAG_NOT_FOUND`, `WRONG_TYPE`, …), on errors. */
  reasonErrorKind: 'switchyard.reason.error_kind',
  /** The index of the rule that matched (`RULE_MATCH`). */
  ruleIndex: 'switchyard.reason.rule_index',
  /** The ID of the rule that matched (`RULE_MATCH`), when the flag has one. */
  ruleId: 'switchyard.reason.rule_id',
  /** The prerequisite flag that failed (`PREREQUISITE_FAILED`). */
  prerequisiteKey: 'switchyard.reason.prerequisite_key',
  /** `true` when the evaluation is part of an experiment; absent otherwise. */
  inExperiment: 'switchyard.reason.in_experiment',
  /** The health of big-segment data the evaluation used (`HEALTHY`, `STALE`, `STORE_ERROR`, `NOT_CONFIGURED`). */
  bigSegmentsStatus: 'switchyard.reason.big_segments_status',
  /** The context's kinds, in order (e.g. `['org', 'user']`). */
  contextKinds: 'switchyard.context.kinds',
  /** The store operation (`get`, `getAll`, `init`, `upsert`, `isInitialized`, `isStoreAvailable`, …). */
  storeOperation: 'switchyard.store.operation',
  /** How a store operation ended: `'success'` or `'error'`. */
  storeOutcome: 'switchyard.store.outcome',
  /** Whether a cache lookup was answered from the cache: `'hit'` or `'miss'`. */
  cacheResult: 'switchyard.store.cache.result',
  /** What became of an analytics payload: `'delivered'` or `'dropped'`. */
  payloadOutcome: 'switchyard.events.payload.outcome',
} as const);
