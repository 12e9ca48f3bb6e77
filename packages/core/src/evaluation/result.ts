// What an evaluation produces. A leaf: the evaluator and the helpers that shape its result (detail.ts,
// flags-state.ts, analytics events) all import these types from here, so none of them imports another.
import type { Flag } from '../model/flag.js';
import type { JsonValue } from '../value/json.js';
import type { LDEvaluationReason } from './reasons.js';

/** A prerequisite evaluation, reported for analytics events. */
export interface PrerequisiteEvaluation {
  readonly flag: Flag;
  readonly value: JsonValue | null;
  readonly variationIndex: number | null;
  readonly reason: LDEvaluationReason;
  /** The key of the flag that has this prerequisite. */
  readonly prerequisiteOf: string;
}

/** The evaluator's result for one flag. `value` is null (and `variationIndex` null) when the caller's default applies. */
export interface EvaluationResult {
  readonly value: JsonValue | null;
  readonly variationIndex: number | null;
  readonly reason: LDEvaluationReason;
  /** Keys of the flag's direct prerequisites that were evaluated, in order. */
  readonly prerequisites: readonly string[] | undefined;
  /** Every prerequisite evaluation (at any depth), in evaluation order, for events. */
  readonly prerequisiteEvaluations: readonly PrerequisiteEvaluation[] | undefined;
}
