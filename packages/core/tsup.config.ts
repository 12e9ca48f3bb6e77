import { defineConfig } from 'tsup';
import { switchyardTsup } from '@switchyard/tsup-config';

// Platform-neutral: esbuild refuses node built-ins, and the build tsconfig has no Node types.
export default defineConfig(switchyardTsup({ platform: 'neutral', tsconfig: 'tsconfig.build.json' }));
