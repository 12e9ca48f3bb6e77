/** `allFlagsState`: every flag evaluated for one context, as the JSON LaunchDarkly's client-side SDKs bootstrap from. */
import {
  Context,
  DataKinds,
  type DataStore,
  type Flag,
  type LDContext,
  type LDFlagsState,
  type LDFlagsStateOptions,
  type LDLogger,
} from '@switchyard/core';
import {
  FlagsStateBuilder,
  PENDING,
  Reasons,
  evaluateAsync,
  type AsyncEvaluationData,
  type EvaluationData,
  type EvaluationResult,
  type Evaluator,
} from '@switchyard/core/internal';

import { LDClientError } from '../errors.js';
import type { ClientLifecycle } from './lifecycle.js';
import { PREFIX, messageOf } from './messages.js';
import type { ClientParts } from './wiring.js';

export class AllFlags {
  private readonly _offline: boolean;
  private readonly _logger: LDLogger;
  private readonly _store: DataStore;
  private readonly _evaluator: Evaluator;
  private readonly _sync: EvaluationData;
  private readonly _async: AsyncEvaluationData;
  private _beforeInitWarned = false;

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
  }

  /**
   * The state for `input`. Never rejects: offline, an invalid context, no data before init or a store
   * that cannot list the flags give an empty state marked invalid; a flag whose evaluation failed is in
   * the state with a null value and an `EXCEPTION` reason. `callback`, when given, gets the state too.
   */
  async state(
    input: LDContext,
    options: LDFlagsStateOptions | undefined,
    callback: ((err: Error | null, state: LDFlagsState) => void) | undefined,
  ): Promise<LDFlagsState> {
    const done = (state: LDFlagsState) => {
      callback?.(null, state);
      return state;
    };
    if (this._offline) {
      this._logger.info(`${PREFIX} allFlagsState() called in offline mode; returning an empty state`);
      return done(new FlagsStateBuilder(false).build());
    }
    const context = Context.from(input);
    if (!context.valid) {
      this._logger.info(`${PREFIX} allFlagsState() called with an invalid context (${context.error}); returning an empty state`);
      return done(new FlagsStateBuilder(false).build());
    }
    let valid = true;
    if (this._lifecycle.initState !== 'initialized') {
      if (await this._lifecycle.checkStoreInitialized()) {
        if (!this._beforeInitWarned) {
          this._beforeInitWarned = true;
          this._logger.warn(`${PREFIX} allFlagsState() called before the client initialized; using the last known values from the data store. This message is logged once.`);
        }
      } else {
        this._logger.warn(`${PREFIX} allFlagsState() called before the client initialized and the data store has no data; returning an empty state`);
        valid = false;
      }
    }
    const builder = new FlagsStateBuilder(valid, options);
    let flags: Readonly<Record<string, Flag>>;
    try {
      flags = this._store.allSync(DataKinds.features) ?? (await this._store.all(DataKinds.features));
    } catch (err) {
      this._logger.error(`${PREFIX} allFlagsState() could not read the data store: ${messageOf(err)}; returning an empty state`);
      return done(new FlagsStateBuilder(false).build());
    }
    for (const flag of Object.values(flags)) {
      if (!builder.includes(flag)) continue;
      let result: EvaluationResult | typeof PENDING = this._evaluator.evaluate(flag, context);
      if (result === PENDING) {
        try {
          result = await evaluateAsync(flag, context, this._sync, this._async);
        } catch (err) {
          // As LaunchDarkly's SDK: every flag is in the state; one that could not be evaluated (the store
          // failed to give a segment or prerequisite) is there with a null value and an error reason,
          // so the state is complete and says which flag failed and why.
          this._logger.error(`${PREFIX} allFlagsState() could not evaluate "${flag.key}" (the data store failed): ${messageOf(err)}`);
          result = { value: null, variationIndex: null, reason: Reasons.error('EXCEPTION'), prerequisites: undefined, prerequisiteEvaluations: undefined };
        }
      }
      if (result.reason.kind === 'ERROR') {
        this._lifecycle.emitError(new LDClientError(`${PREFIX} error for feature flag "${flag.key}" while evaluating all flags: ${result.reason.errorKind}`));
      }
      builder.add(flag, result);
    }
    return done(builder.build());
  }
}
