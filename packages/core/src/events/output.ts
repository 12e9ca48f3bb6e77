/**
 * The events Switchyard sends, in LaunchDarkly's schema 4 (`X-LaunchDarkly-Event-Schema: 4`). These are
 * the JSON shapes on the wire: an analytics payload is a JSON array of {@link OutputEvent}s posted to
 * `{eventsUri}/bulk`; a diagnostic event is one object posted to `{eventsUri}/diagnostic`. All dates are
 * epoch milliseconds.
 */
import type { LDEvaluationReason } from '../evaluation/reasons.js';
import type { JsonValue } from '../value/json.js';

/**
 * A context as it appears in events: LaunchDarkly's plain shape after redaction. A single-kind context has
 * `kind`, `key` and its attributes; a multi-kind one is `{ kind: 'multi', <kind>: {...} }`. Redacted
 * attributes are gone and listed (sorted, as attribute references) in `_meta.redactedAttributes`.
 */
export type OutputContext = { readonly [name: string]: JsonValue };

/** Sent once per context (by canonical key, per deduplication window) so the service learns its attributes. */
export interface IndexOutputEvent {
  readonly kind: 'index';
  readonly creationDate: number;
  readonly context: OutputContext;
}

/**
 * A full evaluation event. `feature` events are sent for tracked flags and experiments (anonymous contexts
 * fully redacted); `debug` events while the flag's `debugEventsUntilDate` is in the future (context not
 * anonymous-redacted).
 */
export interface FeatureOutputEvent {
  readonly kind: 'feature' | 'debug';
  readonly creationDate: number;
  readonly context: OutputContext;
  readonly key: string;
  readonly value: JsonValue;
  readonly default: JsonValue;
  /** Absent when the default was served. */
  readonly variation?: number;
  /** Absent for a flag that was not found. */
  readonly version?: number;
  /** Set for a prerequisite evaluation: the flag that required it. */
  readonly prereqOf?: string;
  /** For `*Detail` calls and experiments. */
  readonly reason?: LDEvaluationReason;
  /** The flag's sampling ratio; absent when it is 1. */
  readonly samplingRatio?: number;
}

/** `track(key, context, data, metricValue)`. */
export interface CustomOutputEvent {
  readonly kind: 'custom';
  readonly creationDate: number;
  readonly context: OutputContext;
  readonly key: string;
  readonly data?: JsonValue;
  readonly metricValue?: number;
}

/** `identify(context)`. */
export interface IdentifyOutputEvent {
  readonly kind: 'identify';
  readonly creationDate: number;
  readonly context: OutputContext;
}

/** One counter of a summary: how often one variation of one flag version was served. */
export interface SummaryCounter {
  readonly value: JsonValue;
  readonly count: number;
  /** Absent when the default was served. */
  readonly variation?: number;
  /** Absent (and `unknown: true` set) for a flag that was not found. */
  readonly version?: number;
  readonly unknown?: true;
}

/** Every evaluation of one flag in the summary window. */
export interface FlagSummary {
  /** The caller's default value (of the first evaluation counted). */
  readonly default: JsonValue;
  /** The context kinds the flag was evaluated for. */
  readonly contextKinds: readonly string[];
  readonly counters: readonly SummaryCounter[];
}

/** Evaluation counts for the window `startDate`..`endDate`, one per payload. */
export interface SummaryOutputEvent {
  readonly kind: 'summary';
  readonly startDate: number;
  readonly endDate: number;
  readonly features: { readonly [flagKey: string]: FlagSummary };
}

/** The migration flag evaluation a `migration_op` event reports (LaunchDarkly's `LDMigrationEvaluation`). */
export interface MigrationOpEvaluation {
  readonly key: string;
  /** The stage served (the default stage when none was). */
  readonly value: JsonValue;
  /** The caller's default stage. */
  readonly default: JsonValue;
  readonly reason: LDEvaluationReason;
  /** Absent when the default was served. */
  readonly variation?: number;
  /** Absent for a flag that was not found. */
  readonly version?: number;
}

/**
 * One measurement of a migration operation: which origins ran (`invoked`), whether their results agreed
 * (`consistent`, with the flag's `checkRatio` as `samplingRatio`), how long each took (`latency_ms`,
 * milliseconds, fractions allowed) and which failed (`error`).
 */
export type MigrationOpMeasurement =
  | { readonly key: 'invoked'; readonly values: { readonly old?: boolean; readonly new?: boolean } }
  | { readonly key: 'consistent'; readonly value: boolean; readonly samplingRatio: number }
  | { readonly key: 'latency_ms'; readonly values: { readonly old?: number; readonly new?: number } }
  | { readonly key: 'error'; readonly values: { readonly old?: boolean; readonly new?: boolean } };

/** What one migration read or write did (`migration_op`); sent as LaunchDarkly's server SDKs send it. */
export interface MigrationOpOutputEvent {
  readonly kind: 'migration_op';
  readonly creationDate: number;
  readonly operation: 'read' | 'write';
  /** The context, redacted as in custom events. */
  readonly context?: OutputContext;
  /** LaunchDarkly's deprecated alternative to `context`: kind → key. */
  readonly contextKeys?: { readonly [kind: string]: string };
  readonly evaluation: MigrationOpEvaluation;
  readonly measurements: readonly MigrationOpMeasurement[];
  /** The flag's sampling ratio; absent when it is 1. */
  readonly samplingRatio?: number;
}

/** Any event in an analytics payload. */
export type OutputEvent =
  | IndexOutputEvent
  | FeatureOutputEvent
  | CustomOutputEvent
  | IdentifyOutputEvent
  | SummaryOutputEvent
  | MigrationOpOutputEvent;

/** Identifies an SDK instance in diagnostic events. */
export interface DiagnosticId {
  /** A random UUID per SDK instance. */
  readonly diagnosticId: string;
  /** The last 6 characters of the SDK key (never the whole key). */
  readonly sdkKeySuffix: string;
}

/** One stream connection attempt, as the streaming data source reports it. */
export interface StreamInitRecord {
  /** When the attempt started (epoch ms). */
  readonly timestamp: number;
  /** True if it failed (or timed out) before the first full data set arrived. */
  readonly failed: boolean;
  /** From the start of the attempt until it succeeded or was given up. */
  readonly durationMillis: number;
}

/** The SDK's name and version in `diagnostic-init`. */
export interface DiagnosticSdkData {
  readonly name: string;
  readonly version: string;
  readonly userAgentBase?: string;
  readonly wrapperName?: string;
  readonly wrapperVersion?: string;
}

/** The runtime in `diagnostic-init` (`{ name: 'Node', osArch, osName, osVersion, nodeVersion }` in Node). */
export type DiagnosticPlatformData = { readonly name: string } & { readonly [field: string]: JsonValue | undefined };

/**
 * The configuration in `diagnostic-init`, with LaunchDarkly's field names (`eventsCapacity`,
 * `eventsFlushIntervalMillis`, `streamingDisabled`, `dataStoreType`, …). Values are JSON.
 */
export type DiagnosticConfiguration = { readonly [field: string]: JsonValue | undefined };

/** Sent once when the event processor starts. */
export interface DiagnosticInitEvent {
  readonly kind: 'diagnostic-init';
  readonly id: DiagnosticId;
  readonly creationDate: number;
  readonly sdk: DiagnosticSdkData;
  readonly configuration: DiagnosticConfiguration;
  readonly platform: DiagnosticPlatformData;
}

/** Sent every `diagnosticRecordingInterval`: counters since the previous one. */
export interface DiagnosticStatsEvent {
  readonly kind: 'diagnostic';
  readonly id: DiagnosticId;
  readonly creationDate: number;
  readonly dataSinceDate: number;
  /** Events dropped because the queue was full. */
  readonly droppedEvents: number;
  /** Evaluations and custom events whose context was already indexed. */
  readonly deduplicatedUsers: number;
  /** Events in the last analytics payload (summary included). */
  readonly eventsInLastBatch: number;
  readonly streamInits: readonly StreamInitRecord[];
}
