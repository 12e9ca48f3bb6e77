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
  /** Tests one scalar context value against any of the clause values (not negated). Unused for `segmentMatch`. */
  readonly matches: (contextValue: unknown) => boolean;
}

const RFC3339_START = /^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d\d*)?(Z|[-+]\d\d(:\d\d)?)/;

/** A date as the `before`/`after` operators accept it: epoch milliseconds, or an RFC 3339 timestamp string. */
export function parseDate(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && RFC3339_START.test(value)) return Date.parse(value);
  return undefined;
}

const never = (): boolean => false;

function strings(values: readonly JsonValue[]): string[] {
  return values.filter((v): v is string => typeof v === 'string');
}

function numbers(values: readonly JsonValue[]): number[] {
  return values.filter((v): v is number => typeof v === 'number');
}

function semverMatcher(values: readonly JsonValue[], test: (c: number) => boolean): (v: unknown) => boolean {
  const versions = values.map(parseSemVer).filter((v): v is SemVer => v !== undefined);
  if (versions.length === 0) return never;
  return (v) => {
    const own = parseSemVer(v);
    return own !== undefined && versions.some((c) => test(compareSemVer(own, c)));
  };
}

function dateMatcher(values: readonly JsonValue[], test: (own: number, clause: number) => boolean): (v: unknown) => boolean {
  const dates = values.map(parseDate).filter((d): d is number => d !== undefined);
  if (dates.length === 0) return never;
  return (v) => {
    const own = parseDate(v);
    return own !== undefined && dates.some((d) => test(own, d));
  };
}

/** Compiles the operator against the clause values (regexes, sets, parsed dates and versions). */
export function compileMatcher(op: string, values: readonly JsonValue[]): (contextValue: unknown) => boolean {
  switch (op) {
    case 'in': {
      const primitives = new Set<unknown>(values.filter((v) => v === null || typeof v !== 'object'));
      if (primitives.size === 0) return never;
      if (primitives.size === 1) {
        const [only] = primitives;
        return (v) => v === only;
      }
      return (v) => (v === null || typeof v !== 'object') && primitives.has(v);
    }
    case 'startsWith': {
      const s = strings(values);
      return (v) => typeof v === 'string' && s.some((p) => v.startsWith(p));
    }
    case 'endsWith': {
      const s = strings(values);
      return (v) => typeof v === 'string' && s.some((p) => v.endsWith(p));
    }
    case 'contains': {
      const s = strings(values);
      return (v) => typeof v === 'string' && s.some((p) => v.includes(p));
    }
    case 'matches': {
      const regexes: RegExp[] = [];
      for (const pattern of strings(values)) {
        try {
          regexes.push(new RegExp(pattern));
        } catch {
          // An invalid pattern never matches.
        }
      }
      if (regexes.length === 0) return never;
      return (v) => typeof v === 'string' && regexes.some((r) => r.test(v));
    }
    case 'lessThan': {
      const n = numbers(values);
      return (v) => typeof v === 'number' && n.some((c) => v < c);
    }
    case 'lessThanOrEqual': {
      const n = numbers(values);
      return (v) => typeof v === 'number' && n.some((c) => v <= c);
    }
    case 'greaterThan': {
      const n = numbers(values);
      return (v) => typeof v === 'number' && n.some((c) => v > c);
    }
    case 'greaterThanOrEqual': {
      const n = numbers(values);
      return (v) => typeof v === 'number' && n.some((c) => v >= c);
    }
    case 'before':
      return dateMatcher(values, (own, c) => own < c);
    case 'after':
      return dateMatcher(values, (own, c) => own > c);
    case 'semVerEqual':
      return semverMatcher(values, (c) => c === 0);
    case 'semVerLessThan':
      return semverMatcher(values, (c) => c < 0);
    case 'semVerGreaterThan':
      return semverMatcher(values, (c) => c > 0);
    default:
      return never;
  }
}
