/**
 * `@switchyard/core/testing`: doubles for tests of applications and stores. Not needed in production
 * code; importing it costs nothing otherwise (separate entry point).
 *
 * @packageDocumentation
 */
export { CapturingLogger, type CapturedLine } from './capturing-logger.js';
