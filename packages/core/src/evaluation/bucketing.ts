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
  const value = context.valueFor(kind, attribute);
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isInteger(value)) text = String(value);
  else return [0, context.kinds.includes(kind)];
  // A seed of 0 counts as no seed, as in LaunchDarkly's Node SDK.
  const prefix = seed ? String(seed) : `${key}.${salt}`;
  return [sha1Prefix60(`${prefix}.${text}`) / SCALE, true];
}
