import { parseFlag, parseSegment } from '@switchyard/core';

/** A flag or segment edit the service refuses; the message names the field. Never written, never served. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
}

/** Keys LaunchDarkly accepts: letters, digits, `.`, `_` and `-`. */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKey(key: unknown, what: string): string {
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw new ValidationError(`${what} "key" must be 1 to 256 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
  return key;
}

function checkIndex(v: unknown, count: number, path: string): void {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) >= count) {
    throw new ValidationError(`${path} must be a variation index from 0 to ${count - 1}`);
  }
}

/** A rule's or the fallthrough's serve: exactly one variation index, or a rollout whose weights sum to 100000. */
function checkServe(o: Json, count: number, path: string): void {
  const hasVariation = o.variation !== undefined && o.variation !== null;
  const hasRollout = o.rollout !== undefined && o.rollout !== null;
  if (hasVariation === hasRollout) throw new ValidationError(`${path} must have either "variation" or "rollout"`);
  if (hasVariation) return checkIndex(o.variation, count, `${path}.variation`);
  const rollout = o.rollout as Json;
  const variations = (rollout.variations as Json[] | undefined) ?? [];
  let total = 0;
  variations.forEach((w, i) => {
    checkIndex(w.variation, count, `${path}.rollout.variations[${i}].variation`);
    const weight = w.weight;
    if (!Number.isInteger(weight) || (weight as number) < 0 || (weight as number) > 100_000) {
      throw new ValidationError(`${path}.rollout.variations[${i}].weight must be an integer from 0 to 100000 (thousandths of a percent)`);
    }
    total += weight as number;
  });
  if (total !== 100_000) throw new ValidationError(`${path}.rollout weights must add up to 100000 (100%), not ${total}`);
}

/**
 * Checks a flag edit as LaunchDarkly's service would before serving it: the shape the SDKs parse (any
 * field the SDK's parser rejects is named), a key that matches `key` when given, at least one variation,
 * every variation index in range, and rollouts that add up to 100%. Returns the flag as JSON, without a
 * version (the service sets it). Throws {@link ValidationError}.
 */
export function validateFlag(input: unknown, key?: string): Json {
  if (!isObject(input)) throw new ValidationError('a flag must be a JSON object');
  const flagKey = checkKey(input.key, 'the flag');
  if (key !== undefined && flagKey !== key) throw new ValidationError(`the flag's "key" is "${flagKey}" but the address names "${key}"`);
  const flag: Json = { ...input, version: 1 };
  const parsed = parseFlag(flag);
  if (parsed.malformed) throw new ValidationError(parsed.malformed);
  if (typeof input.on !== 'boolean') throw new ValidationError(`flag "${flagKey}".on must be true or false`);
  const count = parsed.variations.length;
  if (count === 0) throw new ValidationError(`flag "${flagKey}".variations must have at least one value`);
  if (input.offVariation !== undefined && input.offVariation !== null) checkIndex(input.offVariation, count, `flag "${flagKey}".offVariation`);
  if (!isObject(input.fallthrough)) throw new ValidationError(`flag "${flagKey}".fallthrough must be an object`);
  checkServe(input.fallthrough, count, `flag "${flagKey}".fallthrough`);
  for (const field of ['targets', 'contextTargets'] as const) {
    ((input[field] as Json[] | undefined) ?? []).forEach((t, i) => checkIndex(t.variation, count, `flag "${flagKey}".${field}[${i}].variation`));
  }
  ((input.rules as Json[] | undefined) ?? []).forEach((rule, i) => {
    const path = `flag "${flagKey}".rules[${i}]`;
    if (!Array.isArray(rule.clauses)) throw new ValidationError(`${path}.clauses must be an array`);
    checkServe(rule, count, path);
  });
  const { version: _version, ...rest } = flag;
  return rest;
}

/** Checks a segment as {@link validateFlag} checks a flag. */
export function validateSegment(input: unknown, key?: string): Json {
  if (!isObject(input)) throw new ValidationError('a segment must be a JSON object');
  const segmentKey = checkKey(input.key, 'the segment');
  if (key !== undefined && segmentKey !== key) throw new ValidationError(`the segment's "key" is "${segmentKey}" but the address names "${key}"`);
  const parsed = parseSegment({ ...input, version: 1 });
  if (parsed.malformed) throw new ValidationError(parsed.malformed);
  const { version: _version, ...rest } = input;
  return rest;
}
