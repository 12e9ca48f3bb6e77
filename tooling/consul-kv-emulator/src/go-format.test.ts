import { describe, expect, it } from 'vitest';

import { parseGoDuration, parseUint64 } from './go-format.js';

describe('parseUint64 (Go strconv.ParseUint, base 10, 64 bits)', () => {
  it('parses decimal digits up to 2^64-1', () => {
    expect(parseUint64('0')).toBe(0n);
    expect(parseUint64('18446744073709551615')).toBe(18446744073709551615n);
  });

  it('rejects signs, blanks and other text with Go\'s message', () => {
    expect(() => parseUint64('')).toThrow('strconv.ParseUint: parsing "": invalid syntax');
    expect(() => parseUint64('-1')).toThrow('strconv.ParseUint: parsing "-1": invalid syntax');
    expect(() => parseUint64('1.5')).toThrow('invalid syntax');
  });

  it('rejects values above 2^64-1 as out of range', () => {
    expect(() => parseUint64('18446744073709551616')).toThrow('strconv.ParseUint: parsing "18446744073709551616": value out of range');
  });
});

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it('parses units, fractions and compound durations into milliseconds', () => {
    expect(parseGoDuration('5s')).toBe(5000);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('-2s')).toBe(-2000);
  });

  it('rejects a number without a unit, unknown units and empty text', () => {
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('5x')).toBeUndefined();
    expect(parseGoDuration('')).toBeUndefined();
    expect(parseGoDuration('s')).toBeUndefined();
  });
});
