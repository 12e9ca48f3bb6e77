/**
 * A side-by-side benchmark runner for small, noisy machines. Every task runs in interleaved rounds
 * (A, B, C, A, B, C, …) so that a burst of background load hits all of them alike; the result per task
 * is the median of its rounds, and the report gives each task's ratio to a baseline. Absolute numbers
 * vary from machine to machine; ratios measured in one run are what we compare.
 */
import { performance } from 'node:perf_hooks';

/** One thing to measure: `run` does `opsPerCall` operations (e.g. one evaluation per flag). */
export interface BenchTask {
  readonly name: string;
  readonly run: () => unknown;
  /** Operations performed by one call of `run`. Default 1. */
  readonly opsPerCall?: number;
}

/** Options for {@link compare}. */
export interface CompareOptions {
  /** Rounds per task. Default 7. */
  rounds?: number;
  /** Time per task per round, in milliseconds. Default 400. */
  roundMs?: number;
  /** Warm-up time per task before measuring, in milliseconds. Default 300. */
  warmupMs?: number;
  /** The task the ratios are relative to. Default: the last task. */
  baseline?: string;
}

/** The measured result of one task. */
export interface BenchResult {
  readonly name: string;
  /** Median operations per second over the rounds. */
  readonly opsPerSecond: number;
  /** Slowest and fastest round, operations per second. */
  readonly min: number;
  readonly max: number;
  /** opsPerSecond / baseline's opsPerSecond. */
  readonly ratio: number;
}

async function timeFor(task: BenchTask, ms: number): Promise<number> {
  const ops = task.opsPerCall ?? 1;
  let calls = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    // Batches of calls between clock reads keep timer overhead out of the measurement.
    for (let i = 0; i < 16; i++) {
      const r = task.run();
      if (r instanceof Promise) await r;
    }
    calls += 16;
    now = performance.now();
  }
  return (calls * ops * 1000) / (now - start);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Measures the tasks side by side and returns one result per task. */
export async function compare(tasks: readonly BenchTask[], options: CompareOptions = {}): Promise<BenchResult[]> {
  const { rounds = 7, roundMs = 400, warmupMs = 300 } = options;
  for (const task of tasks) await timeFor(task, warmupMs);
  const samples = new Map<string, number[]>(tasks.map((t) => [t.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const task of tasks) samples.get(task.name)!.push(await timeFor(task, roundMs));
  }
  const baselineName = options.baseline ?? tasks[tasks.length - 1]!.name;
  const baseline = median(samples.get(baselineName) ?? [1]);
  return tasks.map((t) => {
    const s = samples.get(t.name)!;
    const ops = median(s);
    return { name: t.name, opsPerSecond: ops, min: Math.min(...s), max: Math.max(...s), ratio: ops / baseline };
  });
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0);
}

/** Prints the results as a table with ratios to the baseline. */
export function report(title: string, results: readonly BenchResult[], unit = 'ops/s'): string {
  const width = Math.max(...results.map((r) => r.name.length), 4);
  const lines = [
    `\n${title}`,
    `  ${'task'.padEnd(width)}  ${`median ${unit}`.padStart(16)}  ${'range'.padStart(17)}  ratio`,
    ...results.map(
      (r) => `  ${r.name.padEnd(width)}  ${fmt(r.opsPerSecond).padStart(16)}  ${`${fmt(r.min)}–${fmt(r.max)}`.padStart(17)}  ${r.ratio.toFixed(2)}x`,
    ),
  ];
  const text = lines.join('\n');
  console.log(text);
  return text;
}

/** Something that answers `variationDetail(flagKey, context, defaultValue)`, synchronously or not. */
export type DetailSource = (flagKey: string, context: unknown, defaultValue: unknown) => unknown;

/**
 * Throws unless both SDKs give byte-for-byte the same detail for every flag and context: a speed
 * comparison of SDKs that disagree would mean nothing.
 */
export async function assertSameAnswers(
  flagKeys: readonly string[],
  contexts: readonly unknown[],
  ours: DetailSource,
  theirs: DetailSource,
): Promise<void> {
  for (const context of contexts) {
    for (const key of flagKeys) {
      const a = JSON.stringify(await ours(key, context, false));
      const b = JSON.stringify(await theirs(key, context, false));
      if (a !== b) throw new Error(`SDKs disagree on ${key} for ${JSON.stringify(context)}: ${a} vs ${b}`);
    }
  }
}

/**
 * A seeded random number generator in [0, 1) (mulberry32: small and fast): the same seed always gives the
 * same sequence, so generated benchmark and test data can be replayed from its seed.
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
