/**
 * The client's side of migrations: turning a `migrationVariation` evaluation into a stage and a tracker,
 * and checking a `trackMigration` event before it is recorded. Kept out of the client class so that the
 * client's two methods stay a few lines.
 */
import {
  Context,
  type EventProcessor,
  type Flag,
  type LDContext,
  type LDEvaluationDetail,
  type LDEvaluationReason,
  type LDLogger,
  type MigrationOpEvaluation,
  type MigrationOpMeasurement,
} from '@switchyard/core';
import { Reasons } from '@switchyard/core/internal';

import { LDClientError } from '../errors.js';
import { MigrationOpTracker } from './tracker.js';
import { IsMigrationStage, type LDMigrationOpEvent, type LDMigrationStage, type LDMigrationVariation } from './types.js';

const PREFIX = '[switchyard/node-server]';

/** One `migrationVariation` evaluation, as the client made it. */
export interface MigrationEvaluation {
  readonly key: string;
  readonly context: LDContext;
  readonly defaultStage: LDMigrationStage;
  /** The evaluation's detail, made without a type check (its events are recorded with the flag's value). */
  readonly detail: LDEvaluationDetail;
  /** The flag evaluated (for its version, `samplingRatio` and `migration.checkRatio`); undefined when none was. */
  readonly flag: Flag | undefined;
  readonly logger: LDLogger;
  /** Reports a flag value that is not a stage (the client's `error` event). */
  readonly onError: (err: Error) => void;
}

/**
 * The stage and tracker for an evaluation, and the detail hooks see. As in LaunchDarkly's SDK, a flag
 * value that is not a stage gives the default stage with `ERROR`/`WRONG_TYPE` (the analytics events
 * already recorded keep the value the flag served); the tracker carries the flag's version, sampling
 * ratio and check ratio.
 */
export function migrationVariationResult(e: MigrationEvaluation): { readonly detail: LDEvaluationDetail; readonly variation: LDMigrationVariation } {
  let detail = e.detail;
  if (!IsMigrationStage(detail.value)) {
    e.onError(new LDClientError(`${PREFIX} unrecognized migration stage for "${e.key}"; returning the default stage`));
    detail = { value: e.defaultStage, variationIndex: null, reason: Reasons.error('WRONG_TYPE') };
  }
  const stage = detail.value as LDMigrationStage;
  const tracker = new MigrationOpTracker({
    flagKey: e.key,
    context: e.context,
    defaultStage: e.defaultStage,
    stage,
    reason: detail.reason,
    checkRatio: e.flag?.migration?.checkRatio,
    variation: detail.variationIndex ?? undefined,
    version: e.flag?.version,
    samplingRatio: e.flag?.samplingRatio,
    logger: e.logger,
  });
  return { detail, variation: { value: stage, tracker } };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number';
const KIND = /^(\w|\.|-)+$/;

/** `{ old, new }` when each is absent or of the type `check` accepts; otherwise undefined. */
function originValues<T>(values: unknown, check: (v: unknown) => v is T): { old?: T; new?: T } | undefined {
  if (!isRecord(values)) return undefined;
  const out: { old?: T; new?: T } = {};
  for (const origin of ['old', 'new'] as const) {
    const v = values[origin];
    if (v === undefined) continue;
    if (!check(v)) return undefined;
    out[origin] = v;
  }
  return out;
}

function measurement(m: unknown): MigrationOpMeasurement | undefined {
  if (!isRecord(m)) return undefined;
  switch (m.key) {
    case 'latency_ms': {
      const values = originValues(m.values, isNumber);
      return values && { key: 'latency_ms', values };
    }
    case 'error':
    case 'invoked': {
      const values = originValues(m.values, (v): v is boolean => typeof v === 'boolean');
      return values && { key: m.key, values };
    }
    case 'consistent':
      return typeof m.value === 'boolean' && isNumber(m.samplingRatio) ? { key: 'consistent', value: m.value, samplingRatio: m.samplingRatio } : undefined;
    default:
      return undefined;
  }
}

const REASON_FIELDS = [
  ['errorKind', 'string'],
  ['ruleId', 'string'],
  ['prerequisiteKey', 'string'],
  ['inExperiment', 'boolean'],
  ['ruleIndex', 'number'],
  ['bigSegmentsStatus', 'string'],
] as const;

/** A copy of the JSON-safe value (a stage string, normally); null when it is not JSON. */
function jsonCopy(value: unknown): MigrationOpEvaluation['value'] {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value)) as MigrationOpEvaluation['value'];
  } catch {
    return null;
  }
}

function evaluation(e: unknown): MigrationOpEvaluation | undefined {
  if (!isRecord(e) || typeof e.key !== 'string' || e.key === '') return undefined;
  const reason = e.reason;
  if (!isRecord(reason) || typeof reason.kind !== 'string' || reason.kind === '') return undefined;
  const outReason: Record<string, unknown> = { kind: reason.kind };
  for (const [field, type] of REASON_FIELDS) if (typeof reason[field] === type) outReason[field] = reason[field];
  return {
    key: e.key,
    value: jsonCopy(e.value),
    default: jsonCopy(e.default),
    reason: outReason as unknown as LDEvaluationReason,
    ...(isNumber(e.variation) ? { variation: e.variation } : {}),
    ...(isNumber(e.version) ? { version: e.version } : {}),
  };
}

/**
 * Checks an event given to `trackMigration` as LaunchDarkly's SDK does and records it: an event that is
 * not a `migration_op`, has no valid operation, date, context (or `contextKeys`), sampling ratio or
 * evaluation is not recorded (a warning says why); measurements that are not valid are left out.
 * Never throws.
 */
export function recordMigrationEvent(processor: EventProcessor, logger: LDLogger, input: LDMigrationOpEvent): void {
  const refuse = (why: string): void => {
    try {
      logger.warn(`${PREFIX} trackMigration: ${why}; the event is not sent`);
    } catch {
      // A throwing logger must not break the caller.
    }
  };
  try {
    if (!isRecord(input) || input.kind !== 'migration_op') return refuse('not a migration_op event');
    const { operation, creationDate } = input as Partial<LDMigrationOpEvent>;
    if (operation !== 'read' && operation !== 'write') return refuse('the operation must be "read" or "write"');
    if (!isNumber(creationDate)) return refuse('creationDate must be a number');
    let context: Context | undefined;
    let contextKeys: Record<string, string> | undefined;
    if (isRecord(input.context)) {
      const c = Context.from(input.context);
      if (c.valid) context = c;
    } else if (isRecord(input.contextKeys)) {
      const entries = Object.entries(input.contextKeys);
      if (entries.every(([kind, key]) => KIND.test(kind) && typeof key === 'string' && key !== '')) contextKeys = Object.fromEntries(entries) as Record<string, string>;
    }
    if (!context && !contextKeys) return refuse('it has no valid context');
    const samplingRatio = (input as Partial<LDMigrationOpEvent>).samplingRatio ?? 1;
    if (!isNumber(samplingRatio)) return refuse('samplingRatio must be a number');
    const evaluated = evaluation(input.evaluation);
    if (!evaluated) return refuse('its evaluation has no flag key or no reason');
    const measurements = Array.isArray(input.measurements) ? input.measurements.map(measurement).filter((m) => m !== undefined) : [];
    processor.recordMigrationOp?.({
      ...(context ? { context } : { contextKeys }),
      operation,
      creationDate,
      evaluation: evaluated,
      measurements,
      samplingRatio,
    });
  } catch (err) {
    refuse(`it could not be read (${err instanceof Error ? err.message : String(err)})`);
  }
}
