import type { LDContext } from '@switchyard/core';

import {
  IsMigrationStage,
  LDExecution,
  LDExecutionOrdering,
  LDMigrationStage,
  type LDConcurrentExecution,
  type LDMethodResult,
  type LDMigration,
  type LDMigrationOpEvent,
  type LDMigrationOptions,
  type LDMigrationOrigin,
  type LDMigrationReadResult,
  type LDMigrationResult,
  type LDMigrationTracker,
  type LDMigrationVariation,
  type LDMigrationWriteResult,
  type LDSerialExecution,
} from './types.js';

/**
 * A successful result for a migration method (`readOld`, `readNew`, `writeOld`, `writeNew`):
 * `return LDMigrationSuccess(rows)`.
 *
 * @param result What the method produced.
 */
export function LDMigrationSuccess<TResult>(result: TResult): LDMethodResult<TResult> {
  return { success: true, result };
}

/**
 * A failed result for a migration method: `return LDMigrationError(new Error('timeout'))`. Throwing or
 * rejecting has the same effect.
 *
 * @param error What went wrong.
 */
export function LDMigrationError(error: Error): { success: false; error: Error } {
  return { success: false, error };
}

/** What a migration needs from the client; `LDClient` has both methods. */
export interface LDMigrationClient {
  /** Evaluates the migration flag: the stage and a tracker. */
  migrationVariation(key: string, context: LDContext, defaultStage: LDMigrationStage): Promise<LDMigrationVariation>;
  /** Records the operation's event. */
  trackMigration(event: LDMigrationOpEvent): void;
}

type Method<TInput, TResult> = (payload?: TInput) => Promise<LDMethodResult<TResult>>;

/** One origin's call: never throws; a throw or rejection becomes `{ success: false, error }`. */
async function safeCall<TInput, TResult>(method: Method<TInput, TResult>, payload: TInput | undefined): Promise<LDMethodResult<TResult>> {
  try {
    return await method(payload);
  } catch (error) {
    return { success: false, error };
  }
}

/** Which side is authoritative for reads, and whether the other side is read too. */
const READS: Readonly<Record<LDMigrationStage, { readonly authoritative: LDMigrationOrigin; readonly both: boolean }>> = {
  [LDMigrationStage.Off]: { authoritative: 'old', both: false },
  [LDMigrationStage.DualWrite]: { authoritative: 'old', both: false },
  [LDMigrationStage.Shadow]: { authoritative: 'old', both: true },
  [LDMigrationStage.Live]: { authoritative: 'new', both: true },
  [LDMigrationStage.RampDown]: { authoritative: 'new', both: false },
  [LDMigrationStage.Complete]: { authoritative: 'new', both: false },
};

/** Which side is written first (authoritative), and whether the other side is written after it. */
const WRITES: Readonly<Record<LDMigrationStage, { readonly authoritative: LDMigrationOrigin; readonly both: boolean }>> = {
  [LDMigrationStage.Off]: { authoritative: 'old', both: false },
  [LDMigrationStage.DualWrite]: { authoritative: 'old', both: true },
  [LDMigrationStage.Shadow]: { authoritative: 'old', both: true },
  [LDMigrationStage.Live]: { authoritative: 'new', both: true },
  [LDMigrationStage.RampDown]: { authoritative: 'new', both: true },
  [LDMigrationStage.Complete]: { authoritative: 'new', both: false },
};

const other = (origin: LDMigrationOrigin): LDMigrationOrigin => (origin === 'old' ? 'new' : 'old');

const now: () => number = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

class Migration<TMigrationRead, TMigrationWrite, TMigrationReadInput, TMigrationWriteInput>
  implements LDMigration<TMigrationRead, TMigrationWrite, TMigrationReadInput, TMigrationWriteInput>
{
  private readonly _execution: LDSerialExecution | LDConcurrentExecution | undefined;
  private readonly _latencyTracking: boolean;
  private readonly _errorTracking: boolean;

  constructor(
    private readonly _client: LDMigrationClient,
    private readonly _options: LDMigrationOptions<TMigrationRead, TMigrationWrite, TMigrationReadInput, TMigrationWriteInput>,
  ) {
    this._execution = _options.execution;
    this._latencyTracking = _options.latencyTracking ?? true;
    this._errorTracking = _options.errorTracking ?? true;
  }

  async read(key: string, context: LDContext, defaultStage: LDMigrationStage, payload?: TMigrationReadInput): Promise<LDMigrationReadResult<TMigrationRead>> {
    const { value: stage, tracker } = await this._client.migrationVariation(key, context, defaultStage);
    if (!IsMigrationStage(stage)) return this._invalidStage(key, stage);
    const plan = READS[stage];
    const method = (origin: LDMigrationOrigin): Method<TMigrationReadInput, TMigrationRead> =>
      origin === 'old' ? (p) => this._options.readOld(p) : (p) => this._options.readNew(p);
    let result: LDMigrationResult<TMigrationRead>;
    if (!plan.both) {
      result = await this._run(tracker, plan.authoritative, method(plan.authoritative), payload);
    } else {
      const [fromOld, fromNew] = await this._readBoth(tracker, method, payload);
      const check = this._options.check;
      if (check && fromOld.success && fromNew.success) tracker.consistency(() => check(fromOld.result, fromNew.result));
      result = plan.authoritative === 'old' ? fromOld : fromNew;
    }
    tracker.op('read');
    this._send(tracker);
    return result;
  }

  async write(key: string, context: LDContext, defaultStage: LDMigrationStage, payload?: TMigrationWriteInput): Promise<LDMigrationWriteResult<TMigrationWrite>> {
    const { value: stage, tracker } = await this._client.migrationVariation(key, context, defaultStage);
    if (!IsMigrationStage(stage)) return { authoritative: this._invalidStage(key, stage) };
    const plan = WRITES[stage];
    const method = (origin: LDMigrationOrigin): Method<TMigrationWriteInput, TMigrationWrite> =>
      origin === 'old' ? (p) => this._options.writeOld(p) : (p) => this._options.writeNew(p);
    const authoritative = await this._run(tracker, plan.authoritative, method(plan.authoritative), payload);
    let result: LDMigrationWriteResult<TMigrationWrite> = { authoritative };
    // A failed authoritative write stops there: the other side is not written.
    if (plan.both && authoritative.success) {
      const second = other(plan.authoritative);
      result = { authoritative, nonAuthoritative: await this._run(tracker, second, method(second), payload) };
    }
    tracker.op('write');
    this._send(tracker);
    return result;
  }

  /** Both reads, in the configured execution: concurrent (default), serial fixed, or serial random. */
  private async _readBoth(
    tracker: LDMigrationTracker,
    method: (origin: LDMigrationOrigin) => Method<TMigrationReadInput, TMigrationRead>,
    payload: TMigrationReadInput | undefined,
  ): Promise<[LDMigrationResult<TMigrationRead>, LDMigrationResult<TMigrationRead>]> {
    const execution = this._execution;
    if (execution?.type !== LDExecution.Serial) {
      return Promise.all([this._run(tracker, 'old', method('old'), payload), this._run(tracker, 'new', method('new'), payload)]);
    }
    const ordering = (execution as LDSerialExecution).ordering;
    // Not for security: a coin toss for the order of two reads.
    if (ordering === LDExecutionOrdering.Fixed || Math.floor(Math.random() * 2) === 0) {
      const fromOld = await this._run(tracker, 'old', method('old'), payload);
      return [fromOld, await this._run(tracker, 'new', method('new'), payload)];
    }
    const fromNew = await this._run(tracker, 'new', method('new'), payload);
    return [await this._run(tracker, 'old', method('old'), payload), fromNew];
  }

  /** One origin: marked invoked, timed (when latency tracking is on), failures reported (when error tracking is on). */
  private async _run<TInput, TResult>(
    tracker: LDMigrationTracker,
    origin: LDMigrationOrigin,
    method: Method<TInput, TResult>,
    payload: TInput | undefined,
  ): Promise<LDMigrationResult<TResult>> {
    tracker.invoked(origin);
    const start = this._latencyTracking ? now() : 0;
    const res = await safeCall(method, payload);
    if (this._latencyTracking) tracker.latency(origin, now() - start);
    if (!res.success && this._errorTracking) tracker.error(origin);
    return res.success ? { origin, success: true, result: res.result } : { origin, success: false, error: res.error };
  }

  private _send(tracker: LDMigrationTracker): void {
    const event = tracker.createEvent();
    if (event) this._client.trackMigration(event);
  }

  /**
   * Only reachable with a default stage that is not a stage (the client returns the default for any
   * flag value that is not one): LaunchDarkly's SDK throws a TypeError here; we resolve with a failure
   * and send no event, so a migration never rejects.
   */
  private _invalidStage(key: string, stage: unknown): LDMigrationResult<never> {
    return {
      origin: 'old',
      success: false,
      error: new TypeError(`[switchyard/node-server] migration "${key}": ${JSON.stringify(stage)} is not a migration stage; nothing was run`),
    };
  }
}

/**
 * Creates a migration: reads and writes that go to the old source, the new one or both, as the stage of
 * the migration flag says for each call, with a `migration_op` event per call (which origins ran, their
 * latency and errors, and whether two reads agreed). LaunchDarkly's `createMigration`.
 *
 * ```ts
 * const migration = createMigration(client, {
 *   readOld: async (id) => LDMigrationSuccess(await oldDb.get(id)),
 *   readNew: async (id) => LDMigrationSuccess(await newDb.get(id)),
 *   writeOld: async (row) => LDMigrationSuccess(await oldDb.put(row)),
 *   writeNew: async (row) => LDMigrationSuccess(await newDb.put(row)),
 *   check: (a, b) => a?.name === b?.name,
 * });
 * const result = await migration.read('db-migration', context, LDMigrationStage.Off, 'id-1');
 * ```
 *
 * @param client The client that evaluates the migration flag and sends the events.
 * @param options The four origins, an optional `check`, the read execution and what to measure.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- LaunchDarkly's public type, kept for drop-in compatibility
export function createMigration<TMigrationRead, TMigrationWrite, TMigrationReadInput = any, TMigrationWriteInput = any>(
  client: LDMigrationClient,
  options: LDMigrationOptions<TMigrationRead, TMigrationWrite, TMigrationReadInput, TMigrationWriteInput>,
): LDMigration<TMigrationRead, TMigrationWrite, TMigrationReadInput, TMigrationWriteInput> {
  return new Migration(client, options);
}
