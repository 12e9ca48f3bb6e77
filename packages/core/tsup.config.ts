import { defineConfig } from 'tsup';
import { switchyardTsup } from '@switchyard/tsup-config';

// Platform-neutral: the build tsconfig has no Node types, so a Node-only API is a type error.
export default defineConfig(
  switchyardTsup({
    platform: 'neutral',
    tsconfig: 'tsconfig.build.json',
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
  }),
);
