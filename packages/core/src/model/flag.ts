import { MalformedDataError } from '../errors/index.js';
import type { AttributeReference } from '../context/attribute-reference.js';
import { freezeParsedItem, markFrozenJson, toFrozenJson, type JsonValue } from '../value/json.js';
import type { Clause } from './clause.js';
import {
  arr,
  attributeRef,
  bool,
  EMPTY_LIST,
  int,
  isObj,
  list,
  num,
  obj,
  opt,
  parseClause,
  ParseProblem,
  str,
  strings,
  type Obj,
} from './read.js';

/** One weighted variation of a rollout. Weights are in units of 1/100000. */
export interface WeightedVariation {
  readonly variation: number;
  readonly weight: number;
  /** Excluded from the experiment (no `inExperiment` in the reason). */
  readonly untracked: boolean;
}

/** A percentage rollout or experiment. */
export interface Rollout {
  readonly kind: 'rollout' | 'experiment';
  readonly variations: readonly WeightedVariation[];
  /** The context kind whose key (or `bucketBy` attribute) is hashed; default `user`. */
  readonly contextKind: string;
  /** The attribute hashed (default `key`; always `key` for experiments). */
  readonly bucketBy: AttributeReference | undefined;
  readonly seed: number | undefined;
  /** `"<seed>."` when there is a seed (hashed instead of the flag's key and salt). */
  readonly seedPrefix: string | undefined;
}

/** A fixed variation or a rollout: what a rule or the fallthrough serves. */
export interface VariationOrRollout {
  readonly variation: number | undefined;
  readonly rollout: Rollout | undefined;
}

/** A prerequisite: `key` must be on and serve `variation`. */
export interface Prerequisite {
  readonly key: string;
  readonly variation: number;
}

/**
 * One individual-targeting check, in evaluation order: contexts of `contextKind` whose key is in `keys`
 * get `variation`. Made from `targets` and `contextTargets` once, when the flag is parsed: with
 * `contextTargets`, a `user` entry there stands for the legacy `targets` entry with the same variation
 * (its own values are empty); without, the `targets` entries are the `user` checks.
 */
export interface TargetCheck {
  readonly contextKind: string;
  readonly keys: ReadonlySet<string>;
  readonly variation: number;
}

/** A targeting rule. */
export interface FlagRule extends VariationOrRollout {
  readonly id: string | undefined;
  /** Undefined when the data has no `clauses` (such a rule never matches; an empty list always does). */
  readonly clauses: readonly Clause[] | undefined;
  readonly trackEvents: boolean;
}

/** A feature flag, parsed from LaunchDarkly's JSON and frozen, with what evaluation needs precomputed. */
export interface Flag {
  readonly key: string;
  readonly version: number;
  readonly deleted: boolean;
  readonly on: boolean;
  readonly salt: string;
  /** `"<key>.<salt>."`: what rollouts without a seed hash, before the context's value. */
  readonly bucketPrefix: string;
  /** The variation values, deeply frozen. */
  readonly variations: readonly JsonValue[];
  readonly offVariation: number | undefined;
  readonly fallthrough: VariationOrRollout | undefined;
  readonly prerequisites: readonly Prerequisite[];
  /** Individual targeting (`targets` and `contextTargets`), resolved into the checks evaluation makes. */
  readonly targetChecks: readonly TargetCheck[];
  readonly rules: readonly FlagRule[];
  readonly trackEvents: boolean;
  readonly trackEventsFallthrough: boolean;
  /** Epoch milliseconds until which full (debug) events are sent. */
  readonly debugEventsUntilDate: number | undefined;
  readonly clientSideAvailability: { readonly usingMobileKey: boolean; readonly usingEnvironmentId: boolean };
  readonly samplingRatio: number | undefined;
  readonly excludeFromSummaries: boolean;
  /** Settings of a migration flag (`migration` in LaunchDarkly's JSON); see {@link FlagMigrationSettings}. */
  readonly migration: FlagMigrationSettings | undefined;
  /**
   * Why the flag could not be parsed, when it could not: such a flag is kept (so its key and version
   * still order updates) and evaluates to `ERROR`/`MALFORMED_FLAG`.
   */
  readonly malformed: string | undefined;
  /**
   * The JSON it was parsed from, deeply frozen (unknown fields included), for writing back to stores.
   * Undefined when it was parsed with `keepJson: false` (the SDK does that when nothing will ever write it
   * to a store: with the default in-memory store it is 60% of the data's memory).
   */
  readonly json: JsonValue | undefined;
  /**
   * The evaluator's results for this flag that depend on nothing but the flag (a served variation and its
   * reason), made on first use and shared after: the common evaluation allocates no result.
   *
   * @internal
   */
  readonly prepared: unknown[];
}

/**
 * A migration flag's settings. `checkRatio` is the "1 in N" sampling of consistency checks (absent: 1,
 * every read that runs both origins is checked; 0: none). Read leniently, as LaunchDarkly's SDK does:
 * these settings only shape migration analytics, so a value of the wrong type is ignored rather than
 * making the flag malformed.
 */
export interface FlagMigrationSettings {
  readonly checkRatio: number | undefined;
}

function migrationSettings(o: Obj): FlagMigrationSettings | undefined {
  const m = o.migration;
  if (!isObj(m)) return undefined;
  const ratio = m.checkRatio;
  return Object.freeze({ checkRatio: typeof ratio === 'number' ? ratio : undefined });
}

function parseRollout(v: JsonValue, path: string): Rollout {
  const o = obj(v, path);
  const contextKind = opt(o, 'contextKind', str, path);
  const kind = opt(o, 'kind', str, path);
  const bucketBy = opt(o, 'bucketBy', str, path);
  const seed = opt(o, 'seed', num, path);
  return Object.freeze({
    kind: kind === 'experiment' ? 'experiment' : 'rollout',
    variations: list(
      o,
      'variations',
      (w, p) => {
        const wo = obj(w, p);
        return Object.freeze({
          variation: int(wo.variation ?? null, `${p}.variation`),
          weight: opt(wo, 'weight', num, p) ?? 0,
          untracked: opt(wo, 'untracked', bool, p) ?? false,
        });
      },
      path,
    ),
    contextKind: contextKind ?? 'user',
    bucketBy: bucketBy === undefined ? undefined : attributeRef(bucketBy, contextKind !== undefined),
    seed,
    // A seed of 0 counts as no seed, as in LaunchDarkly's Node SDK.
    seedPrefix: seed ? `${seed}.` : undefined,
  });
}

export function parseVariationOrRollout(o: Obj, path: string): VariationOrRollout {
  return {
    variation: opt(o, 'variation', int, path),
    rollout: opt(o, 'rollout', parseRollout, path),
  };
}

interface Target {
  readonly contextKind: string;
  readonly values: readonly string[];
  readonly variation: number;
}

function parseTarget(v: JsonValue, path: string): Target {
  const o = obj(v, path);
  return {
    contextKind: opt(o, 'contextKind', str, path) ?? 'user',
    values: opt(o, 'values', strings, path) ?? EMPTY_LIST,
    variation: int(o.variation ?? null, `${path}.variation`),
  };
}

const NO_KEYS: ReadonlySet<string> = new Set();

function check(contextKind: string, values: readonly string[], variation: number): TargetCheck {
  return Object.freeze({ contextKind, keys: values.length ? new Set(values) : NO_KEYS, variation });
}

function targetChecks(o: Obj, path: string): readonly TargetCheck[] {
  const targets = list(o, 'targets', parseTarget, path);
  const contextTargets = list(o, 'contextTargets', parseTarget, path);
  if (contextTargets.length === 0) {
    if (targets.length === 0) return EMPTY_LIST;
    return Object.freeze(targets.map((t) => check('user', t.values, t.variation)));
  }
  const checks: TargetCheck[] = [];
  for (const t of contextTargets) {
    if (t.contextKind !== 'user') {
      checks.push(check(t.contextKind, t.values, t.variation));
      continue;
    }
    const legacy = targets.find((u) => u.variation === t.variation);
    if (legacy) checks.push(check('user', legacy.values, legacy.variation));
  }
  return Object.freeze(checks);
}

function parseRule(v: JsonValue, path: string): FlagRule {
  const o = obj(v, path);
  return Object.freeze({
    id: opt(o, 'id', str, path),
    clauses: o.clauses === undefined || o.clauses === null ? undefined : list(o, 'clauses', parseClause, path),
    trackEvents: opt(o, 'trackEvents', bool, path) ?? false,
    variation: opt(o, 'variation', int, path),
    rollout: opt(o, 'rollout', parseRollout, path),
  });
}

function envelope(value: unknown, what: string): { o: Obj; key: string; version: number } {
  if (!isObj(value)) throw new MalformedDataError(`${what} must be a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  const { key, version } = value;
  if (typeof key !== 'string') throw new MalformedDataError(`${what} has no string "key"`);
  if (typeof version !== 'number' || !Number.isFinite(version)) throw new MalformedDataError(`${what} "${key}" has no numeric "version"`);
  return { o: value, key, version };
}

/**
 * Copies and freezes untrusted JSON, unless it came straight from `JSON.parse`: then it is frozen in place,
 * or, when its JSON is not kept, left as it is for {@link freezeRetained} to freeze only what the model keeps.
 */
export function frozenInput(value: unknown, fromParse: boolean, keepJson: boolean): unknown {
  if (!fromParse) return toFrozenJson(value);
  return keepJson ? freezeParsedItem(value) : value;
}

/**
 * Freezes the parts of an unfrozen parsed JSON value that a model built from it holds on to: variation
 * values (handed to callers) and clause values. The rest is copied into the model or dropped.
 *
 * @internal
 */
export function freezeRetained(variations: readonly JsonValue[], rules: readonly { readonly clauses: readonly Clause[] | undefined }[]): void {
  freezeParsedItem(variations);
  for (const value of variations) markFrozenJson(value);
  for (const rule of rules) for (const clause of rule.clauses ?? EMPTY_LIST) freezeParsedItem(clause.values);
}

function variations(v: JsonValue, path: string): readonly JsonValue[] {
  const values = arr(v, path);
  // What callers and events receive: marked as frozen JSON, so handing one back in is free.
  for (const value of values) markFrozenJson(value);
  return values;
}

/**
 * Parses a flag. Throws {@link MalformedDataError} only when the value has no usable key and version;
 * any other problem gives a flag whose `malformed` says what is wrong (it evaluates to `MALFORMED_FLAG`).
 * `fromParse` and `keepJson` as in {@link DataKind.fromJSON}.
 */
export function parseFlag(input: unknown, fromParse = false, keepJson = true): Flag {
  const flag = parse(input, fromParse, keepJson);
  if (fromParse && !keepJson) freezeRetained(flag.variations, flag.rules);
  return flag;
}

function parse(input: unknown, fromParse: boolean, keepJson: boolean): Flag {
  const { o, key, version } = envelope(frozenInput(input, fromParse, keepJson), 'flag');
  const path = `flag "${key}"`;
  const deleted = o.deleted === true;
  const json = keepJson ? o : undefined;
  const base = {
    key,
    version,
    deleted,
    json,
  };
  if (deleted) return Object.freeze({ ...emptyFlag, ...base, bucketPrefix: `${key}..`, prepared: [] });
  try {
    const clientSide = opt(o, 'clientSideAvailability', obj, path);
    const fallthrough = opt(o, 'fallthrough', obj, path);
    const salt = opt(o, 'salt', str, path) ?? '';
    // Fields written out rather than spread from `base`: a spread here made parsing twice as slow, and
    // every flag read from a store without a cache is parsed.
    return Object.freeze({
      key,
      version,
      deleted,
      json,
      on: opt(o, 'on', bool, path) ?? false,
      salt,
      bucketPrefix: `${key}.${salt}.`,
      prepared: [],
      variations: opt(o, 'variations', variations, path) ?? EMPTY_LIST,
      offVariation: opt(o, 'offVariation', int, path),
      fallthrough: fallthrough && Object.freeze(parseVariationOrRollout(fallthrough, `${path}.fallthrough`)),
      prerequisites: list(
        o,
        'prerequisites',
        (p, pp) => {
          const po = obj(p, pp);
          return Object.freeze({ key: str(po.key ?? null, `${pp}.key`), variation: int(po.variation ?? null, `${pp}.variation`) });
        },
        path,
      ),
      targetChecks: targetChecks(o, path),
      rules: list(o, 'rules', parseRule, path),
      trackEvents: opt(o, 'trackEvents', bool, path) ?? false,
      trackEventsFallthrough: opt(o, 'trackEventsFallthrough', bool, path) ?? false,
      debugEventsUntilDate: opt(o, 'debugEventsUntilDate', num, path),
      clientSideAvailability: Object.freeze(
        clientSide
          ? {
              usingMobileKey: opt(clientSide, 'usingMobileKey', bool, path) ?? false,
              usingEnvironmentId: opt(clientSide, 'usingEnvironmentId', bool, path) ?? false,
            }
          : // Without clientSideAvailability a flag is not for client-side SDKs. The legacy `clientSide` field is
            // ignored, as LaunchDarkly's SDK ignores it (`allFlagsState({ clientSideOnly: true })` leaves the flag out).
            { usingMobileKey: false, usingEnvironmentId: false },
      ),
      samplingRatio: opt(o, 'samplingRatio', num, path),
      excludeFromSummaries: opt(o, 'excludeFromSummaries', bool, path) ?? false,
      migration: migrationSettings(o),
      malformed: undefined,
    });
  } catch (err) {
    if (!(err instanceof ParseProblem)) throw err;
    return Object.freeze({ ...emptyFlag, ...base, bucketPrefix: `${key}..`, prepared: [], migration: migrationSettings(o), malformed: err.message });
  }
}

const emptyFlag: Omit<Flag, 'key' | 'version' | 'deleted' | 'json' | 'bucketPrefix' | 'prepared'> = Object.freeze({
  on: false,
  salt: '',
  variations: EMPTY_LIST,
  offVariation: undefined,
  fallthrough: undefined,
  prerequisites: EMPTY_LIST,
  targetChecks: EMPTY_LIST,
  rules: EMPTY_LIST,
  trackEvents: false,
  trackEventsFallthrough: false,
  debugEventsUntilDate: undefined,
  clientSideAvailability: { usingMobileKey: false, usingEnvironmentId: false },
  samplingRatio: undefined,
  excludeFromSummaries: false,
  migration: undefined,
  malformed: undefined,
});
