/**
 * The measuring loops every scenario shares: a fixed rotation of (flag, context) pairs, a throughput
 * loop that awaits every call, a latency pass that times each call, and the correctness digest.
 */
import { performance } from 'node:perf_hooks';

import { rng } from '@switchyard/bench-kit';

import type { BenchClient, Detail } from './sdk.js';
import { Digest } from './sdk.js';
import { generateData, LARGE, SEED, STANDARD, type BenchData } from './workload.js';
import type { WorkloadName } from './protocol.js';

/** The generated workload (the runner serves the same data from the same seed). */
export function workload(name: WorkloadName): BenchData {
  return generateData(SEED, name === 'large' ? LARGE : STANDARD);
}

/** One call of the loop: a flag key and a context, as an application passes them. */
export interface Pair {
  readonly key: string;
  readonly context: object;
}

const ROTATION = 1 << 14;

/**
 * A fixed rotation of 16,384 (flag, context) pairs drawn uniformly from the workload: every call hits a
 * different flag and context, so no SDK is flattered by a hot cache line or a repeated context.
 */
export function pairs(data: BenchData, seed = 7): Pair[] {
  const r = rng(seed);
  return Array.from({ length: ROTATION }, () => ({
    key: data.flagKeys[Math.floor(r() * data.flagKeys.length)]!,
    context: data.contexts[Math.floor(r() * data.contexts.length)]!,
  }));
}

/** A call under measurement: evaluates one pair, synchronously or not. */
export type Call = (pair: Pair) => unknown;

/**
 * Calls `call` over the rotation for `ms` milliseconds, awaiting every promise it returns, and gives
 * calls per second. `loops` > 1 runs that many loops concurrently (each awaiting its own calls).
 */
export async function throughput(rotation: readonly Pair[], call: Call, ms: number, loops = 1): Promise<number> {
  const mask = rotation.length - 1;
  let total = 0;
  const start = performance.now();
  const end = start + ms;
  const loop = async (offset: number): Promise<void> => {
    let i = offset;
    let now = start;
    while (now < end) {
      // Clock reads between batches only, so that timing costs nothing measurable.
      for (let k = 0; k < 128; k++) {
        const r = call(rotation[i++ & mask]!);
        if (r instanceof Promise) await r;
      }
      total += 128;
      now = performance.now();
    }
  };
  await Promise.all(Array.from({ length: loops }, (_, n) => loop(n * 977)));
  return (total * 1000) / (performance.now() - start);
}

/** Times `count` single calls; gives the 50th and 99th percentile in nanoseconds. */
export async function latency(rotation: readonly Pair[], call: Call, count: number): Promise<{ p50: number; p99: number }> {
  const mask = rotation.length - 1;
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const pair = rotation[(i * 31) & mask]!;
    const t0 = performance.now();
    const r = call(pair);
    if (r instanceof Promise) await r;
    times[i] = performance.now() - t0;
  }
  times.sort();
  return { p50: times[Math.floor(count * 0.5)]! * 1e6, p99: times[Math.floor(count * 0.99)]! * 1e6 };
}

/**
 * The correctness pass: `variationDetail` for every flag and each of the first `contexts` contexts, in
 * order. The digest covers value, variation index and reason, so both SDKs must agree on all three.
 */
export async function digestEvaluations(client: BenchClient, data: BenchData, contexts: number): Promise<Digest> {
  const digest = new Digest();
  for (const context of data.contexts.slice(0, contexts)) {
    for (const key of data.flagKeys) {
      const d: Detail = await client.variationDetail(key, context, null);
      digest.add([key, d.value, d.variationIndex ?? null, d.reason]);
    }
  }
  return digest;
}

/** The floor: the same awaited loop around a map lookup that returns a constant. */
export function floorCall(data: BenchData): Call {
  const map = new Map(data.flagKeys.map((k) => [k, true]));
  return (pair) => Promise.resolve(map.get(pair.key));
}

/** Runs the full GC (the scenario process runs with --expose-gc) and gives the heap in use, in bytes. */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('benchmarks: run scenario processes with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
