import { expect } from 'vitest';

import { contexts, deletedFlag, flags, type Json, missingFlagKeys, segments } from './interop-data.js';

/** A JSON object of the interop data set. */
export type InteropJson = Json;

/**
 * The interop data set: flags and segments in LaunchDarkly's JSON model covering every rule feature
 * (every operator, targets and context targets, prerequisites, rollouts and experiments, segments with
 * every membership path, unicode keys, keys with `:` `/` `.`), a tombstone, and the contexts to evaluate
 * them for (single- and multi-kind, legacy users, invalid ones). A store's interop test writes it with
 * one SDK's store and evaluates it with both SDKs in daemon mode.
 */
export const interopData = Object.freeze({
  flags,
  segments,
  /** A deleted flag: stored as a tombstone; evaluates as not found. */
  deletedFlag,
  /** Keys evaluated though no live flag has them (one absent, one the tombstone). */
  missingFlagKeys,
  /** Every flag key evaluated, live flags first. */
  flagKeys: [...flags.map((f) => f.key as string), ...missingFlagKeys] as readonly string[],
  contexts,
});

/** The value every evaluation passes as its default: a flag never serves it. */
export const INTEROP_DEFAULT = '«default»';

/** An evaluation result as both SDKs' `variationDetail` return it. */
export interface InteropDetail {
  readonly value: unknown;
  readonly variationIndex?: number | null | undefined;
  readonly reason: { readonly kind: string; readonly inExperiment?: boolean | undefined };
}

/** One flag evaluated for one context. */
export interface InteropRow {
  readonly flag: string;
  readonly context: string;
  readonly detail: InteropDetail;
}

/** Evaluates one flag for one context with {@link INTEROP_DEFAULT}, in some SDK. */
export type InteropEvaluate = (key: string, context: InteropJson) => Promise<InteropDetail>;

/** Every flag of {@link interopData} × every context, in a fixed order. */
export async function evaluateInterop(evaluate: InteropEvaluate): Promise<InteropRow[]> {
  const rows: InteropRow[] = [];
  for (const flag of interopData.flagKeys) {
    const details = await Promise.all(contexts.map(({ context }) => evaluate(flag, context)));
    details.forEach((detail, i) => rows.push({ flag, context: contexts[i]!.label, detail }));
  }
  return rows;
}

/** One line per pair whose details differ (compared with `toEqual`), so a failure lists them all. */
export function interopMismatches(ours: readonly InteropRow[], theirs: readonly InteropRow[]): string[] {
  expect(ours.map((r) => `${r.flag} × ${r.context}`)).toEqual(theirs.map((r) => `${r.flag} × ${r.context}`));
  const out: string[] = [];
  ours.forEach((row, i) => {
    const their = theirs[i]!;
    try {
      expect(row.detail).toEqual(their.detail);
    } catch {
      out.push(`${row.flag} × ${row.context}: ours ${JSON.stringify(row.detail)}, theirs ${JSON.stringify(their.detail)}`);
    }
  });
  return out;
}

/** The items as the flag service would send them (`undefined` fields dropped), by key: what a store must hold. */
export function interopExpectedItems(): { readonly flags: ReadonlyMap<string, InteropJson>; readonly segments: ReadonlyMap<string, InteropJson> } {
  const byKey = (items: readonly Json[]) => new Map(items.map((item) => [item.key as string, JSON.parse(JSON.stringify(item)) as Json]));
  return { flags: byKey([...flags, deletedFlag]), segments: byKey(segments) };
}

/**
 * Guards against a comparison of two equally broken result sets (say, every answer the default): most
 * evaluations serve a value, every reason kind occurs, every operator both matches and misses, and a
 * list of known answers holds.
 */
export function expectMeaningfulInteropResults(rows: readonly InteropRow[]): void {
  expect(rows).toHaveLength(interopData.flagKeys.length * contexts.length);
  const served = rows.filter((r) => r.detail.reason.kind !== 'ERROR' && r.detail.value !== INTEROP_DEFAULT);
  expect(served.length / rows.length).toBeGreaterThan(0.8);
  const kinds = new Set(rows.map((r) => r.detail.reason.kind));
  expect([...kinds].sort()).toEqual(['ERROR', 'FALLTHROUGH', 'OFF', 'PREREQUISITE_FAILED', 'RULE_MATCH', 'TARGET_MATCH']);
  // Every operator flag both matches some contexts and misses others (the unknown operator never matches).
  for (const key of interopData.flagKeys.filter((k) => k.startsWith('op-'))) {
    const matched = rows.filter((r) => r.flag === key && r.detail.reason.kind === 'RULE_MATCH').length;
    const missed = rows.filter((r) => r.flag === key && r.detail.reason.kind === 'FALLTHROUGH').length;
    if (key === 'op-unknown-operator') expect(matched, key).toBe(0);
    else expect(matched > 0 && missed > 0, `${key}: ${matched} matched, ${missed} fell through`).toBe(true);
  }
  expect(rows.some((r) => r.detail.reason.inExperiment === true)).toBe(true);

  const detail = (flag: string, context: string): InteropDetail => rows.find((r) => r.flag === flag && r.context === context)!.detail;
  expect(detail('op-in', 'user alice')).toEqual({ value: 'match', variationIndex: 0, reason: { kind: 'RULE_MATCH', ruleIndex: 0, ruleId: 'op-in#rule' } });
  expect(detail('op-in', 'user bob')).toEqual({ value: 'no-match', variationIndex: 1, reason: { kind: 'FALLTHROUGH' } });
  expect(detail('targets-user', 'user bob')).toEqual({ value: 'off', variationIndex: 2, reason: { kind: 'TARGET_MATCH' } });
  expect(detail('targets-context', 'multi alice + acme').value).toBe('org-target');
  expect(detail('prereq-top', 'user José')).toEqual({ value: 'match', variationIndex: 0, reason: { kind: 'FALLTHROUGH' } });
  expect(detail('prereq-top', 'user alice')).toEqual({ value: 'off', variationIndex: 2, reason: { kind: 'PREREQUISITE_FAILED', prerequisiteKey: 'op-in' } });
  expect(detail('prereq-top', 'user bob')).toEqual({ value: 'off', variationIndex: 2, reason: { kind: 'PREREQUISITE_FAILED', prerequisiteKey: 'prereq-mid' } });
  expect(detail('prereq-cycle-a', 'user alice').reason).toEqual({ kind: 'ERROR', errorKind: 'MALFORMED_FLAG' });
  expect(detail('prereq-missing', 'user alice').reason).toEqual({ kind: 'PREREQUISITE_FAILED', prerequisiteKey: 'no-such-flag' });
  expect(detail('flag-off', 'user alice')).toEqual({ value: 'no-match', variationIndex: 1, reason: { kind: 'OFF' } });
  expect(detail('op-segment-match', 'user bob').value).toBe('match');
  expect(detail('op-segment-match', 'user carol (string age, prerelease, offset date)').value).toBe('no-match');
  expect(detail('旗', 'user ユーザー-1').value).toBe('赤');
  expect(detail('fläg-ü', 'user José').value).toBe('ja ✓');
  expect(detail('🚀-launch', 'user 🦄')).toEqual({ value: '🚀', variationIndex: 0, reason: { kind: 'TARGET_MATCH' } });
  expect(detail('billing:checkout/v2.beta', 'org acme').value).toBe('match');
  expect(detail('json-values', 'user alice').value).toEqual({ theme: 'dark', limits: [1, 2, 3] });
  expect(detail('deleted:flag', 'user alice')).toMatchObject({ value: INTEROP_DEFAULT, reason: { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' } });
}

/** A TestData source of either SDK (LaunchDarkly's `integrations.TestData`, Switchyard's `TestData`). */
export interface InteropTestData {
  usePreconfiguredSegment(segment: InteropJson): unknown;
  usePreconfiguredFlag(flag: InteropJson): unknown;
}

/** Loads every segment, flag and the tombstone of {@link interopData} into `td`, and returns it. */
export async function loadInteropData<T extends InteropTestData>(td: T): Promise<T> {
  for (const segment of interopData.segments) await td.usePreconfiguredSegment(segment);
  for (const flag of [...interopData.flags, interopData.deletedFlag]) await td.usePreconfiguredFlag(flag);
  return td;
}

/** A client of either SDK, as far as a one-shot writer needs it. */
export interface InteropWriterClient {
  waitForInitialization(options: { timeout: number }): Promise<unknown>;
  close(): unknown;
}

/** Waits (up to 10 s) until a writer client has stored its data, and closes it whatever happened. */
export async function initializeAndClose(client: InteropWriterClient): Promise<void> {
  try {
    await client.waitForInitialization({ timeout: 10 });
  } finally {
    await client.close();
  }
}
