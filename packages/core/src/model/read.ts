import { AttributeReference } from '../context/attribute-reference.js';
import { isRecord, type JsonValue } from '../value/json.js';
import { CompiledClause, type Clause } from './clause.js';

/** Thrown inside the parsers; the parsers catch it and keep the item as malformed with this message. */
export class ParseProblem extends Error {}

export type Obj = { readonly [key: string]: JsonValue };

export function isObj(value: unknown): value is Obj {
  return isRecord(value);
}

/** `null` and absence are the same for optional fields (LaunchDarkly's other SDKs read JSON that way). */
export function opt<T>(obj: Obj, name: string, check: (v: JsonValue, path: string) => T, path: string): T | undefined {
  const v = obj[name];
  return v === undefined || v === null ? undefined : check(v, `${path}.${name}`);
}

export function str(v: JsonValue, path: string): string {
  if (typeof v !== 'string') throw new ParseProblem(`${path} must be a string`);
  return v;
}

export function bool(v: JsonValue, path: string): boolean {
  if (typeof v !== 'boolean') throw new ParseProblem(`${path} must be a boolean`);
  return v;
}

export function num(v: JsonValue, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ParseProblem(`${path} must be a number`);
  return v;
}

export function int(v: JsonValue, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ParseProblem(`${path} must be an integer`);
  return v;
}

export function obj(v: JsonValue, path: string): Obj {
  if (!isObj(v)) throw new ParseProblem(`${path} must be an object`);
  return v;
}

export function arr(v: JsonValue, path: string): readonly JsonValue[] {
  if (!Array.isArray(v)) throw new ParseProblem(`${path} must be an array`);
  return v as readonly JsonValue[];
}

/** Shared by every item with an empty (or absent) list: one frozen array instead of one per field per item. */
export const EMPTY_LIST: readonly never[] = Object.freeze([]);

export function list<T>(obj: Obj, name: string, each: (v: JsonValue, path: string) => T, path: string): readonly T[] {
  const items = opt(obj, name, arr, path);
  if (!items || items.length === 0) return EMPTY_LIST;
  return Object.freeze(items.map((item, i) => each(item, `${path}.${name}[${i}]`)));
}

/** A list of strings: the (frozen) JSON array itself, checked, rather than a copy. */
export function strings(v: JsonValue, path: string): readonly string[] {
  const a = arr(v, path);
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'string') throw new ParseProblem(`${path}[${i}] must be a string`);
  return a as readonly string[];
}

/**
 * An attribute name from flag data: a reference (`/a/b`) when the item names a context kind, a literal
 * attribute name in older data without one.
 */
export function attributeRef(name: string, hasContextKind: boolean): AttributeReference {
  const cache = hasContextKind ? parsedRefs : literalRefs;
  let ref = cache.get(name);
  if (ref === undefined) {
    ref = hasContextKind ? AttributeReference.parse(name) : AttributeReference.literal(name);
    // Flag data names a few dozen attributes thousands of times: one frozen reference each. Bounded, so
    // data with endless distinct names cannot grow it without end.
    if (cache.size < 4096) cache.set(name, ref);
  }
  return ref;
}

const parsedRefs = new Map<string, AttributeReference>();
const literalRefs = new Map<string, AttributeReference>();

export function parseClause(v: JsonValue, path: string): Clause {
  const o = obj(v, path);
  const contextKind = opt(o, 'contextKind', str, path);
  const op = opt(o, 'op', str, path) ?? '';
  const values = opt(o, 'values', arr, path) ?? [];
  const attributeName = opt(o, 'attribute', str, path);
  // segmentMatch ignores the attribute, so an absent one is fine there.
  const attribute = attributeRef(attributeName ?? '', contextKind !== undefined);
  return new CompiledClause(attribute, op, values, opt(o, 'negate', bool, path) ?? false, contextKind ?? 'user');
}
