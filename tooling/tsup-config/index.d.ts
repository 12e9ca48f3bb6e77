import type { Options } from 'tsup';

/** Options of the shared preset. */
export interface SwitchyardTsupOptions {
  /** Entry points, name → source file. Default `{ index: 'src/index.ts' }`. */
  entry?: Record<string, string>;
  /** `'node'` (default) or `'neutral'` for platform-neutral packages such as core. */
  platform?: 'node' | 'neutral';
  /** Extra modules never bundled (dependencies and peers are external already). */
  external?: string[];
  /** The tsconfig used for type declarations. Default `tsconfig.json`. */
  tsconfig?: string;
  /**
   * Put modules that several entries use into shared chunks (ESM and CommonJS alike), so one build
   * loads one copy of each. Needed when entries hand each other objects whose identity matters (core's
   * root and `./internal`). Default `false`: every entry is one self-contained file.
   */
  sharedChunks?: boolean;
}

/** Builds ESM + CJS + `.d.ts`/`.d.cts` for the given entries. */
export declare function switchyardTsup(options?: SwitchyardTsupOptions): Options;
