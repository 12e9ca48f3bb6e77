import { AttributeReference } from '../context/attribute-reference.js';
import type { Context } from '../context/context.js';
import { sha1Prefix60 } from '../crypto/sha1.js';

/** The `key` attribute: what rollouts hash unless `bucketBy` says otherwise (experiments always use it). */
export const KEY_ATTRIBUTE = AttributeReference.parse('key');

// 2^60 - 1 as LaunchDarkly writes it; as a double it rounds to 2^60, and dividing by it gives their exact buckets.
const SCALE = 2 ** 60;

/**
 * LaunchDarkly's bucket for a context: SHA-1 of `"<seed>.<value>"` (or `"<key>.<salt>.<value>"` without a
 * seed), first 60 bits over 2^60-1, a number in [0, 1]. The value is the `attribute` of the context's
 * `kind` part; only strings and integers bucket, anything else is bucket 0. Returns the bucket and
 * whether the context has that kind at all.
 */
export function bucketContext(
  context: Context,
  key: string,
  attribute: AttributeReference,
  salt: string,
  kind: string,
  seed: number | undefined,
): [bucket: number, hadContext: boolean] {
  // A seed of 0 counts as no seed, as in LaunchDarkly's Node SDK.
  const bucket = bucketOf(context, seed ? `${seed}.` : `${key}.${salt}.`, attribute, kind);
  return bucket === NO_CONTEXT ? [0, false] : [bucket, true];
}

/** What {@link bucketOf} returns when the context has no part of the kind (the bucket is then 0). */
export const NO_CONTEXT = -1;

/**
 * {@link bucketContext} without allocating: `prefix` is `"<seed>."` or `"<key>.<salt>."` (prepared once
 * per flag, rollout or segment), and the result is the bucket, or {@link NO_CONTEXT} when the context
 * lacks the kind.
 *
 * @internal
 */
export function bucketOf(context: Context, prefix: string, attribute: AttributeReference, kind: string): number {
  const value = context.valueFor(kind, attribute);
  if (typeof value === 'string') return sha1Prefix60(prefix + value) / SCALE;
  if (typeof value === 'number' && Number.isInteger(value)) return sha1Prefix60(prefix + String(value)) / SCALE;
  return context.part(kind) ? 0 : NO_CONTEXT;
}
