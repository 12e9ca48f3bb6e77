import { defineConfig } from 'tsup';
import { switchyardTsup } from '@switchyard/tsup-config';

// Platform-neutral: the build tsconfig has no Node types, so a Node-only API is a type error.
// The root and `./internal` hand each other contexts, flags and `PENDING`: shared chunks keep one copy of
// each module per format (`./testing` shares them too).
export default defineConfig(
  switchyardTsup({
    platform: 'neutral',
    tsconfig: 'tsconfig.build.json',
    entry: { index: 'src/index.ts', internal: 'src/internal.ts', testing: 'src/testing/index.ts' },
    sharedChunks: true,
  }),
);
