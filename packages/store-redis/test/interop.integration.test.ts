import {
  init as ldInit,
  integrations as ldIntegrations,
  type LDClient as TheirClient,
  type LDContext as TheirContext,
  type LDLogger,
  type LDOptions as TheirOptions,
} from '@launchdarkly/node-server-sdk';
import { RedisFeatureStore as TheirRedisFeatureStore } from '@launchdarkly/node-server-sdk-redis';
import { init, TestData, type LDClient, type LDContext, type LDOptions } from '@switchyard/node-server';
import { type RedisServer, startRedis } from '@switchyard/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { redisStore } from '../src/index.js';
import { contexts, deletedFlag, flags, type Json, missingFlagKeys, segments } from './interop-flags.js';
import { ok } from './support.js';

// Interop both ways with LaunchDarkly's own Redis integration, on one redis-server: what their SDK writes,
// a Switchyard client in daemon mode evaluates exactly as their daemon-mode client does, and the other way
// round. Readers run with no cache, so their answers come from what Redis holds.

/** Returned only when an evaluation fails: a flag never serves it. */
const SENTINEL = '«default»';
/** LaunchDarkly writes here. */
const THEIR_PREFIX = 'ld-wrote';
/** Switchyard writes here: a prefix with the separators of the key layout in it. */
const OUR_PREFIX = 'sy:wrote/v1.interop';

const quiet: LDLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const flagKeys: readonly string[] = [...flags.map((f) => f.key as string), ...missingFlagKeys];

interface Detail {
  readonly value: unknown;
  readonly variationIndex?: number | null | undefined;
  readonly reason: { readonly kind: string; readonly inExperiment?: boolean | undefined };
}
interface Row {
  readonly flag: string;
  readonly context: string;
  readonly detail: Detail;
}
type Evaluate = (key: string, context: Json) => Promise<Detail>;
/** What a daemon-mode reader answered, and how many hash reads Redis served it. */
interface Reading {
  readonly rows: Row[];
  readonly redisReads: number;
}

let server: RedisServer;

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await server?.stop();
});

function theirStore(prefix: string): TheirOptions['featureStore'] {
  return TheirRedisFeatureStore({ redisOpts: { host: server.host, port: server.port }, prefix, cacheTTL: 0 });
}

const common = { sendEvents: false, diagnosticOptOut: true, logger: quiet } as const;

/** Every flag × every context, in a fixed order. */
async function evaluateAll(evaluate: Evaluate): Promise<Row[]> {
  const rows: Row[] = [];
  for (const flag of flagKeys) {
    const details = await Promise.all(contexts.map(({ context }) => evaluate(flag, context)));
    details.forEach((detail, i) => rows.push({ flag, context: contexts[i]!.label, detail }));
  }
  return rows;
}

/** `HGET` + `HGETALL` calls the server has answered so far (INFO commandstats). */
async function hashReads(): Promise<number> {
  const info = String(ok(await server.command('INFO', 'commandstats')));
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(?:hget|hgetall):calls=(\d+)/gm)) calls += Number(match[1]);
  return calls;
}

async function evaluateWithOurs(prefix: string, sdkKey: string): Promise<Reading> {
  const options: LDOptions = { ...common, useLdd: true, featureStore: redisStore({ url: server.url, prefix, cacheTtlMs: 0 }) };
  const client: LDClient = init(sdkKey, options);
  try {
    await client.waitForInitialization({ timeout: 10 });
    const before = await hashReads();
    const rows = await evaluateAll((key, context) => client.variationDetail(key, context as LDContext, SENTINEL));
    return { rows, redisReads: (await hashReads()) - before };
  } finally {
    await client.close();
  }
}

async function evaluateWithTheirs(prefix: string, sdkKey: string): Promise<Reading> {
  const client: TheirClient = ldInit(sdkKey, { ...common, useLdd: true, featureStore: theirStore(prefix) });
  try {
    await client.waitForInitialization({ timeout: 10 });
    const before = await hashReads();
    const rows = await evaluateAll((key, context) => client.variationDetail(key, context as TheirContext, SENTINEL));
    return { rows, redisReads: (await hashReads()) - before };
  } finally {
    client.close();
  }
}

/** One line per pair whose details differ (compared with `toEqual`), so a failure lists them all. */
function mismatches(ours: readonly Row[], theirs: readonly Row[]): string[] {
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

/** The items of `<prefix>:<namespace>` as Redis holds them, parsed. */
async function storedItems(prefix: string, namespace: 'features' | 'segments'): Promise<Map<string, Json>> {
  const reply = ok(await server.command('HGETALL', `${prefix}:${namespace}`));
  expect(Array.isArray(reply)).toBe(true);
  const fields = reply as string[];
  const items = new Map<string, Json>();
  for (let i = 0; i < fields.length; i += 2) items.set(fields[i]!, JSON.parse(fields[i + 1]!) as Json);
  return items;
}

/** What the flag service would send: `undefined` fields dropped. */
function asSent(item: Json): Json {
  return JSON.parse(JSON.stringify(item)) as Json;
}

function byKey(items: readonly Json[]): Map<string, Json> {
  return new Map(items.map((item) => [item.key as string, asSent(item)]));
}

const expectedFlags = byKey([...flags, deletedFlag]);
const expectedSegments = byKey(segments);

async function expectLaunchDarklyLayout(prefix: string): Promise<{ features: Map<string, Json>; segments: Map<string, Json> }> {
  expect(ok(await server.command('EXISTS', `${prefix}:$inited`))).toBe(1);
  const features = await storedItems(prefix, 'features');
  const segmentItems = await storedItems(prefix, 'segments');
  expect([...features.keys()].sort()).toEqual([...expectedFlags.keys()].sort());
  expect([...segmentItems.keys()].sort()).toEqual([...expectedSegments.keys()].sort());
  for (const [key, item] of [...features, ...segmentItems]) {
    expect(item.key, `stored key of ${key}`).toBe(key);
    expect(item.version, `stored version of ${key}`).toBe((expectedFlags.get(key) ?? expectedSegments.get(key))!.version);
  }
  return { features, segments: segmentItems };
}

/** Guards against a comparison of two equally broken result sets (say, every answer the default). */
function expectMeaningfulResults(rows: readonly Row[]): void {
  expect(rows).toHaveLength(flagKeys.length * contexts.length);
  const served = rows.filter((r) => r.detail.reason.kind !== 'ERROR' && r.detail.value !== SENTINEL);
  expect(served.length / rows.length).toBeGreaterThan(0.8);
  const kinds = new Set(rows.map((r) => r.detail.reason.kind));
  expect([...kinds].sort()).toEqual(['ERROR', 'FALLTHROUGH', 'OFF', 'PREREQUISITE_FAILED', 'RULE_MATCH', 'TARGET_MATCH']);
  // Every operator flag both matches some contexts and misses others (the unknown operator never matches).
  for (const key of flagKeys.filter((k) => k.startsWith('op-'))) {
    const matched = rows.filter((r) => r.flag === key && r.detail.reason.kind === 'RULE_MATCH').length;
    const missed = rows.filter((r) => r.flag === key && r.detail.reason.kind === 'FALLTHROUGH').length;
    if (key === 'op-unknown-operator') expect(matched, key).toBe(0);
    else expect(matched > 0 && missed > 0, `${key}: ${matched} matched, ${missed} fell through`).toBe(true);
  }
  expect(rows.some((r) => r.detail.reason.inExperiment === true)).toBe(true);

  const detail = (flag: string, context: string): Detail => rows.find((r) => r.flag === flag && r.context === context)!.detail;
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
  expect(detail('deleted:flag', 'user alice')).toMatchObject({ value: SENTINEL, reason: { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' } });
}

/** Results per direction, kept for the check that both directions agree with each other. */
/**
 * What every direction checks of its two daemon-mode readers: identical answers, both read from Redis
 * (no cache), and answers that are not a run of defaults (checked on both, so neither reader can pass by
 * agreeing on nothing).
 */
function readerChecks(readings: () => { ours: Reading; theirs: Reading }): void {
  it('gives the same answers in both SDKs’ daemon-mode clients, for every flag and context', () => {
    const { ours, theirs } = readings();
    expect(mismatches(ours.rows, theirs.rows)).toEqual([]);
  });

  it('is read from Redis by both readers (no cache)', () => {
    const { ours, theirs } = readings();
    expect(ours.redisReads).toBeGreaterThanOrEqual(flagKeys.length);
    expect(theirs.redisReads).toBeGreaterThanOrEqual(flagKeys.length);
  });

  it('gives meaningful answers, not a run of defaults', () => {
    const { ours, theirs } = readings();
    expectMeaningfulResults(ours.rows);
    expectMeaningfulResults(theirs.rows);
  });
}

const results: Partial<Record<'theirData' | 'ourData', { ours: Reading; theirs: Reading }>> = {};

describe('LaunchDarkly writes, Switchyard reads (daemon mode)', () => {
  let ours: Reading;
  let theirs: Reading;

  beforeAll(async () => {
    const td = new ldIntegrations.TestData();
    for (const s of segments) await td.usePreconfiguredSegment(s);
    for (const f of [...flags, deletedFlag]) await td.usePreconfiguredFlag(f);
    const writer = ldInit('sdk-interop-ld-writer', { ...common, updateProcessor: td.getFactory(), featureStore: theirStore(THEIR_PREFIX) });
    try {
      await writer.waitForInitialization({ timeout: 10 });
    } finally {
      writer.close();
    }
    ours = await evaluateWithOurs(THEIR_PREFIX, 'sdk-interop-ours-reads-theirs');
    theirs = await evaluateWithTheirs(THEIR_PREFIX, 'sdk-interop-theirs-reads-theirs');
    results.theirData = { ours, theirs };
  });

  it('leaves LaunchDarkly’s layout in Redis: every flag (and the tombstone) and segment, as sent, and $inited', async () => {
    const stored = await expectLaunchDarklyLayout(THEIR_PREFIX);
    expect(stored.features.get('deleted:flag')).toMatchObject({ key: 'deleted:flag', version: 99, deleted: true });
    for (const [key, item] of stored.features) expect(item, key).toEqual(expectedFlags.get(key));
    for (const [key, item] of stored.segments) expect(item, key).toEqual(expectedSegments.get(key));
  });

  readerChecks(() => ({ ours, theirs }));
});

describe('Switchyard writes, LaunchDarkly reads (daemon mode)', () => {
  let ours: Reading;
  let theirs: Reading;

  beforeAll(async () => {
    const td = new TestData();
    for (const s of segments) await td.usePreconfiguredSegment(s);
    for (const f of [...flags, deletedFlag]) await td.usePreconfiguredFlag(f);
    const writer = init('sdk-interop-sy-writer', { ...common, updateProcessor: td, featureStore: redisStore({ url: server.url, prefix: OUR_PREFIX }) });
    try {
      await writer.waitForInitialization({ timeout: 10 });
    } finally {
      await writer.close();
    }
    theirs = await evaluateWithTheirs(OUR_PREFIX, 'sdk-interop-theirs-reads-ours');
    ours = await evaluateWithOurs(OUR_PREFIX, 'sdk-interop-ours-reads-ours');
    results.ourData = { ours, theirs };
  });

  it('leaves LaunchDarkly’s layout in Redis: every flag (and the tombstone) and segment, and $inited', async () => {
    const stored = await expectLaunchDarklyLayout(OUR_PREFIX);
    expect(stored.features.get('deleted:flag')).toMatchObject({ key: 'deleted:flag', version: 99, deleted: true });
  });

  it('stores each item as JSON that parses to what LaunchDarkly stores for it', async () => {
    const ourItems = [...(await storedItems(OUR_PREFIX, 'features')), ...(await storedItems(OUR_PREFIX, 'segments'))];
    const theirFeatures = await storedItems(THEIR_PREFIX, 'features');
    const theirSegments = await storedItems(THEIR_PREFIX, 'segments');
    expect(ourItems.length).toBe(theirFeatures.size + theirSegments.size);
    for (const [key, item] of ourItems) expect(item, key).toEqual(theirFeatures.get(key) ?? theirSegments.get(key));
  });

  readerChecks(() => ({ ours, theirs }));
});

describe('both directions', () => {
  it('give the same answers: what each SDK wrote evaluates alike in each SDK', () => {
    const { theirData, ourData } = results;
    expect(theirData && ourData).toBeTruthy();
    expect(mismatches(ourData!.theirs.rows, theirData!.theirs.rows)).toEqual([]);
    expect(mismatches(ourData!.ours.rows, theirData!.ours.rows)).toEqual([]);
  });
});
