import type { Context } from '../context/context.js';
import type { Flag } from '../model/flag.js';
import { Reasons, type ErrorKind, type LDEvaluationDetail } from './reasons.js';
import type { EvaluationResult } from './result.js';

/**
 * Turns an evaluator result into what `variationDetail` returns: when the flag served no variation
 * (an error, or off without an off variation) the caller's default is the value.
 */
export function toDetail<T>(result: Pick<EvaluationResult, 'value' | 'variationIndex' | 'reason'>, defaultValue: T): LDEvaluationDetail<T> {
  if (result.variationIndex === null) return { value: defaultValue, variationIndex: null, reason: result.reason };
  return { value: result.value as T, variationIndex: result.variationIndex, reason: result.reason };
}

/** The detail for an evaluation that could not run: the default value and an error reason. */
export function errorDetail<T>(errorKind: ErrorKind, defaultValue: T): LDEvaluationDetail<T> {
  return { value: defaultValue, variationIndex: null, reason: Reasons.error(errorKind) };
}

/**
 * Checks what must hold before a flag can be evaluated, in LaunchDarkly's order: a valid context
 * (`USER_NOT_SPECIFIED`), then an existing flag (`FLAG_NOT_FOUND`). Returns the error detail, or
 * undefined when evaluation can go ahead.
 */
export function precheck<T>(flag: Flag | undefined, context: Context, defaultValue: T): LDEvaluationDetail<T> | undefined {
  if (!context.valid) return errorDetail('USER_NOT_SPECIFIED', defaultValue);
  if (!flag || flag.deleted) return errorDetail('FLAG_NOT_FOUND', defaultValue);
  return undefined;
}
