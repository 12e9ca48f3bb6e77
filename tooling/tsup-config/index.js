// @ts-check
/**
 * The shared tsup preset. Every package gets the same dual output from the same settings:
 *   dist/<entry>.js + .d.ts   (ESM, because packages are "type": "module")
 *   dist/<entry>.cjs + .d.cts (CommonJS)
 * Packages differ only in their entry points (and, rarely, a platform).
 *
 * @param {import('./index.js').SwitchyardTsupOptions} [options]
 * @returns {import('tsup').Options}
 */
export function switchyardTsup(options = {}) {
  const { entry = { index: 'src/index.ts' }, platform = 'node', external = [], tsconfig, sharedChunks = false } = options;
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    // One file per entry by default. Entries that share stateful modules (core's root and `./internal`:
    // `Context`, `PENDING`, the frozen-JSON set) opt into shared chunks, so each format loads one copy.
    splitting: sharedChunks,
    treeshake: true,
    target: 'node20',
    platform,
    external,
    outDir: 'dist',
    ...(tsconfig ? { tsconfig } : {}),
    // import.meta.url and friends also work in the CommonJS build.
    shims: true,
  };
}
