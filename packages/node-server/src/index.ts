/**
 * `@switchyard/node-server`: the Switchyard SDK for Node.js servers, a drop-in for
 * `@launchdarkly/node-server-sdk` (same `init`, options, methods, events and results). It wires
 * `@switchyard/core` to Node's network and file system; it never depends on a store package (install
 * the one you need next to it).
 *
 * @packageDocumentation
 */

import { AttributeReference } from './attribute-reference.js';
import { DataSourceErrorKind } from './data-sources/status.js';
import {
  LDClientError,
  LDFileDataSourceError,
  LDFlagDeliveryFallbackError,
  LDPollingError,
  LDStreamingError,
  LDTimeoutError,
  LDUnexpectedResponseError,
} from './errors.js';
import { init } from './init.js';
import * as integrations from './integrations/index.js';
import { BasicLogger, basicLogger } from './logging.js';
import {
  createMigration,
  IsMigrationStage,
  LDConcurrentExecution,
  LDConsistencyCheck,
  LDExecution,
  LDExecutionOrdering,
  LDMigrationError,
  LDMigrationStage,
  LDMigrationSuccess,
  LDSerialExecution,
} from './migrations/index.js';
import { PersistentDataStoreWrapper } from './persistent-data-store-wrapper.js';
import { Context } from '@switchyard/core';

// --- client ---------------------------------------------------------------------------------
export { init, sharedClient } from './init.js';
export type {
  LDClient,
  LDEvaluationDetailTyped,
  LDEvaluationDetailWithMetadata,
  LDVariationMetadataOptions,
  LDWaitForInitializationOptions,
} from './client/api.js';
export type {
  LDOptions,
  LDTLSOptions,
  LDProxyOptions,
  LDApplicationInfo,
  LDBigSegmentsOptions,
  LDClusterOptions,
  ResolvedClusterOptions,
  ClientContext,
  Configuration,
} from './options.js';
export { basicLogger, BasicLogger, type BasicLoggerOptions, type LogLevel } from './logging.js';
export { AttributeReference } from './attribute-reference.js';
export { PersistentDataStoreWrapper } from './persistent-data-store-wrapper.js';
export type {
  LDFlagValue,
  LDFlagSet,
  LDLogLevel,
  LDContextMeta,
  LDContextCommon,
  LDPluginMetadata,
  LDPluginEnvironmentMetadata,
  LDPluginSdkMetadata,
  LDPluginApplicationMetadata,
  LDPluginBase,
} from './ld-types.js';

// --- errors (LaunchDarkly's names; every one is a SwitchyardError) ----------------------------
export {
  LDClientError,
  LDTimeoutError,
  LDPollingError,
  LDStreamingError,
  LDFlagDeliveryFallbackError,
  LDFileDataSourceError,
  LDUnexpectedResponseError,
  NetworkError,
  DataSourceError,
  type DataSourceErrorOptions,
} from './errors.js';
export type { Hook, HookMetadata, EvaluationSeriesContext, EvaluationSeriesData, EvaluationMetadata } from './hooks.js';
export type { Plugin, PluginMetadata, EnvironmentMetadata } from './plugins.js';

// --- migrations (LaunchDarkly's technology-migration API) ------------------------------------
export {
  createMigration,
  LDMigrationSuccess,
  LDMigrationError,
  LDMigrationStage,
  IsMigrationStage,
  LDExecutionOrdering,
  LDExecution,
  LDSerialExecution,
  LDConcurrentExecution,
  LDConsistencyCheck,
  type LDMigrationClient,
  type LDMigrationOrigin,
  type LDMigrationOp,
  type LDMethodResult,
  type LDMigrationResult,
  type LDMigrationReadResult,
  type LDMigrationWriteResult,
  type LDMigrationOptions,
  type LDMigration,
  type LDMigrationEvaluation,
  type LDMigrationConsistencyMeasurement,
  type LDMigrationLatencyMeasurement,
  type LDMigrationErrorMeasurement,
  type LDMigrationInvokedMeasurement,
  type LDMigrationMeasurement,
  type LDMigrationOpEvent,
  type LDMigrationTracker,
  type LDMigrationVariation,
} from './migrations/index.js';

// --- data sources ---------------------------------------------------------------------------
export type { DataSourceStatus, DataSourceStatusProvider, DataSourceState, DataSourceErrorInfo } from './data-sources/status.js';
export { DataSourceErrorKind } from './data-sources/status.js';
export type { DataSource } from './data-sources/data-source.js';
// Declared with ClientContext, which it receives (the two refer to each other).
export type { DataSourceFactory } from './options.js';
export type { DataSourceUpdates } from './data-sources/data-source-updates.js';
export type { StreamInitInfo } from './data-sources/streaming.js';
export * as integrations from './integrations/index.js';
export { FileDataSourceFactory, TestData, TestDataFlagBuilder, TestDataRuleBuilder, type FileDataSourceOptions } from './integrations/index.js';
export { loadFlagFile, FlagFileError, type FlagFileContents, type YamlParser } from './flag-file.js';

// --- events ---------------------------------------------------------------------------------
// Analytics events: the event processor seam (the client records through core's EventProcessor), the
// HTTP sender, the processor factory the client plugs in, and a standalone factory from
// LaunchDarkly-style options. The processor itself lives in core.
export {
  createEventProcessor,
  eventProcessorFactory,
  HttpEventSender,
  type EventProcessorContext,
  type EventProcessorFactory,
  type ClientEventProcessor,
  type NodeEventProcessor,
  type LDEventOptions,
  type HttpEventSenderOptions,
  type EventTransport,
} from './events/index.js';
export {
  DefaultEventProcessor,
  DiagnosticsManager,
  type DefaultEventProcessorOptions,
  type EventProcessorStats,
  type EventSender,
  type EventDeliveryResult,
  type EventPayloadKind,
  type OutputEvent,
  type StreamInitRecord,
} from '@switchyard/core';

// --- re-exports from core -------------------------------------------------------------------
export {
  Context,
  DataKinds,
  InMemoryDataStore,
  PersistentStoreWrapper,
  LDValue,
  SwitchyardError,
  TimeoutError,
  ClosedError,
  ConfigError,
  type LDContext,
  type LDSingleKindContext,
  type LDMultiKindContext,
  type LDUser,
  type LDEvaluationDetail,
  type LDEvaluationReason,
  type LDFlagsState,
  type LDFlagsStateOptions,
  type LDLogger,
  type DataStore,
  type DataStoreStatus,
  type DataStoreStatusProvider,
  type DataStoreMetrics,
  type DataStoreOperationInfo,
  type PersistentDataStore,
  type BigSegmentStore,
  type BigSegmentStoreStatus,
  type BigSegmentStoreStatusProvider,
} from '@switchyard/core';

// --- default export ---------------------------------------------------------------------------
/**
 * The default export: the members of `@launchdarkly/node-server-sdk`'s module object that Switchyard
 * has, so `import ld from '@switchyard/node-server'; ld.init(…)` works as it does with LaunchDarkly's
 * SDK. The named exports are the same objects (and the full API); prefer them in new code.
 */
const switchyard = {
  init,
  basicLogger,
  BasicLogger,
  integrations,
  FileDataSourceFactory: integrations.FileDataSourceFactory,
  TestData: integrations.TestData,
  TestDataFlagBuilder: integrations.TestDataFlagBuilder,
  TestDataRuleBuilder: integrations.TestDataRuleBuilder,
  createMigration,
  LDMigrationSuccess,
  LDMigrationError,
  LDMigrationStage,
  IsMigrationStage,
  LDExecutionOrdering,
  LDExecution,
  LDSerialExecution,
  LDConcurrentExecution,
  LDConsistencyCheck,
  PersistentDataStoreWrapper,
  AttributeReference,
  Context,
  DataSourceErrorKind,
  LDClientError,
  LDTimeoutError,
  LDPollingError,
  LDStreamingError,
  LDFlagDeliveryFallbackError,
  LDFileDataSourceError,
  LDUnexpectedResponseError,
};

export default switchyard;
