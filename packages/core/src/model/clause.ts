import type { AttributeReference } from '../context/attribute-reference.js';
import type { JsonValue } from '../value/json.js';
import { compareSemVer, parseSemVer, type SemVer } from './semver.js';

/** Every clause operator LaunchDarkly defines. An unknown operator never matches (before `negate`). */
export type ClauseOperator =
  | 'in'
  | 'startsWith'
  | 'endsWith'
  | 'contains'
  | 'matches'
  | 'lessThan'
  | 'lessThanOrEqual'
  | 'greaterThan'
  | 'greaterThanOrEqual'
  | 'before'
  | 'after'
  | 'semVerEqual'
  | 'semVerLessThan'
  | 'semVerGreaterThan'
  | 'segmentMatch';

/** A clause, parsed, with its operator compiled against its values once. */
export interface Clause {
  readonly attribute: AttributeReference;
  readonly op: string;
  readonly values: readonly JsonValue[];
  readonly negate: boolean;
  /** The context kind whose attribute is tested (default `user`). */
  readonly contextKind: string;
  /** Tests one scalar context value against any of the clause values (not negated). Always false for `segmentMatch`. */
  matches(contextValue: unknown): boolean;
}

const RFC3339_START = /^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d\d*)?(Z|[-+]\d\d(:\d\d)?)/;

/** A date as the `before`/`after` operators accept it: epoch milliseconds, or an RFC 3339 timestamp string. */
export function parseDate(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && RFC3339_START.test(value)) return Date.parse(value);
  return undefined;
}

/** What {@link CompiledClause} does, chosen once from the operator and its values. */
const Test = {
  Never: 0,
  /** `in` with one primitive value: `===`. */
  EqualsOne: 1,
  /** `in` with a few primitives: a scan with `===`. */
  EqualsAny: 2,
  /** `in` with many primitives: a set. */
  InSet: 3,
  StartsWith: 4,
  EndsWith: 5,
  Contains: 6,
  Matches: 7,
  LessThan: 8,
  LessThanOrEqual: 9,
  GreaterThan: 10,
  GreaterThanOrEqual: 11,
  Before: 12,
  After: 13,
  SemVerEqual: 14,
  SemVerLessThan: 15,
  SemVerGreaterThan: 16,
} as const;
type Test = (typeof Test)[keyof typeof Test];

/** Up to this many `in` values are scanned; more go into a set. */
const SCAN_LIMIT = 8;

function strings(values: readonly JsonValue[]): readonly string[] {
  return values.every((v) => typeof v === 'string') ? (values as readonly string[]) : values.filter((v): v is string => typeof v === 'string');
}

function numbers(values: readonly JsonValue[]): readonly number[] {
  return values.every((v) => typeof v === 'number') ? (values as readonly number[]) : values.filter((v): v is number => typeof v === 'number');
}

function compile(op: string, values: readonly JsonValue[]): [Test, unknown] {
  switch (op) {
    case 'in': {
      const primitives = [...new Set<unknown>(values.filter((v) => v === null || typeof v !== 'object'))];
      if (primitives.length === 0) return [Test.Never, undefined];
      if (primitives.length === 1) return [Test.EqualsOne, primitives[0]];
      return primitives.length <= SCAN_LIMIT ? [Test.EqualsAny, primitives] : [Test.InSet, new Set(primitives)];
    }
    case 'startsWith':
      return [Test.StartsWith, strings(values)];
    case 'endsWith':
      return [Test.EndsWith, strings(values)];
    case 'contains':
      return [Test.Contains, strings(values)];
    case 'matches': {
      const regexes: RegExp[] = [];
      for (const pattern of strings(values)) {
        try {
          regexes.push(new RegExp(pattern));
        } catch {
          // An invalid pattern never matches.
        }
      }
      return regexes.length ? [Test.Matches, regexes] : [Test.Never, undefined];
    }
    case 'lessThan':
      return [Test.LessThan, numbers(values)];
    case 'lessThanOrEqual':
      return [Test.LessThanOrEqual, numbers(values)];
    case 'greaterThan':
      return [Test.GreaterThan, numbers(values)];
    case 'greaterThanOrEqual':
      return [Test.GreaterThanOrEqual, numbers(values)];
    case 'before':
    case 'after': {
      const dates = values.map(parseDate).filter((d): d is number => d !== undefined);
      if (dates.length === 0) return [Test.Never, undefined];
      return [op === 'before' ? Test.Before : Test.After, dates];
    }
    case 'semVerEqual':
    case 'semVerLessThan':
    case 'semVerGreaterThan': {
      const versions = values.map(parseSemVer).filter((v): v is SemVer => v !== undefined);
      if (versions.length === 0) return [Test.Never, undefined];
      return [op === 'semVerEqual' ? Test.SemVerEqual : op === 'semVerLessThan' ? Test.SemVerLessThan : Test.SemVerGreaterThan, versions];
    }
    default:
      return [Test.Never, undefined];
  }
}

function anyString(v: unknown, operands: readonly string[], test: (v: string, operand: string) => boolean): boolean {
  if (typeof v !== 'string') return false;
  for (let i = 0; i < operands.length; i++) if (test(v, operands[i]!)) return true;
  return false;
}

function anyNumber(v: unknown, operands: readonly number[], test: (v: number, operand: number) => boolean): boolean {
  if (typeof v !== 'number') return false;
  for (let i = 0; i < operands.length; i++) if (test(v, operands[i]!)) return true;
  return false;
}

function anyDate(v: unknown, operands: readonly number[], test: (own: number, operand: number) => boolean): boolean {
  const own = parseDate(v);
  if (own === undefined) return false;
  for (let i = 0; i < operands.length; i++) if (test(own, operands[i]!)) return true;
  return false;
}

function anySemVer(v: unknown, operands: readonly SemVer[], test: (comparison: number) => boolean): boolean {
  const own = parseSemVer(v);
  if (own === undefined) return false;
  for (let i = 0; i < operands.length; i++) if (test(compareSemVer(own, operands[i]!))) return true;
  return false;
}

const startsWith = (v: string, p: string): boolean => v.startsWith(p);
const endsWith = (v: string, p: string): boolean => v.endsWith(p);
const contains = (v: string, p: string): boolean => v.includes(p);
const lt = (v: number, c: number): boolean => v < c;
const lte = (v: number, c: number): boolean => v <= c;
const gt = (v: number, c: number): boolean => v > c;
const gte = (v: number, c: number): boolean => v >= c;

/**
 * A clause compiled once, when its flag or segment is parsed: the operator becomes a {@link Test} and its
 * values the operands that test needs (a set or a short list for `in`, regexes, parsed dates and
 * versions). One object per clause and no closure: 10,000 flags hold tens of thousands of clauses.
 */
export class CompiledClause implements Clause {
  private readonly _test: Test;
  private readonly _operands: unknown;

  constructor(
    readonly attribute: AttributeReference,
    readonly op: string,
    readonly values: readonly JsonValue[],
    readonly negate: boolean,
    readonly contextKind: string,
  ) {
    [this._test, this._operands] = op === 'segmentMatch' ? [Test.Never, undefined] : compile(op, values);
    Object.freeze(this);
  }

  matches(v: unknown): boolean {
    const operands = this._operands;
    switch (this._test) {
      case Test.EqualsOne:
        return v === operands;
      case Test.EqualsAny:
        return (v === null || typeof v !== 'object') && (operands as readonly unknown[]).includes(v);
      case Test.InSet:
        return (v === null || typeof v !== 'object') && (operands as ReadonlySet<unknown>).has(v);
      case Test.StartsWith:
        return anyString(v, operands as readonly string[], startsWith);
      case Test.EndsWith:
        return anyString(v, operands as readonly string[], endsWith);
      case Test.Contains:
        return anyString(v, operands as readonly string[], contains);
      case Test.Matches: {
        if (typeof v !== 'string') return false;
        const regexes = operands as readonly RegExp[];
        for (let i = 0; i < regexes.length; i++) if (regexes[i]!.test(v)) return true;
        return false;
      }
      case Test.LessThan:
        return anyNumber(v, operands as readonly number[], lt);
      case Test.LessThanOrEqual:
        return anyNumber(v, operands as readonly number[], lte);
      case Test.GreaterThan:
        return anyNumber(v, operands as readonly number[], gt);
      case Test.GreaterThanOrEqual:
        return anyNumber(v, operands as readonly number[], gte);
      case Test.Before:
        return anyDate(v, operands as readonly number[], lt);
      case Test.After:
        return anyDate(v, operands as readonly number[], gt);
      case Test.SemVerEqual:
        return anySemVer(v, operands as readonly SemVer[], (c) => c === 0);
      case Test.SemVerLessThan:
        return anySemVer(v, operands as readonly SemVer[], (c) => c < 0);
      case Test.SemVerGreaterThan:
        return anySemVer(v, operands as readonly SemVer[], (c) => c > 0);
      default:
        return false;
    }
  }
}
