import { switchyardEslint } from '@switchyard/eslint-config';

export default switchyardEslint({ tsconfigRootDir: import.meta.dirname });
