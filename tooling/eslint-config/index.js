// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The shared flat config. Type-aware rules are limited to the ones that catch real bugs in an SDK
 * (floating promises: an unhandled rejection can crash the host application).
 *
 * @param {{ tsconfigRootDir: string }} options the package directory (pass `import.meta.dirname`)
 */
export function switchyardEslint({ tsconfigRootDir }) {
  return tseslint.config(
    { ignores: ['dist/**', 'coverage/**', 'node_modules/**', '*.config.*'] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
      files: ['**/*.ts'],
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/consistent-type-imports': 'error',
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        // Named exports only: a default export turns into `.default` for CommonJS callers.
        'no-restricted-syntax': [
          'error',
          { selector: 'ExportDefaultDeclaration', message: 'Use named exports (a default export becomes .default in CJS).' },
          { selector: 'TSEnumDeclaration', message: 'Use a string union or an `as const` object instead of enum.' },
        ],
      },
    },
    {
      // Plain JavaScript (sample apps, scripts) runs on Node.js.
      files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
      languageOptions: { globals: globals.node },
    },
    {
      files: ['**/*.test.ts', '**/*.bench.ts', 'test/**/*.ts', 'bench/**/*.ts'],
      rules: { 'no-restricted-syntax': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
    },
  );
}
