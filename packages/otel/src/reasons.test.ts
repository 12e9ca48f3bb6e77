import { describe, expect, it } from 'vitest';

import { valueAttribute } from './evaluation.js';
import { storeErrorType } from './metrics.js';
import { otelErrorType, otelReason } from './reasons.js';

describe('otelReason', () => {
  it.each([
    [{ kind: 'OFF' }, 'disabled'],
    [{ kind: 'FALLTHROUGH' }, 'default'],
    [{ kind: 'FALLTHROUGH', inExperiment: true }, 'split'],
    [{ kind: 'TARGET_MATCH' }, 'targeting_match'],
    [{ kind: 'RULE_MATCH', ruleIndex: 0, ruleId: 'r' }, 'targeting_match'],
    [{ kind: 'RULE_MATCH', ruleIndex: 2, inExperiment: true }, 'split'],
    [{ kind: 'PREREQUISITE_FAILED', prerequisiteKey: 'p' }, 'targeting_match'],
    [{ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' }, 'error'],
    [{ kind: 'SOMETHING_NEW' }, 'unknown'],
    [undefined, 'unknown'],
  ] as const)('maps %j to %s', (reason, expected) => {
    expect(otelReason(reason as never)).toBe(expected);
  });
});

describe('otelErrorType', () => {
  it.each([
    ['FLAG_NOT_FOUND', 'flag_not_found'],
    ['WRONG_TYPE', 'type_mismatch'],
    ['USER_NOT_SPECIFIED', 'invalid_context'],
    ['MALFORMED_FLAG', 'parse_error'],
    ['CLIENT_NOT_READY', 'provider_not_ready'],
    ['EXCEPTION', 'general'],
    [undefined, 'general'],
    ['toString', 'general'],
  ])('maps %s to %s', (errorKind, expected) => {
    expect(otelErrorType(errorKind)).toBe(expected);
  });
});

describe('storeErrorType', () => {
  it('prefers the store failure kind, then the cause code, then _OTHER', () => {
    expect(storeErrorType(Object.assign(new Error('x'), { failure: 'forbidden' }))).toBe('forbidden');
    expect(storeErrorType(new Error('x', { cause: Object.assign(new Error('t'), { code: 'TIMEOUT' }) }))).toBe('timeout');
    expect(storeErrorType(new Error('x', { cause: Object.assign(new Error('c'), { code: 'ECONNREFUSED' }) }))).toBe('econnrefused');
    expect(storeErrorType(new Error('x', { cause: new Error('plain') }))).toBe('_OTHER');
    expect(storeErrorType(undefined)).toBe('_OTHER');
  });
});

describe('valueAttribute', () => {
  it('keeps primitives and writes everything else as JSON', () => {
    expect(valueAttribute('red')).toBe('red');
    expect(valueAttribute(3.5)).toBe(3.5);
    expect(valueAttribute(false)).toBe(false);
    expect(valueAttribute(null)).toBe('null');
    expect(valueAttribute({ a: [1, 'b'] })).toBe('{"a":[1,"b"]}');
    expect(valueAttribute([1, 2])).toBe('[1,2]');
    expect(valueAttribute(undefined)).toBeUndefined();
    expect(valueAttribute(Number.NaN)).toBe('NaN');
    expect(valueAttribute(10n)).toBe('10');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(valueAttribute(cycle)).toBe('[object Object]');
  });
});
