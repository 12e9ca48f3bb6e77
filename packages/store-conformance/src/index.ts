/**
 * `@switchyard/store-conformance`: the shared persistent-store test suite (vitest), run by every
 * Switchyard store and usable by third-party stores. LaunchDarkly's Go `storetest` suite (31 cases) plus
 * Switchyard's additions, the big-segment store cases, and the interop data set and checks that compare
 * a store with LaunchDarkly's own integration for the same database.
 *
 * @packageDocumentation
 */
export type { ConformanceHarness, CompleteConformanceHarness, ConformanceHook, BigSegmentConformanceHarness } from './harness.js';
export { runPersistentStoreConformance } from './persistent-store-suite.js';
export { runBigSegmentStoreConformance } from './big-segment-suite.js';
export {
  interopData,
  INTEROP_DEFAULT,
  evaluateInterop,
  interopMismatches,
  interopExpectedItems,
  expectMeaningfulInteropResults,
  loadInteropData,
  initializeAndClose,
  type InteropTestData,
  type InteropWriterClient,
  type InteropJson,
  type InteropDetail,
  type InteropRow,
  type InteropEvaluate,
} from './interop.js';
export { runInteropSuite, type InteropHarness, type InteropReading } from './interop-suite.js';
export { expectConfigError } from './config-errors.js';
