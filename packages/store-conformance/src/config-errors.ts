import { ConfigError } from '@switchyard/core';
import { expect } from 'vitest';

/**
 * Runs `run` (a store factory call with bad options) and returns the message of the `ConfigError` it
 * threw; fails the test when it throws anything else or nothing. For store option tests:
 *
 * @example
 * ```ts
 * expect(expectConfigError(() => myStore({ pool: { maxConnections: 0 } }))).toMatch(/option pool.maxConnections/);
 * ```
 */
export function expectConfigError(run: () => unknown): string {
  let thrown: unknown;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'expected a ConfigError to be thrown').toBeDefined();
  expect(ConfigError.isInstance(thrown), `expected a ConfigError, got ${String(thrown)}`).toBe(true);
  return (thrown as Error).message;
}
