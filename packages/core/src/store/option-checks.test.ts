import { describe, expect, it } from 'vitest';

import { ConfigError } from '../errors/index.js';
import { describeOptionValue, storeOptionChecks } from './option-checks.js';

const check = storeOptionChecks('[switchyard/store-x]');

function message(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(ConfigError.isInstance(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('storeOptionChecks', () => {
  it('returns the value, or the fallback when it is undefined', () => {
    expect(check.integer('n', undefined, 4)).toBe(4);
    expect(check.integer('n', 0, 4)).toBe(0);
    expect(check.durationMs('t', 250, 1)).toBe(250);
    expect(check.boolean('b', false, true)).toBe(false);
    expect(check.cacheTtlMs(-1, 30_000)).toBe(-1);
    expect(check.cacheTtlMs(undefined, 30_000)).toBe(30_000);
    expect(check.maxItemBytes(Infinity, 1)).toBe(Infinity);
    expect(check.maxItemBytes(100, 1, 512)).toBe(100);
  });

  it.each([
    [() => check.integer('pool.max', 1.5, 1, 1), '[switchyard/store-x] option pool.max must be an integer of at least 1 (got 1.5)'],
    [() => check.integer('pool.max', '2', 1), '[switchyard/store-x] option pool.max must be an integer of at least 0 (got "2")'],
    [() => check.durationMs('t', 0, 1), '[switchyard/store-x] option t must be a positive number of milliseconds (got 0)'],
    [() => check.durationMs('t', Infinity, 1), '[switchyard/store-x] option t must be a positive number of milliseconds (got Infinity)'],
    [() => check.boolean('b', 'yes', true), '[switchyard/store-x] option b must be a boolean (got "yes")'],
    [() => check.cacheTtlMs(Number.NaN, 1), '[switchyard/store-x] option cacheTtlMs must be a number of milliseconds (got NaN)'],
    [() => check.maxItemBytes(-5, 1), '[switchyard/store-x] option maxItemBytes must be a positive number of bytes (got -5)'],
    [() => check.maxItemBytes(600, 1, 512), "[switchyard/store-x] option maxItemBytes must not exceed 512, the backend's own item limit (got 600)"],
    [() => check.fail('url', 'must start with consul://'), '[switchyard/store-x] option url must start with consul://'],
  ])('throws a ConfigError that names the option and the value given (%#)', (run, expected) => {
    expect(message(run)).toBe(expected);
  });

  it('shows strings quoted and everything else as String() does', () => {
    expect([describeOptionValue('a'), describeOptionValue(1), describeOptionValue(undefined), describeOptionValue(null)]).toEqual(['"a"', '1', 'undefined', 'null']);
  });
});
