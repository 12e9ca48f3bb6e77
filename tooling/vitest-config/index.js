// @ts-check
import { defineConfig } from 'vitest/config';

const INTEGRATION = '**/*.integration.test.ts';

/**
 * Two tiers, chosen by file name:
 *   *.test.ts              → project "unit": no services, fast (`pnpm test` per package: `vitest run --project unit`)
 *   *.integration.test.ts  → project "integration": real services started by the tests
 * Benchmarks are not tests: speed and memory targets live in tooling/benchmarks (`pnpm bench`).
 *
 * @param {import('./index.js').SwitchyardVitestOptions} [options]
 */
export function switchyardVitest(options = {}) {
  const { integrationTimeoutMs = 60_000, unitTimeoutMs = 10_000 } = options;
  return defineConfig({
    test: {
      // A test tier with no files is a mistake in the package's scripts, never a pass.
      passWithNoTests: false,
      // A test that was forgotten as .only must not silently narrow the run in CI.
      allowOnly: false,
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
            exclude: [INTEGRATION, '**/node_modules/**', '**/dist/**'],
            testTimeout: unitTimeoutMs,
          },
        },
        {
          extends: true,
          test: {
            name: 'integration',
            include: ['src/**/*.integration.test.ts', 'test/**/*.integration.test.ts'],
            exclude: ['**/node_modules/**', '**/dist/**'],
            testTimeout: integrationTimeoutMs,
            hookTimeout: integrationTimeoutMs,
            // Each file starts its own services on free ports; two at a time suits 2-core machines.
            maxWorkers: 2,
          },
        },
      ],
    },
  });
}
