import { ErrorCode, StandardResolutionReasons, type ResolutionDetails } from '@openfeature/server-sdk';
import type { EvaluationMetadata, LDEvaluationDetail } from '@switchyard/node-server';

import { describeType, errorCodeFor, errorMessageFor, type RequestedType } from './errors.js';
import { flagMetadataOf } from './metadata.js';
import { standardReason } from './reasons.js';

/** How {@link toResolution} reports. @internal */
export interface ResolutionOptions {
  readonly requested: RequestedType;
  readonly standardReasons: boolean;
  /** Why the client refused the context, computed only when it did. */
  readonly contextProblem: () => string | undefined;
}

/**
 * Turns the client's detail into OpenFeature's resolution: the value, `variant` (the variation index
 * as a string, as LaunchDarkly's provider does), the reason, the error code and message on an error,
 * and the flag metadata. An object flag must hold a JSON object or array. @internal
 */
export function toResolution<T>(
  flagKey: string,
  defaultValue: T,
  detail: LDEvaluationDetail,
  metadata: EvaluationMetadata | undefined,
  options: ResolutionOptions,
): ResolutionDetails<T> {
  const flagMetadata = flagMetadataOf(detail, metadata);
  const reason = detail.reason;
  if (reason?.kind === 'ERROR') {
    const contextProblem = reason.errorKind === 'USER_NOT_SPECIFIED' ? options.contextProblem() : undefined;
    return {
      value: defaultValue,
      reason: StandardResolutionReasons.ERROR,
      errorCode: errorCodeFor(reason.errorKind),
      errorMessage: errorMessageFor(reason.errorKind, flagKey, options.requested, contextProblem),
      flagMetadata,
    };
  }
  const served = detail.variationIndex !== null && detail.variationIndex !== undefined;
  // With no variation served (an off flag without an off variation) the value is the caller's default.
  if (options.requested === 'object' && served && (typeof detail.value !== 'object' || detail.value === null)) {
    return {
      value: defaultValue,
      reason: StandardResolutionReasons.ERROR,
      errorCode: ErrorCode.TYPE_MISMATCH,
      errorMessage: `flag "${flagKey}" was requested as an object, but its value for this context is a ${describeType(detail.value)}, not a JSON object or array`,
      flagMetadata,
    };
  }
  const resolution: ResolutionDetails<T> = {
    value: detail.value as T,
    reason: options.standardReasons ? standardReason(reason) : (reason?.kind ?? StandardResolutionReasons.UNKNOWN),
    flagMetadata,
  };
  if (served) resolution.variant = String(detail.variationIndex);
  return resolution;
}
