/**
 * The Redis feature store, Switchyard next to LaunchDarkly's `@launchdarkly/node-server-sdk-redis`, on the
 * same production-like data (bench/data.ts: 10,000 flags, 100 segments, multi-kind contexts) and the
 * same redis-server, in one run. Prints a table per measurement and a summary; exits non-zero when
 * anything fails (including the two SDKs disagreeing on an answer).
 *
 * 1. Init: time to write all flags and segments. Both sides are called at the same level, their public
 *    data-store API as the SDK's data source calls it: Switchyard's `redisStore(...)(ctx).init(dataSet)`
 *    and LaunchDarkly's `RedisFeatureStore(...)(ctx).init(dataSet, callback)`, each given the data set
 *    as its own data source prepares it from the same poll payload (Switchyard: items parsed by
 *    `DataKinds.*.fromJSON`; LaunchDarkly: `deserializePoll`), prepared outside the timing. Each store
 *    sorts the data, serializes every item, replaces the hashes in one MULTI/EXEC and fills its cache
 *    (default TTL 30 s on both). Each store has its own prefix; the turns alternate; each init replaces
 *    the previous repetition's data (a re-init, as after a stream restart) and is checked afterwards (a
 *    sentinel field set before it is gone, HLEN of both hashes, `$inited`, a few items read back).
 *    Reported: median milliseconds.
 * 2. Daemon mode: a Switchyard client and a LaunchDarkly client, both `useLdd: true` (no data source,
 *    flags read from Redis), events off, reading the same prefix, written once as plain JSON (as the
 *    Relay Proxy writes it). Scenarios: cache 30 s, and no cache (every evaluation reads the flag, its
 *    prerequisites and segments from Redis). One operation is `CONCURRENCY` `variation()` calls started
 *    together and awaited with `Promise.all`, over a rotation of all flags × contexts; bench-kit's
 *    `compare` alternates the two clients in rounds and reports evaluations per second. Before timing,
 *    both clients must give identical `variationDetail` answers on a sample of 6,000 flag/context pairs
 *    (bench-kit `assertSameAnswers`); the sample's reasons are printed so one can see which evaluation
 *    paths the data exercises. Each side uses its store's default connection settings (Switchyard: pool
 *    of up to 4 connections; LaunchDarkly: one ioredis connection).
 *
 * Run: `pnpm bench` in packages/store-redis, or `npx tsx bench/redis-store.ts`. Needs `redis-server` on
 * PATH (or REDIS_SERVER_BIN); it starts its own on a free port and stops it at the end. Knobs (env):
 * BENCH_ROUNDS (7), BENCH_ROUND_MS (1500), BENCH_CONCURRENCY (64), BENCH_INIT_REPS (7).
 * Ratios are "Switchyard relative to LaunchDarkly", higher is better for Switchyard: evals/s divided by
 * LaunchDarkly's, and for init LaunchDarkly's time divided by Switchyard's. Compare ratios from one run;
 * absolute numbers depend on the machine.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { type LDFeatureStore, type LDFeatureStoreDataStorage, type LDOptions as LdOptions, deserializePoll, init as ldInit } from '@launchdarkly/node-server-sdk';
import { RedisFeatureStore as LdRedisFeatureStore } from '@launchdarkly/node-server-sdk-redis';
import { type BenchResult, type BenchTask, assertSameAnswers, compare, report } from '@switchyard/bench-kit';
import { DataKinds, type FullDataSet, type LDLogger, type SerializedCollection, type VersionedItem } from '@switchyard/core';
import { type LDClient, type LDContext, init } from '@switchyard/node-server';
import { type RedisServer, startRedis } from '@switchyard/test-services';

import { RedisPersistentStore, redisStore } from '../src/index.js';

import { type BenchData, type Item, generateData } from './data.js';

const SEED = 20_250_501;
const SIZES = { flags: 10_000, segments: 100, contexts: 1_009 }; // a prime count of contexts: flag × context pairs keep changing
const ROUNDS = envInt('BENCH_ROUNDS', 7);
const ROUND_MS = envInt('BENCH_ROUND_MS', 1_500);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 64);
const INIT_REPS = envInt('BENCH_INIT_REPS', 7);
const CACHE_SECONDS = 30;
/** Sample checked for identical answers: SAMPLE_CONTEXTS contexts, each with SAMPLE_FLAGS flags (different flags per context). */
const SAMPLE_CONTEXTS = 100;
const SAMPLE_FLAGS = 60;
const DAEMON_PREFIX = 'bench-daemon';
const SDK_KEY = 'sdk-bench-redis-store';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  return n;
}

/** Every logger made, so a failed run can show what the SDKs logged. */
const loggers: RecordingLogger[] = [];

/** A logger that drops info/debug but keeps errors and warnings, so the run can fail on them. */
class RecordingLogger implements LDLogger {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];

  constructor(readonly who: string) {
    loggers.push(this);
  }

  error = (...args: unknown[]): void => {
    this.errors.push(args.map(String).join(' '));
  };
  warn = (...args: unknown[]): void => {
    this.warnings.push(args.map(String).join(' '));
  };
  info = (): void => undefined;
  debug = (): void => undefined;

  /** Throws when anything was logged at error level. */
  check(): void {
    if (this.errors.length > 0) throw new Error(`${this.who} logged ${this.errors.length} error(s), first: ${this.errors[0]}`);
  }
}

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve(name));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? '?';
    } catch {
      // not here: look one level up
    }
  }
  return '?';
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The full data set as Switchyard's data source hands it to the store: every item parsed by its kind
 * (`DataKinds.*.fromJSON`, what node-server's payload parser does with a put or poll response).
 */
function ourDataSet(payload: string): FullDataSet {
  const { flags, segments } = JSON.parse(payload) as { flags: Record<string, unknown>; segments: Record<string, unknown> };
  const parse = (kind: typeof DataKinds.features | typeof DataKinds.segments, items: Record<string, unknown>): Record<string, VersionedItem> =>
    Object.fromEntries(Object.entries(items).map(([key, item]) => [key, kind.fromJSON(item)]));
  return { features: parse(DataKinds.features, flags), segments: parse(DataKinds.segments, segments) };
}

/** The full data set as LaunchDarkly's data source hands it to the store: `deserializePoll` of the payload. */
function theirDataSet(payload: string): LDFeatureStoreDataStorage {
  const parsed = deserializePoll(payload);
  if (!parsed) throw new Error('deserializePoll rejected the payload');
  return { features: parsed.flags, segments: parsed.segments } as unknown as LDFeatureStoreDataStorage;
}

function jsonBytes(items: Record<string, Item>): number {
  let n = 0;
  for (const item of Object.values(items)) n += Buffer.byteLength(JSON.stringify(item));
  return n;
}

async function hlen(server: RedisServer, key: string): Promise<number> {
  const reply = await server.command('HLEN', key);
  if (typeof reply !== 'number') throw new Error(`HLEN ${key} answered ${String(reply)}`);
  return reply;
}

const SENTINEL = '__bench-sentinel';

/**
 * Marks the hash before an init (an extra field that a real replace removes). The data is not deleted
 * between repetitions: each init replaces the previous one's data, as a re-init does in production, and
 * deleting `$inited` would make Switchyard's store report lost data (which it checks for).
 */
async function markBeforeInit(server: RedisServer, prefix: string): Promise<void> {
  await server.command('HSET', `${prefix}:features`, SENTINEL, '{}');
}

/** Checks that `prefix` holds exactly the data set: every flag and segment, `$inited`, and no sentinel. */
async function verifyInit(server: RedisServer, prefix: string, data: BenchData): Promise<void> {
  const flags = await hlen(server, `${prefix}:features`);
  const segments = await hlen(server, `${prefix}:segments`);
  const inited = await server.command('EXISTS', `${prefix}:$inited`);
  const sentinel = await server.command('HEXISTS', `${prefix}:features`, SENTINEL);
  // A few items read back: the stored JSON is the item (key, version, rules, lists), not a placeholder.
  const readBack = async (namespace: string, item: Item): Promise<void> => {
    const stored = await server.command('HGET', `${prefix}:${namespace}`, item.key);
    const back = typeof stored === 'string' ? (JSON.parse(stored) as Item) : undefined;
    const same = (field: string): boolean => JSON.stringify(back?.[field] ?? []) === JSON.stringify(item[field] ?? []);
    if (back?.key !== item.key || back.version !== item.version || !same('rules') || !same('targets') || !same('included')) {
      throw new Error(`init on prefix ${prefix} stored ${String(stored).slice(0, 200)} for ${namespace} item ${item.key}`);
    }
  };
  for (let i = 0; i < data.flagKeys.length; i += 1999) await readBack('features', data.flags[data.flagKeys[i]!]!);
  await readBack('segments', Object.values(data.segments)[0]!); // a segment with thousands of included keys
  const want = { flags: Object.keys(data.flags).length, segments: Object.keys(data.segments).length };
  if (flags !== want.flags || segments !== want.segments || inited !== 1 || sentinel !== 0) {
    throw new Error(
      `init on prefix ${prefix} left ${flags} flags, ${segments} segments, $inited=${String(inited)}, sentinel=${String(sentinel)}; ` +
        `expected ${want.flags}, ${want.segments}, 1, 0`,
    );
  }
}

// ---- 1. init ----------------------------------------------------------------------------------

interface InitResult {
  readonly ours: number[];
  readonly theirs: number[];
}

async function benchInit(server: RedisServer, data: BenchData): Promise<InitResult> {
  const ourLog = new RecordingLogger('switchyard init store');
  const theirLog = new RecordingLogger('launchdarkly init store');
  const ourPrefix = 'bench-init-switchyard';
  const theirPrefix = 'bench-init-launchdarkly';
  const ours = redisStore({ url: server.url, prefix: ourPrefix, cacheTtlMs: CACHE_SECONDS * 1000 })({ logger: ourLog });
  // LaunchDarkly's factory only reads `basicConfiguration.logger` from the client context.
  const theirFactory = LdRedisFeatureStore({ redisOpts: { host: server.host, port: server.port }, prefix: theirPrefix, cacheTTL: CACHE_SECONDS });
  const theirs: LDFeatureStore = theirFactory({ basicConfiguration: { logger: theirLog } } as unknown as Parameters<typeof theirFactory>[0]);
  const result: InitResult = { ours: [], theirs: [] };
  try {
    // Each init gets a fresh data set, prepared (outside the timing) the way its own SDK's data source
    // prepares one from the same poll payload: either store may keep or change the objects it is given.
    const payload = JSON.stringify({ flags: data.flags, segments: data.segments });
    const runOurs = async (): Promise<number> => {
      const dataSet = ourDataSet(payload);
      await markBeforeInit(server, ourPrefix);
      const start = performance.now();
      await ours.init(dataSet);
      const ms = performance.now() - start;
      await verifyInit(server, ourPrefix, data);
      return ms;
    };
    const runTheirs = async (): Promise<number> => {
      const dataSet = theirDataSet(payload);
      await markBeforeInit(server, theirPrefix);
      const start = performance.now();
      await new Promise<void>((resolve) => theirs.init(dataSet, () => resolve()));
      const ms = performance.now() - start;
      theirLog.check(); // LaunchDarkly's store reports a failed init only by logging it
      await verifyInit(server, theirPrefix, data);
      return ms;
    };
    // Repetition 0 is a warm-up (connections, JIT) and not counted; who goes first alternates.
    for (let rep = 0; rep <= INIT_REPS; rep++) {
      const pair = rep % 2 === 0 ? [runOurs, runTheirs] : [runTheirs, runOurs];
      const times = new Map<typeof runOurs, number>();
      for (const run of pair) times.set(run, await run());
      if (rep === 0) continue;
      result.ours.push(times.get(runOurs)!);
      result.theirs.push(times.get(runTheirs)!);
    }
    ourLog.check();
    theirLog.check();
  } finally {
    await ours.close();
    theirs.close();
  }
  const fmt = (v: readonly number[]): string => v.map((x) => x.toFixed(0)).join(', ');
  console.log(`\ninit: ${Object.keys(data.flags).length} flags + ${Object.keys(data.segments).length} segments, ${INIT_REPS} repetitions (ms)`);
  console.log(`  switchyard    median ${median(result.ours).toFixed(1).padStart(7)}   [${fmt(result.ours)}]`);
  console.log(`  launchdarkly  median ${median(result.theirs).toFixed(1).padStart(7)}   [${fmt(result.theirs)}]`);
  return result;
}

// ---- 2. daemon mode ---------------------------------------------------------------------------

/** Writes the data once, as plain JSON (what the Relay Proxy stores), for both daemon-mode clients. */
async function writeDaemonData(server: RedisServer, data: BenchData): Promise<void> {
  const store = new RedisPersistentStore({ url: server.url, prefix: DAEMON_PREFIX });
  const collection = (namespace: string, items: Record<string, Item>): SerializedCollection => ({
    kind: { namespace },
    items: Object.values(items).map((item) => ({ key: item.key, item: { version: item.version, serializedItem: JSON.stringify(item) } })),
  });
  try {
    await store.init([collection('segments', data.segments), collection('features', data.flags)]);
  } finally {
    await store.close();
  }
  if ((await hlen(server, `${DAEMON_PREFIX}:features`)) !== data.flagKeys.length) throw new Error('daemon data was not written');
}

interface EvaluationDetail {
  readonly reason?: { kind?: string; ruleId?: string; errorKind?: string; inExperiment?: boolean };
}

/** Counts what the sample's answers were, by reason (and by rule type for rule matches). */
class ReasonTally {
  readonly counts = new Map<string, number>();

  add(detail: unknown): void {
    const reason = (detail as EvaluationDetail).reason ?? {};
    let label = reason.kind ?? '?';
    if (label === 'RULE_MATCH') label += reason.ruleId?.includes('-seg-') ? ' (segment rule)' : ' (attribute rule)';
    if (label === 'ERROR') label += ` ${reason.errorKind ?? ''}`;
    if (reason.inExperiment) label += ', in experiment';
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }

  print(): void {
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    const parts = [...this.counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${((100 * n) / total).toFixed(1)}%`);
    console.log(`  answers in the sample (${total}): ${parts.join(', ')}`);
  }

  /** The data must reach every evaluation path; errors mean broken data, not a realistic workload. */
  check(): void {
    const labels = [...this.counts.keys()];
    for (const want of ['OFF', 'FALLTHROUGH', 'TARGET_MATCH', 'RULE_MATCH (attribute rule)', 'RULE_MATCH (segment rule)', 'PREREQUISITE_FAILED']) {
      if (!labels.some((l) => l.startsWith(want))) throw new Error(`no evaluation in the sample ended in ${want}: the data does not exercise that path`);
    }
    if (!labels.some((l) => l.includes('in experiment'))) throw new Error('no evaluation in the sample was in an experiment');
    const errors = labels.filter((l) => l.startsWith('ERROR'));
    if (errors.length > 0) throw new Error(`evaluation errors in the sample: ${errors.join(', ')}`);
  }
}

function evaluationTask(name: string, flagKeys: readonly string[], contexts: readonly LDContext[], variation: (key: string, context: LDContext) => Promise<unknown>): BenchTask {
  let f = 0;
  let c = 0;
  return {
    name,
    opsPerCall: CONCURRENCY,
    run: () => {
      const calls: Promise<unknown>[] = new Array<Promise<unknown>>(CONCURRENCY);
      for (let i = 0; i < CONCURRENCY; i++) {
        calls[i] = variation(flagKeys[f]!, contexts[c]!);
        f = f + 1 === flagKeys.length ? 0 : f + 1;
        c = c + 1 === contexts.length ? 0 : c + 1;
      }
      return Promise.all(calls);
    },
  };
}

async function benchDaemon(server: RedisServer, data: BenchData, cacheSeconds: number, title: string): Promise<BenchResult[]> {
  const ourLog = new RecordingLogger(`switchyard client (${title})`);
  const theirLog = new RecordingLogger(`launchdarkly client (${title})`);
  const client: LDClient = init(SDK_KEY, {
    useLdd: true,
    featureStore: redisStore({ url: server.url, prefix: DAEMON_PREFIX, cacheTtlMs: cacheSeconds * 1000 }),
    sendEvents: false,
    diagnosticOptOut: true,
    logger: ourLog,
  });
  const ldOptions: LdOptions = {
    useLdd: true,
    featureStore: LdRedisFeatureStore({ redisOpts: { host: server.host, port: server.port }, prefix: DAEMON_PREFIX, cacheTTL: cacheSeconds }),
    sendEvents: false,
    diagnosticOptOut: true,
    logger: theirLog,
  };
  const ld = ldInit(SDK_KEY, ldOptions);
  try {
    await client.waitForInitialization({ timeout: 10 });
    await ld.waitForInitialization({ timeout: 10 });
    const contexts = data.contexts as unknown as LDContext[];
    const { flagKeys } = data;

    console.log(`\ndaemon mode, ${title}: checking ${SAMPLE_CONTEXTS * SAMPLE_FLAGS} flag/context pairs answer identically…`);
    const tally = new ReasonTally();
    for (let j = 0; j < SAMPLE_CONTEXTS; j++) {
      const start = (j * 100) % flagKeys.length;
      await assertSameAnswers(
        flagKeys.slice(start, start + SAMPLE_FLAGS),
        [contexts[(j * 10) % contexts.length]],
        async (key, context, d) => {
          const detail = await client.variationDetail(key, context as LDContext, d);
          tally.add(detail);
          return detail;
        },
        (key, context, d) => ld.variationDetail(key, context as never, d),
      );
    }
    tally.print();
    tally.check();
    // Every flag once on each client before timing (fills the caches when there are caches), in batches.
    for (let i = 0; i < flagKeys.length; i += 256) {
      const batch = flagKeys.slice(i, i + 256);
      await Promise.all(batch.map((key, k) => client.variation(key, contexts[(i + k) % contexts.length]!, false)));
      await Promise.all(batch.map((key, k) => ld.variation(key, contexts[(i + k) % contexts.length] as never, false)));
    }

    const results = await compare(
      [
        evaluationTask('switchyard (@switchyard/store-redis)', flagKeys, contexts, (key, context) => client.variation(key, context, false)),
        evaluationTask('launchdarkly (@launchdarkly/node-server-sdk-redis)', flagKeys, contexts, (key, context) => ld.variation(key, context as never, false)),
      ],
      { rounds: ROUNDS, roundMs: ROUND_MS, warmupMs: 1_000, baseline: 'launchdarkly (@launchdarkly/node-server-sdk-redis)' },
    );
    report(`daemon mode, ${title}: variation() × ${CONCURRENCY} concurrent callers, ${flagKeys.length} flags × ${contexts.length} contexts (ratio: vs LaunchDarkly)`, results, 'evals/s');
    ourLog.check();
    theirLog.check();
    return results;
  } finally {
    await client.close();
    ld.close();
  }
}

// ---- main -------------------------------------------------------------------------------------

function fmtRate(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M/s` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k/s` : `${n.toFixed(0)}/s`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const data = generateData(SEED, SIZES);
  const flagBytes = jsonBytes(data.flags);
  const segmentBytes = jsonBytes(data.segments);
  console.log(
    `Redis store benchmark: Switchyard vs @launchdarkly/node-server-sdk ${packageVersion('@launchdarkly/node-server-sdk')} + @launchdarkly/node-server-sdk-redis ${packageVersion('@launchdarkly/node-server-sdk-redis')}`,
  );
  console.log(
    `data (seed ${SEED}): ${data.flagKeys.length} flags (${(flagBytes / 1e6).toFixed(1)} MB JSON; ${Object.entries(data.shapes).map(([k, n]) => `${k} ${n}`).join(', ')}), ` +
      `${Object.keys(data.segments).length} segments (${(segmentBytes / 1e6).toFixed(1)} MB JSON), ${data.contexts.length} contexts`,
  );

  const server = await startRedis();
  try {
    console.log(`redis-server on ${server.url}`);
    const initResult = await benchInit(server, data);
    await writeDaemonData(server, data);
    const cached = await benchDaemon(server, data, CACHE_SECONDS, `cache ${CACHE_SECONDS} s`);
    const uncached = await benchDaemon(server, data, 0, 'no cache');

    const ourInit = median(initResult.ours);
    const theirInit = median(initResult.theirs);
    const rows: [string, string, string, number][] = [
      [`init, ${data.flagKeys.length} flags + ${Object.keys(data.segments).length} segments (median)`, `${ourInit.toFixed(0)} ms`, `${theirInit.toFixed(0)} ms`, theirInit / ourInit],
      ...[
        [`daemon evals/s, cache ${CACHE_SECONDS} s, ${CONCURRENCY} concurrent`, cached],
        [`daemon evals/s, no cache, ${CONCURRENCY} concurrent`, uncached],
      ].map(([label, results]): [string, string, string, number] => {
        const [ours, theirs] = results as BenchResult[];
        return [label as string, fmtRate(ours!.opsPerSecond), fmtRate(theirs!.opsPerSecond), ours!.opsPerSecond / theirs!.opsPerSecond];
      }),
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log('\nSummary (ratio > 1: Switchyard faster; init ratio = LaunchDarkly time / Switchyard time)');
    console.log(`  ${'measurement'.padEnd(w)}  ${'switchyard'.padStart(12)}  ${'launchdarkly'.padStart(12)}  ratio`);
    for (const [label, ours, theirs, ratio] of rows) {
      console.log(`  ${label.padEnd(w)}  ${ours.padStart(12)}  ${theirs.padStart(12)}  ${ratio.toFixed(2)}x`);
    }
    console.log(`\ntotal time ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await server.stop();
  }
}

try {
  await main();
  process.exitCode = 0;
} catch (err) {
  console.error('\nbenchmark failed:', err);
  for (const l of loggers) {
    for (const line of [...l.errors.map((e) => `error: ${e}`), ...l.warnings.map((w) => `warn: ${w}`)].slice(0, 10)) console.error(`  ${l.who} logged ${line}`);
  }
  process.exitCode = 1;
}
// LaunchDarkly's client keeps timers after close(); do not wait for them.
process.exit(process.exitCode);
