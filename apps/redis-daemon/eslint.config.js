import { switchyardEslint } from '@switchyard/eslint-config';

// Annotated so that `tsc` (checkJs with declaration on) can name the type of this module's export.
/** @type {import('eslint').Linter.Config[]} */
const config = switchyardEslint({ tsconfigRootDir: import.meta.dirname });

export default config;
