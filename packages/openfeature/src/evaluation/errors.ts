import { ErrorCode } from '@openfeature/server-sdk';

/**
 * OpenFeature's error code for each of LaunchDarkly's evaluation error kinds (`reason.errorKind`):
 *
 * | LaunchDarkly | OpenFeature |
 * | --- | --- |
 * | `CLIENT_NOT_READY` | `PROVIDER_NOT_READY` |
 * | `MALFORMED_FLAG` | `PARSE_ERROR` |
 * | `FLAG_NOT_FOUND` | `FLAG_NOT_FOUND` |
 * | `WRONG_TYPE` | `TYPE_MISMATCH` |
 * | `USER_NOT_SPECIFIED` (any invalid context: no key, a bad kind, an empty multi-kind context) | `TARGETING_KEY_MISSING` |
 * | `EXCEPTION`, and any kind not listed | `GENERAL` |
 */
export const ERROR_CODES: Readonly<Record<string, ErrorCode>> = Object.freeze({
  CLIENT_NOT_READY: ErrorCode.PROVIDER_NOT_READY,
  MALFORMED_FLAG: ErrorCode.PARSE_ERROR,
  FLAG_NOT_FOUND: ErrorCode.FLAG_NOT_FOUND,
  WRONG_TYPE: ErrorCode.TYPE_MISMATCH,
  USER_NOT_SPECIFIED: ErrorCode.TARGETING_KEY_MISSING,
  EXCEPTION: ErrorCode.GENERAL,
});

/** OpenFeature's error code for a LaunchDarkly error kind (see {@link ERROR_CODES}); `GENERAL` for an unknown one. */
export function errorCodeFor(errorKind: string | undefined): ErrorCode {
  return (errorKind !== undefined && Object.hasOwn(ERROR_CODES, errorKind) ? ERROR_CODES[errorKind] : undefined) ?? ErrorCode.GENERAL;
}

/** What the caller asked for, in messages. @internal */
export type RequestedType = 'boolean' | 'string' | 'number' | 'object';

/** Describes a JSON value's type for messages: `boolean`, `string`, `number`, `null`, `array` or `object`. @internal */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * A message for an evaluation error that says what happened and what to check. `contextProblem` is
 * the client's reason for refusing the context (for `USER_NOT_SPECIFIED`). @internal
 */
export function errorMessageFor(errorKind: string | undefined, flagKey: string, requested: RequestedType, contextProblem?: string): string {
  switch (errorKind) {
    case 'CLIENT_NOT_READY':
      return `flag "${flagKey}" could not be evaluated: the Switchyard client is not initialized and its data store has no flags yet (or it is in offline mode)`;
    case 'MALFORMED_FLAG':
      return `flag "${flagKey}" could not be evaluated: its configuration is malformed (for example a variation index out of range, or a prerequisite cycle)`;
    case 'FLAG_NOT_FOUND':
      return `flag "${flagKey}" was not found in the environment the SDK key belongs to`;
    case 'WRONG_TYPE':
      return `flag "${flagKey}" was requested as a ${requested}, but its value for this context has another type`;
    case 'USER_NOT_SPECIFIED':
      return `flag "${flagKey}" could not be evaluated: the evaluation context is not a valid LaunchDarkly context (${contextProblem ?? 'no key'}); give it a targetingKey`;
    case 'EXCEPTION':
      return `flag "${flagKey}" could not be evaluated: the data store failed (the client logged the cause)`;
    default:
      return `flag "${flagKey}" could not be evaluated (LaunchDarkly error kind ${errorKind ?? 'unknown'})`;
  }
}
