import { defineConfig } from 'tsup';
import { switchyardTsup } from '@switchyard/tsup-config';

// An application, not a library: ESM only (main.ts uses top-level await).
export default defineConfig({ ...switchyardTsup({ entry: { index: 'src/index.ts', main: 'src/main.ts' } }), format: ['esm'] });
