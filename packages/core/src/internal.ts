/**
 * `@switchyard/core/internal`: the machinery Switchyard's own packages share (node-server, and the
 * private apps and tooling of this repository): the evaluator and its `PENDING` lookup answer, the
 * helpers that turn its results into details, `allFlagsState` and analytics events, `ListenerSet`, the
 * big-segment wrapper, JSON freezing, and the platform-neutral hashes.
 *
 * **Not a public API, no semver promise.** It is a contract between Switchyard packages at matching
 * versions: node-server depends on the core it was released with (`^`, raised by changesets on every
 * core release), the apps and tooling of this repository use the workspace's core. So a change here
 * need not be announced, but one that a released node-server would not survive ships in a core release
 * outside that node-server's range (while core is 0.x: a minor). Applications use
 * `@switchyard/node-server`; store authors, and this repository's store packages (their peer range
 * spans core minors), use the root, `@switchyard/core`, and never this subpath.
 *
 * The root and this entry share one copy of every module in each build (ESM or CommonJS), so a
 * `Context` made with the root's `Context.from` is the `Context` the evaluator here expects.
 * `src/exports.test.ts` lists what each entry exports.
 *
 * @packageDocumentation
 */

// --- evaluation -----------------------------------------------------------------------------
export { Evaluator, evaluateAsync, PENDING, MAX_NESTING_DEPTH } from './evaluation/index.js';
export type { EvaluationData, AsyncEvaluationData, BigSegmentLookup, BigSegmentMembership } from './evaluation/index.js';
export type { EvaluationResult, PrerequisiteEvaluation } from './evaluation/index.js';
export { Reasons, worseBigSegmentsStatus } from './evaluation/index.js';
export { toDetail, errorDetail, precheck } from './evaluation/index.js';
export { FlagsStateBuilder, isExperiment, secureModeHash } from './evaluation/index.js';
export { bucketContext, KEY_ATTRIBUTE } from './evaluation/index.js';

// --- the flag model's parsers ---------------------------------------------------------------
export { parseDate, parseSemVer, compareSemVer, type SemVer } from './model/index.js';

// --- values ---------------------------------------------------------------------------------
export { toFrozenJson, toFrozenAttributes, freezeParsedJson, jsonEquals, jsonTypeOf } from './value/index.js';

// --- data stores ----------------------------------------------------------------------------
export { defaultDependencyKeys, itemDependencies, type ItemDependency } from './store/index.js';
export { sortDataSet, type SortedCollection } from './store/index.js';
export { ListenerSet } from './store/index.js';
export {
  BigSegmentStoreWrapper,
  type BigSegmentMembershipResult,
  type BigSegmentMembershipStatus,
  type BigSegmentStoreWrapperOptions,
} from './store/index.js';

// --- analytics events -----------------------------------------------------------------------
export { nullEventProcessor, recordEvaluationWithPrerequisites } from './events/index.js';
export { ContextFormatter, type ContextFormatterOptions } from './events/index.js';
export { randomUuid } from './events/index.js';

// --- crypto (platform-neutral hashes used by bucketing, big segments and secure mode) --------
export { sha1Hex, sha256Base64, hmacSha256, toHex } from './crypto/index.js';
