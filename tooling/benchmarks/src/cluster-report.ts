/**
 * The cluster benchmark's pure half (unit-tested in cluster-report.test.ts): what the flag service
 * should have received for a set of evaluations, what it did receive (a tally of the event posts), the
 * check between the two, and the table (terminal and markdown, and the README section between
 * `<!-- cluster-table:start -->` and `<!-- cluster-table:end -->`). cluster.ts runs the processes.
 */
import { formatNumber } from './report.js';

/** The three ways the benchmark runs a node:cluster app with W workers. */
export const CLUSTER_MODES = ['switchyard-cluster', 'switchyard-independent', 'launchdarkly-independent'] as const;
export type ClusterMode = (typeof CLUSTER_MODES)[number];

// ---- what the flag service should receive ----------------------------------------------------------

/** What the expectation needs of a flag (LaunchDarkly's flag JSON has these fields). */
export interface FlagShape {
  readonly on: boolean;
  readonly prerequisites?: readonly { readonly key: string; readonly variation: number }[];
}

/** The outcome of evaluating one flag for one context (from a reference evaluation's detail). */
export interface Outcome {
  readonly variationIndex: number | null | undefined;
  /** `reason.inExperiment`: the evaluation produces a full feature event besides its summary count. */
  readonly inExperiment: boolean;
}

/** Per worker: how often each flag must be counted in the summaries, and how many feature events. */
export interface Expected {
  /** `variation()` calls a worker makes. */
  readonly evaluations: number;
  /** Summary count per flag key for one worker: direct evaluations plus prerequisite evaluations. */
  readonly counts: ReadonlyMap<string, number>;
  /** Sum of {@link Expected.counts}. */
  readonly countTotal: number;
  /** Full feature events one worker's evaluations produce (evaluations in an experiment, prerequisites included). */
  readonly featureEvents: number;
}

/**
 * The summary counts one worker's evaluations must produce: every evaluated flag is counted, and so is
 * every prerequisite the evaluation visited, as both SDKs do. A flag that is off visits no prerequisite;
 * an on flag visits its prerequisites in order (each with its own, recursively) and stops after the first
 * that is off or did not serve the required variation. `outcome(key, c)` is the reference result of flag
 * `key` for context number `c` (a prerequisite's result for a context is its own evaluation's).
 */
export function expectedEvents(
  flags: Readonly<Record<string, FlagShape>>,
  flagKeys: readonly string[],
  contexts: number,
  outcome: (key: string, context: number) => Outcome,
): Expected {
  const counts = new Map<string, number>();
  let countTotal = 0;
  let featureEvents = 0;
  for (let c = 0; c < contexts; c++) {
    const visit = (key: string): void => {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      countTotal++;
      if (outcome(key, c).inExperiment) featureEvents++;
      const flag = flags[key];
      if (!flag?.on) return;
      for (const pre of flag.prerequisites ?? []) {
        const preFlag = flags[pre.key];
        if (!preFlag) break; // a missing prerequisite fails without being evaluated (not in the workload)
        visit(pre.key);
        if (!preFlag.on || outcome(pre.key, c).variationIndex !== pre.variation) break;
      }
    };
    for (const key of flagKeys) visit(key);
  }
  return { evaluations: contexts * flagKeys.length, counts, countTotal, featureEvents };
}

// ---- what the flag service received -----------------------------------------------------------------

/** One post to the fake's events endpoints, reduced to what the tally reads. */
export interface PostLike {
  readonly endpoint: 'bulk' | 'diagnostic';
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body (an array of events for `bulk`). */
  readonly body: unknown;
  /** Bytes of the body as JSON text (inflated when it was gzipped). */
  readonly bytes: number;
  /** The status the fake answered; anything but 2xx was not accepted. */
  readonly status: number | undefined;
}

/** What the event posts of one run contained. */
export interface EventTally {
  readonly bulkPosts: number;
  /** Distinct `x-launchdarkly-instance-id` headers among the bulk posts. */
  readonly senders: number;
  readonly diagnosticInits: number;
  readonly bulkBytes: number;
  /** Summary counts per flag key, over every summary of every accepted bulk post. */
  readonly counts: ReadonlyMap<string, number>;
  readonly countTotal: number;
  readonly summaries: number;
  readonly indexEvents: number;
  readonly featureEvents: number;
  /** Posts the fake did not accept (their events are not counted). */
  readonly rejectedPosts: number;
}

function header(post: PostLike, name: string): string | undefined {
  const value = post.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

interface SummaryEvent {
  kind: 'summary';
  features?: Record<string, { counters?: { count?: unknown }[] }>;
}

/** Tallies the event posts of one run. */
export function tallyEvents(posts: readonly PostLike[]): EventTally {
  const counts = new Map<string, number>();
  const senders = new Set<string>();
  let bulkPosts = 0;
  let bulkBytes = 0;
  let countTotal = 0;
  let summaries = 0;
  let indexEvents = 0;
  let featureEvents = 0;
  let diagnosticInits = 0;
  let rejectedPosts = 0;
  for (const post of posts) {
    const accepted = post.status !== undefined && post.status >= 200 && post.status < 300;
    if (!accepted) rejectedPosts++;
    if (post.endpoint === 'diagnostic') {
      if (accepted && (post.body as { kind?: unknown } | undefined)?.kind === 'diagnostic-init') diagnosticInits++;
      continue;
    }
    bulkPosts++;
    bulkBytes += post.bytes;
    const id = header(post, 'x-launchdarkly-instance-id');
    if (id) senders.add(id);
    if (!accepted || !Array.isArray(post.body)) continue;
    for (const event of post.body as { kind?: unknown }[]) {
      if (event?.kind === 'index') indexEvents++;
      else if (event?.kind === 'feature') featureEvents++;
      else if (event?.kind === 'summary') {
        summaries++;
        for (const [key, feature] of Object.entries((event as SummaryEvent).features ?? {})) {
          for (const counter of feature.counters ?? []) {
            const n = typeof counter.count === 'number' ? counter.count : 0;
            counts.set(key, (counts.get(key) ?? 0) + n);
            countTotal += n;
          }
        }
      }
    }
  }
  return { bulkPosts, senders: senders.size, diagnosticInits, bulkBytes, counts, countTotal, summaries, indexEvents, featureEvents, rejectedPosts };
}

/**
 * Every way the events received differ from `workers` × the expectation: a flag counted too often or too
 * rarely in the summaries, a flag never evaluated that was counted, feature events (evaluations in
 * experiments) lost or duplicated, posts the fake refused. Empty when everything adds up exactly.
 */
export function countProblems(expected: Expected, workers: number, tally: EventTally): string[] {
  const problems: string[] = [];
  const wrong: string[] = [];
  for (const key of new Set([...expected.counts.keys(), ...tally.counts.keys()])) {
    const want = (expected.counts.get(key) ?? 0) * workers;
    const got = tally.counts.get(key) ?? 0;
    if (want !== got) wrong.push(`${key}: ${got} counted, ${want} expected`);
  }
  const wantTotal = expected.countTotal * workers;
  if (wrong.length > 0 || tally.countTotal !== wantTotal) {
    problems.push(
      `summary counts do not add up: ${tally.countTotal} counted, ${wantTotal} expected (${workers} workers × ${expected.evaluations} evaluations, ${
        expected.countTotal - expected.evaluations
      } prerequisite evaluations each); ${wrong.length} flags differ${wrong.length ? `, e.g. ${wrong.slice(0, 3).join('; ')}` : ''}`,
    );
  }
  const wantFeatures = expected.featureEvents * workers;
  if (tally.featureEvents !== wantFeatures) {
    problems.push(
      `${tally.featureEvents} feature events received, ${wantFeatures} expected (${workers} workers × ${expected.featureEvents} evaluations in experiments): ${
        tally.featureEvents < wantFeatures ? `${wantFeatures - tally.featureEvents} lost` : 'more than were made'
      }`,
    );
  }
  if (tally.rejectedPosts > 0) problems.push(`${tally.rejectedPosts} event posts were not accepted by the flag service`);
  return problems;
}

// ---- the table -------------------------------------------------------------------------------------

/** One run: W workers in one mode. */
export interface ClusterRow {
  readonly workers: number;
  readonly mode: ClusterMode;
  /** Stream connections the flag service accepted during the run. */
  readonly streams: number;
  /** Streams open when every worker was initialized. */
  readonly openStreams: number;
  readonly bulkPosts: number;
  /** Distinct `x-launchdarkly-instance-id` among the bulk posts. */
  readonly senders: number;
  readonly diagnosticInits: number;
  readonly bulkBytes: number;
  /** RSS after a full GC, primary + every worker, MB (2^20 bytes). */
  readonly hostRssMb: number;
  readonly primaryRssMb: number;
  /** Mean RSS of a worker after a full GC, MB. */
  readonly workerRssMb: number;
  /** V8 heap in use after a full GC: the primary's, and a worker's mean, MB. */
  readonly primaryHeapMb: number;
  readonly workerHeapMb: number;
  /** From the primary's start to the last worker's client initialized. */
  readonly initMs: number;
  /** Each worker's client initialized, ms after the primary's start (in fork order). */
  readonly workerInitMs: readonly number[];
  /** The primary's client initialized (cluster mode only), ms after the primary's start. */
  readonly primaryInitMs?: number;
  /** From asking the workers to evaluate to the last one done. */
  readonly evalMs: number;
  /** `variation()` calls, all workers. */
  readonly evaluations: number;
  /** Summary counts expected (evaluations and the prerequisite evaluations they make) and received. */
  readonly expectedCount: number;
  readonly summaryCount: number;
  readonly indexEvents: number;
  readonly featureEvents: number;
  readonly expectedFeatureEvents: number;
  /** Every worker's answers hashed the same as the reference evaluation's. */
  readonly digestsOk: boolean;
  /** Everything that went wrong; the run fails when any row has one. */
  readonly problems: readonly string[];
}

const HEADER = ['W', 'mode', 'streams', 'bulk posts', 'senders', 'diag-init', 'bulk KB', 'host RSS MB', 'RSS/worker MB', 'init ms', 'feature events', 'summary counts'];
/** Columns aligned right (numbers). */
const NUMERIC = new Set([0, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

/** A count, or — for a run that did not finish. */
function count(n: number): string {
  return Number.isFinite(n) ? String(n) : '—';
}

/** A measurement (3 significant digits), or — for a run that did not finish. */
function measure(n: number): string {
  return Number.isFinite(n) ? formatNumber(n) : '—';
}

function cells(rows: readonly ClusterRow[]): string[][] {
  return rows.map((r, i) => [
    i > 0 && rows[i - 1]!.workers === r.workers ? '' : String(r.workers),
    r.mode,
    count(r.streams),
    count(r.bulkPosts),
    count(r.senders),
    count(r.diagnosticInits),
    measure(r.bulkBytes / 1024),
    measure(r.hostRssMb),
    measure(r.workerRssMb),
    measure(r.initMs),
    Number.isFinite(r.featureEvents) ? `${r.featureEvents} / ${r.expectedFeatureEvents}` : '—',
    !Number.isFinite(r.summaryCount) ? '—' : r.summaryCount === r.expectedCount ? 'exact' : 'MISMATCH',
  ]);
}

/** The terminal table: one row per W × mode. */
export function formatClusterTable(rows: readonly ClusterRow[]): string {
  const all = [HEADER, ...cells(rows)];
  const widths = HEADER.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  return all.map((r) => r.map((cell, c) => (NUMERIC.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}

/** The same table in markdown (the README's cluster section). */
export function formatClusterMarkdown(rows: readonly ClusterRow[]): string {
  const line = (r: readonly string[]) => `| ${r.join(' | ')} |`;
  return [line(HEADER), line(HEADER.map((_, c) => (NUMERIC.has(c) ? '---:' : '---'))), ...cells(rows).map(line)].join('\n');
}

export const CLUSTER_START = '<!-- cluster-table:start -->';
export const CLUSTER_END = '<!-- cluster-table:end -->';

/** Whether `readme` has the cluster section's markers, in order. */
export function hasClusterSection(readme: string): boolean {
  const a = readme.indexOf(CLUSTER_START);
  return a >= 0 && readme.indexOf(CLUSTER_END, a + CLUSTER_START.length) >= 0;
}

/**
 * Replaces the text between {@link CLUSTER_START} and {@link CLUSTER_END} in `readme` with `section`;
 * everything else stays byte for byte. Throws, naming the markers, when they are missing or out of order.
 */
export function replaceClusterSection(readme: string, section: string): string {
  const a = readme.indexOf(CLUSTER_START);
  const b = a < 0 ? -1 : readme.indexOf(CLUSTER_END, a + CLUSTER_START.length);
  if (a < 0 || b < 0) throw new Error(`benchmarks: the README has no ${CLUSTER_START} … ${CLUSTER_END} section (add both markers where the cluster table goes)`);
  return `${readme.slice(0, a + CLUSTER_START.length)}\n${section}\n${readme.slice(b)}`;
}
