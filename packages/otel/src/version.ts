import { version } from '../package.json';

/** This package's name: the instrumentation scope of its tracer and meter, and the plugin's name. */
export const PACKAGE_NAME = '@switchyard/otel';

/** This package's version: the instrumentation scope's version. */
export const PACKAGE_VERSION: string = version;
