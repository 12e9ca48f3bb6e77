/**
 * The Redis store scenarios: Switchyard's `@switchyard/store-redis` next to LaunchDarkly's
 * `@launchdarkly/node-server-sdk-redis`, on the large workload (10,000 flags, 1,000 segments) and the
 * redis-server the runner starts. Each store uses its default connection settings (Switchyard: a pool of
 * up to 4 connections; LaunchDarkly: one ioredis connection).
 *
 * - `redis-init`: the store's `init` as the SDK's data source calls it (Switchyard:
 *   `redisStore(...)(ctx).init(dataSet)`; LaunchDarkly: `RedisFeatureStore(...)(ctx).init(dataSet, cb)`),
 *   each given the data set as its own data source prepares it from the same poll payload, prepared
 *   outside the timing. Each store sorts the data, serializes every item, replaces both hashes in one
 *   transaction and fills its cache (TTL 30 s on both). Every repetition after the first is a re-init
 *   of the same prefix (as after a stream restart) and is checked afterwards.
 * - `redis-daemon-cached` / `redis-daemon-uncached`: daemon mode (`useLdd`, no data source, events
 *   off), flags read from Redis, written once as plain JSON (as the Relay Proxy writes them) under a
 *   prefix both SDKs share; cache TTL 30 s, and no cache (every evaluation reads the flag, its
 *   prerequisites and segments from Redis). 64 evaluation loops run concurrently.
 */
import { performance } from 'node:perf_hooks';

import { type LDFeatureStore, type LDFeatureStoreDataStorage, deserializePoll } from '@launchdarkly/node-server-sdk';
import { RedisFeatureStore as LdRedisFeatureStore } from '@launchdarkly/node-server-sdk-redis';
import { DataKinds, type FullDataSet, type LDLogger, type SerializedCollection, type VersionedItem } from '@switchyard/core';
import { RedisPersistentStore, redisStore } from '@switchyard/store-redis';
import { type RespValue, RespError, redisCommand } from '@switchyard/test-services';

import { pairs, throughput, workload } from '../loops.js';
import type { Scenario, ScenarioInput, ScenarioOutput, SdkName } from '../protocol.js';
import { createClient, Digest, type BenchClient } from '../sdk.js';
import { SEED, type BenchData, type Item } from '../workload.js';

/** Measured `init` calls per process, after one warm-up call (connections, JIT). */
const INIT_REPS = 5;
/** `variation()` calls in flight at once in the daemon-mode loops. */
const CONCURRENCY = 64;
const CACHE_SECONDS = 30;
/** The daemon-mode correctness pass: DIGEST_CONTEXTS contexts, each with DIGEST_FLAGS flags (different flags per context). */
const DIGEST_CONTEXTS = 10;
const DIGEST_FLAGS = 500;
/** The prefix both SDKs' daemon-mode clients read (the runner starts a fresh redis-server per run). */
const DAEMON_PREFIX = `bench-daemon-${SEED}`;

/** A logger that drops info/debug and keeps errors, so that a scenario fails on them. */
class RecordingLogger implements LDLogger {
  readonly errors: string[] = [];

  constructor(readonly who: string) {}

  error = (...args: unknown[]): void => {
    this.errors.push(args.map(String).join(' '));
  };
  warn = (): void => undefined;
  info = (): void => undefined;
  debug = (): void => undefined;

  /** Throws when anything was logged at error level (LaunchDarkly's store reports a failed init only so). */
  check(): void {
    if (this.errors.length > 0) throw new Error(`${this.who} logged ${this.errors.length} error(s), first: ${this.errors[0]}`);
  }
}

/** Admin commands to the runner's redis-server, each on a fresh connection (not the stores' clients). */
class Admin {
  readonly host: string;
  readonly port: number;

  constructor(url: string | undefined) {
    if (!url) throw new Error('benchmarks: the redis scenarios need the runner to start redis-server');
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  async command(...args: (string | number)[]): Promise<RespValue> {
    const reply = await redisCommand(this.port, args, { host: this.host, timeoutMs: 10_000 });
    if (reply instanceof RespError) throw new Error(`redis ${String(args[0])}: ${reply.message}`);
    return reply;
  }

  async int(...args: (string | number)[]): Promise<number> {
    const reply = await this.command(...args);
    if (typeof reply !== 'number') throw new Error(`redis ${args.join(' ').slice(0, 80)} answered ${String(reply)}`);
    return reply;
  }
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// ---- init ---------------------------------------------------------------------------------------

/** The data set as Switchyard's data source hands it to the store: every item parsed by its kind. */
function switchyardDataSet(payload: string): FullDataSet {
  const { flags, segments } = JSON.parse(payload) as { flags: Record<string, unknown>; segments: Record<string, unknown> };
  const parse = (kind: typeof DataKinds.features | typeof DataKinds.segments, items: Record<string, unknown>): Record<string, VersionedItem> =>
    Object.fromEntries(Object.entries(items).map(([key, item]) => [key, kind.fromJSON(item)]));
  return { features: parse(DataKinds.features, flags), segments: parse(DataKinds.segments, segments) };
}

/** The data set as LaunchDarkly's data source hands it to the store: `deserializePoll` of the payload. */
function launchDarklyDataSet(payload: string): LDFeatureStoreDataStorage {
  const parsed = deserializePoll(payload);
  if (!parsed) throw new Error('deserializePoll rejected the payload');
  return { features: parsed.flags, segments: parsed.segments } as unknown as LDFeatureStoreDataStorage;
}

/** One store under test: `init` of a fresh data set, and `close`. */
interface InitTarget {
  /** Prepares a data set (not timed) and returns the timed init. */
  prepare(payload: string): () => Promise<void>;
  close(): Promise<void>;
}

function initTarget(sdk: SdkName, admin: Admin, url: string, prefix: string, logger: RecordingLogger): InitTarget {
  if (sdk === 'switchyard') {
    const store = redisStore({ url, prefix, cacheTtlMs: CACHE_SECONDS * 1000 })({ logger });
    return {
      prepare: (payload) => {
        const dataSet = switchyardDataSet(payload);
        return () => store.init(dataSet);
      },
      close: () => store.close(),
    };
  }
  // LaunchDarkly's factory only reads `basicConfiguration.logger` from the client context.
  const factory = LdRedisFeatureStore({ redisOpts: { host: admin.host, port: admin.port }, prefix, cacheTTL: CACHE_SECONDS });
  const store: LDFeatureStore = factory({ basicConfiguration: { logger } } as unknown as Parameters<typeof factory>[0]);
  return {
    prepare: (payload) => {
      const dataSet = launchDarklyDataSet(payload);
      return () => new Promise<void>((resolve) => store.init(dataSet, () => resolve()));
    },
    close: () => {
      store.close();
      return Promise.resolve();
    },
  };
}

const SENTINEL = '__bench-sentinel';

/** Checks that `prefix` holds exactly the data set (every item, `$inited`, the sentinel gone). */
async function checkInit(admin: Admin, prefix: string, data: BenchData): Promise<void> {
  const flags = await admin.int('HLEN', `${prefix}:features`);
  const segments = await admin.int('HLEN', `${prefix}:segments`);
  const inited = await admin.int('EXISTS', `${prefix}:$inited`);
  const sentinel = await admin.int('HEXISTS', `${prefix}:features`, SENTINEL);
  const want = { flags: data.flagKeys.length, segments: Object.keys(data.segments).length };
  if (flags !== want.flags || segments !== want.segments || inited !== 1 || sentinel !== 0) {
    throw new Error(
      `init on prefix ${prefix} left ${flags} flags, ${segments} segments, $inited=${inited}, sentinel=${sentinel}; ` +
        `expected ${want.flags}, ${want.segments}, 1, 0`,
    );
  }
}

/**
 * Reads a sample of the stored items back (every 100th flag, every 10th segment), checks that the stored
 * JSON is the item (key, version, rules, targets, lists), and digests their keys and versions.
 */
async function readBack(admin: Admin, prefix: string, data: BenchData): Promise<Digest> {
  const digest = new Digest();
  const sample = async (namespace: string, items: Record<string, Item>, step: number): Promise<void> => {
    const keys = Object.keys(items).filter((_, i) => i % step === 0);
    const stored = await admin.command('HMGET', `${prefix}:${namespace}`, ...keys);
    if (!Array.isArray(stored) || stored.length !== keys.length) throw new Error(`HMGET ${prefix}:${namespace} answered ${String(stored).slice(0, 200)}`);
    keys.forEach((key, i) => {
      const item = items[key]!;
      const text = stored[i];
      const back = typeof text === 'string' ? (JSON.parse(text) as Item) : undefined;
      const same = (field: string): boolean => JSON.stringify(back?.[field] ?? []) === JSON.stringify(item[field] ?? []);
      if (back?.key !== key || back.version !== item.version || !same('rules') || !same('targets') || !same('included') || !same('excluded')) {
        throw new Error(`init on prefix ${prefix} stored ${String(text).slice(0, 200)} for ${namespace} item ${key}`);
      }
      digest.add([namespace, back.key, back.version]);
    });
  };
  await sample('features', data.flags, 100);
  await sample('segments', data.segments, 10);
  return digest;
}

async function redisInit(input: ScenarioInput): Promise<ScenarioOutput> {
  const data = workload('large');
  const url = input.services.redis;
  const admin = new Admin(url);
  // A prefix of this process's own: the other SDK's process and earlier rounds never see this data.
  const prefix = `bench-init-${input.sdk}-${process.pid}-${Date.now()}`;
  const logger = new RecordingLogger(`${input.sdk} redis store`);
  const target = initTarget(input.sdk, admin, url!, prefix, logger);
  const payload = JSON.stringify({ flags: data.flags, segments: data.segments });
  const times: number[] = [];
  let digest: Digest;
  try {
    // Repetition 0 is a warm-up (connections, JIT) and not counted.
    for (let rep = 0; rep <= INIT_REPS; rep++) {
      // A fresh data set each time: either store may keep or change the objects it is given.
      const init = target.prepare(payload);
      // A field a real replace removes; the data itself stays (deleting `$inited` would make
      // Switchyard's store report lost data, which it checks for).
      await admin.command('HSET', `${prefix}:features`, SENTINEL, '{}');
      const start = performance.now();
      await init();
      const ms = performance.now() - start;
      logger.check();
      await checkInit(admin, prefix, data);
      if (rep > 0) times.push(ms);
    }
    digest = await readBack(admin, prefix, data);
  } finally {
    await target.close();
    await admin.command('DEL', `${prefix}:features`, `${prefix}:segments`, `${prefix}:$inited`);
  }
  return { metrics: { 'init ms': median(times) }, digest: digest.hex(), digestCount: digest.count };
}

// ---- daemon mode --------------------------------------------------------------------------------

/**
 * Writes the workload under {@link DAEMON_PREFIX} as plain JSON (what the Relay Proxy stores), once per
 * redis-server: the first scenario process to take the lock writes it, in one transaction that sets
 * `$inited` last; any other waits for `$inited`.
 */
async function ensureDaemonData(admin: Admin, url: string, data: BenchData): Promise<void> {
  const inited = `${DAEMON_PREFIX}:$inited`;
  if ((await admin.int('EXISTS', inited)) === 1) return;
  if ((await admin.command('SET', `${DAEMON_PREFIX}:bench-writer`, String(process.pid), 'NX')) === 'OK') {
    const store = new RedisPersistentStore({ url, prefix: DAEMON_PREFIX });
    const collection = (namespace: string, items: Record<string, Item>): SerializedCollection => ({
      kind: { namespace },
      items: Object.values(items).map((item) => ({ key: item.key, item: { version: item.version, serializedItem: JSON.stringify(item) } })),
    });
    try {
      await store.init([collection('segments', data.segments), collection('features', data.flags)]);
    } finally {
      await store.close();
    }
  } else {
    const deadline = Date.now() + 60_000;
    while ((await admin.int('EXISTS', inited)) !== 1) {
      if (Date.now() > deadline) throw new Error(`benchmarks: ${DAEMON_PREFIX} was not written within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const flags = await admin.int('HLEN', `${DAEMON_PREFIX}:features`);
  if (flags !== data.flagKeys.length) throw new Error(`benchmarks: ${DAEMON_PREFIX} holds ${flags} flags, not ${data.flagKeys.length}`);
}

/**
 * The correctness pass: `variationDetail` of {@link DIGEST_FLAGS} flags for each of
 * {@link DIGEST_CONTEXTS} contexts (different flags per context, 5,000 flags in all), in order.
 */
async function digestDaemon(client: BenchClient, data: BenchData): Promise<Digest> {
  const digest = new Digest();
  const step = Math.floor(data.flagKeys.length / DIGEST_FLAGS);
  const contextStep = Math.floor(data.contexts.length / DIGEST_CONTEXTS);
  for (let j = 0; j < DIGEST_CONTEXTS; j++) {
    const context = data.contexts[j * contextStep]!;
    for (let i = 0; i < DIGEST_FLAGS; i++) {
      const key = data.flagKeys[i * step + ((j * 2) % step)]!;
      const d = await client.variationDetail(key, context, null);
      // An error means the data was not read (a wrong prefix, a broken store), not a realistic answer.
      if ((d.reason as { kind?: string } | null)?.kind === 'ERROR') {
        throw new Error(`${client.sdk}: ${key} evaluated to an error: ${JSON.stringify(d.reason)}`);
      }
      digest.add([key, d.value, d.variationIndex ?? null, d.reason]);
    }
  }
  return digest;
}

async function daemonScenario(input: ScenarioInput, cacheSeconds: number): Promise<ScenarioOutput> {
  const data = workload('large');
  const url = input.services.redis;
  const admin = new Admin(url);
  await ensureDaemonData(admin, url!, data);
  const logger = new RecordingLogger(`${input.sdk} daemon-mode client`);
  const featureStore =
    input.sdk === 'switchyard'
      ? redisStore({ url: url!, prefix: DAEMON_PREFIX, cacheTtlMs: cacheSeconds * 1000 })
      : LdRedisFeatureStore({ redisOpts: { host: admin.host, port: admin.port }, prefix: DAEMON_PREFIX, cacheTTL: cacheSeconds });
  const client = createClient(input.sdk, { serviceUrl: input.serviceUrl, sendEvents: false, extra: { useLdd: true, featureStore, logger } });
  await client.waitForInitialization(30);
  const digest = await digestDaemon(client, data);
  // Every flag once before timing (fills the cache when there is one), in concurrent batches.
  for (let i = 0; i < data.flagKeys.length; i += 256) {
    const batch = data.flagKeys.slice(i, i + 256);
    await Promise.all(batch.map((key, k) => client.variation(key, data.contexts[(i + k) % data.contexts.length]!, null)));
  }
  const rotation = pairs(data);
  const evals = await throughput(rotation, (p) => client.variation(p.key, p.context, null), input.phaseMs, CONCURRENCY);
  logger.check();
  client.close();
  return { metrics: { 'evals/s': evals }, digest: digest.hex(), digestCount: digest.count };
}

const evals = { name: 'evals/s', unit: 'evals/s', better: 'higher' } as const;

export const redisScenarios: readonly Scenario[] = [
  {
    name: 'redis-init',
    title: 'Redis store init(): 10,000 flags + 1,000 segments, as the data source calls it (median of 5)',
    workload: 'large',
    services: ['redis'],
    metrics: [{ name: 'init ms', unit: 'ms', better: 'lower' }],
    run: redisInit,
  },
  {
    name: 'redis-daemon-cached',
    title: `daemon mode from Redis, cache ${CACHE_SECONDS} s: variation() × ${CONCURRENCY} concurrent, 10,000 flags`,
    workload: 'large',
    services: ['redis'],
    metrics: [evals],
    run: (input) => daemonScenario(input, CACHE_SECONDS),
  },
  {
    name: 'redis-daemon-uncached',
    title: `daemon mode from Redis, no cache: variation() × ${CONCURRENCY} concurrent, 10,000 flags`,
    workload: 'large',
    services: ['redis'],
    metrics: [evals],
    run: (input) => daemonScenario(input, 0),
  },
];
