/**
 * A minimal evaluator for the foundation's demo: on/off, user-key targets and a fixed fallthrough
 * variation. The complete LaunchDarkly evaluator (rules, rollouts, segments, prerequisites, reasons)
 * replaces it.
 */
export interface MinimalFlag {
  readonly key: string;
  readonly version: number;
  readonly deleted?: boolean;
  readonly on: boolean;
  readonly variations: readonly unknown[];
  readonly offVariation?: number;
  readonly fallthrough?: { readonly variation?: number };
  readonly targets?: readonly { readonly values: readonly string[]; readonly variation: number }[];
}

/** Why a value was chosen. */
export type MinimalReason =
  | { kind: 'OFF' }
  | { kind: 'TARGET_MATCH' }
  | { kind: 'FALLTHROUGH' }
  | { kind: 'ERROR'; errorKind: 'FLAG_NOT_FOUND' | 'MALFORMED_FLAG' };

/** The result of an evaluation. */
export interface MinimalDetail {
  readonly value: unknown;
  readonly variationIndex: number | null;
  readonly reason: MinimalReason;
}

function pick(flag: MinimalFlag, index: number | undefined, reason: MinimalReason, defaultValue: unknown): MinimalDetail {
  if (index === undefined) return { value: defaultValue, variationIndex: null, reason };
  if (!Number.isInteger(index) || index < 0 || index >= flag.variations.length) {
    return { value: defaultValue, variationIndex: null, reason: { kind: 'ERROR', errorKind: 'MALFORMED_FLAG' } };
  }
  return { value: flag.variations[index], variationIndex: index, reason };
}

/** Evaluates `flag` for a user key; never throws. */
export function evaluateMinimal(flag: MinimalFlag | undefined, userKey: string, defaultValue: unknown): MinimalDetail {
  if (!flag) return { value: defaultValue, variationIndex: null, reason: { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' } };
  if (!flag.on) return pick(flag, flag.offVariation, { kind: 'OFF' }, defaultValue);
  for (const target of flag.targets ?? []) {
    if (target.values.includes(userKey)) return pick(flag, target.variation, { kind: 'TARGET_MATCH' }, defaultValue);
  }
  return pick(flag, flag.fallthrough?.variation, { kind: 'FALLTHROUGH' }, defaultValue);
}
