import type { AttributeReference } from '../context/attribute-reference.js';
import type { Context } from '../context/context.js';
import type { Clause } from '../model/clause.js';
import type { Flag, Rollout, VariationOrRollout } from '../model/flag.js';
import type { Segment, SegmentRule, SegmentTarget } from '../model/segment.js';
import type { JsonValue } from '../value/json.js';
import { bucketContext, KEY_ATTRIBUTE } from './bucketing.js';
import { precheck, toDetail } from './detail.js';
import {
  Reasons,
  worseBigSegmentsStatus,
  type BigSegmentsStatus,
  type ErrorKind,
  type LDEvaluationDetail,
  type LDEvaluationReason,
} from './reasons.js';

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
}

interface Outcome {
  readonly value: JsonValue | null;
  readonly variationIndex: number | null;
  readonly reason: LDEvaluationReason;
  readonly isError: boolean;
}

function errorOutcome(kind: ErrorKind = 'MALFORMED_FLAG'): Outcome {
  return { value: null, variationIndex: null, reason: Reasons.error(kind), isError: true };
}

function variation(flag: Flag, index: number | undefined, reason: LDEvaluationReason): Outcome {
  if (index === undefined || index < 0 || index >= flag.variations.length) return errorOutcome();
  return { value: flag.variations[index]!, variationIndex: index, reason, isError: false };
}

function offVariation(flag: Flag, reason: LDEvaluationReason): Outcome {
  if (flag.offVariation === undefined) return { value: null, variationIndex: null, reason, isError: false };
  return variation(flag, flag.offVariation, reason);
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
  constructor(private readonly _data: EvaluationData) {}

  /** Evaluates `flag` for a valid `context`; {@link PENDING} when data must be fetched first. */
  evaluate(flag: Flag, context: Context): EvaluationResult | typeof PENDING {
    try {
      return this.evaluateOrThrowPending(flag, context);
    } catch (err) {
      if (err instanceof Pending) return PENDING;
      // Unreachable with data that went through parseFlag/parseSegment (and the nesting limit keeps the
      // stack safe), but evaluation must never throw: an item that was not parsed (raw JSON put into a
      // store by hand) or a stack overflow is a malformed flag.
      return { ...errorOutcome(), prerequisites: undefined, prerequisiteEvaluations: undefined };
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
  evaluateOrThrowPending(flag: Flag, context: Context, bigSegments?: Map<string, BigSegmentLookup>): EvaluationResult {
    const state: State = { depth: 0, prerequisites: undefined, events: undefined, bigSegmentsStatus: undefined, bigSegments };
    // The chain of prerequisites being evaluated starts empty, not with `flag.key`, as in LaunchDarkly's
    // evaluator: a flag in a cycle is evaluated once more as a prerequisite before the cycle is found, so
    // it appears in `prerequisites` (a flag that is its own prerequisite lists itself) and in the
    // prerequisite events exactly as LaunchDarkly reports them, with LaunchDarkly's result (which the extra
    // evaluation can decide, see `_checkPrerequisites`).
    const outcome = this._evaluate(flag, context, state, [], true);
    let reason = outcome.reason;
    if (state.bigSegmentsStatus !== undefined) reason = Object.freeze({ ...reason, bigSegmentsStatus: state.bigSegmentsStatus });
    return {
      value: outcome.value,
      variationIndex: outcome.variationIndex,
      reason,
      prerequisites: state.prerequisites,
      prerequisiteEvaluations: state.events,
    };
  }

  private _evaluate(flag: Flag, context: Context, state: State, visited: string[], topLevel: boolean): Outcome {
    if (flag.malformed !== undefined) return errorOutcome();
    if (!flag.on) return offVariation(flag, Reasons.off);

    const prereqFailure = this._checkPrerequisites(flag, context, state, visited, topLevel);
    if (prereqFailure) return prereqFailure;

    const target = this._evalTargets(flag, context);
    if (target) return target;

    const { rules } = flag;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      const match = this._ruleMatches(rule.clauses, context, state, []);
      if (match === false) continue;
      if (match !== true) return match;
      return this._variationOrRollout(rule, flag, context, i, rule.id);
    }
    if (!flag.fallthrough) return errorOutcome();
    return this._variationOrRollout(flag.fallthrough, flag, context, -1, undefined);
  }

  private _checkPrerequisites(flag: Flag, context: Context, state: State, visited: string[], topLevel: boolean): Outcome | undefined {
    const { prerequisites } = flag;
    if (prerequisites.length === 0) return undefined;
    if (state.depth >= MAX_NESTING_DEPTH) return errorOutcome();
    let cycle: Outcome | undefined;
    for (const prereq of prerequisites) {
      if (visited.includes(prereq.key)) {
        // A prerequisite cycle. As LaunchDarkly's evaluator does, note it and go on with the next
        // prerequisite: a later one that fails or errs decides the result, otherwise the cycle's
        // MALFORMED_FLAG does (a flag in a cycle never passes its prerequisites).
        cycle = errorOutcome();
        continue;
      }
      const prereqFlag = this._lookup('flag', prereq.key, this._data.flag(prereq.key));
      if (!prereqFlag) return offVariation(flag, Reasons.prerequisiteFailed(prereq.key));
      visited.push(prereq.key);
      state.depth++;
      const result = this._evaluate(prereqFlag, context, state, visited, false);
      state.depth--;
      visited.pop();
      if (topLevel) (state.prerequisites ??= []).push(prereqFlag.key);
      (state.events ??= []).push({
        flag: prereqFlag,
        value: result.value,
        variationIndex: result.variationIndex,
        reason: result.reason,
        prerequisiteOf: flag.key,
      });
      if (result.isError) return result;
      if (result.reason.kind === 'OFF' || result.variationIndex !== prereq.variation) {
        return offVariation(flag, Reasons.prerequisiteFailed(prereq.key));
      }
    }
    return cycle;
  }

  private _evalTargets(flag: Flag, context: Context): Outcome | undefined {
    if (flag.contextTargets.length === 0) {
      const key = context.key('user');
      if (key === undefined) return undefined;
      for (const target of flag.targets) {
        if (target.valueSet.has(key)) return variation(flag, target.variation, Reasons.targetMatch);
      }
      return undefined;
    }
    for (const target of flag.contextTargets) {
      // A `user` entry in contextTargets only marks where the legacy `targets` entry with the same
      // variation is checked; its own values are empty.
      const effective = target.contextKind === 'user' ? flag.targets.find((t) => t.variation === target.variation) : target;
      if (!effective) continue;
      const key = context.key(target.contextKind);
      if (key !== undefined && effective.valueSet.has(key)) return variation(flag, effective.variation, Reasons.targetMatch);
    }
    return undefined;
  }

  /** What a rule (`ruleIndex` ≥ 0) or the fallthrough (`ruleIndex` -1) serves. */
  private _variationOrRollout(vr: VariationOrRollout, flag: Flag, context: Context, ruleIndex: number, ruleId: string | undefined): Outcome {
    if (vr.variation !== undefined) return variation(flag, vr.variation, matchReason(ruleIndex, ruleId, false));
    const rollout = vr.rollout;
    if (!rollout || rollout.variations.length === 0) return errorOutcome();
    return this._rollout(rollout, flag, context, ruleIndex, ruleId);
  }

  private _rollout(rollout: Rollout, flag: Flag, context: Context, ruleIndex: number, ruleId: string | undefined): Outcome {
    const experiment = rollout.kind === 'experiment';
    const bucketBy = experiment ? KEY_ATTRIBUTE : (rollout.bucketBy ?? KEY_ATTRIBUTE);
    if (!bucketBy.valid) return errorOutcome();
    const [bucket, hadContext] = bucketContext(context, flag.key, bucketBy, flag.salt, rollout.contextKind, rollout.seed);
    const { variations } = rollout;
    let sum = 0;
    for (const wv of variations) {
      sum += wv.weight / 100000;
      if (bucket < sum) return variation(flag, wv.variation, matchReason(ruleIndex, ruleId, experiment && hadContext && !wv.untracked));
    }
    // Rounding, or weights summing under 100%: the last variation. (LaunchDarkly marks this one as in the
    // experiment even when the context lacks the rollout's kind; kept for identical results.)
    const last = variations[variations.length - 1]!;
    return variation(flag, last.variation, matchReason(ruleIndex, ruleId, experiment && !last.untracked));
  }

  /** All clauses must match; `undefined` clauses never match and an empty list always does. */
  private _ruleMatches(clauses: readonly Clause[] | undefined, context: Context, state: State, segmentsVisited: string[]): Match {
    if (!clauses) return false;
    for (const clause of clauses) {
      const match = this._clauseMatches(clause, context, state, segmentsVisited);
      if (match !== true) return match;
    }
    return true;
  }

  private _clauseMatches(clause: Clause, context: Context, state: State, segmentsVisited: string[]): Match {
    if (clause.op === 'segmentMatch') {
      let matched = false;
      for (const value of clause.values) {
        if (typeof value !== 'string') continue;
        const segment = this._lookup('segment', value, this._data.segment(value));
        if (!segment) continue;
        if (segmentsVisited.includes(segment.key) || state.depth >= MAX_NESTING_DEPTH) return errorOutcome();
        segmentsVisited.push(segment.key);
        state.depth++;
        const match = this._segmentMatches(segment, context, state, segmentsVisited);
        state.depth--;
        segmentsVisited.pop();
        if (match === false) continue;
        if (match !== true) return match;
        matched = true;
        break;
      }
      return clause.negate ? !matched : matched;
    }
    if (!clause.attribute.valid) return errorOutcome();
    const value = context.valueFor(clause.contextKind, clause.attribute);
    // A missing attribute never matches, and negate does not change that.
    if (value === null || value === undefined) return false;
    let matched: boolean;
    if (Array.isArray(value)) {
      matched = false;
      for (const item of value) {
        if (clause.matches(item)) {
          matched = true;
          break;
        }
      }
    } else {
      matched = clause.matches(value);
    }
    return clause.negate ? !matched : matched;
  }

  private _segmentMatches(segment: Segment, context: Context, state: State, segmentsVisited: string[]): Match {
    if (segment.malformed !== undefined) return errorOutcome();
    if (!segment.unbounded) {
      if (searchTargets(context, segment.includedContexts, segment.included)) return true;
      if (searchTargets(context, segment.excludedContexts, segment.excluded)) return false;
      return this._segmentRules(segment, context, state, segmentsVisited);
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
    return this._segmentRules(segment, context, state, segmentsVisited);
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

  private _segmentRules(segment: Segment, context: Context, state: State, segmentsVisited: string[]): Match {
    for (const rule of segment.rules) {
      const match = this._segmentRuleMatches(segment, rule, context, state, segmentsVisited);
      if (match !== false) return match;
    }
    return false;
  }

  private _segmentRuleMatches(segment: Segment, rule: SegmentRule, context: Context, state: State, segmentsVisited: string[]): Match {
    const match = this._ruleMatches(rule.clauses, context, state, segmentsVisited);
    if (match !== true || rule.weight === undefined) return match;
    const bucketBy: AttributeReference = rule.bucketBy ?? KEY_ATTRIBUTE;
    if (!bucketBy.valid) return errorOutcome();
    const [bucket] = bucketContext(context, segment.key, bucketBy, segment.salt, rule.rolloutContextKind, undefined);
    return bucket < rule.weight / 100000;
  }

  private _lookup<T>(what: Pending['what'], key: string, found: T | typeof PENDING): T {
    if (found === PENDING) throw new Pending(what, key);
    return found;
  }
}

function searchTargets(context: Context, byKind: readonly SegmentTarget[], userKeys: ReadonlySet<string>): boolean {
  for (const target of byKind) {
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
 * is fetched at most once per evaluation. Rejects only if a fetch rejects.
 */
export async function evaluateAsync(
  flag: Flag,
  context: Context,
  sync: EvaluationData,
  fetch: AsyncEvaluationData,
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
      return evaluator.evaluateOrThrowPending(flag, context, new Map(bigSegments));
    } catch (err) {
      // As in Evaluator.evaluate: anything but a pending lookup means the data was not a parsed model.
      if (!(err instanceof Pending)) return { ...errorOutcome(), prerequisites: undefined, prerequisiteEvaluations: undefined };
      if (err.what === 'flag') flags.set(err.key, await fetch.flag(err.key));
      else if (err.what === 'segment') segments.set(err.key, await fetch.segment(err.key));
      else if (fetch.bigSegments) bigSegments.set(err.key, await fetch.bigSegments(err.key));
      else bigSegments.set(err.key, { membership: undefined, status: 'NOT_CONFIGURED' });
    }
  }
}
