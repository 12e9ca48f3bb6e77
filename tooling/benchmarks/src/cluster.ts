/**
 * The cluster benchmark (`pnpm bench --only cluster`; the last part of `pnpm bench`): a node:cluster app
 * (cluster-app.mjs) with W workers, in three modes (see {@link CLUSTER_MODES}), against a fake flag
 * service serving the standard workload. For each W and mode, in a fresh app and a fresh fake service:
 *
 * 1. the primary starts (in cluster mode with its client) and forks W workers, each with one client;
 *    once every worker's client is initialized, the fake's stream connections are counted;
 * 2. every worker evaluates every flag for each of the first `contexts` contexts of the workload with
 *    `variation()`, in the same order, and hashes the answers; then every process runs a full GC and
 *    reports its RSS;
 * 3. the primary gets SIGTERM and shuts down gracefully (each worker `flush()` + `close()`, then the
 *    primary's client in cluster mode); the fake's event posts are tallied.
 *
 * Correctness, for every mode: each worker's answers must hash the same as a reference evaluation made
 * with LaunchDarkly's SDK in this process, and the summary counts the fake received must be exactly W ×
 * what one worker's evaluations produce (every evaluation, plus the prerequisite evaluations it makes,
 * derived from the flag data and the reference's variation indexes), and so must the full feature events
 * (evaluations in experiments, from the reference's reasons): a lost event is a lost event whatever the
 * mode's reason for dropping it. Anything else is a problem that fails the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';

import { CLUSTER_MODES, countProblems, expectedEvents, tallyEvents, type ClusterMode, type ClusterRow, type Expected, type FlagShape } from './cluster-report.js';
import { createClient, SDK_KEY } from './sdk.js';
import { generateData, SEED, STANDARD, type BenchData, type Json } from './workload.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const APP = join(here, 'cluster-app.mjs');
const MB = 2 ** 20;

/** What to run. */
export interface ClusterOptions {
  /** Worker counts, one app per count and mode. Default 2, 4, 8. */
  readonly workers: readonly number[];
  /** Contexts each worker evaluates every flag for. Default 200 (200,000 evaluations per worker). */
  readonly contexts: number;
  /** Progress lines. Default console.log. */
  readonly log?: (line: string) => void;
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = { workers: [2, 4, 8], contexts: 200 };

/** The cluster benchmark's results (the `cluster` field of the results file). */
export interface ClusterResult {
  readonly workload: string;
  readonly contexts: number;
  readonly flags: number;
  /** `variation()` calls per worker. */
  readonly evaluationsPerWorker: number;
  /** Summary counts one worker's evaluations produce (evaluations + prerequisite evaluations). */
  readonly summaryCountPerWorker: number;
  /** Full feature events (evaluations in experiments) one worker's evaluations produce. */
  readonly featureEventsPerWorker: number;
  readonly rows: readonly ClusterRow[];
  /** Every problem of every row: the run fails when there is any. */
  readonly problems: readonly string[];
  readonly seconds: number;
}

/** The reference: what every worker must answer, and the summary counts one worker must produce. */
interface Reference {
  readonly digest: string;
  readonly expected: Expected;
}

/**
 * Evaluates the workers' evaluations once with LaunchDarkly's SDK (events off) against a fake service
 * of the same data: the answers' hash, and each (flag, context)'s variation index and experiment flag,
 * from which {@link expectedEvents} derives the summary counts.
 */
async function reference(data: BenchData, contexts: readonly Json[]): Promise<Reference> {
  const fake = await startFakeLaunchDarkly({ data: { flags: data.flags, segments: data.segments } });
  try {
    const client = createClient('launchdarkly', { serviceUrl: fake.url, sendEvents: false });
    await client.waitForInitialization(60);
    const keys = data.flagKeys;
    const index = new Map(keys.map((k, i) => [k, i]));
    const variation = new Int32Array(keys.length * contexts.length);
    const experiment = new Uint8Array(keys.length * contexts.length);
    const hash = createHash('sha256');
    for (let c = 0; c < contexts.length; c++) {
      for (let i = 0; i < keys.length; i++) {
        const detail = await client.variationDetail(keys[i]!, contexts[c] as object, null);
        hash.update(JSON.stringify(detail.value) ?? 'undefined');
        hash.update('\n');
        variation[c * keys.length + i] = detail.variationIndex ?? -1;
        experiment[c * keys.length + i] = (detail.reason as { inExperiment?: boolean } | undefined)?.inExperiment ? 1 : 0;
      }
    }
    client.close();
    const outcome = (key: string, c: number) => {
      const at = c * keys.length + index.get(key)!;
      return { variationIndex: variation[at] === -1 ? null : variation[at], inExperiment: experiment[at] === 1 };
    };
    const expected = expectedEvents(data.flags as unknown as Record<string, FlagShape>, keys, contexts.length, outcome);
    return { digest: hash.digest('hex').slice(0, 16), expected };
  } finally {
    await fake.close();
  }
}

interface Measured {
  readonly evalMs: number;
  readonly evaluated: readonly { count: number; digest: string }[];
  readonly memory: { primary: { rss: number; heapUsed: number }; workers: readonly { rss: number; heapUsed: number }[] };
}

/** The app's primary process, with a message reader that fails on the app's errors, exit, or a timeout. */
class App {
  readonly child: ChildProcess;
  readonly pids = new Set<number>();
  private readonly inbox: Record<string, unknown>[] = [];
  private wake: (() => void) | undefined;
  private exit: { code: number | null; signal: string | null } | undefined;
  private readonly exited: Promise<void>;

  constructor() {
    this.child = spawn(process.execPath, ['--expose-gc', APP], { cwd: packageDir, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    if (this.child.pid) this.pids.add(this.child.pid);
    this.child.on('message', (message) => {
      this.inbox.push(message as Record<string, unknown>);
      this.wake?.();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        this.wake?.();
        resolve();
      });
      this.child.on('error', (err) => {
        this.inbox.push({ bench: 'error', message: `the app could not start: ${err.message}` });
        this.wake?.();
      });
    });
  }

  send(message: Record<string, unknown>): void {
    this.child.send(message);
  }

  /** The next message of kind `bench`; throws on an `error` message, on exit, or after `timeoutMs`. */
  async next<T>(bench: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const error = this.inbox.find((m) => m.bench === 'error');
      if (error) throw new Error(String(error.message));
      const at = this.inbox.findIndex((m) => m.bench === bench);
      if (at >= 0) return this.inbox.splice(at, 1)[0] as T;
      if (this.exit) throw new Error(`the app exited with ${this.exit.signal ?? this.exit.code} while waiting for "${bench}"`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${bench}" from the app within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Waits for the app to exit; its exit code, or throws after `timeoutMs`. */
  async stopped(timeoutMs: number): Promise<number | string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.exited, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`the app did not exit within ${timeoutMs} ms of SIGTERM`)), timeoutMs)))]).finally(
      () => clearTimeout(timer),
    );
    const error = this.inbox.find((m) => m.bench === 'error');
    if (error) throw new Error(String(error.message));
    return this.exit!.signal ?? this.exit!.code ?? -1;
  }

  /** Kills whatever is left of the processes this app started (by pid). */
  kill(): void {
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** One app: W workers in `mode`. */
async function runOne(mode: ClusterMode, workers: number, data: BenchData, contexts: readonly Json[], ref: Reference): Promise<ClusterRow> {
  const fake = await startFakeLaunchDarkly({ data: { flags: data.flags, segments: data.segments } });
  const app = new App();
  const problems: string[] = [];
  try {
    app.send({ bench: 'start', mode, workers, serviceUrl: fake.url, sdkKey: SDK_KEY });
    const forked = await app.next<{ pids: number[] }>('forked', 30_000);
    for (const pid of forked.pids) app.pids.add(pid);
    const ready = await app.next<{ initMs: number; workerInitMs: number[]; primaryInitMs?: number }>('ready', 120_000);
    const openStreams = fake.stream.openCount;
    const streamsAtReady = fake.stream.connectionCount;

    app.send({ bench: 'evaluate', flagKeys: data.flagKeys, contexts });
    const measured = await app.next<Measured>('measured', 600_000);

    app.child.kill('SIGTERM');
    const code = await app.stopped(60_000);
    if (code !== 0) problems.push(`the app exited with ${code} after SIGTERM`);

    const perWorker = ref.expected.evaluations;
    measured.evaluated.forEach((e, i) => {
      if (e.count !== perWorker) problems.push(`worker ${i + 1} made ${e.count} evaluations, not ${perWorker}`);
      if (e.digest !== ref.digest) problems.push(`worker ${i + 1}'s answers differ from the reference (digest ${e.digest}, reference ${ref.digest})`);
    });
    const digestsOk = measured.evaluated.length === workers && measured.evaluated.every((e) => e.digest === ref.digest);

    const streams = fake.stream.connectionCount;
    if (streams !== streamsAtReady) problems.push(`${streams - streamsAtReady} stream connections were opened after every worker was ready (reconnects?)`);

    const tally = tallyEvents(
      fake.events.posts.map((p) => ({
        endpoint: p.endpoint,
        headers: p.request.headers,
        body: p.body,
        bytes: Buffer.byteLength(p.request.body),
        status: p.status,
      })),
    );
    problems.push(...countProblems(ref.expected, workers, tally));

    const workerRss = measured.memory.workers.reduce((sum, m) => sum + m.rss, 0);
    const workerHeap = measured.memory.workers.reduce((sum, m) => sum + m.heapUsed, 0);
    return {
      workers,
      mode,
      streams,
      openStreams,
      bulkPosts: tally.bulkPosts,
      senders: tally.senders,
      diagnosticInits: tally.diagnosticInits,
      bulkBytes: tally.bulkBytes,
      hostRssMb: (measured.memory.primary.rss + workerRss) / MB,
      primaryRssMb: measured.memory.primary.rss / MB,
      workerRssMb: workerRss / workers / MB,
      primaryHeapMb: measured.memory.primary.heapUsed / MB,
      workerHeapMb: workerHeap / workers / MB,
      initMs: ready.initMs,
      workerInitMs: ready.workerInitMs,
      primaryInitMs: ready.primaryInitMs,
      evalMs: measured.evalMs,
      evaluations: measured.evaluated.reduce((sum, e) => sum + e.count, 0),
      expectedCount: ref.expected.countTotal * workers,
      summaryCount: tally.countTotal,
      indexEvents: tally.indexEvents,
      featureEvents: tally.featureEvents,
      expectedFeatureEvents: ref.expected.featureEvents * workers,
      digestsOk,
      problems,
    };
  } finally {
    app.kill();
    await fake.close();
  }
}

/** The row of a run that did not finish: every count unknown, the reason as its problem. */
function failedRow(mode: ClusterMode, workers: number, err: unknown): ClusterRow {
  return {
    workers,
    mode,
    streams: NaN,
    openStreams: NaN,
    bulkPosts: NaN,
    senders: NaN,
    diagnosticInits: NaN,
    bulkBytes: NaN,
    hostRssMb: NaN,
    primaryRssMb: NaN,
    workerRssMb: NaN,
    primaryHeapMb: NaN,
    workerHeapMb: NaN,
    initMs: NaN,
    workerInitMs: [],
    evalMs: NaN,
    evaluations: 0,
    expectedCount: NaN,
    summaryCount: NaN,
    indexEvents: NaN,
    featureEvents: NaN,
    expectedFeatureEvents: NaN,
    digestsOk: false,
    problems: [`did not finish: ${err instanceof Error ? err.message : String(err)}`],
  };
}

/** Runs every W × mode; rows in the order W, then {@link CLUSTER_MODES}. */
export async function runClusterBenchmark(options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS): Promise<ClusterResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const data = generateData(SEED, STANDARD);
  const contexts = data.contexts.slice(0, options.contexts);
  log(`\ncluster: node:cluster app, W workers × ${data.flagKeys.length} flags × ${contexts.length} contexts each, ${CLUSTER_MODES.join(' / ')}`);
  const ref = await reference(data, contexts);
  log(
    `  reference (LaunchDarkly SDK, in process): ${ref.expected.evaluations} evaluations per worker → ${ref.expected.countTotal} summary counts (with prerequisites), ${ref.expected.featureEvents} feature events; digest ${ref.digest}`,
  );
  const rows: ClusterRow[] = [];
  for (const [n, workers] of options.workers.entries()) {
    // The order of the modes rotates with W, so no mode always runs first (or last) on a warm machine.
    const order = CLUSTER_MODES.map((_, i) => CLUSTER_MODES[(i + n) % CLUSTER_MODES.length]!);
    for (const mode of order) {
      let row: ClusterRow;
      try {
        row = await runOne(mode, workers, data, contexts, ref);
      } catch (err) {
        row = failedRow(mode, workers, err);
      }
      rows.push(row);
      log(
        `  W=${workers} ${mode.padEnd(24)} streams ${row.streams}, init ${row.initMs.toFixed(0)} ms, evaluate ${row.evalMs.toFixed(0)} ms, RSS ${row.hostRssMb.toFixed(1)} MB (primary ${row.primaryRssMb.toFixed(1)}; heap primary ${row.primaryHeapMb.toFixed(1)}, worker ${row.workerHeapMb.toFixed(
          1,
        )}), ${row.bulkPosts} bulk posts from ${row.senders} senders, ${row.indexEvents} index + ${row.featureEvents}/${row.expectedFeatureEvents} feature events, summary ${row.summaryCount}/${row.expectedCount}`,
      );
      for (const problem of row.problems) console.error(`  W=${workers} ${mode}: ${problem}`);
    }
  }
  rows.sort((a, b) => a.workers - b.workers || CLUSTER_MODES.indexOf(a.mode) - CLUSTER_MODES.indexOf(b.mode));
  return {
    workload: 'standard',
    contexts: contexts.length,
    flags: data.flagKeys.length,
    evaluationsPerWorker: ref.expected.evaluations,
    summaryCountPerWorker: ref.expected.countTotal,
    featureEventsPerWorker: ref.expected.featureEvents,
    rows,
    problems: rows.flatMap((r) => r.problems.map((p) => `W=${r.workers} ${r.mode}: ${p}`)),
    seconds: Math.round((Date.now() - started) / 1000),
  };
}
