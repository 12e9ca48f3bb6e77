/**
 * The local flag service: LaunchDarkly's SDK endpoints, a web page to change flags, and a JSON file.
 * See the README; `main.ts` is the command line.
 */
export { startFlagService, type FlagService } from './service.js';
export { ConfigError, DEFAULT_PORT, DEFAULT_SDK_KEY, isLoopback, type FlagServiceOptions } from './config.js';
export { FlagFile, FlagFileError, type FlagFileData, type FlagFileHooks, type Item } from './flag-file.js';
export { validateFlag, validateSegment, ValidationError } from './validate.js';
