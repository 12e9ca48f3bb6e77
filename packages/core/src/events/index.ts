export { nullEventProcessor, recordEvaluationWithPrerequisites } from './api.js';
export type { EventProcessor, EvaluationEvent, UnknownFlagEvent, CustomEvent, IdentifyEvent } from './api.js';
export type { MigrationOpEvent } from './migration-op.js';
export { DefaultEventProcessor, type DefaultEventProcessorOptions, type EventProcessorStats } from './processor.js';
export type { EventSender, EventPayloadKind, EventDeliveryResult } from './sender.js';
export { ContextFormatter, type ContextFormatterOptions } from './context-formatter.js';
export { DiagnosticsManager, type DiagnosticsManagerOptions } from './diagnostics.js';
export { randomUuid } from './uuid.js';
export type {
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
} from './output.js';
