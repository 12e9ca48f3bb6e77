/** A JSON primitive. */
export type JsonPrimitive = null | boolean | number | string;

/** A JSON value as the SDK hands it out: deeply read-only (and frozen at run time). */
export type JsonValue = JsonPrimitive | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The type of a JSON value. */
export type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

/** The JSON type of a value that is already JSON. */
export function jsonTypeOf(value: JsonValue): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as 'boolean' | 'number' | 'string' | 'object';
}

/** True for a non-null, non-array object: the JSON object shape (used wherever untrusted input is read). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlainObjectLike(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Copies `value` into a deeply frozen JSON value, following `JSON.stringify`'s rules so that what the
 * SDK keeps is exactly what it would send: `toJSON()` is honored (dates become strings), `undefined`,
 * functions and symbols are dropped from objects and become `null` in arrays and at the top, non-finite
 * numbers become `null`, bigints become numbers. Values that are already frozen plain JSON are reused,
 * not copied. Throws `TypeError` on a cyclic structure.
 */
export function toFrozenJson(value: unknown): JsonValue {
  return copy(value, undefined, false);
}

/**
 * Like {@link toFrozenJson} but keeps `NaN` and `±Infinity` as numbers: context attributes are compared
 * as JavaScript values (`Infinity > 10`), exactly as LaunchDarkly's SDK compares them. They become
 * `null` only when serialized.
 */
export function toFrozenAttributes(value: unknown): JsonValue {
  return copy(value, undefined, true);
}

function copy(value: unknown, ancestors: object[] | undefined, keepNonFinite: boolean): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return keepNonFinite || Number.isFinite(value) ? value : null;
    case 'bigint':
      return Number(value);
    case 'object':
      break;
    default:
      return null;
  }
  if (value === null) return null;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return copy((toJSON as () => unknown).call(value), ancestors, keepNonFinite);
  if (isFrozenJson(value)) return value as JsonValue;
  const chain = ancestors ?? [];
  if (chain.includes(value)) throw new TypeError('cannot convert a cyclic structure to JSON');
  chain.push(value);
  let result: JsonValue;
  if (Array.isArray(value)) {
    const out: JsonValue[] = new Array<JsonValue>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i], chain, keepNonFinite);
    result = Object.freeze(out);
  } else {
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      out[key] = copy(v, chain, keepNonFinite);
    }
    result = Object.freeze(out);
  }
  chain.pop();
  // Marked, so handing a value we produced back in (a flag value as a default, say) is free. Values
  // that may hold non-finite numbers are not JSON, so they are not marked.
  if (!keepNonFinite) FROZEN_JSON.add(result);
  return result;
}

/** Frozen values we created are recognised by this mark, so re-freezing them is free. */
const FROZEN_JSON = new WeakSet<object>();

function isFrozenJson(value: object): boolean {
  return FROZEN_JSON.has(value);
}

/**
 * Deep-freezes a value that came from `JSON.parse` (so it is plain JSON already) in place and marks it,
 * without copying. Only for values nobody else holds a reference to.
 */
export function freezeParsedJson<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !FROZEN_JSON.has(value)) {
    if (Array.isArray(value)) {
      for (const item of value) freezeParsedJson(item);
    } else if (isPlainObjectLike(value)) {
      for (const key of Object.keys(value)) freezeParsedJson((value as Record<string, unknown>)[key]);
    }
    Object.freeze(value);
    FROZEN_JSON.add(value);
  }
  return value;
}

/**
 * Like {@link freezeParsedJson}, for a flag or segment that came from `JSON.parse`: deep-freezes it in
 * place but marks only the root (and what {@link markFrozenJson} is given later). Marking every nested
 * node of 10,000 flags costs megabytes of weak-set entries and their GC work, and only the root (parsed
 * again when written to a store) and the variation values (handed to callers and events) are ever
 * handed back in.
 *
 * @internal
 */
export function freezeParsedItem<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !FROZEN_JSON.has(value)) {
    deepFreeze(value);
    FROZEN_JSON.add(value);
  }
  return value;
}

function deepFreeze(value: object): void {
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'object' && item !== null) deepFreeze(item as object);
  } else if (isPlainObjectLike(value)) {
    for (const key in value) {
      const v = (value as Record<string, unknown>)[key];
      if (typeof v === 'object' && v !== null) deepFreeze(v);
    }
  }
  Object.freeze(value);
}

/**
 * Marks a value that is already deeply frozen plain JSON (a part of a value given to
 * {@link freezeParsedItem}) so that copying it later is free.
 *
 * @internal
 */
export function markFrozenJson(value: JsonValue): void {
  if (typeof value === 'object' && value !== null) FROZEN_JSON.add(value);
}

/** Structural equality of two JSON values (object key order does not matter). */
export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const aArray = Array.isArray(a);
  if (aArray !== Array.isArray(b)) return false;
  if (aArray) {
    const bArr = b as readonly JsonValue[];
    if (a.length !== bArr.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEquals(a[i]!, bArr[i]!)) return false;
    return true;
  }
  const ao = a as { readonly [key: string]: JsonValue };
  const bo = b as { readonly [key: string]: JsonValue };
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(bo, key) || !jsonEquals(ao[key]!, bo[key]!)) return false;
  }
  return true;
}
