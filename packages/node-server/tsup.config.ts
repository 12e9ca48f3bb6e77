import { defineConfig } from 'tsup';
import { switchyardTsup } from '@switchyard/tsup-config';

// The build prints one expected warning: "dist/index.cjs is using named and default exports together". That is the
// point: `require('@switchyard/node-server')` gives the named exports at the top and LaunchDarkly's default-export
// object as `.default`, exactly as `require('@launchdarkly/node-server-sdk')` does (checked by tooling/pack-check).
export default defineConfig(switchyardTsup({ entry: { index: 'src/index.ts', integrations: 'src/integrations/index.ts' } }));
