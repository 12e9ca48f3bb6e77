/**
 * The evaluation routine behind every variation method (`*Sync` or not, detail or value, with
 * metadata, `migrationVariation`): the synchronous attempt from memory, the asynchronous fallback, the
 * type check, event recording and the hooks around it.
 *
 * The hot path: the context is read in place (`Context.borrow`), the flag comes from the store's
 * synchronous `getSync`, and evaluation is synchronous; a promise is made only for the returned value
 * (by the caller), and the store is awaited only when it cannot answer from memory. Events, hooks and
 * their allocations happen only when configured.
 */
import { Context, DataKinds, type DataStore, type Flag, type LDContext, type LDEvaluationDetail, type LDLogger } from '@switchyard/core';
import {
  PENDING,
  Reasons,
  errorDetail,
  evaluateAsync,
  recordEvaluationWithPrerequisites,
  toDetail,
  type AsyncEvaluationData,
  type EvaluationData,
  type EvaluationResult,
  type Evaluator,
} from '@switchyard/core/internal';

import { LDClientError } from '../errors.js';
import type { ClientEventProcessor } from '../events/event-processor.js';
import type { EvaluationMetadataSink, EvaluationSeriesContext, HookRunner } from '../hooks.js';
import { migrationVariationResult } from '../migrations/client-support.js';
import type { LDMigrationStage, LDMigrationVariation } from '../migrations/types.js';
import type { ClientLifecycle } from './lifecycle.js';
import { PREFIX, messageOf } from './messages.js';
import type { ClientParts } from './wiring.js';

/** The type a typed variation method checks the value against (`undefined`: not checked). */
export type ValueType = 'boolean' | 'number' | 'string';

/** The method names hooks see. */
export const METHOD = {
  variation: 'LDClient.variation',
  variationDetail: 'LDClient.variationDetail',
  bool: 'LDClient.boolVariation',
  boolDetail: 'LDClient.boolVariationDetail',
  number: 'LDClient.numberVariation',
  numberDetail: 'LDClient.numberVariationDetail',
  string: 'LDClient.stringVariation',
  stringDetail: 'LDClient.stringVariationDetail',
  json: 'LDClient.jsonVariation',
  jsonDetail: 'LDClient.jsonVariationDetail',
  migration: 'LDClient.migrationVariation',
} as const;

/** The typed detail method for `variationDetailWithMetadata`'s `type` option. */
export const TYPED_DETAIL_METHOD: Readonly<Record<string, string>> = {
  boolean: METHOD.boolDetail,
  number: METHOD.numberDetail,
  string: METHOD.stringDetail,
};

export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function describeContext(meta: EvaluationMetadataSink, context: Context): void {
  meta.contextKey = context.canonicalKey;
  meta.contextKinds = context.kinds;
}

export class ClientEvaluation {
  /** The environment id LaunchDarkly sent (hooks see it); set by the data source. */
  environmentId: string | undefined = undefined;

  private readonly _offline: boolean;
  private readonly _logger: LDLogger;
  private readonly _store: DataStore;
  private readonly _evaluator: Evaluator;
  private readonly _sync: EvaluationData;
  private readonly _async: AsyncEvaluationData;
  private readonly _processor: ClientEventProcessor;
  private readonly _eventsOn: boolean;
  private readonly _hooks: HookRunner;
  private _lastKnownWarned = false;
  private _syncMissWarned = false;
  private _syncNoCacheWarned = false;

  constructor(
    parts: ClientParts,
    private readonly _lifecycle: ClientLifecycle,
  ) {
    this._offline = parts.offline;
    this._logger = parts.logger;
    this._store = parts.store;
    this._evaluator = parts.evaluator;
    this._sync = parts.sync;
    this._async = parts.async;
    this._processor = parts.processor;
    this._eventsOn = parts.eventsOn;
    this._hooks = parts.hooks;
  }

  /**
   * Evaluates with hooks (when any): the detail, synchronously when possible. `meta`, when given, is
   * filled in with what the evaluation used (hooks get their own).
   */
  detail(
    key: string,
    context: unknown,
    defaultValue: unknown,
    withReasons: boolean,
    type: ValueType | undefined,
    method: string,
    meta?: EvaluationMetadataSink,
  ): LDEvaluationDetail | Promise<LDEvaluationDetail> {
    if (this._hooks.size === 0) {
      const r = this._evalSync(key, context, defaultValue, withReasons, type, meta);
      return r === PENDING ? this._evalAsync(key, context, defaultValue, withReasons, type, meta) : r;
    }
    const hookContext = this._hookContext(key, context, defaultValue, method);
    const series = this._hooks.before(hookContext);
    const sink: EvaluationMetadataSink = meta ?? {};
    const r = this._evalSync(key, context, defaultValue, withReasons, type, sink);
    if (r !== PENDING) {
      this._hooks.after(series, hookContext, r, sink);
      return r;
    }
    return this._evalAsync(key, context, defaultValue, withReasons, type, sink).then((detail) => {
      this._hooks.after(series, hookContext, detail, sink);
      return detail;
    });
  }

  /** The synchronous methods: never a promise; data not in memory gives the default (`CLIENT_NOT_READY`). */
  detailSync(key: string, context: unknown, defaultValue: unknown, withReasons: boolean, type: ValueType | undefined, method: string): LDEvaluationDetail {
    const hooked = this._hooks.size > 0;
    const hookContext = hooked ? this._hookContext(key, context, defaultValue, method) : undefined;
    const series = hooked ? this._hooks.before(hookContext!) : undefined;
    const meta: EvaluationMetadataSink | undefined = hooked ? {} : undefined;
    let detail = this._evalSync(key, context, defaultValue, withReasons, type, meta);
    if (detail === PENDING) {
      this._warnSyncMiss();
      this._warm(key, context);
      detail = errorDetail('CLIENT_NOT_READY', defaultValue);
      // What a pending evaluation had filled in was not used.
      if (meta) delete meta.flagVersion;
    }
    if (series) this._hooks.after(series, hookContext!, detail, meta!);
    return detail;
  }

  /**
   * `migrationVariation`: variationDetail's evaluation and events (the flag's value, unchecked, as
   * LaunchDarkly records it); the stage check, the tracker and what hooks see are the migrations module's.
   */
  async migrationVariation(key: string, context: LDContext, defaultStage: LDMigrationStage): Promise<LDMigrationVariation> {
    const hookContext = this._hooks.size > 0 ? this._hookContext(key, context, defaultStage, METHOD.migration) : undefined;
    const series = hookContext && this._hooks.before(hookContext);
    const meta: EvaluationMetadataSink = {};
    const sync = this._evalSync(key, context, defaultStage, true, undefined, meta);
    const raw = sync === PENDING ? await this._evalAsync(key, context, defaultStage, true, undefined, meta) : sync;
    let flag: Flag | null | undefined;
    if (meta.flagVersion !== undefined) flag = this._store.getSync(DataKinds.features, key) ?? (await this._store.get(DataKinds.features, key).catch(() => undefined));
    const { detail, variation } = migrationVariationResult({
      key,
      context,
      defaultStage,
      detail: raw,
      flag: flag ?? undefined,
      logger: this._logger,
      onError: (err) => this._lifecycle.emitError(err),
    });
    if (series) this._hooks.after(series, hookContext!, detail, meta);
    return variation;
  }

  /**
   * Evaluates from memory. Returns the detail, or `PENDING` when something must be awaited (store data
   * not in memory, big segments, or whether an uninitialized client's store holds data).
   */
  private _evalSync(
    key: string,
    input: unknown,
    defaultValue: unknown,
    withReasons: boolean,
    type: ValueType | undefined,
    meta?: EvaluationMetadataSink,
  ): LDEvaluationDetail | typeof PENDING {
    if (this._offline) return this._offlineDetail(defaultValue);
    if (this._lifecycle.initState !== 'initialized') {
      if (!this._lifecycle.storeInitialized) return PENDING;
      this._warnLastKnown();
    }
    const context = Context.borrow(input);
    if (!context.valid) return this._invalidContext(context, defaultValue);
    const flag = this._store.getSync(DataKinds.features, key);
    if (flag === undefined) return PENDING;
    if (meta) describeContext(meta, context);
    if (flag === null) return this._unknownFlag(key, context, defaultValue, withReasons);
    // Prerequisite results are needed for events only.
    const result = this._evaluator.evaluate(flag, context, this._eventsOn);
    if (result === PENDING) return PENDING;
    if (meta) meta.flagVersion = flag.version;
    return this._finish(flag, context, result, defaultValue, withReasons, type);
  }

  /** The slow path: awaits the store where it must. Never rejects. */
  private async _evalAsync(
    key: string,
    input: unknown,
    defaultValue: unknown,
    withReasons: boolean,
    type: ValueType | undefined,
    meta?: EvaluationMetadataSink,
  ): Promise<LDEvaluationDetail> {
    if (this._offline) return this._offlineDetail(defaultValue);
    if (this._lifecycle.initState !== 'initialized') {
      if (!(await this._lifecycle.checkStoreInitialized())) {
        this._logger.warn(`${PREFIX} variation called before the client initialized (did you wait for the 'ready' event?); using the default value`);
        return errorDetail('CLIENT_NOT_READY', defaultValue);
      }
      this._warnLastKnown();
    }
    // A copy, not a borrow: the caller may change its object while we wait for the store.
    const context = Context.from(input);
    if (!context.valid) return this._invalidContext(context, defaultValue);
    if (meta) describeContext(meta, context);
    let flag: Flag | null | undefined;
    let result: EvaluationResult;
    try {
      flag = this._store.getSync(DataKinds.features, key);
      if (flag === undefined) flag = await this._store.get(DataKinds.features, key);
      if (flag === null) return this._unknownFlag(key, context, defaultValue, withReasons);
      result = await evaluateAsync(flag, context, this._sync, this._async, this._eventsOn);
      if (meta) meta.flagVersion = flag.version;
    } catch (err) {
      this._logger.error(`${PREFIX} could not evaluate flag "${key}" (the data store failed): ${messageOf(err)}; returning the default value`);
      return errorDetail('EXCEPTION', defaultValue);
    }
    return this._finish(flag, context, result, defaultValue, withReasons, type);
  }

  private _finish(
    flag: Flag,
    context: Context,
    result: EvaluationResult,
    defaultValue: unknown,
    withReasons: boolean,
    type: ValueType | undefined,
  ): LDEvaluationDetail {
    let detail = toDetail(result, defaultValue);
    if (type !== undefined && typeof detail.value !== type) {
      detail = { value: defaultValue, variationIndex: null, reason: Reasons.error('WRONG_TYPE') };
    }
    if (this._eventsOn) {
      recordEvaluationWithPrerequisites(
        this._processor,
        { context, flag, value: detail.value, variationIndex: detail.variationIndex, reason: detail.reason, defaultValue, withReasons, creationDate: Date.now() },
        result.prerequisiteEvaluations,
      );
    }
    return detail;
  }

  private _offlineDetail(defaultValue: unknown): LDEvaluationDetail {
    this._logger.info(`${PREFIX} variation called in offline mode; returning the default value`);
    return errorDetail('CLIENT_NOT_READY', defaultValue);
  }

  private _invalidContext(context: Context, defaultValue: unknown): LDEvaluationDetail {
    this._lifecycle.emitError(new LDClientError(`${PREFIX} ${context.error ?? 'invalid context'}; returning the default value`));
    return errorDetail('USER_NOT_SPECIFIED', defaultValue);
  }

  private _unknownFlag(key: string, context: Context, defaultValue: unknown, withReasons: boolean): LDEvaluationDetail {
    this._lifecycle.emitError(new LDClientError(`${PREFIX} unknown feature flag "${key}"; returning the default value`));
    const detail = errorDetail('FLAG_NOT_FOUND', defaultValue);
    if (this._eventsOn) {
      this._processor.recordUnknownFlag({ context, key, defaultValue, reason: detail.reason, withReasons, creationDate: Date.now() });
    }
    return detail;
  }

  private _warnLastKnown(): void {
    if (this._lastKnownWarned) return;
    this._lastKnownWarned = true;
    this._logger.warn(
      `${PREFIX} variation called before the client initialized; using the last known values from the data store. This message is logged once.`,
    );
  }

  private _hookContext(key: string, context: unknown, defaultValue: unknown, method: string): EvaluationSeriesContext {
    return {
      flagKey: key,
      context: context as LDContext,
      defaultValue,
      method,
      ...(this.environmentId ? { environmentId: this.environmentId } : {}),
    };
  }

  private _warnSyncMiss(): void {
    if (this._store.cacheMode === 'none') {
      if (this._syncNoCacheWarned) return;
      this._syncNoCacheWarned = true;
      this._logger.warn(
        `${PREFIX} a synchronous variation was called, but the data store has no cache (cacheTtlMs 0): every *Sync method returns the default value with CLIENT_NOT_READY, because nothing can be answered from memory. Use the async methods, or give the store a cache (cacheTtlMs > 0, or < 0 for forever). This message is logged once.`,
      );
      return;
    }
    if (this._syncMissWarned) return;
    this._syncMissWarned = true;
    this._logger.warn(
      `${PREFIX} a synchronous variation could not be answered from memory (the flag, a segment it uses or big-segment membership is not loaded yet, or the client is not initialized); returned the default value with CLIENT_NOT_READY and loading the data. This message is logged once.`,
    );
  }

  /**
   * Loads what a synchronous evaluation missed (the init check, the flag, the prerequisites and segments
   * it reaches, big-segment membership) into the store's and big segments' caches, so a later `*Sync`
   * call can answer from memory. Records no events and runs no hooks.
   */
  private _warm(key: string, input: unknown): void {
    if (this._offline || this._store.cacheMode === 'none') return;
    void this._lifecycle.checkStoreInitialized();
    const context = Context.from(input);
    void this._store
      .get(DataKinds.features, key)
      .then((flag) => (flag && context.valid ? evaluateAsync(flag, context, this._sync, this._async) : undefined))
      .catch(() => undefined);
  }
}
