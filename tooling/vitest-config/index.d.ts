import type { ViteUserConfig } from 'vitest/config';

/** Options of the shared vitest preset. */
export interface SwitchyardVitestOptions {
  /** Per-test and per-hook timeout of the integration tier, in milliseconds. Default 60000. */
  integrationTimeoutMs?: number;
  /** Per-test timeout of the unit tier, in milliseconds. Default 10000. */
  unitTimeoutMs?: number;
}

/** The two-tier (unit / integration) vitest configuration. */
export declare function switchyardVitest(options?: SwitchyardVitestOptions): ViteUserConfig;
