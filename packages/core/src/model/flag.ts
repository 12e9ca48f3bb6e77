import { MalformedDataError } from '../errors/index.js';
import type { AttributeReference } from '../context/attribute-reference.js';
import { freezeParsedJson, toFrozenJson, type JsonValue } from '../value/json.js';
import type { Clause } from './clause.js';
import {
  arr,
  attributeRef,
  bool,
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

/** Individual targeting: contexts of `contextKind` whose key is in `values` get `variation`. */
export interface Target {
  readonly contextKind: string;
  readonly values: readonly string[];
  readonly valueSet: ReadonlySet<string>;
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
  /** The variation values, deeply frozen. */
  readonly variations: readonly JsonValue[];
  readonly offVariation: number | undefined;
  readonly fallthrough: VariationOrRollout | undefined;
  readonly prerequisites: readonly Prerequisite[];
  readonly targets: readonly Target[];
  readonly contextTargets: readonly Target[];
  readonly rules: readonly FlagRule[];
  readonly trackEvents: boolean;
  readonly trackEventsFallthrough: boolean;
  /** Epoch milliseconds until which full (debug) events are sent. */
  readonly debugEventsUntilDate: number | undefined;
  readonly clientSideAvailability: { readonly usingMobileKey: boolean; readonly usingEnvironmentId: boolean };
  readonly samplingRatio: number | undefined;
  readonly excludeFromSummaries: boolean;
  /**
   * Why the flag could not be parsed, when it could not: such a flag is kept (so its key and version
   * still order updates) and evaluates to `ERROR`/`MALFORMED_FLAG`.
   */
  readonly malformed: string | undefined;
  /** The JSON it was parsed from, deeply frozen (unknown fields included), for writing back to stores. */
  readonly json: JsonValue;
}

function parseRollout(v: JsonValue, path: string): Rollout {
  const o = obj(v, path);
  const contextKind = opt(o, 'contextKind', str, path);
  const kind = opt(o, 'kind', str, path);
  const bucketBy = opt(o, 'bucketBy', str, path);
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
    seed: opt(o, 'seed', num, path),
  });
}

export function parseVariationOrRollout(o: Obj, path: string): VariationOrRollout {
  return {
    variation: opt(o, 'variation', int, path),
    rollout: opt(o, 'rollout', parseRollout, path),
  };
}

function parseTarget(v: JsonValue, path: string, defaultKind: string): Target {
  const o = obj(v, path);
  const values = opt(o, 'values', strings, path) ?? [];
  return Object.freeze({
    contextKind: opt(o, 'contextKind', str, path) ?? defaultKind,
    values,
    valueSet: new Set(values),
    variation: int(o.variation ?? null, `${path}.variation`),
  });
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

/** Copies and freezes untrusted JSON, unless it came straight from `JSON.parse` (then it is frozen in place). */
export function frozenInput(value: unknown, fromParse: boolean): unknown {
  return fromParse ? freezeParsedJson(value) : toFrozenJson(value);
}

/**
 * Parses a flag. Throws {@link MalformedDataError} only when the value has no usable key and version;
 * any other problem gives a flag whose `malformed` says what is wrong (it evaluates to `MALFORMED_FLAG`).
 */
export function parseFlag(input: unknown, fromParse = false): Flag {
  const { o, key, version } = envelope(frozenInput(input, fromParse), 'flag');
  const path = `flag "${key}"`;
  const deleted = o.deleted === true;
  const base = {
    key,
    version,
    deleted,
    json: o,
  };
  if (deleted) return Object.freeze({ ...emptyFlag, ...base });
  try {
    const clientSide = opt(o, 'clientSideAvailability', obj, path);
    const fallthrough = opt(o, 'fallthrough', obj, path);
    // Fields written out rather than spread from `base`: a spread here made parsing twice as slow, and
    // every flag read from a store without a cache is parsed.
    return Object.freeze({
      key,
      version,
      deleted,
      json: o,
      on: opt(o, 'on', bool, path) ?? false,
      salt: opt(o, 'salt', str, path) ?? '',
      variations: opt(o, 'variations', arr, path) ?? [],
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
      targets: list(o, 'targets', (t, p) => parseTarget(t, p, 'user'), path),
      contextTargets: list(o, 'contextTargets', (t, p) => parseTarget(t, p, 'user'), path),
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
          : { usingMobileKey: true, usingEnvironmentId: opt(o, 'clientSide', bool, path) ?? false },
      ),
      samplingRatio: opt(o, 'samplingRatio', num, path),
      excludeFromSummaries: opt(o, 'excludeFromSummaries', bool, path) ?? false,
      malformed: undefined,
    });
  } catch (err) {
    if (!(err instanceof ParseProblem)) throw err;
    return Object.freeze({ ...emptyFlag, ...base, malformed: err.message });
  }
}

const emptyFlag: Omit<Flag, 'key' | 'version' | 'deleted' | 'json'> = Object.freeze({
  on: false,
  salt: '',
  variations: [],
  offVariation: undefined,
  fallthrough: undefined,
  prerequisites: [],
  targets: [],
  contextTargets: [],
  rules: [],
  trackEvents: false,
  trackEventsFallthrough: false,
  debugEventsUntilDate: undefined,
  clientSideAvailability: { usingMobileKey: false, usingEnvironmentId: false },
  samplingRatio: undefined,
  excludeFromSummaries: false,
  malformed: undefined,
});
