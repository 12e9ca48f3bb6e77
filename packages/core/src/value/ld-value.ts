import { MalformedDataError } from '../errors/index.js';
import { freezeParsedJson, jsonEquals, jsonTypeOf, toFrozenJson, type JsonType, type JsonValue } from './json.js';

/**
 * An immutable JSON value: null, boolean, number, string, array or object.
 *
 * An `LDValue` holds a deeply frozen copy of what it was made from, so nothing a caller does to the
 * original (or to what `toJSON()` returns) can change it, and nothing it hands out can be mutated back
 * into the SDK. Accessors never throw: asking a string for its number gives the fallback.
 *
 * @example
 * ```ts
 * const v = LDValue.of({ plan: 'pro', seats: 5 });
 * v.get('seats').numberValue();   // 5
 * v.get('missing').isNull();      // true
 * JSON.stringify(v);              // '{"plan":"pro","seats":5}'
 * ```
 */
export class LDValue {
  /** The JSON `null`. */
  static readonly null: LDValue = new LDValue(null);

  private constructor(private readonly _value: JsonValue) {}

  /**
   * Makes a value from any plain JavaScript value, copying and freezing it. Follows `JSON.stringify`'s
   * rules: `toJSON()` is used (dates become strings), `undefined`, functions and symbols are dropped
   * from objects (and become `null` elsewhere), non-finite numbers become `null`. An `LDValue` is returned
   * as is. Throws `TypeError` for a cyclic structure.
   */
  static of(value: unknown): LDValue {
    if (value instanceof LDValue) return value;
    if (value === null || value === undefined) return LDValue.null;
    return new LDValue(toFrozenJson(value));
  }

  /** Parses JSON text. Throws {@link MalformedDataError} when it is not valid JSON. */
  static fromJSON(text: string): LDValue {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new MalformedDataError(`[switchyard/core] LDValue.fromJSON: not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    return parsed === null ? LDValue.null : new LDValue(freezeParsedJson(parsed as JsonValue));
  }

  /** The JSON type. */
  get type(): JsonType {
    return jsonTypeOf(this._value);
  }

  /** True for JSON `null`. */
  isNull(): boolean {
    return this._value === null;
  }

  /** The boolean, or `fallback` (default `false`) if this is not a boolean. */
  booleanValue(fallback = false): boolean {
    return typeof this._value === 'boolean' ? this._value : fallback;
  }

  /** The number, or `fallback` (default `0`) if this is not a number. */
  numberValue(fallback = 0): number {
    return typeof this._value === 'number' ? this._value : fallback;
  }

  /** The string, or `fallback` (default `''`) if this is not a string. */
  stringValue(fallback = ''): string {
    return typeof this._value === 'string' ? this._value : fallback;
  }

  /** An array element by index or an object property by name; `LDValue.null` when there is none. */
  get(keyOrIndex: string | number): LDValue {
    const v = this._value;
    if (v === null || typeof v !== 'object') return LDValue.null;
    let item: JsonValue | undefined;
    if (Array.isArray(v)) {
      item = typeof keyOrIndex === 'number' ? (v as readonly JsonValue[])[keyOrIndex] : undefined;
    } else if (typeof keyOrIndex === 'string' && Object.prototype.hasOwnProperty.call(v, keyOrIndex)) {
      item = (v as { readonly [key: string]: JsonValue })[keyOrIndex];
    }
    return item === undefined || item === null ? LDValue.null : new LDValue(item);
  }

  /** Number of array elements or object properties; 0 for anything else. */
  get size(): number {
    const v = this._value;
    if (v === null || typeof v !== 'object') return 0;
    return Array.isArray(v) ? v.length : Object.keys(v).length;
  }

  /** Property names of an object (empty for anything else). */
  keys(): string[] {
    const v = this._value;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
  }

  /** Array elements, or object property values in key order; empty for anything else. */
  values(): LDValue[] {
    const v = this._value;
    if (v === null || typeof v !== 'object') return [];
    const items = Array.isArray(v) ? (v as readonly JsonValue[]) : Object.values(v as Record<string, JsonValue>);
    return items.map((item) => (item === null ? LDValue.null : new LDValue(item)));
  }

  /** Structural equality with another `LDValue` or a plain value (object key order is ignored). */
  equals(other: unknown): boolean {
    const o = other instanceof LDValue ? other._value : toComparable(other);
    return o !== undefined && jsonEquals(this._value, o);
  }

  /** The value as deeply frozen plain JSON; also what `JSON.stringify` uses. */
  toJSON(): JsonValue {
    return this._value;
  }

  /** The value as JSON text. */
  toString(): string {
    return JSON.stringify(this._value);
  }
}

function toComparable(value: unknown): JsonValue | undefined {
  try {
    return toFrozenJson(value);
  } catch {
    return undefined;
  }
}
