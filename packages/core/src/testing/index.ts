/**
 * `@switchyard/core/testing`: doubles for tests of applications and stores. Not needed in production
 * code; importing it costs nothing otherwise (separate entry point).
 *
 * @packageDocumentation
 */
export { CapturingLogger, type CapturedLine } from './capturing-logger.js';
export {
  InMemoryPersistentStore,
  InMemoryPersistentBackend,
  type InMemoryPersistentStoreOptions,
  type PersistentStoreOperation,
} from './in-memory-persistent-store.js';
export { InMemoryBigSegmentStore, type BigSegmentStoreOperation } from './in-memory-big-segment-store.js';
