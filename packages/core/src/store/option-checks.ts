import { ConfigError } from '../errors/index.js';

/**
 * Checks of a store factory's options that every store package shares, so each option mistake is a
 * `ConfigError` reading `<package prefix> option <name> <problem> (got <value>)` in every store alike.
 * Returned by {@link storeOptionChecks}.
 */
export interface StoreOptionChecks {
  /** Throws a `ConfigError`: `<prefix> option <option> <problem>`. */
  fail(option: string, problem: string): never;
  /** `value`, or `fallback` when undefined; an integer of at least `min` (default 0) or a `ConfigError`. */
  integer(option: string, value: unknown, fallback: number, min?: number): number;
  /** `value`, or `fallback` when undefined; a positive finite number of milliseconds or a `ConfigError`. */
  durationMs(option: string, value: unknown, fallback: number): number;
  /** `value`, or `fallback` when undefined; a boolean or a `ConfigError`. */
  boolean(option: string, value: unknown, fallback: boolean): boolean;
  /** `cacheTtlMs`: any number (positive: TTL, `0`: no cache, negative: forever), or `fallback`. */
  cacheTtlMs(value: unknown, fallback: number): number;
  /** `maxItemBytes`: a positive number of bytes no larger than `max` (the backend's own limit), or `fallback`. */
  maxItemBytes(value: unknown, fallback: number, max?: number): number;
}

/** A value as an option error shows it: strings quoted, everything else as `String()` gives it. */
export function describeOptionValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * The option checks of one store package, whose errors start with `prefix` (e.g.
 * `'[switchyard/store-dynamodb]'`).
 */
export function storeOptionChecks(prefix: string): StoreOptionChecks {
  const got = describeOptionValue;
  const fail = (option: string, problem: string): never => {
    throw new ConfigError(`${prefix} option ${option} ${problem}`);
  };
  return {
    fail,
    integer(option, value, fallback, min = 0) {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
        fail(option, `must be an integer of at least ${min} (got ${got(value)})`);
      }
      return value as number;
    },
    durationMs(option, value, fallback) {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        fail(option, `must be a positive number of milliseconds (got ${got(value)})`);
      }
      return value as number;
    },
    boolean(option, value, fallback) {
      if (value === undefined) return fallback;
      if (typeof value !== 'boolean') fail(option, `must be a boolean (got ${got(value)})`);
      return value as boolean;
    },
    cacheTtlMs(value, fallback) {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || Number.isNaN(value)) fail('cacheTtlMs', `must be a number of milliseconds (got ${got(value)})`);
      return value as number;
    },
    maxItemBytes(value, fallback, max = Infinity) {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !(value > 0)) fail('maxItemBytes', `must be a positive number of bytes (got ${got(value)})`);
      if ((value as number) > max) fail('maxItemBytes', `must not exceed ${max}, the backend's own item limit (got ${got(value)})`);
      return value as number;
    },
  };
}
