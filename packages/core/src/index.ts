/**
 * `@switchyard/core`: the platform-neutral heart of Switchyard. No Node.js APIs are used here (the
 * package type-checks without `@types/node`), so it runs anywhere JavaScript does.
 *
 * The root holds what applications and store authors use: values, contexts, the flag model's types,
 * evaluation results, errors, the logger interface, the data-store contracts with the caching wrapper
 * and the helpers every store uses, and the analytics event pipeline. The machinery that Switchyard's
 * own packages share (the evaluator, `PENDING`, `ListenerSet`, …) is in `@switchyard/core/internal`,
 * which makes no semver promise. `src/exports.test.ts` lists both, name by name: a new root export is
 * a deliberate change.
 *
 * @packageDocumentation
 */

// --- errors and logging ---------------------------------------------------------------------
export * from './errors/index.js';
export * from './logging/index.js';

// --- values, contexts and the flag model ----------------------------------------------------
export { LDValue } from './value/index.js';
export type { JsonValue, JsonPrimitive, JsonType } from './value/index.js';
export * from './context/index.js';
export { parseFlag, parseSegment } from './model/index.js';
export type {
  Flag,
  FlagRule,
  Rollout,
  WeightedVariation,
  VariationOrRollout,
  Prerequisite,
  TargetCheck,
  FlagMigrationSettings,
  Segment,
  SegmentRule,
  SegmentTarget,
  Clause,
  ClauseOperator,
} from './model/index.js';

// --- evaluation results ---------------------------------------------------------------------
export type {
  ReasonKind,
  ErrorKind,
  BigSegmentsStatus,
  LDEvaluationReason,
  LDEvaluationDetail,
  LDFlagsState,
  LDFlagsStateOptions,
  FlagMetadata,
} from './evaluation/index.js';

// --- data stores ----------------------------------------------------------------------------
// The contracts (DataStore, PersistentDataStore, BigSegmentStore), the in-memory store, the caching
// PersistentStoreWrapper, the item guard and the helpers every store package uses (option checks,
// backoff, versions in JSON). See store/index.ts and core's README, "Persistent stores".
export { DataKinds, type DataKind, type VersionedItem } from './store/index.js';
export type {
  DataStore,
  DataStoreMetrics,
  DataStoreOperationInfo,
  DataStoreStatus,
  DataStoreStatusProvider,
  FullDataSet,
  Unsubscribe,
} from './store/index.js';
export { InMemoryDataStore } from './store/index.js';
export {
  DEFAULT_MAX_ITEM_BYTES,
  type KeyedSerializedItem,
  type PersistentDataStore,
  type PersistentStoreKind,
  type SerializedCollection,
  type SerializedItem,
  type UpsertResult,
} from './store/index.js';
export { PersistentStoreWrapper, type CacheMode, type PersistentStoreWrapperOptions } from './store/index.js';
export { ItemTooLargeError, createItemGuard, defaultItemByteLength, type ItemGuard } from './store/index.js';
export { versionInJson, jitteredBackoffMs, storeDelay } from './store/index.js';
export { storeOptionChecks, describeOptionValue, type StoreOptionChecks } from './store/index.js';
export type {
  BigSegmentStore,
  BigSegmentStoreMembership,
  BigSegmentStoreMetadata,
  BigSegmentStoreStatus,
  BigSegmentStoreStatusProvider,
} from './store/index.js';

// --- analytics events -----------------------------------------------------------------------
// The pipeline node-server re-exports (a custom EventSender plugs into it) and the types of its methods.
export { DefaultEventProcessor, type DefaultEventProcessorOptions, type EventProcessorStats } from './events/index.js';
export { DiagnosticsManager, type DiagnosticsManagerOptions } from './events/index.js';
export type {
  EventProcessor,
  EvaluationEvent,
  UnknownFlagEvent,
  CustomEvent,
  IdentifyEvent,
  MigrationOpEvent,
  EventSender,
  EventPayloadKind,
  EventDeliveryResult,
  OutputEvent,
  OutputContext,
  IndexOutputEvent,
  FeatureOutputEvent,
  CustomOutputEvent,
  IdentifyOutputEvent,
  SummaryOutputEvent,
  MigrationOpOutputEvent,
  MigrationOpEvaluation,
  MigrationOpMeasurement,
  SummaryCounter,
  FlagSummary,
  DiagnosticId,
  DiagnosticSdkData,
  DiagnosticPlatformData,
  DiagnosticConfiguration,
  DiagnosticInitEvent,
  DiagnosticStatsEvent,
  StreamInitRecord,
} from './events/index.js';
