import type { EventEmitter } from 'node:events';

import type {
  BigSegmentStoreStatusProvider,
  DataStoreStatusProvider,
  EventProcessorStats,
  LDContext,
  LDEvaluationDetail,
  LDFlagsState,
  LDFlagsStateOptions,
  LDLogger,
} from '@switchyard/core';

import type { DataSourceStatusProvider } from '../data-sources/status.js';
import type { EvaluationMetadata, Hook } from '../hooks.js';
import type { LDMigrationOpEvent, LDMigrationStage, LDMigrationVariation } from '../migrations/types.js';

/** Options of {@link LDClient.waitForInitialization}. */
export interface LDWaitForInitializationOptions {
  /**
   * How long to wait, in **seconds** (LaunchDarkly's unit). Without it the promise waits as long as it
   * takes (a warning is logged); over 60 s a warning recommends less.
   */
  timeout?: number;
}

/** Options of {@link LDClient.variationDetailWithMetadata}. */
export interface LDVariationMetadataOptions {
  /**
   * Checks the value's type as `boolVariationDetail`, `numberVariationDetail` and `stringVariationDetail`
   * do: a value of another type gives the default with reason `WRONG_TYPE` (and the events and hooks of
   * that method). Without it the value is not checked (`variationDetail`).
   */
  type?: 'boolean' | 'number' | 'string';
}

/** {@link LDClient.variationDetailWithMetadata}'s result (frozen). */
export interface LDEvaluationDetailWithMetadata {
  readonly detail: LDEvaluationDetail;
  readonly metadata: EvaluationMetadata;
}

/** `variationDetail`'s result with a typed value. */
export type LDEvaluationDetailTyped<T> = LDEvaluationDetail<T>;

/**
 * The client API: LaunchDarkly's `LDClient` for Node.js, plus synchronous evaluation methods and status
 * providers. It is an `EventEmitter` with the events:
 *
 * - `'ready'`: once, when the first full data set has been received;
 * - `'failed'` (error): the data source failed permanently (e.g. HTTP 401: wrong SDK key);
 * - `'error'` (error): unknown flags, invalid contexts, malformed data, permanent failures. Emitted only
 *   when a listener is registered; otherwise logged at error level (so it can never crash the process);
 * - `'update'` and `'update:<flagKey>'` (`{ key }`): a flag's configuration changed, including through a
 *   prerequisite or a segment it uses.
 *
 * Evaluation never throws and never rejects: problems give the default value and an error reason.
 */
export interface LDClient extends EventEmitter {
  /** True once the data source delivered its first full data set (offline and daemon mode: at once). */
  initialized(): boolean;
  /**
   * Resolves with the client when it is initialized; rejects with the data source's error on a
   * permanent failure, or with an `LDTimeoutError` (core's `TimeoutError`) after `options.timeout` seconds (the client keeps trying
   * in the background and, if the data store holds data, serves it meanwhile).
   */
  waitForInitialization(options?: LDWaitForInitializationOptions): Promise<LDClient>;

  /** The flag's value for the context, or `defaultValue`. The optional callback gets `(null, value)`. */
  variation(key: string, context: LDContext, defaultValue: unknown, callback?: (err: unknown, value: unknown) => void): Promise<unknown>;
  /** Value, variation index and reason. The optional callback gets `(null, detail)`. */
  variationDetail(
    key: string,
    context: LDContext,
    defaultValue: unknown,
    callback?: (err: unknown, detail: LDEvaluationDetail) => void,
  ): Promise<LDEvaluationDetail>;
  /** A boolean flag's value; a non-boolean value gives `defaultValue` (reason `WRONG_TYPE`). */
  boolVariation(key: string, context: LDContext, defaultValue: boolean): Promise<boolean>;
  numberVariation(key: string, context: LDContext, defaultValue: number): Promise<number>;
  stringVariation(key: string, context: LDContext, defaultValue: string): Promise<string>;
  /** Any JSON value (deeply frozen; no type check). */
  jsonVariation(key: string, context: LDContext, defaultValue: unknown): Promise<unknown>;
  boolVariationDetail(key: string, context: LDContext, defaultValue: boolean): Promise<LDEvaluationDetailTyped<boolean>>;
  numberVariationDetail(key: string, context: LDContext, defaultValue: number): Promise<LDEvaluationDetailTyped<number>>;
  stringVariationDetail(key: string, context: LDContext, defaultValue: string): Promise<LDEvaluationDetailTyped<string>>;
  jsonVariationDetail(key: string, context: LDContext, defaultValue: unknown): Promise<LDEvaluationDetailTyped<unknown>>;

  /**
   * `variationDetail` plus what the evaluation used (Switchyard only): the flag's version and the
   * context's canonical key and kinds, for integrations such as `@switchyard/openfeature` (flag
   * metadata) and tracing. Records the same analytics events and runs the same hooks as
   * `variationDetail`, or as the typed detail method when `options.type` is given. Never rejects.
   */
  variationDetailWithMetadata(
    key: string,
    context: LDContext,
    defaultValue: unknown,
    options?: LDVariationMetadataOptions,
  ): Promise<LDEvaluationDetailWithMetadata>;

  /**
   * Synchronous `variation` (Switchyard only): answers from memory without a promise. When the data is
   * not in memory (a persistent store's cache miss, big segments, a client not yet initialized whose
   * store state is unknown) it returns `defaultValue` with reason `CLIENT_NOT_READY` and loads the data
   * in the background, so a later call can answer.
   */
  variationSync(key: string, context: LDContext, defaultValue: unknown): unknown;
  /** Synchronous `variationDetail` (see {@link LDClient.variationSync}). */
  variationDetailSync(key: string, context: LDContext, defaultValue: unknown): LDEvaluationDetail;
  boolVariationSync(key: string, context: LDContext, defaultValue: boolean): boolean;
  numberVariationSync(key: string, context: LDContext, defaultValue: number): number;
  stringVariationSync(key: string, context: LDContext, defaultValue: string): string;
  jsonVariationSync(key: string, context: LDContext, defaultValue: unknown): unknown;
  boolVariationDetailSync(key: string, context: LDContext, defaultValue: boolean): LDEvaluationDetailTyped<boolean>;
  numberVariationDetailSync(key: string, context: LDContext, defaultValue: number): LDEvaluationDetailTyped<number>;
  stringVariationDetailSync(key: string, context: LDContext, defaultValue: string): LDEvaluationDetailTyped<string>;
  jsonVariationDetailSync(key: string, context: LDContext, defaultValue: unknown): LDEvaluationDetailTyped<unknown>;

  /** Every flag's value for the context (for client-side bootstrap). Sends no analytics events. */
  allFlagsState(
    context: LDContext,
    options?: LDFlagsStateOptions,
    callback?: (err: Error | null, state: LDFlagsState) => void,
  ): Promise<LDFlagsState>;
  /** HMAC-SHA256 (hex) of the context's canonical key with the SDK key. Throws for an invalid context. */
  secureModeHash(context: LDContext): string;
  /** Records a custom event. An invalid context logs a warning and sends nothing. */
  track(key: string, context: LDContext, data?: unknown, metricValue?: number): void;
  /** Records an identify event. */
  identify(context: LDContext): void;
  /**
   * Evaluates a migration flag: its stage for the context and a tracker for the operation (see
   * `createMigration`, which uses both). A flag value that is not a stage gives `defaultStage` (reason
   * `ERROR`/`WRONG_TYPE`, and `error` is emitted); the analytics events are those of `variationDetail`.
   * Never rejects.
   */
  migrationVariation(key: string, context: LDContext, defaultStage: LDMigrationStage): Promise<LDMigrationVariation>;
  /**
   * Records a migration operation event (`tracker.createEvent()`), sampled by the flag's `samplingRatio`.
   * An event that is not valid (no operation, no valid context, no evaluation) is not sent and a warning
   * is logged. Never throws.
   */
  trackMigration(event: LDMigrationOpEvent): void;
  /** Delivers pending analytics events now. The optional callback gets `(null, true)` or `(err, false)`. */
  flush(callback?: (err: Error | null, res: boolean) => void): Promise<void>;
  /**
   * Stops the data source, delivers the analytics events still pending (unlike LaunchDarkly's Node SDK,
   * whose `close()` drops them), closes the store and releases every connection and timer, so the process
   * can exit. Resolves within a bound (5 s per component) even if a component hangs. Idempotent.
   */
  close(): Promise<void>;
  /** True in offline mode. */
  isOffline(): boolean;
  /**
   * The analytics event processor's counters (Switchyard only): queue depth, dropped events, payloads
   * delivered and dropped; for monitoring (e.g. `@switchyard/otel`). `undefined` when events are off
   * (`sendEvents: false`, offline) or the processor keeps no counters (a cluster worker's, which forwards
   * its events to the primary).
   */
  getEventProcessorStats(): EventProcessorStats | undefined;
  /** Adds an evaluation hook. */
  addHook(hook: Hook): void;
  /** The logger the client uses. */
  readonly logger: LDLogger;
  /** Status of the data source (streaming, polling, file…). */
  readonly dataSourceStatusProvider: DataSourceStatusProvider;
  /** Status of the data store (persistent stores can fail and recover). */
  readonly dataStoreStatusProvider: DataStoreStatusProvider;
  /** Status of the big-segment store (`getStatus()` is undefined when none is configured). */
  readonly bigSegmentStoreStatusProvider: BigSegmentStoreStatusProvider;
}
