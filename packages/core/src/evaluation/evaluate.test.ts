import { describe, expect, it } from 'vitest';

import { evaluateMinimal, type MinimalFlag } from '../index.js';

const base: MinimalFlag = {
  key: 'f',
  version: 1,
  on: true,
  variations: ['off', 'on', 'vip'],
  offVariation: 0,
  fallthrough: { variation: 1 },
  targets: [{ values: ['alice'], variation: 2 }],
};

describe('evaluateMinimal', () => {
  it('serves the off variation when the flag is off', () => {
    expect(evaluateMinimal({ ...base, on: false }, 'bob', 'dflt')).toEqual({ value: 'off', variationIndex: 0, reason: { kind: 'OFF' } });
  });
  it('serves the target variation for a targeted key', () => {
    expect(evaluateMinimal(base, 'alice', 'dflt')).toEqual({ value: 'vip', variationIndex: 2, reason: { kind: 'TARGET_MATCH' } });
  });
  it('falls through for everyone else', () => {
    expect(evaluateMinimal(base, 'bob', 'dflt')).toEqual({ value: 'on', variationIndex: 1, reason: { kind: 'FALLTHROUGH' } });
  });
  it('returns the default with an error reason for a missing or malformed flag', () => {
    expect(evaluateMinimal(undefined, 'bob', 'dflt').reason).toEqual({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' });
    const bad = evaluateMinimal({ ...base, fallthrough: { variation: 9 } }, 'bob', 'dflt');
    expect(bad).toEqual({ value: 'dflt', variationIndex: null, reason: { kind: 'ERROR', errorKind: 'MALFORMED_FLAG' } });
  });
});
