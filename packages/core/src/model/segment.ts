import type { AttributeReference } from '../context/attribute-reference.js';
import type { JsonValue } from '../value/json.js';
import type { Clause } from './clause.js';
import { freezeRetained, frozenInput } from './flag.js';
import { attributeRef, bool, EMPTY_LIST, int, isObj, list, num, obj, opt, parseClause, ParseProblem, str, strings } from './read.js';
import { MalformedDataError } from '../errors/index.js';

/** Contexts of one kind listed by key. */
export interface SegmentTarget {
  readonly contextKind: string;
  readonly values: ReadonlySet<string>;
}

/** A segment rule; with a `weight`, only that share (1/100000 units) of matching contexts is in. */
export interface SegmentRule {
  readonly id: string | undefined;
  readonly clauses: readonly Clause[] | undefined;
  readonly weight: number | undefined;
  readonly bucketBy: AttributeReference | undefined;
  readonly rolloutContextKind: string;
}

/** A segment, parsed and frozen, with key lists as sets. */
export interface Segment {
  readonly key: string;
  readonly version: number;
  readonly deleted: boolean;
  readonly salt: string;
  /** `"<key>.<salt>."`: what weighted rules hash, before the context's value. */
  readonly bucketPrefix: string;
  readonly included: ReadonlySet<string>;
  readonly excluded: ReadonlySet<string>;
  readonly includedContexts: readonly SegmentTarget[];
  readonly excludedContexts: readonly SegmentTarget[];
  readonly rules: readonly SegmentRule[];
  /** A big (unbounded) segment: membership comes from the big-segment store. */
  readonly unbounded: boolean;
  readonly unboundedContextKind: string;
  readonly generation: number | undefined;
  /** Why the segment could not be parsed, if it could not (then it matches nothing). */
  readonly malformed: string | undefined;
  /** As a flag's `json`: the JSON it was parsed from, or undefined when parsed with `keepJson: false`. */
  readonly json: JsonValue | undefined;
}

function parseSegmentTarget(v: JsonValue, path: string): SegmentTarget {
  const o = obj(v, path);
  return Object.freeze({
    contextKind: opt(o, 'contextKind', str, path) ?? 'user',
    values: keySet(opt(o, 'values', strings, path)),
  });
}

function parseSegmentRule(v: JsonValue, path: string): SegmentRule {
  const o = obj(v, path);
  const rolloutContextKind = opt(o, 'rolloutContextKind', str, path);
  const bucketBy = opt(o, 'bucketBy', str, path);
  return Object.freeze({
    id: opt(o, 'id', str, path),
    clauses: o.clauses === undefined || o.clauses === null ? undefined : list(o, 'clauses', parseClause, path),
    weight: opt(o, 'weight', num, path),
    bucketBy: bucketBy === undefined ? undefined : attributeRef(bucketBy, rolloutContextKind !== undefined),
    rolloutContextKind: rolloutContextKind ?? 'user',
  });
}

const EMPTY: ReadonlySet<string> = new Set();

function keySet(values: readonly string[] | undefined): ReadonlySet<string> {
  return values && values.length ? new Set(values) : EMPTY;
}

/** Parses a segment; like {@link parseFlag}, only a missing key or version throws. */
export function parseSegment(input: unknown, fromParse = false, keepJson = true): Segment {
  const segment = parse(input, fromParse, keepJson);
  if (fromParse && !keepJson) freezeRetained(EMPTY_LIST, segment.rules);
  return segment;
}

function parse(input: unknown, fromParse: boolean, keepJson: boolean): Segment {
  const o = frozenInput(input, fromParse, keepJson);
  if (!isObj(o)) throw new MalformedDataError(`segment must be a JSON object, got ${o === null ? 'null' : typeof o}`);
  const { key, version } = o;
  if (typeof key !== 'string') throw new MalformedDataError('segment has no string "key"');
  if (typeof version !== 'number' || !Number.isFinite(version)) throw new MalformedDataError(`segment "${key}" has no numeric "version"`);
  const json = keepJson ? o : undefined;
  const base = { key, version, deleted: o.deleted === true, json };
  const empty = {
    salt: '',
    bucketPrefix: `${key}..`,
    included: EMPTY,
    excluded: EMPTY,
    includedContexts: [],
    excludedContexts: [],
    rules: [],
    unbounded: false,
    unboundedContextKind: 'user',
    generation: undefined,
    malformed: undefined,
  };
  if (base.deleted) return Object.freeze({ ...empty, ...base });
  const path = `segment "${key}"`;
  try {
    const salt = opt(o, 'salt', str, path) ?? '';
    // Fields written out rather than spread from `base` (a spread here is much slower; see parseFlag).
    return Object.freeze({
      key,
      version,
      deleted: false,
      json,
      salt,
      bucketPrefix: `${key}.${salt}.`,
      included: keySet(opt(o, 'included', strings, path)),
      excluded: keySet(opt(o, 'excluded', strings, path)),
      includedContexts: list(o, 'includedContexts', parseSegmentTarget, path),
      excludedContexts: list(o, 'excludedContexts', parseSegmentTarget, path),
      rules: list(o, 'rules', parseSegmentRule, path),
      unbounded: opt(o, 'unbounded', bool, path) ?? false,
      unboundedContextKind: opt(o, 'unboundedContextKind', str, path) ?? 'user',
      generation: opt(o, 'generation', int, path),
      malformed: undefined,
    });
  } catch (err) {
    if (!(err instanceof ParseProblem)) throw err;
    return Object.freeze({ ...empty, ...base, malformed: err.message });
  }
}
