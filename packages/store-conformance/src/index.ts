/**
 * `@switchyard/store-conformance`: the shared persistent-store test suite (vitest), run by every
 * Switchyard store and usable by third-party stores. LaunchDarkly's Go `storetest` suite (31 cases) plus
 * Switchyard's additions, and the big-segment store cases.
 *
 * @packageDocumentation
 */
export type { ConformanceHarness, CompleteConformanceHarness, ConformanceHook, BigSegmentConformanceHarness } from './harness.js';
export { runPersistentStoreConformance } from './persistent-store-suite.js';
export { runBigSegmentStoreConformance } from './big-segment-suite.js';
