import { defineConfig } from 'tsup';
import { switchyardTsup } from '@switchyard/tsup-config';

export default defineConfig(switchyardTsup());
