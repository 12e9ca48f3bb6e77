import { Context, type LDContext, type LDEvaluationReason, type LDLogger } from '@switchyard/core';

import {
  LDConsistencyCheck,
  type LDMigrationMeasurement,
  type LDMigrationOp,
  type LDMigrationOpEvent,
  type LDMigrationOrigin,
  type LDMigrationStage,
  type LDMigrationTracker,
} from './types.js';

const PREFIX = '[switchyard/node-server]';

/** What a tracker is made from: one `migrationVariation` evaluation. */
export interface MigrationTrackerInit {
  readonly flagKey: string;
  readonly context: LDContext;
  readonly defaultStage: LDMigrationStage;
  readonly stage: LDMigrationStage;
  readonly reason: LDEvaluationReason;
  /** The flag's `migration.checkRatio` (undefined: 1). */
  readonly checkRatio?: number | undefined;
  readonly variation?: number | undefined;
  readonly version?: number | undefined;
  /** The flag's `samplingRatio` (undefined: 1). */
  readonly samplingRatio?: number | undefined;
  readonly logger?: LDLogger | undefined;
  /** Random numbers in [0, 1) for check sampling. Default `Math.random`. */
  readonly random?: () => number;
  /** The clock for `creationDate`. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * LaunchDarkly's "1 in N" sampling: N truncated; 1 always, 0 (or less, or NaN) never, otherwise one
 * chance in N.
 */
export function sampled(ratio: number, random: () => number): boolean {
  const n = Math.trunc(ratio);
  if (n === 1) return true;
  if (!(n > 0)) return false;
  return Math.floor(random() * n) === 0;
}

type PerOrigin<T> = { old: T; new: T };

/**
 * The tracker `migrationVariation` hands out (see {@link LDMigrationTracker}). Its event matches
 * LaunchDarkly's: measurements in the order invoked, consistent, latency_ms, error; an invalid use
 * (no operation, nothing invoked, a measurement for an origin that did not run) gives no event and an
 * error in the log, never a throw.
 */
export class MigrationOpTracker implements LDMigrationTracker {
  private readonly _init: MigrationTrackerInit;
  private readonly _invoked: PerOrigin<boolean> = { old: false, new: false };
  private readonly _errors: PerOrigin<boolean> = { old: false, new: false };
  private readonly _latency: PerOrigin<number | undefined> = { old: undefined, new: undefined };
  private _consistency: LDConsistencyCheck = LDConsistencyCheck.NotChecked;
  private _operation: LDMigrationOp | undefined;

  constructor(init: MigrationTrackerInit) {
    this._init = init;
  }

  op(op: LDMigrationOp): void {
    this._operation = op;
  }

  error(origin: LDMigrationOrigin): void {
    if (isOrigin(origin)) this._errors[origin] = true;
  }

  invoked(origin: LDMigrationOrigin): void {
    if (isOrigin(origin)) this._invoked[origin] = true;
  }

  latency(origin: LDMigrationOrigin, value: number): void {
    if (isOrigin(origin) && typeof value === 'number' && !Number.isNaN(value)) this._latency[origin] = value;
  }

  consistency(check: () => boolean): void {
    if (!sampled(this._init.checkRatio ?? 1, this._init.random ?? Math.random)) return;
    try {
      this._consistency = check() ? LDConsistencyCheck.Consistent : LDConsistencyCheck.Inconsistent;
    } catch (err) {
      this._log(
        `the consistency check of migration "${this._init.flagKey}" threw (${err instanceof Error ? err.message : String(err)}); its result is left out of the migration event`,
      );
    }
  }

  createEvent(): LDMigrationOpEvent | undefined {
    const { flagKey } = this._init;
    if (typeof flagKey !== 'string' || flagKey === '') return this._refuse('the flag key of a migration operation must be a non-empty string');
    if (this._operation === undefined) return this._refuse(`migration "${flagKey}": set the operation with op() before creating an event`);
    if (!Context.from(this._init.context).valid) return this._refuse(`migration "${flagKey}" ran for an invalid context`);
    if (!this._invoked.old && !this._invoked.new) return this._refuse(`migration "${flagKey}" invoked neither "old" nor "new"`);
    for (const origin of ['old', 'new'] as const) {
      if (this._invoked[origin]) continue;
      const what =
        this._latency[origin] !== undefined
          ? `a latency was measured for "${origin}"`
          : this._errors[origin]
            ? `an error was reported for "${origin}"`
            : this._consistency !== LDConsistencyCheck.NotChecked
              ? 'a consistency check was made (it needs both origins)'
              : undefined;
      if (what) return this._refuse(`migration ${this._operation} "${flagKey}": ${what}, but "${origin}" was not invoked`);
    }

    const measurements: LDMigrationMeasurement[] = [{ key: 'invoked', values: pick(this._invoked) }];
    if (this._consistency !== LDConsistencyCheck.NotChecked) {
      measurements.push({ key: 'consistent', value: this._consistency === LDConsistencyCheck.Consistent, samplingRatio: this._init.checkRatio ?? 1 });
    }
    if (this._latency.old !== undefined || this._latency.new !== undefined) {
      const values: { old?: number; new?: number } = {};
      if (this._latency.new !== undefined) values.new = this._latency.new;
      if (this._latency.old !== undefined) values.old = this._latency.old;
      measurements.push({ key: 'latency_ms', values });
    }
    if (this._errors.old || this._errors.new) measurements.push({ key: 'error', values: pick(this._errors) });

    const { variation, version } = this._init;
    return {
      kind: 'migration_op',
      operation: this._operation,
      creationDate: (this._init.now ?? Date.now)(),
      context: this._init.context,
      evaluation: {
        key: flagKey,
        value: this._init.stage,
        default: this._init.defaultStage,
        reason: this._init.reason,
        ...(variation === undefined || variation === null ? {} : { variation }),
        ...(version === undefined ? {} : { version }),
      },
      measurements,
      samplingRatio: this._init.samplingRatio ?? 1,
    };
  }

  private _refuse(message: string): undefined {
    this._log(`${message}; no migration event is created`);
    return undefined;
  }

  private _log(message: string): void {
    try {
      this._init.logger?.error(`${PREFIX} ${message}`);
    } catch {
      // A throwing logger must not break the caller's migration.
    }
  }
}

function isOrigin(origin: unknown): origin is LDMigrationOrigin {
  return origin === 'old' || origin === 'new';
}

/** `{ old: true }`, `{ new: true }` or both: only the origins that are set. */
function pick(flags: PerOrigin<boolean>): { old?: boolean; new?: boolean } {
  const values: { old?: boolean; new?: boolean } = {};
  if (flags.old) values.old = true;
  if (flags.new) values.new = true;
  return values;
}
