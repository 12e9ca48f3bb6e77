import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { EvaluationMetadata, EvaluationSeriesContext, LDEvaluationDetail } from '@switchyard/node-server';

import { FeatureFlagAttributes as FF, SwitchyardAttributes as SY } from './attributes.js';
import { otelErrorType, otelReason } from './reasons.js';

/** What the evaluation attributes include; resolved from the hook's options. @internal */
export interface EvaluationAttributeOptions {
  readonly providerName: string;
  readonly includeValue: boolean;
  readonly includeContextId: boolean;
  readonly environmentId: string | undefined;
}

/**
 * A flag value as an attribute value: strings, finite numbers and booleans as they are (the conventions'
 * type is "any"), everything else (objects, arrays, `null`) as JSON. `undefined` when there is nothing to
 * record.
 */
export function valueAttribute(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      return value.toString();
    default:
      try {
        return JSON.stringify(value);
      } catch {
        // A default value the caller passed may be anything (a cycle); flag values are always JSON.
        return String(value);
      }
  }
}

/** The attributes of one evaluation, for the span event and the evaluation span. @internal */
export function evaluationAttributes(
  options: EvaluationAttributeOptions,
  hookContext: EvaluationSeriesContext,
  detail: LDEvaluationDetail,
  metadata: EvaluationMetadata | undefined,
): Attributes {
  const reason = detail.reason;
  const attributes: Attributes = {
    [FF.key]: hookContext.flagKey,
    [FF.providerName]: options.providerName,
    [FF.reason]: otelReason(reason),
  };
  if (reason?.kind !== undefined) attributes[SY.reasonKind] = reason.kind;
  if (typeof detail.variationIndex === 'number') attributes[FF.variant] = String(detail.variationIndex);
  if (metadata?.flagVersion !== undefined) attributes[FF.version] = String(metadata.flagVersion);
  if (options.includeContextId && metadata?.contextKey !== undefined) attributes[FF.contextId] = metadata.contextKey;
  if (metadata?.contextKinds !== undefined && metadata.contextKinds.length > 0) attributes[SY.contextKinds] = [...metadata.contextKinds];
  const setId = options.environmentId ?? hookContext.environmentId;
  if (setId !== undefined) attributes[FF.setId] = setId;
  if (reason?.kind === 'ERROR') {
    attributes[FF.errorType] = otelErrorType(reason.errorKind);
    if (reason.errorKind !== undefined) attributes[SY.reasonErrorKind] = reason.errorKind;
  }
  if (reason?.ruleIndex !== undefined) attributes[SY.ruleIndex] = reason.ruleIndex;
  if (reason?.ruleId !== undefined) attributes[SY.ruleId] = reason.ruleId;
  if (reason?.prerequisiteKey !== undefined) attributes[SY.prerequisiteKey] = reason.prerequisiteKey;
  if (reason?.inExperiment === true) attributes[SY.inExperiment] = true;
  if (reason?.bigSegmentsStatus !== undefined) attributes[SY.bigSegmentsStatus] = reason.bigSegmentsStatus;
  if (options.includeValue) {
    const value = valueAttribute(detail.value);
    if (value !== undefined) attributes[FF.value] = value;
  }
  return attributes;
}
