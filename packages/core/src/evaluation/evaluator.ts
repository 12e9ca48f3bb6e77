import type { AttributeReference } from '../context/attribute-reference.js';
import type { Context } from '../context/context.js';
import type { Clause } from '../model/clause.js';
import type { Flag, Rollout, VariationOrRollout } from '../model/flag.js';
import type { Segment, SegmentRule, SegmentTarget } from '../model/segment.js';
import type { JsonValue } from '../value/json.js';
import { bucketOf, KEY_ATTRIBUTE, NO_CONTEXT } from './bucketing.js';
import { precheck, toDetail } from './detail.js';
import {
  Reasons,
  worseBigSegmentsStatus,
  type BigSegmentsStatus,
  type ErrorKind,
  type LDEvaluationDetail,
  type LDEvaluationReason,
} from './reasons.js';
import type { EvaluationResult, PrerequisiteEvaluation } from './result.js';

/**
 * Returned by a data lookup that cannot answer synchronously (a cache miss in a persistent store, a big
 * segment membership not fetched yet). The synchronous evaluator stops; {@link evaluateAsync} fetches
 * what was missing and evaluates again.
 */
export const PENDING: unique symbol = Symbol('switchyard.pending');

/** Big-segment membership of one context key: segment ref (`<key>.g<generation>`) → included/excluded. */
export interface BigSegmentMembership {
  readonly [segmentRef: string]: boolean | null | undefined;
}

/** A membership lookup result with the health of the data it came from. */
export interface BigSegmentLookup {
  readonly membership: BigSegmentMembership | undefined;
  readonly status: BigSegmentsStatus;
}

/**
 * Where the evaluator reads flags, segments and big-segment membership. Each lookup answers at once:
 * the item, `undefined` when there is none, or {@link PENDING} when it would have to wait.
 */
export interface EvaluationData {
  flag(key: string): Flag | undefined | typeof PENDING;
  segment(key: string): Segment | undefined | typeof PENDING;
  /** Undefined when no big-segment store is configured (big segments then report NOT_CONFIGURED). */
  bigSegments?(contextKey: string): BigSegmentLookup | typeof PENDING;
}

/**
 * Prerequisite chains and segment nesting, counted together, deeper than this are reported as
 * `MALFORMED_FLAG` rather than risking a stack overflow. Real flag data nests a handful of levels.
 */
export const MAX_NESTING_DEPTH = 200;

class Pending {
  constructor(
    readonly what: 'flag' | 'segment' | 'bigSegments',
    readonly key: string,
  ) {}
}

interface State {
  /** Current prerequisite + segment nesting depth. */
  depth: number;
  prerequisites: string[] | undefined;
  events: PrerequisiteEvaluation[] | undefined;
  bigSegmentsStatus: BigSegmentsStatus | undefined;
  bigSegments: Map<string, BigSegmentLookup> | undefined;
  /** Keys of the prerequisites being evaluated (cycle detection). */
  readonly visited: string[];
  /** Keys of the segments being matched (cycle detection). */
  readonly segmentsVisited: string[];
  /** Whether to collect `prerequisites` and `prerequisiteEvaluations`. */
  record: boolean;
}

/**
 * What an evaluation of one flag came to. Outcomes that depend only on the flag (a variation served for
 * a reason) are made once per flag and shared (see `prepared`); so they are frozen, and double as the
 * {@link EvaluationResult} of an evaluation that met no prerequisite or big segment.
 */
interface Outcome extends EvaluationResult {
  readonly isError: boolean;
}

function outcome(value: JsonValue | null, variationIndex: number | null, reason: LDEvaluationReason, isError: boolean): Outcome {
  return Object.freeze({ value, variationIndex, reason, isError, prerequisites: undefined, prerequisiteEvaluations: undefined });
}

const ERROR_OUTCOMES = new Map<ErrorKind, Outcome>();

function errorOutcome(kind: ErrorKind = 'MALFORMED_FLAG'): Outcome {
  let o = ERROR_OUTCOMES.get(kind);
  if (!o) ERROR_OUTCOMES.set(kind, (o = outcome(null, null, Reasons.error(kind), true)));
  return o;
}

/**
 * Slots of a flag's `prepared` outcomes, with n variations and r rules: 0 off; 1+v target match;
 * 1+n+2v+e fallthrough (e = in experiment); 1+3n+2(i·n+v)+e rule i; 1+3n+2rn+j prerequisite j failed.
 */
function cached(flag: Flag, slot: number): Outcome | undefined {
  return (flag.prepared as (Outcome | undefined)[])[slot];
}

function keep(flag: Flag, slot: number, o: Outcome): Outcome {
  (flag.prepared as (Outcome | undefined)[])[slot] = o;
  return o;
}

function served(flag: Flag, index: number | undefined, reason: LDEvaluationReason): Outcome {
  if (index === undefined || index < 0 || index >= flag.variations.length) return errorOutcome();
  return outcome(flag.variations[index]!, index, Object.freeze(reason), false);
}

function offOutcome(flag: Flag): Outcome {
  return (
    cached(flag, 0) ??
    keep(flag, 0, flag.offVariation === undefined ? outcome(null, null, Reasons.off, false) : served(flag, flag.offVariation, Reasons.off))
  );
}

function targetOutcome(flag: Flag, index: number): Outcome {
  if (index < 0 || index >= flag.variations.length) return errorOutcome();
  return cached(flag, 1 + index) ?? keep(flag, 1 + index, served(flag, index, Reasons.targetMatch));
}

/** Variation `index` served by rule `ruleIndex` (-1: the fallthrough), in the experiment or not. */
function matchOutcome(flag: Flag, index: number, ruleIndex: number, ruleId: string | undefined, inExperiment: boolean): Outcome {
  const n = flag.variations.length;
  if (index < 0 || index >= n) return errorOutcome();
  const e = inExperiment ? 1 : 0;
  const slot = ruleIndex < 0 ? 1 + n + 2 * index + e : 1 + 3 * n + 2 * (ruleIndex * n + index) + e;
  return cached(flag, slot) ?? keep(flag, slot, served(flag, index, matchReason(ruleIndex, ruleId, inExperiment)));
}

function prerequisiteFailedOutcome(flag: Flag, j: number): Outcome {
  const n = flag.variations.length;
  const slot = 1 + 3 * n + 2 * flag.rules.length * n + j;
  const known = cached(flag, slot);
  if (known) return known;
  const reason = Reasons.prerequisiteFailed(flag.prerequisites[j]!.key);
  return keep(flag, slot, flag.offVariation === undefined ? outcome(null, null, Object.freeze(reason), false) : served(flag, flag.offVariation, reason));
}

function matchReason(ruleIndex: number, ruleId: string | undefined, inExperiment: boolean): LDEvaluationReason {
  if (ruleIndex < 0) return inExperiment ? Reasons.fallthroughExperiment : Reasons.fallthrough;
  return Reasons.ruleMatch(ruleIndex, ruleId, inExperiment);
}

/** Result of a clause or segment test: a boolean, or the error that stops evaluation. */
type Match = boolean | Outcome;

/**
 * Evaluates flags against contexts, exactly as LaunchDarkly's SDKs do. Synchronous: every lookup goes
 * through {@link EvaluationData}; a lookup answering {@link PENDING} makes `evaluate` return `PENDING`
 * (use {@link evaluateAsync} for data that may need fetching). Never throws on bad data: malformed
 * flags, invalid attribute references, cycles and over-deep nesting give `ERROR`/`MALFORMED_FLAG` (a
 * prerequisite cycle gives way to a failing prerequisite listed after it, as in LaunchDarkly's evaluator).
 */
export class Evaluator {
  /** The state of the evaluation in progress, reused by the next one (evaluation is synchronous). */
  private _spare: State | undefined;

  constructor(private readonly _data: EvaluationData) {}

  /**
   * Evaluates `flag` for a valid `context`; {@link PENDING} when data must be fetched first. With
   * `record` false the result's `prerequisites` and `prerequisiteEvaluations` are left undefined, for a
   * caller that needs neither (no analytics events, no flags state): the common evaluation then
   * allocates nothing.
   */
  evaluate(flag: Flag, context: Context, record = true): EvaluationResult | typeof PENDING {
    try {
      return this.evaluateOrThrowPending(flag, context, undefined, record);
    } catch (err) {
      if (err instanceof Pending) return PENDING;
      // Unreachable with data that went through parseFlag/parseSegment (and the nesting limit keeps the
      // stack safe), but evaluation must never throw: an item that was not parsed (raw JSON put into a
      // store by hand) or a stack overflow is a malformed flag.
      return errorOutcome();
    }
  }

  /**
   * `variationDetail` semantics in one call: an invalid context gives `USER_NOT_SPECIFIED`, a missing flag
   * `FLAG_NOT_FOUND`, and the default is served when no variation was; {@link PENDING} when data must be
   * fetched first.
   */
  evaluateDetail<T>(flag: Flag | undefined, context: Context, defaultValue: T): LDEvaluationDetail<T> | typeof PENDING {
    const early = precheck(flag, context, defaultValue);
    if (early) return early;
    const result = this.evaluate(flag!, context);
    return result === PENDING ? PENDING : toDetail(result, defaultValue);
  }

  /** Like {@link Evaluator.evaluate}, but throws the internal pending marker; used by {@link evaluateAsync}. */
  evaluateOrThrowPending(flag: Flag, context: Context, bigSegments?: Map<string, BigSegmentLookup>, record = true): EvaluationResult {
    // The state object and its arrays are reused from one evaluation to the next (their pushes and pops
    // balance when an evaluation completes); a nested evaluation (which nothing does today) gets its own.
    const state = this._spare ?? newState();
    this._spare = undefined;
    state.depth = 0;
    state.prerequisites = undefined;
    state.events = undefined;
    state.bigSegmentsStatus = undefined;
    state.bigSegments = bigSegments;
    state.record = record;
    // The chain of prerequisites being evaluated starts empty, not with `flag.key`, as in LaunchDarkly's
    // evaluator: a flag in a cycle is evaluated once more as a prerequisite before the cycle is found, so
    // it appears in `prerequisites` (a flag that is its own prerequisite lists itself) and in the
    // prerequisite events exactly as LaunchDarkly reports them, with LaunchDarkly's result (which the
    // extra evaluation can decide, see `_checkPrerequisites`). A pending lookup throws out of here; the
    // state is then simply not reused.
    const result = this._evaluate(flag, context, state, true);
    state.bigSegments = undefined;
    this._spare = state;
    // The common case: nothing but the flag decided the result, which is then a shared prepared outcome.
    if (state.prerequisites === undefined && state.events === undefined && state.bigSegmentsStatus === undefined) return result;
    const reason = state.bigSegmentsStatus === undefined ? result.reason : Object.freeze({ ...result.reason, bigSegmentsStatus: state.bigSegmentsStatus });
    return {
      value: result.value,
      variationIndex: result.variationIndex,
      reason,
      prerequisites: state.prerequisites,
      prerequisiteEvaluations: state.events,
    };
  }

  private _evaluate(flag: Flag, context: Context, state: State, topLevel: boolean): Outcome {
    if (flag.malformed !== undefined) return errorOutcome();
    if (!flag.on) return offOutcome(flag);

    if (flag.prerequisites.length !== 0) {
      const failure = this._checkPrerequisites(flag, context, state, topLevel);
      if (failure) return failure;
    }

    const { targetChecks } = flag;
    for (let i = 0; i < targetChecks.length; i++) {
      const check = targetChecks[i]!;
      const key = context.key(check.contextKind);
      if (key !== undefined && check.keys.has(key)) return targetOutcome(flag, check.variation);
    }

    const { rules } = flag;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      const match = this._ruleMatches(rule.clauses, context, state);
      if (match === false) continue;
      if (match !== true) return match;
      return this._variationOrRollout(rule, flag, context, i, rule.id);
    }
    if (!flag.fallthrough) return errorOutcome();
    return this._variationOrRollout(flag.fallthrough, flag, context, -1, undefined);
  }

  private _checkPrerequisites(flag: Flag, context: Context, state: State, topLevel: boolean): Outcome | undefined {
    const { prerequisites } = flag;
    if (state.depth >= MAX_NESTING_DEPTH) return errorOutcome();
    const { visited } = state;
    let cycle: Outcome | undefined;
    for (let j = 0; j < prerequisites.length; j++) {
      const prereq = prerequisites[j]!;
      if (visited.includes(prereq.key)) {
        // A prerequisite cycle. As LaunchDarkly's evaluator does, note it and go on with the next
        // prerequisite: a later one that fails or errs decides the result, otherwise the cycle's
        // MALFORMED_FLAG does (a flag in a cycle never passes its prerequisites).
        cycle = errorOutcome();
        continue;
      }
      const prereqFlag = this._lookup('flag', prereq.key, this._data.flag(prereq.key));
      if (!prereqFlag) return prerequisiteFailedOutcome(flag, j);
      visited.push(prereq.key);
      state.depth++;
      const result = this._evaluate(prereqFlag, context, state, false);
      state.depth--;
      visited.pop();
      if (state.record) {
        if (topLevel) (state.prerequisites ??= []).push(prereqFlag.key);
        (state.events ??= []).push({
          flag: prereqFlag,
          value: result.value,
          variationIndex: result.variationIndex,
          reason: result.reason,
          prerequisiteOf: flag.key,
        });
      }
      if (result.isError) return result;
      if (result.reason.kind === 'OFF' || result.variationIndex !== prereq.variation) return prerequisiteFailedOutcome(flag, j);
    }
    return cycle;
  }

  /** What a rule (`ruleIndex` ≥ 0) or the fallthrough (`ruleIndex` -1) serves. */
  private _variationOrRollout(vr: VariationOrRollout, flag: Flag, context: Context, ruleIndex: number, ruleId: string | undefined): Outcome {
    if (vr.variation !== undefined) return matchOutcome(flag, vr.variation, ruleIndex, ruleId, false);
    const rollout = vr.rollout;
    if (!rollout || rollout.variations.length === 0) return errorOutcome();
    return this._rollout(rollout, flag, context, ruleIndex, ruleId);
  }

  private _rollout(rollout: Rollout, flag: Flag, context: Context, ruleIndex: number, ruleId: string | undefined): Outcome {
    const experiment = rollout.kind === 'experiment';
    const bucketBy = experiment ? KEY_ATTRIBUTE : (rollout.bucketBy ?? KEY_ATTRIBUTE);
    if (!bucketBy.valid) return errorOutcome();
    let bucket = bucketOf(context, rollout.seedPrefix ?? flag.bucketPrefix, bucketBy, rollout.contextKind);
    const hadContext = bucket !== NO_CONTEXT;
    if (!hadContext) bucket = 0;
    const { variations } = rollout;
    let sum = 0;
    for (let i = 0; i < variations.length; i++) {
      const wv = variations[i]!;
      sum += wv.weight / 100000;
      if (bucket < sum) return matchOutcome(flag, wv.variation, ruleIndex, ruleId, experiment && hadContext && !wv.untracked);
    }
    // Rounding, or weights summing under 100%: the last variation. (LaunchDarkly marks this one as in the
    // experiment even when the context lacks the rollout's kind; kept for identical results.)
    const last = variations[variations.length - 1]!;
    return matchOutcome(flag, last.variation, ruleIndex, ruleId, experiment && !last.untracked);
  }

  /** All clauses must match; `undefined` clauses never match and an empty list always does. */
  private _ruleMatches(clauses: readonly Clause[] | undefined, context: Context, state: State): Match {
    if (!clauses) return false;
    for (let i = 0; i < clauses.length; i++) {
      const match = this._clauseMatches(clauses[i]!, context, state);
      if (match !== true) return match;
    }
    return true;
  }

  private _clauseMatches(clause: Clause, context: Context, state: State): Match {
    if (clause.op === 'segmentMatch') return this._segmentClauseMatches(clause, context, state);
    if (!clause.attribute.valid) return errorOutcome();
    const value = context.valueFor(clause.contextKind, clause.attribute);
    // A missing attribute never matches, and negate does not change that.
    if (value === null || value === undefined) return false;
    let matched: boolean;
    if (Array.isArray(value)) {
      matched = false;
      for (let i = 0; i < value.length; i++) {
        if (clause.matches(value[i])) {
          matched = true;
          break;
        }
      }
    } else {
      matched = clause.matches(value);
    }
    return clause.negate ? !matched : matched;
  }

  private _segmentClauseMatches(clause: Clause, context: Context, state: State): Match {
    const { segmentsVisited } = state;
    let matched = false;
    for (const value of clause.values) {
      if (typeof value !== 'string') continue;
      const segment = this._lookup('segment', value, this._data.segment(value));
      if (!segment) continue;
      if (segmentsVisited.includes(segment.key) || state.depth >= MAX_NESTING_DEPTH) return errorOutcome();
      segmentsVisited.push(segment.key);
      state.depth++;
      const match = this._segmentMatches(segment, context, state);
      state.depth--;
      segmentsVisited.pop();
      if (match === false) continue;
      if (match !== true) return match;
      matched = true;
      break;
    }
    return clause.negate ? !matched : matched;
  }

  private _segmentMatches(segment: Segment, context: Context, state: State): Match {
    if (segment.malformed !== undefined) return errorOutcome();
    if (!segment.unbounded) {
      if (searchTargets(context, segment.includedContexts, segment.included)) return true;
      if (searchTargets(context, segment.excludedContexts, segment.excluded)) return false;
      return this._segmentRules(segment, context, state);
    }
    const key = context.key(segment.unboundedContextKind);
    if (!key) return false;
    if (!segment.generation) {
      state.bigSegmentsStatus = worseBigSegmentsStatus(state.bigSegmentsStatus, 'NOT_CONFIGURED');
      return false;
    }
    const lookup = this._bigSegments(key, state);
    state.bigSegmentsStatus = worseBigSegmentsStatus(state.bigSegmentsStatus, lookup.status);
    const included = lookup.membership?.[`${segment.key}.g${segment.generation}`];
    if (included !== undefined && included !== null) return included;
    return this._segmentRules(segment, context, state);
  }

  private _bigSegments(contextKey: string, state: State): BigSegmentLookup {
    // Queried at most once per context key per evaluation, however many big segments the flag uses.
    const known = state.bigSegments?.get(contextKey);
    if (known) return known;
    const source = this._data.bigSegments;
    const lookup: BigSegmentLookup = source
      ? this._lookup('bigSegments', contextKey, source.call(this._data, contextKey))
      : { membership: undefined, status: 'NOT_CONFIGURED' };
    (state.bigSegments ??= new Map()).set(contextKey, lookup);
    return lookup;
  }

  private _segmentRules(segment: Segment, context: Context, state: State): Match {
    const { rules } = segment;
    for (let i = 0; i < rules.length; i++) {
      const match = this._segmentRuleMatches(segment, rules[i]!, context, state);
      if (match !== false) return match;
    }
    return false;
  }

  private _segmentRuleMatches(segment: Segment, rule: SegmentRule, context: Context, state: State): Match {
    const match = this._ruleMatches(rule.clauses, context, state);
    if (match !== true || rule.weight === undefined) return match;
    const bucketBy: AttributeReference = rule.bucketBy ?? KEY_ATTRIBUTE;
    if (!bucketBy.valid) return errorOutcome();
    const bucket = bucketOf(context, segment.bucketPrefix, bucketBy, rule.rolloutContextKind);
    return (bucket === NO_CONTEXT ? 0 : bucket) < rule.weight / 100000;
  }

  private _lookup<T>(what: Pending['what'], key: string, found: T | typeof PENDING): T {
    if (found === PENDING) throw new Pending(what, key);
    return found;
  }
}

function newState(): State {
  return {
    depth: 0,
    prerequisites: undefined,
    events: undefined,
    bigSegmentsStatus: undefined,
    bigSegments: undefined,
    visited: [],
    segmentsVisited: [],
    record: true,
  };
}

function searchTargets(context: Context, byKind: readonly SegmentTarget[], userKeys: ReadonlySet<string>): boolean {
  for (let i = 0; i < byKind.length; i++) {
    const target = byKind[i]!;
    const key = context.key(target.contextKind);
    if (key && target.values.has(key)) return true;
  }
  if (userKeys.size) {
    const key = context.key('user');
    if (key && userKeys.has(key)) return true;
  }
  return false;
}

/** How {@link evaluateAsync} fetches what a synchronous lookup could not answer. */
export interface AsyncEvaluationData {
  flag(key: string): Promise<Flag | undefined>;
  segment(key: string): Promise<Segment | undefined>;
  bigSegments?(contextKey: string): Promise<BigSegmentLookup>;
}

/**
 * Evaluates with data that may need fetching: runs the synchronous evaluator, and whenever a lookup is
 * {@link PENDING}, fetches that one item, remembers it for this evaluation, and runs again. Each item
 * is fetched at most once per evaluation. Rejects only if a fetch rejects. `record` as in
 * {@link Evaluator.evaluate}.
 */
export async function evaluateAsync(
  flag: Flag,
  context: Context,
  sync: EvaluationData,
  fetch: AsyncEvaluationData,
  record = true,
): Promise<EvaluationResult> {
  const flags = new Map<string, Flag | undefined>();
  const segments = new Map<string, Segment | undefined>();
  const bigSegments = new Map<string, BigSegmentLookup>();
  const data: EvaluationData = {
    flag: (key) => (flags.has(key) ? flags.get(key) : sync.flag(key)),
    segment: (key) => (segments.has(key) ? segments.get(key) : sync.segment(key)),
    ...(sync.bigSegments || fetch.bigSegments
      ? { bigSegments: (key: string) => bigSegments.get(key) ?? (sync.bigSegments ? sync.bigSegments(key) : PENDING) }
      : {}),
  };
  const evaluator = new Evaluator(data);
  for (;;) {
    try {
      return evaluator.evaluateOrThrowPending(flag, context, new Map(bigSegments), record);
    } catch (err) {
      // As in Evaluator.evaluate: anything but a pending lookup means the data was not a parsed model.
      if (!(err instanceof Pending)) return errorOutcome();
      if (err.what === 'flag') flags.set(err.key, await fetch.flag(err.key));
      else if (err.what === 'segment') segments.set(err.key, await fetch.segment(err.key));
      else if (fetch.bigSegments) bigSegments.set(err.key, await fetch.bigSegments(err.key));
      else bigSegments.set(err.key, { membership: undefined, status: 'NOT_CONFIGURED' });
    }
  }
}
