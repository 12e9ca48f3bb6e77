import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';

import {
  Context,
  type BigSegmentStoreStatusProvider,
  type DataStore,
  type DataStoreStatusProvider,
  type EventProcessorStats,
  type LDContext,
  type LDEvaluationDetail,
  type LDFlagsState,
  type LDFlagsStateOptions,
  type LDLogger,
} from '@switchyard/core';

import type { DataSourceStatusProvider } from '../data-sources/status.js';
import { LDClientError } from '../errors.js';
import type { ClientEventProcessor } from '../events/event-processor.js';
import type { EvaluationMetadataSink, Hook, HookRunner } from '../hooks.js';
import { recordMigrationEvent } from '../migrations/client-support.js';
import type { LDMigrationOpEvent, LDMigrationStage, LDMigrationVariation } from '../migrations/types.js';
import type { LDOptions } from '../options.js';
import { AllFlags } from './all-flags.js';
import type { LDClient, LDEvaluationDetailTyped, LDEvaluationDetailWithMetadata, LDVariationMetadataOptions, LDWaitForInitializationOptions } from './api.js';
import { ClientEvaluation, METHOD, TYPED_DETAIL_METHOD, isPromise, type ValueType } from './evaluation.js';
import { ClientLifecycle } from './lifecycle.js';
import { PREFIX, messageOf } from './messages.js';
import { assembleClient, connectDataSource, type ClientInternalOptions, type ClientParts } from './wiring.js';

export type { ClientInternalOptions } from './wiring.js';

/** A big-segment status provider for a client without big segments. */
const NO_BIG_SEGMENTS: BigSegmentStoreStatusProvider = Object.freeze({
  getStatus: () => undefined,
  requireStatus: () => Promise.resolve(Object.freeze({ available: false, stale: false })),
  on: () => () => undefined,
  off: () => undefined,
});

/**
 * The Switchyard client (what {@link init} returns). See {@link LDClient} for the API.
 *
 * A facade: its parts are built from the options in `wiring.ts`, its life (initialization, `error`
 * events, `close`) is `lifecycle.ts`, every variation method goes through the evaluation routine in
 * `evaluation.ts` (the hot path, synchronous when the data is in memory), and `allFlagsState` is
 * `all-flags.ts`. What is left here is the public method list and the small analytics calls.
 */
export class SwitchyardClient extends EventEmitter implements LDClient {
  private readonly _sdkKey: string;
  private readonly _logger: LDLogger;
  private readonly _offline: boolean;
  private readonly _store: DataStore;
  private readonly _parts: ClientParts;
  private readonly _processor: ClientEventProcessor;
  private readonly _eventsOn: boolean;
  private readonly _hooks: HookRunner;
  private readonly _lifecycle: ClientLifecycle;
  private readonly _evaluation: ClientEvaluation;
  private readonly _allFlags: AllFlags;

  constructor(sdkKey: string, options: LDOptions = {}, internal: ClientInternalOptions = {}) {
    super();
    const parts = assembleClient(sdkKey, options, internal, {
      hasListeners: () => this.eventNames().some((n) => n === 'update' || (typeof n === 'string' && n.startsWith('update:'))),
      onChange: (key) => {
        this.emit('update', { key });
        this.emit(`update:${key}`, { key });
      },
      onError: (err) => this._lifecycle.emitError(err),
      onApplied: (change) => this._lifecycle.hub?.applied(change),
    });
    this._parts = parts;
    this._sdkKey = parts.sdkKey;
    this._logger = parts.logger;
    this._offline = parts.offline;
    this._store = parts.store;
    this._processor = parts.processor;
    this._eventsOn = parts.eventsOn;
    this._hooks = parts.hooks;
    const lifecycle = new ClientLifecycle(this, parts, internal.closeTimeoutMs ?? 5000);
    const evaluation = new ClientEvaluation(parts, lifecycle);
    this._lifecycle = lifecycle;
    this._evaluation = evaluation;
    this._allFlags = new AllFlags(parts, lifecycle);

    const { dataSource, hub } = connectDataSource(parts, internal, {
      initSuccess: () => lifecycle.initSuccess(),
      failed: (err) => lifecycle.dataSourceFailed(err),
      environmentId: (id) => {
        evaluation.environmentId = id;
      },
    });
    lifecycle.start(dataSource, hub);
    for (const plugin of parts.config.plugins) {
      try {
        plugin.register(this, parts.environment);
      } catch (err) {
        this._logger.error(`${PREFIX} a plugin failed to register: ${messageOf(err)}`);
      }
    }
  }

  // --- lifecycle -----------------------------------------------------------------------------

  get logger(): LDLogger {
    return this._logger;
  }

  get dataSourceStatusProvider(): DataSourceStatusProvider {
    return this._parts.status;
  }

  get dataStoreStatusProvider(): DataStoreStatusProvider {
    return this._store.status;
  }

  get bigSegmentStoreStatusProvider(): BigSegmentStoreStatusProvider {
    return this._parts.bigSegments?.status ?? NO_BIG_SEGMENTS;
  }

  initialized(): boolean {
    return this._lifecycle.initState === 'initialized';
  }

  isOffline(): boolean {
    return this._offline;
  }

  addHook(hook: Hook): void {
    this._hooks.add(hook);
  }

  waitForInitialization(options?: LDWaitForInitializationOptions): Promise<LDClient> {
    return this._lifecycle.waitForInitialization(options);
  }

  close(): Promise<void> {
    return this._lifecycle.close();
  }

  // --- evaluation ----------------------------------------------------------------------------

  variation(key: string, context: LDContext, defaultValue: unknown, callback?: (err: unknown, value: unknown) => void): Promise<unknown> {
    const detail = this._evaluation.detail(key, context, defaultValue, false, undefined, METHOD.variation);
    if (!isPromise(detail)) {
      callback?.(null, detail.value);
      return Promise.resolve(detail.value);
    }
    return detail.then((d) => {
      callback?.(null, d.value);
      return d.value;
    });
  }

  variationDetailWithMetadata(
    key: string,
    context: LDContext,
    defaultValue: unknown,
    options?: LDVariationMetadataOptions,
  ): Promise<LDEvaluationDetailWithMetadata> {
    const type = options?.type;
    const method = type === undefined ? METHOD.variationDetail : TYPED_DETAIL_METHOD[type];
    if (method === undefined) {
      this._logger.warn(`${PREFIX} variationDetailWithMetadata: unknown type ${JSON.stringify(type)}; the value is not type-checked`);
    }
    const metadata: EvaluationMetadataSink = {};
    const detail = this._evaluation.detail(key, context, defaultValue, true, method === undefined ? undefined : type, method ?? METHOD.variationDetail, metadata);
    const wrap = (d: LDEvaluationDetail): LDEvaluationDetailWithMetadata => Object.freeze({ detail: d, metadata: Object.freeze({ ...metadata }) });
    return isPromise(detail) ? detail.then(wrap) : Promise.resolve(wrap(detail));
  }

  getEventProcessorStats(): EventProcessorStats | undefined {
    return this._eventsOn ? this._processor.stats?.() : undefined;
  }

  variationDetail(
    key: string,
    context: LDContext,
    defaultValue: unknown,
    callback?: (err: unknown, detail: LDEvaluationDetail) => void,
  ): Promise<LDEvaluationDetail> {
    const detail = this._evaluation.detail(key, context, defaultValue, true, undefined, METHOD.variationDetail);
    if (!isPromise(detail)) {
      callback?.(null, detail);
      return Promise.resolve(detail);
    }
    return detail.then((d) => {
      callback?.(null, d);
      return d;
    });
  }

  private _value<T>(key: string, context: unknown, defaultValue: T, type: ValueType | undefined, method: string): Promise<T> {
    const detail = this._evaluation.detail(key, context, defaultValue, false, type, method);
    return isPromise(detail) ? detail.then((d) => d.value as T) : Promise.resolve(detail.value as T);
  }

  private _typedDetail<T>(key: string, context: unknown, defaultValue: T, type: ValueType | undefined, method: string): Promise<LDEvaluationDetailTyped<T>> {
    const detail = this._evaluation.detail(key, context, defaultValue, true, type, method);
    return (isPromise(detail) ? detail : Promise.resolve(detail)) as Promise<LDEvaluationDetailTyped<T>>;
  }

  boolVariation(key: string, context: LDContext, defaultValue: boolean): Promise<boolean> {
    return this._value(key, context, defaultValue, 'boolean', METHOD.bool);
  }

  numberVariation(key: string, context: LDContext, defaultValue: number): Promise<number> {
    return this._value(key, context, defaultValue, 'number', METHOD.number);
  }

  stringVariation(key: string, context: LDContext, defaultValue: string): Promise<string> {
    return this._value(key, context, defaultValue, 'string', METHOD.string);
  }

  jsonVariation(key: string, context: LDContext, defaultValue: unknown): Promise<unknown> {
    return this._value(key, context, defaultValue, undefined, METHOD.json);
  }

  boolVariationDetail(key: string, context: LDContext, defaultValue: boolean): Promise<LDEvaluationDetailTyped<boolean>> {
    return this._typedDetail(key, context, defaultValue, 'boolean', METHOD.boolDetail);
  }

  numberVariationDetail(key: string, context: LDContext, defaultValue: number): Promise<LDEvaluationDetailTyped<number>> {
    return this._typedDetail(key, context, defaultValue, 'number', METHOD.numberDetail);
  }

  stringVariationDetail(key: string, context: LDContext, defaultValue: string): Promise<LDEvaluationDetailTyped<string>> {
    return this._typedDetail(key, context, defaultValue, 'string', METHOD.stringDetail);
  }

  jsonVariationDetail(key: string, context: LDContext, defaultValue: unknown): Promise<LDEvaluationDetailTyped<unknown>> {
    return this._typedDetail(key, context, defaultValue, undefined, METHOD.jsonDetail);
  }

  variationSync(key: string, context: LDContext, defaultValue: unknown): unknown {
    return this._evaluation.detailSync(key, context, defaultValue, false, undefined, METHOD.variation).value;
  }

  variationDetailSync(key: string, context: LDContext, defaultValue: unknown): LDEvaluationDetail {
    return this._evaluation.detailSync(key, context, defaultValue, true, undefined, METHOD.variationDetail);
  }

  boolVariationSync(key: string, context: LDContext, defaultValue: boolean): boolean {
    return this._evaluation.detailSync(key, context, defaultValue, false, 'boolean', METHOD.bool).value as boolean;
  }

  numberVariationSync(key: string, context: LDContext, defaultValue: number): number {
    return this._evaluation.detailSync(key, context, defaultValue, false, 'number', METHOD.number).value as number;
  }

  stringVariationSync(key: string, context: LDContext, defaultValue: string): string {
    return this._evaluation.detailSync(key, context, defaultValue, false, 'string', METHOD.string).value as string;
  }

  jsonVariationSync(key: string, context: LDContext, defaultValue: unknown): unknown {
    return this._evaluation.detailSync(key, context, defaultValue, false, undefined, METHOD.json).value;
  }

  boolVariationDetailSync(key: string, context: LDContext, defaultValue: boolean): LDEvaluationDetailTyped<boolean> {
    return this._evaluation.detailSync(key, context, defaultValue, true, 'boolean', METHOD.boolDetail) as LDEvaluationDetailTyped<boolean>;
  }

  numberVariationDetailSync(key: string, context: LDContext, defaultValue: number): LDEvaluationDetailTyped<number> {
    return this._evaluation.detailSync(key, context, defaultValue, true, 'number', METHOD.numberDetail) as LDEvaluationDetailTyped<number>;
  }

  stringVariationDetailSync(key: string, context: LDContext, defaultValue: string): LDEvaluationDetailTyped<string> {
    return this._evaluation.detailSync(key, context, defaultValue, true, 'string', METHOD.stringDetail) as LDEvaluationDetailTyped<string>;
  }

  jsonVariationDetailSync(key: string, context: LDContext, defaultValue: unknown): LDEvaluationDetailTyped<unknown> {
    return this._evaluation.detailSync(key, context, defaultValue, true, undefined, METHOD.jsonDetail);
  }

  // --- other API -----------------------------------------------------------------------------

  allFlagsState(input: LDContext, options?: LDFlagsStateOptions, callback?: (err: Error | null, state: LDFlagsState) => void): Promise<LDFlagsState> {
    return this._allFlags.state(input, options, callback);
  }

  secureModeHash(input: LDContext): string {
    const context = Context.from(input);
    if (!context.valid) throw new LDClientError(`${PREFIX} could not generate a secure mode hash for an invalid context: ${context.error}`);
    return createHmac('sha256', this._sdkKey).update(context.canonicalKey).digest('hex');
  }

  track(key: string, input: LDContext, data?: unknown, metricValue?: number): void {
    const context = Context.from(input);
    if (!context.valid) {
      this._logger.warn(`${PREFIX} track("${key}") called with an invalid context (${context.error}); no event is sent`);
      return;
    }
    if (metricValue !== undefined && typeof metricValue !== 'number') {
      this._logger.warn(`${PREFIX} track("${key}"): metricValue should be a number, got ${typeof metricValue}`);
    }
    if (!this._eventsOn) return;
    this._processor.recordCustom({
      context,
      key,
      ...(data !== undefined ? { data } : {}),
      ...(metricValue !== undefined ? { metricValue } : {}),
      creationDate: Date.now(),
    });
  }

  migrationVariation(key: string, context: LDContext, defaultStage: LDMigrationStage): Promise<LDMigrationVariation> {
    return this._evaluation.migrationVariation(key, context, defaultStage);
  }

  trackMigration(event: LDMigrationOpEvent): void {
    if (this._eventsOn) recordMigrationEvent(this._processor, this._logger, event);
  }

  identify(input: LDContext): void {
    const context = Context.from(input);
    if (!context.valid) {
      this._logger.warn(`${PREFIX} identify() called with an invalid context (${context.error}); no event is sent`);
      return;
    }
    if (this._eventsOn) this._processor.recordIdentify({ context, creationDate: Date.now() });
  }

  async flush(callback?: (err: Error | null, res: boolean) => void): Promise<void> {
    try {
      await this._processor.flush();
    } catch (err) {
      callback?.(err instanceof Error ? err : new Error(String(err)), false);
      return;
    }
    callback?.(null, true);
  }
}
