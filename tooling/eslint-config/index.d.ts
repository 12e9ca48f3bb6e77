import type { Linter } from 'eslint';

/** The shared flat config; pass the package directory (`import.meta.dirname`). */
export declare function switchyardEslint(options: { tsconfigRootDir: string }): Linter.Config[];
