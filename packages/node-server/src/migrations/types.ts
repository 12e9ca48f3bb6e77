/**
 * The technology-migration API's types, with LaunchDarkly's names and shapes
 * (`@launchdarkly/node-server-sdk` 9.x): stages, origins, execution settings, results, the tracker and
 * the `migration_op` event. Enumerations are `as const` objects with a type of the same name, so
 * `LDMigrationStage.Live === 'live'` and `LDExecutionOrdering.Fixed === 0` hold as in LaunchDarkly's SDK.
 */
import type { LDContext, LDEvaluationReason } from '@switchyard/core';

/**
 * One of the six stages of a technology migration, in the order a migration goes through them:
 * `off` → `dualwrite` → `shadow` → `live` → `rampdown` → `complete`. A migration flag's variations are
 * these strings.
 */
export const LDMigrationStage = Object.freeze({
  /** The migration has not started: "old" is authoritative for reads and writes; "new" is not used. */
  Off: 'off',
  /** Writes go to both ("old" first, authoritative); reads use "old" only. */
  DualWrite: 'dualwrite',
  /** Both run, "old" is authoritative: reads compare "new" with "old" (when a `check` is given). */
  Shadow: 'shadow',
  /** Both run, "new" is authoritative: reads compare "old" with "new"; writes go to "new" first. */
  Live: 'live',
  /** Reads use "new" only; writes go to both ("new" first, authoritative). */
  RampDown: 'rampdown',
  /** The migration is done: only "new" is used. */
  Complete: 'complete',
} as const);

/** A migration stage: `'off' | 'dualwrite' | 'shadow' | 'live' | 'rampdown' | 'complete'`. */
export type LDMigrationStage = (typeof LDMigrationStage)[keyof typeof LDMigrationStage];

const STAGES: ReadonlySet<unknown> = new Set(Object.values(LDMigrationStage));

/**
 * True when `value` is one of the {@link LDMigrationStage} strings (LaunchDarkly's `IsMigrationStage`).
 *
 * @param value The value to check.
 */
export function IsMigrationStage(value: unknown): value is LDMigrationStage {
  return STAGES.has(value);
}

/** Which implementation produced a result, an error or a measurement: `readOld`/`writeOld` or `readNew`/`writeNew`. */
export type LDMigrationOrigin = 'old' | 'new';

/** The operation a migration event reports. */
export type LDMigrationOp = 'read' | 'write';

/**
 * The order of the two reads in serial execution ({@link LDSerialExecution}): always "old" then "new"
 * (`Fixed`), or a coin toss per read (`Random`).
 */
export const LDExecutionOrdering = Object.freeze({
  /** "old" first, then "new". */
  Fixed: 0,
  /** Either order, chosen at random for each read. */
  Random: 1,
} as const);

/** `LDExecutionOrdering.Fixed` (0) or `LDExecutionOrdering.Random` (1). */
export type LDExecutionOrdering = (typeof LDExecutionOrdering)[keyof typeof LDExecutionOrdering];

/**
 * Whether a migration's two reads run one after the other or at the same time; the `type` tag of
 * {@link LDSerialExecution} and {@link LDConcurrentExecution}. Callers do not need it.
 */
export const LDExecution = Object.freeze({
  /** One read completes before the other starts. */
  Serial: 0,
  /** Both reads are started, then both are awaited. */
  Concurrent: 1,
} as const);

/** `LDExecution.Serial` (0) or `LDExecution.Concurrent` (1). */
export type LDExecution = (typeof LDExecution)[keyof typeof LDExecution];

/**
 * Run a migration's two reads one after the other, in a fixed or random order
 * (`new LDSerialExecution(LDExecutionOrdering.Fixed)`). Writes are always serial.
 */
export class LDSerialExecution {
  /** Always {@link LDExecution.Serial}. */
  readonly type: LDExecution = LDExecution.Serial;

  /** @param ordering Which read goes first: {@link LDExecutionOrdering}. */
  constructor(readonly ordering: LDExecutionOrdering) {}
}

/** Run a migration's two reads at the same time (the default). Writes are always serial. */
export class LDConcurrentExecution {
  /** Always {@link LDExecution.Concurrent}. */
  readonly type: LDExecution = LDExecution.Concurrent;
}

/**
 * What a migration method (`readOld`, `readNew`, `writeOld`, `writeNew`) resolves with: a result or an
 * error. Build it with {@link LDMigrationSuccess} and {@link LDMigrationError}; a method that throws or
 * rejects counts as `{ success: false, error }`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- LaunchDarkly's public type, kept for drop-in compatibility
export type LDMethodResult<TResult> = { success: true; result: TResult } | { success: false; error: any };

/** The result of one origin's read or write, with the origin that produced it. */
export type LDMigrationResult<TResult> =
  | { success: true; origin: LDMigrationOrigin; result: TResult }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- LaunchDarkly's public type, kept for drop-in compatibility
  | { success: false; origin: LDMigrationOrigin; error: any };

/** The result of {@link LDMigration.read}: the authoritative origin's result for the stage. */
export type LDMigrationReadResult<TResult> = LDMigrationResult<TResult>;

/**
 * The result of {@link LDMigration.write}. The authoritative write runs first; when it fails the
 * non-authoritative one does not run and `nonAuthoritative` is absent.
 */
export type LDMigrationWriteResult<TResult> = {
  authoritative: LDMigrationResult<TResult>;
  nonAuthoritative?: LDMigrationResult<TResult>;
};

/**
 * How {@link createMigration} reads and writes both sides of a migration, and what it measures.
 *
 * @typeParam TMigrationRead What a read returns.
 * @typeParam TMigrationWrite What a write returns.
 * @typeParam TMigrationReadInput The payload a read is given (`read(…, payload)`).
 * @typeParam TMigrationWriteInput The payload a write is given (`write(…, payload)`).
 */
export interface LDMigrationOptions<TMigrationRead, TMigrationWrite, TMigrationReadInput, TMigrationWriteInput> {
  /**
   * How the two reads of the `shadow` and `live` stages run: {@link LDConcurrentExecution} (the default)
   * or {@link LDSerialExecution}.
   */
  execution?: LDSerialExecution | LDConcurrentExecution;
  /** Measure each origin's duration (`latency_ms` in the migration event). Default `true`. */
  latencyTracking?: boolean;
  /** Report failed origins (`error` in the migration event). Default `true`. */
  errorTracking?: boolean;
  /** Reads from the new source. Throwing or rejecting counts as an error. */
  readNew: (payload?: TMigrationReadInput) => Promise<LDMethodResult<TMigrationRead>>;
  /** Writes to the new source. Throwing or rejecting counts as an error. */
  writeNew: (payload?: TMigrationWriteInput) => Promise<LDMethodResult<TMigrationWrite>>;
  /** Reads from the old source. Throwing or rejecting counts as an error. */
  readOld: (payload?: TMigrationReadInput) => Promise<LDMethodResult<TMigrationRead>>;
  /** Writes to the old source. Throwing or rejecting counts as an error. */
  writeOld: (payload?: TMigrationWriteInput) => Promise<LDMethodResult<TMigrationWrite>>;
  /**
   * Compares the two reads' results when both ran and succeeded (`shadow`, `live`), sampled by the flag's
   * `migration.checkRatio`; the answer is the `consistent` measurement. A throwing check is logged and
   * leaves the measurement out.
   */
  check?: (a: TMigrationRead, b: TMigrationRead) => boolean;
}

/**
 * A migration built by {@link createMigration}: each call evaluates the migration flag for the context
 * (`migrationVariation`), runs the origins the stage asks for, and records a `migration_op` event.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- LaunchDarkly's public type, kept for drop-in compatibility
export interface LDMigration<TMigrationRead, TMigrationWrite, TMigrationReadInput = any, TMigrationWriteInput = any> {
  /**
   * Reads through the migration. Stages `off` and `dualwrite` read "old"; `rampdown` and `complete` read
   * "new"; `shadow` reads both and returns "old", `live` reads both and returns "new".
   *
   * @param key The migration flag's key.
   * @param context The context to evaluate the flag for.
   * @param defaultStage The stage used when the flag cannot be evaluated.
   * @param payload Passed to `readOld`/`readNew`.
   */
  read(key: string, context: LDContext, defaultStage: LDMigrationStage, payload?: TMigrationReadInput): Promise<LDMigrationReadResult<TMigrationRead>>;

  /**
   * Writes through the migration. `off` writes "old" only and `complete` "new" only; `dualwrite` and
   * `shadow` write "old" then "new"; `live` and `rampdown` write "new" then "old". The second write runs
   * only when the first (authoritative) one succeeded.
   *
   * @param key The migration flag's key.
   * @param context The context to evaluate the flag for.
   * @param defaultStage The stage used when the flag cannot be evaluated.
   * @param payload Passed to `writeOld`/`writeNew`.
   */
  write(key: string, context: LDContext, defaultStage: LDMigrationStage, payload?: TMigrationWriteInput): Promise<LDMigrationWriteResult<TMigrationWrite>>;
}

/** The outcome of a consistency check, as a tracker holds it. */
export const LDConsistencyCheck = Object.freeze({
  /** The check ran and the results differed. */
  Inconsistent: 0,
  /** The check ran and the results agreed. */
  Consistent: 1,
  /** No check ran (none given, not sampled, an origin failed, or the check threw). */
  NotChecked: 2,
} as const);

/** `Inconsistent` (0), `Consistent` (1) or `NotChecked` (2). */
export type LDConsistencyCheck = (typeof LDConsistencyCheck)[keyof typeof LDConsistencyCheck];

/** The migration flag evaluation in a migration event. */
export interface LDMigrationEvaluation {
  /** The flag's key. */
  key: string;
  /** The stage served (the default stage when none was). */
  value: LDMigrationStage;
  /** The default stage the caller passed. */
  default: LDMigrationStage;
  /** The variation index served; absent when the default was served. */
  variation?: number;
  /** The flag's version; absent when the flag was not found. */
  version?: number;
  /** Why that stage was served. */
  reason: LDEvaluationReason;
}

/** Whether the two reads agreed, and the `checkRatio` the check was sampled with. */
export interface LDMigrationConsistencyMeasurement {
  key: 'consistent';
  value: boolean;
  samplingRatio: number;
}

/** How long each origin took, in milliseconds. */
export interface LDMigrationLatencyMeasurement {
  key: 'latency_ms';
  values: { old?: number; new?: number };
}

/** Which origins failed. */
export interface LDMigrationErrorMeasurement {
  key: 'error';
  values: { old?: boolean; new?: boolean };
}

/** Which origins ran. */
export interface LDMigrationInvokedMeasurement {
  key: 'invoked';
  values: { old?: boolean; new?: boolean };
}

/** Any measurement of a migration event. */
export type LDMigrationMeasurement =
  | LDMigrationLatencyMeasurement
  | LDMigrationErrorMeasurement
  | LDMigrationConsistencyMeasurement
  | LDMigrationInvokedMeasurement;

/**
 * A migration operation event, as {@link LDMigrationTracker.createEvent} makes it and
 * `client.trackMigration` takes it. Usually made by the tracker, not by hand.
 */
export interface LDMigrationOpEvent {
  kind: 'migration_op';
  operation: LDMigrationOp;
  /** Epoch milliseconds. */
  creationDate: number;
  /** @deprecated Use `context`. Kind → key of the context, for events made by older SDKs. */
  contextKeys?: Record<string, string>;
  /** The context the operation ran for. */
  context?: LDContext;
  evaluation: LDMigrationEvaluation;
  measurements: LDMigrationMeasurement[];
  /** The migration flag's `samplingRatio` (1 when it has none): one in N such events is sent. */
  samplingRatio: number;
}

/**
 * Collects what one migration operation did and turns it into an {@link LDMigrationOpEvent}. A
 * migration made by {@link createMigration} drives it; use it directly only when you run the origins
 * yourself (`client.migrationVariation(…).tracker`, then `client.trackMigration(tracker.createEvent())`).
 */
export interface LDMigrationTracker {
  /** Sets the operation (`read` or `write`); an event needs it. */
  op(op: LDMigrationOp): void;
  /** Reports that `origin` failed. */
  error(origin: LDMigrationOrigin): void;
  /**
   * Runs a consistency check, if the flag's `checkRatio` samples this call, and records the answer. A
   * check that throws is logged and recorded as not checked.
   *
   * @param check A function without parameters that compares the two results.
   */
  consistency(check: () => boolean): void;
  /** Reports that `origin` ran. */
  invoked(origin: LDMigrationOrigin): void;
  /** Reports how long `origin` took, in milliseconds. */
  latency(origin: LDMigrationOrigin, value: number): void;
  /**
   * The event for what was reported, or `undefined` (with an error logged) when it would be invalid: no
   * operation set, no origin invoked, an invalid context or flag key, or a measurement for an origin that
   * was not invoked.
   */
  createEvent(): LDMigrationOpEvent | undefined;
}

/** What `client.migrationVariation` returns: the stage, and a tracker for the operation. */
export interface LDMigrationVariation {
  /** The stage the flag served for the context, or the default stage. */
  value: LDMigrationStage;
  /** Collects the operation's measurements for its migration event. */
  tracker: LDMigrationTracker;
}
