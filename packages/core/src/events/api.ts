import type { Context } from '../context/context.js';
import type { LDEvaluationReason } from '../evaluation/reasons.js';
import type { PrerequisiteEvaluation } from '../evaluation/result.js';
import type { Flag } from '../model/flag.js';
import type { JsonValue } from '../value/json.js';
import type { MigrationOpEvent } from './migration-op.js';
import type { StreamInitRecord } from './output.js';

/**
 * One evaluation, as the client reports it to the event pipeline. Recording must be cheap and must not
 * block: the processor decides later (summaries, feature events, debug events) what to send.
 *
 * The context may be a borrowed view of the caller's object ({@link Context.borrow}): a processor that
 * keeps it beyond the call takes `context.snapshot()`; likewise it copies `defaultValue`
 * (`toFrozenJson`) before keeping it, so a caller's later mutation never changes what is sent.
 */
export interface EvaluationEvent {
  readonly context: Context;
  /** The flag evaluated (version, tracking settings, rules for experiment detection). */
  readonly flag: Flag;
  /** The value served to the caller (the default when no variation was served). */
  readonly value: JsonValue | null | unknown;
  readonly variationIndex: number | null;
  readonly reason: LDEvaluationReason;
  /** The caller's default value (`null` for a prerequisite evaluation, as LaunchDarkly sends it). */
  readonly defaultValue: unknown;
  /** True for the `*Detail` methods: the reason goes into full events. */
  readonly withReasons: boolean;
  /**
   * Set for a prerequisite evaluation: the key of the flag that required it. The client records each
   * prerequisite evaluation (`EvaluationResult.prerequisiteEvaluations`) as its own event; prerequisites
   * are summarized like any evaluation and become full events only when tracked.
   */
  readonly prerequisiteOf?: string;
  /** Epoch milliseconds. */
  readonly creationDate: number;
}

/** An evaluation of a flag that does not exist (counted in summaries as `unknown`). */
export interface UnknownFlagEvent {
  readonly context: Context;
  readonly key: string;
  readonly defaultValue: unknown;
  readonly reason: LDEvaluationReason;
  readonly withReasons: boolean;
  readonly creationDate: number;
}

/** `track(key, context, data, metricValue)`. */
export interface CustomEvent {
  readonly context: Context;
  readonly key: string;
  readonly data?: unknown;
  readonly metricValue?: number;
  readonly creationDate: number;
}

/** `identify(context)`. */
export interface IdentifyEvent {
  readonly context: Context;
  readonly creationDate: number;
}

/**
 * The analytics event pipeline as the client sees it. Every `record*` call returns at once, never
 * throws and never grows memory without bound; delivery happens in the background.
 */
export interface EventProcessor {
  recordEvaluation(event: EvaluationEvent): void;
  recordUnknownFlag(event: UnknownFlagEvent): void;
  recordCustom(event: CustomEvent): void;
  recordIdentify(event: IdentifyEvent): void;
  /** Resolves when what was recorded before the call has been delivered or dropped. Never rejects. */
  flush(): Promise<void>;
  /** Flushes, stops timers and releases everything; nothing is recorded afterwards. Never rejects. */
  close(): Promise<void>;
  /**
   * Records one stream connection attempt for diagnostic events (the streaming data source calls it when
   * an attempt succeeds with its first full data set, fails, or is given up). Optional: processors
   * without diagnostics ignore it.
   */
  recordStreamInit?(init: StreamInitRecord): void;
  /**
   * Records a migration operation (`migration_op`), sampled by its `samplingRatio`. Optional: a
   * processor without it sends no migration events.
   */
  recordMigrationOp?(event: MigrationOpEvent): void;
}

/**
 * Records one variation call as LaunchDarkly's SDKs report it: first one event per prerequisite
 * evaluation (in evaluation order, from `EvaluationResult.prerequisiteEvaluations`, with the same context,
 * `withReasons` and date, `defaultValue: null` and `prerequisiteOf` set), then `event` itself.
 */
export function recordEvaluationWithPrerequisites(
  processor: EventProcessor,
  event: EvaluationEvent,
  prerequisites: readonly PrerequisiteEvaluation[] | undefined,
): void {
  if (prerequisites) {
    const { context, withReasons, creationDate } = event;
    for (const p of prerequisites) {
      processor.recordEvaluation({
        context,
        flag: p.flag,
        value: p.value,
        variationIndex: p.variationIndex,
        reason: p.reason,
        defaultValue: null,
        withReasons,
        prerequisiteOf: p.prerequisiteOf,
        creationDate,
      });
    }
  }
  processor.recordEvaluation(event);
}

/** The processor used when events are off (`sendEvents: false`, offline, daemon mode without events). */
export const nullEventProcessor: EventProcessor = Object.freeze({
  recordEvaluation: () => undefined,
  recordUnknownFlag: () => undefined,
  recordCustom: () => undefined,
  recordIdentify: () => undefined,
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
  recordStreamInit: () => undefined,
  recordMigrationOp: () => undefined,
});
