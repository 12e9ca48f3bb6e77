import type { EvaluationContext } from '@openfeature/server-sdk';
import type { LDContext } from '@switchyard/node-server';

/**
 * Told about each problem found while translating a context (an attribute dropped, a `key` ignored).
 * The translation goes on; nothing is thrown.
 */
export type ContextProblemHandler = (message: string) => void;

/** Built-in LaunchDarkly attributes with a required type; a value of another type is dropped. */
const TYPED_BUILT_INS: Readonly<Record<string, 'string' | 'boolean'>> = Object.freeze({ name: 'string', anonymous: 'boolean' });

type Target = Record<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Sets an own property, even one named `__proto__` (which plain assignment would treat as the prototype). */
function set(target: Target, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Copies one attribute: a `Date` becomes its ISO-8601 string, a plain object is copied recursively,
 * anything else (strings, numbers, booleans, null, arrays) is taken as it is. `ancestors` are the
 * objects above this one: a value that is one of them is a cycle and is left out.
 */
function copyAttribute(key: string, value: unknown, target: Target, ancestors: readonly unknown[], report: ContextProblemHandler): void {
  if (ancestors.includes(value)) {
    report(`the evaluation context contains a cycle at attribute "${key}"; that part of the context is left out`);
    return;
  }
  if (value instanceof Date) {
    set(target, key, value.toISOString());
  } else if (isPlainObject(value)) {
    const copy: Target = {};
    set(target, key, copy);
    for (const [k, v] of Object.entries(value)) copyAttribute(k, v, copy, [...ancestors, value], report);
  } else {
    set(target, key, value);
  }
}

/** The part every kind shares: key, `privateAttributes`, built-ins and custom attributes. */
function translateSingle(source: Record<string, unknown>, report: ContextProblemHandler, where: string): Target {
  const targetingKey = source.targetingKey;
  const keyAttribute = source.key;
  if (targetingKey !== undefined && targetingKey !== null && keyAttribute !== undefined && keyAttribute !== null) {
    report(`the evaluation context${where} has both a targetingKey and a key attribute; the key attribute is ignored`);
  }
  const out: Target = { key: targetingKey ?? keyAttribute };
  for (const [name, value] of Object.entries(source)) {
    if (name === 'targetingKey' || name === 'key' || name === 'kind') continue;
    if (name === 'privateAttributes') {
      out._meta = { privateAttributes: value };
      continue;
    }
    const type = Object.hasOwn(TYPED_BUILT_INS, name) ? TYPED_BUILT_INS[name] : undefined;
    if (type !== undefined) {
      if (typeof value === type) out[name] = value;
      else report(`the attribute "${name}"${where} must be a ${type}; it is left out`);
      continue;
    }
    copyAttribute(name, value, out, [source], report);
  }
  return out;
}

/**
 * Translates an OpenFeature evaluation context into a LaunchDarkly context, with LaunchDarkly's
 * provider's convention (`@launchdarkly/openfeature-node-server`), so contexts port over unchanged:
 *
 * | OpenFeature | LaunchDarkly |
 * | --- | --- |
 * | `targetingKey` | `key` |
 * | `key` (when there is no `targetingKey`) | `key` (with both, `targetingKey` wins and a problem is reported) |
 * | `kind` (a string; default `'user'`) | `kind` |
 * | `kind: 'multi'` and one object per kind (`{ kind: 'multi', org: { targetingKey: 'o1' }, user: {…} }`) | a multi-kind context; each object is translated like a single context (its own `targetingKey`/`key`), non-object entries are dropped |
 * | `anonymous` (boolean), `name` (string) | the built-in attributes; a value of another type is dropped |
 * | `privateAttributes` (attribute names or `/a/b` references) | `_meta.privateAttributes` |
 * | a `Date` | its ISO-8601 string (in nested objects too; inside arrays as it is) |
 * | nested objects | nested objects (reachable with `/a/b` attribute references) |
 * | anything else | the attribute as it is |
 *
 * A context without a key is translated anyway: the client reports it as an invalid context
 * (`USER_NOT_SPECIFIED`, `TARGETING_KEY_MISSING` for OpenFeature). The input is never changed, and
 * nothing is thrown for odd input; problems go to `report`.
 */
export function translateContext(context: EvaluationContext, report: ContextProblemHandler = () => undefined): LDContext {
  const source = (isPlainObject(context) ? context : {}) as Record<string, unknown>;
  if (source.kind === 'multi') {
    const out: Target = { kind: 'multi' };
    for (const [kind, value] of Object.entries(source)) {
      if (kind === 'kind') continue;
      if (isPlainObject(value)) set(out, kind, translateSingle(value, report, ` (kind "${kind}")`));
      else report(`a multi-kind evaluation context holds one object per kind; "${kind}" is not an object and is left out`);
    }
    return out as unknown as LDContext;
  }
  let kind = 'user';
  if (typeof source.kind === 'string') kind = source.kind;
  else if (source.kind !== undefined) report(`the evaluation context's kind must be a string; "user" is used`);
  return { kind, ...translateSingle(source, report, '') } as unknown as LDContext;
}
