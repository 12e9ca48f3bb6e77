import { describe, expect, it } from 'vitest';

import { ConfigError, isLoopback, validateFlag, ValidationError } from '../src/index.js';
import { resolveOptions } from '../src/config.js';

const flag = (extra: Record<string, unknown> = {}) => ({
  key: 'f',
  on: true,
  variations: [true, false],
  offVariation: 1,
  fallthrough: { variation: 0 },
  targets: [],
  rules: [],
  ...extra,
});

describe('validateFlag', () => {
  it('accepts a valid flag and drops the version (the service sets it)', () => {
    expect(validateFlag({ ...flag(), version: 99 }, 'f')).toEqual(flag());
  });

  it.each([
    ['not an object', [], /must be a JSON object/],
    ['a bad key', flag({ key: 'no spaces' }), /"key" must be 1 to 256 letters/],
    ['a field the SDK cannot parse', flag({ rules: [{ clauses: 'x', variation: 0 }] }), /flag "f"\.rules\[0\]\.clauses must be an array/],
    ['no on', flag({ on: 'yes' }), /flag "f"\.on must be/],
    ['no variations', flag({ variations: [] }), /variations must have at least one value/],
    ['an off variation out of range', flag({ offVariation: 2 }), /flag "f"\.offVariation must be a variation index from 0 to 1/],
    ['a fallthrough with neither', flag({ fallthrough: {} }), /fallthrough must have either "variation" or "rollout"/],
    ['a target out of range', flag({ targets: [{ values: ['a'], variation: 5 }] }), /targets\[0\]\.variation must be a variation index/],
    [
      'rollout weights that do not add up',
      flag({ rules: [{ clauses: [], rollout: { variations: [{ variation: 0, weight: 30000 }, { variation: 1, weight: 30000 }] } }] }),
      /flag "f"\.rules\[0\]\.rollout weights must add up to 100000 \(100%\), not 60000/,
    ],
    ['a fractional weight', flag({ fallthrough: { rollout: { variations: [{ variation: 0, weight: 0.5 }] } } }), /weight must be an integer/],
  ])('refuses %s, naming the field', (_, input, message) => {
    expect(() => validateFlag(input)).toThrow(ValidationError);
    expect(() => validateFlag(input)).toThrow(message);
  });

  it('refuses a key that differs from the address', () => {
    expect(() => validateFlag(flag(), 'g')).toThrow(/"key" is "f" but the address names "g"/);
  });
});

describe('options', () => {
  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.5', 'example.com'].some(isLoopback)).toBe(false);
  });

  it('refuses to listen beyond loopback without an admin token', () => {
    expect(() => resolveOptions({ host: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => resolveOptions({ host: '0.0.0.0' })).toThrow(/refusing to listen on 0\.0\.0\.0.*FLAG_SERVICE_ADMIN_TOKEN/);
    expect(() => resolveOptions({ host: '0.0.0.0', adminToken: 'short' })).toThrow(/at least 16 characters/);
    expect(resolveOptions({ host: '0.0.0.0', adminToken: 'a-long-enough-admin-token' }).host).toBe('0.0.0.0');
    expect(resolveOptions({}).host).toBe('127.0.0.1');
  });
});
