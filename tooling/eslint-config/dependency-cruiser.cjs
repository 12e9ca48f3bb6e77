// @ts-check
/**
 * The shared dependency-cruiser config: every package's `src/` import graph must be acyclic. Each
 * package with a `src/` has a `lint:cycles` script that runs it, and turbo's `lint` task depends on
 * `lint:cycles`, so `pnpm lint` checks cycles too:
 *
 *   depcruise src --config node_modules/@switchyard/eslint-config/dependency-cruiser.cjs --output-type err-long
 *
 * Type-only imports count as edges (`tsPreCompilationDeps`): a cycle that exists only in the types is
 * still a loop a reader has to untangle. Test files under `src/` are checked too.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'This import closes a cycle. Move what both modules need into a leaf module that imports neither ' +
        '(a types.ts beside them, for example) instead of importing back.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Only the package's own sources: other workspace packages and npm packages are not followed.
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    // Resolves the `.js` suffixes of ESM imports to the `.ts` sources, like tsc does.
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
