import { switchyardEslint } from '@switchyard/eslint-config';

export default [
  ...switchyardEslint({ tsconfigRootDir: import.meta.dirname }),
  {
    // The one default export of the repository: `import ld from '@launchdarkly/node-server-sdk'` is how
    // many applications load LaunchDarkly's SDK, and a drop-in must accept it. CommonJS callers are
    // unaffected (`require()` gives the named exports, with `default` beside them). Enums stay banned.
    files: ['src/index.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use a string union or an `as const` object instead of enum.' }],
    },
  },
];
