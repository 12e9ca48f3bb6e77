/**
 * The client scenarios: evaluation throughput and latency (events off and on, one loop and eight),
 * `allFlagsState`, initialization of the large workload, and update latency. Each SDK gets its flags
 * from the fake service over the stream, as in production.
 */
import { performance } from 'node:perf_hooks';

import { digestEvaluations, floorCall, heapAfterGc, latency, pairs, throughput, workload, type Call } from '../loops.js';
import type { Scenario, ScenarioInput, ScenarioOutput } from '../protocol.js';
import { createClient, Digest, type BenchClient } from '../sdk.js';

/** Contexts in each correctness pass: every flag is evaluated for each. */
const DIGEST_CONTEXTS = 100;
/** Timed single calls in the latency pass. */
const LATENCY_CALLS = 100_000;

async function ready(input: ScenarioInput, sendEvents: boolean): Promise<BenchClient> {
  const client = createClient(input.sdk, { serviceUrl: input.serviceUrl, sendEvents });
  await client.waitForInitialization(60);
  return client;
}

async function evaluationScenario(input: ScenarioInput, sendEvents: boolean, loops: number): Promise<ScenarioOutput> {
  const data = workload('standard');
  const client = await ready(input, sendEvents);
  // The correctness pass doubles as the warm-up (100,000 evaluations).
  const digest = await digestEvaluations(client, data, DIGEST_CONTEXTS);
  const rotation = pairs(data);
  const call: Call = (p) => client.variation(p.key, p.context, null);
  const metrics: Record<string, number> = {};
  if (loops === 1 && !sendEvents) {
    metrics['floor evals/s'] = await throughput(rotation, floorCall(data), input.phaseMs);
  }
  metrics['evals/s'] = await throughput(rotation, call, input.phaseMs, loops);
  if (loops === 1 && !sendEvents) {
    const { variationSync } = client;
    if (variationSync) metrics['sync evals/s'] = await throughput(rotation, (p) => variationSync(p.key, p.context, null), input.phaseMs);
    const { p50, p99 } = await latency(rotation, call, LATENCY_CALLS);
    metrics['p50 ns'] = p50;
    metrics['p99 ns'] = p99;
  }
  if (sendEvents) await client.flush();
  client.close();
  return { metrics, digest: digest.hex(), digestCount: digest.count };
}

const evalsTarget = { name: 'evals/s', unit: 'evals/s', better: 'higher', target: 5 } as const;

export const clientScenarios: readonly Scenario[] = [
  {
    name: 'evaluate',
    title: 'variation() awaited, events off, 1,000 flags × 1,000 contexts',
    workload: 'standard',
    metrics: [
      evalsTarget,
      { name: 'sync evals/s', unit: 'evals/s', better: 'higher', switchyardOnly: true, comparedWith: 'evals/s' },
      { name: 'p50 ns', unit: 'ns', better: 'lower', target: 0.5 },
      { name: 'p99 ns', unit: 'ns', better: 'lower' },
      { name: 'floor evals/s', unit: 'evals/s', better: 'higher' },
    ],
    run: (input) => evaluationScenario(input, false, 1),
  },
  {
    name: 'evaluate-events',
    title: 'variation() awaited, events on (summaries, context index, experiment events)',
    workload: 'standard',
    metrics: [evalsTarget],
    run: (input) => evaluationScenario(input, true, 1),
  },
  {
    name: 'events-8-loops',
    title: 'event pipeline under 8 concurrent evaluation loops, events on',
    workload: 'standard',
    metrics: [{ name: 'evals/s', unit: 'evals/s', better: 'higher' }],
    run: (input) => evaluationScenario(input, true, 8),
  },
  {
    name: 'all-flags-state',
    title: 'allFlagsState() of 1,000 flags, then toJSON() (bootstrapping a client-side SDK)',
    workload: 'standard',
    metrics: [{ name: 'states/s', unit: 'states/s', better: 'higher', target: 3 }],
    async run(input) {
      const data = workload('standard');
      const client = await ready(input, false);
      const digest = new Digest();
      for (const context of data.contexts.slice(0, 50)) digest.add((await client.allFlagsState(context)).toJSON());
      const rotation = pairs(data);
      const states = await throughput(rotation, async (p) => (await client.allFlagsState(p.context)).toJSON(), input.phaseMs);
      client.close();
      return { metrics: { 'states/s': states }, digest: digest.hex(), digestCount: digest.count };
    },
  },
  {
    name: 'init-large',
    title: 'init from the stream: 10,000 flags + 1,000 segments',
    workload: 'large',
    metrics: [
      { name: 'init ms', unit: 'ms', better: 'lower', target: 0.7 },
      { name: 'heap MB', unit: 'MB', better: 'lower', target: 1.0 },
    ],
    async run(input) {
      const data = workload('large');
      const before = heapAfterGc();
      const start = performance.now();
      const client = createClient(input.sdk, { serviceUrl: input.serviceUrl, sendEvents: false });
      await client.waitForInitialization(120);
      const initMs = performance.now() - start;
      const heap = heapAfterGc() - before;
      // After measuring: the data must be what the service sent (every flag for 5 contexts).
      const digest = await digestEvaluations(client, data, 5);
      client.close();
      return { metrics: { 'init ms': initMs, 'heap MB': heap / 2 ** 20 }, digest: digest.hex(), digestCount: digest.count };
    },
  },
  {
    name: 'update',
    title: 'update latency: stream patch → update listener',
    workload: 'standard',
    metrics: [{ name: 'update p50 µs', unit: 'µs', better: 'lower', target: 1.0 }],
    async run(input) {
      const data = workload('standard');
      const client = await ready(input, false);
      const waiting = new Map<string, (at: bigint) => void>();
      client.onUpdate((key) => {
        const at = process.hrtime.bigint();
        waiting.get(key)?.(at);
      });
      const latencies: number[] = [];
      // Flags patched in turn: the runner's service bumps the version and sends the unchanged flag.
      for (let i = 0; i < 200; i++) {
        const key = data.flagKeys[(i * 37) % data.flagKeys.length]!;
        const seen = new Promise<bigint>((resolve) => waiting.set(key, resolve));
        const res = await fetch(`${input.controlUrl}?kind=flags&key=${encodeURIComponent(key)}`, { method: 'POST' });
        const sentAt = BigInt(await res.text());
        const at = await seen;
        waiting.delete(key);
        // hrtime is the system's monotonic clock: comparable between the runner's process and this one.
        latencies.push(Number(at - sentAt) / 1000);
      }
      latencies.sort((a, b) => a - b);
      const digest = await digestEvaluations(client, data, 10);
      client.close();
      return { metrics: { 'update p50 µs': latencies[latencies.length >> 1]! }, digest: digest.hex(), digestCount: digest.count };
    },
  },
];
