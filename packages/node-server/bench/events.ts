/**
 * What analytics events cost an evaluation, Switchyard next to LaunchDarkly's Node SDK in the same run.
 * Run with `pnpm bench:events` in this package (or `pnpm bench`, which runs every benchmark).
 *
 * 1. The cost events add to an evaluation: each SDK with events off and on, on the same flags and
 *    contexts, for two workloads: untracked flags (summaries and context indexing only, the common case)
 *    and tracked flags (every evaluation also a full feature event; the queue fills and drops between
 *    flushes, in both SDKs).
 * 2. Concurrency: 8 async evaluation loops interleaved against 1 loop doing the same number of
 *    evaluations. Node runs them on one thread, so the aggregate throughput should not change (ratio
 *    ~1.0; per loop that is 1/8 of one loop); a lower ratio with events on than off would mean the loops
 *    slow each other through the event path.
 *
 * Events go over real HTTP to a receiver in a child process (so its work does not count here), every
 * 0.5 s for both SDKs. Only ratios measured in the same run mean anything; absolute numbers depend on the
 * machine.
 */
import { spawn } from 'node:child_process';

import { init as ldInit, type LDClient as LaunchDarklyClient } from '@launchdarkly/node-server-sdk';
import { TestData as LDTestData } from '@launchdarkly/node-server-sdk/integrations';
import { compare, report, type BenchResult } from '@switchyard/bench-kit';

import type { LDClient } from '../src/client/api.js';
import { SwitchyardClient } from '../src/client/client.js';
import { eventProcessorFactory } from '../src/events/index.js';
import { TestData } from '../src/integrations/index.js';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/** A receiver that answers 202 to everything, in its own process. */
async function startReceiver(): Promise<{ url: string; stop(): void }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => r.writeHead(202).end()); });
       s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

function flags(tracked: boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < 20; i++) {
    out.push({
      key: `flag-${i}`,
      version: i + 1,
      on: true,
      salt: `salt-${i}`,
      variations: i % 3 === 0 ? [false, true] : i % 3 === 1 ? ['red', 'green', 'blue'] : [{ limit: 10 }, { limit: 100 }],
      offVariation: 0,
      trackEvents: tracked,
      targets: [{ values: [`user-${i}`, `user-${i + 100}`], variation: 1 }],
      rules: [
        { id: `r${i}`, clauses: [{ contextKind: 'user', attribute: 'plan', op: 'in', values: ['gold'] }], variation: 1 },
        { id: `e${i}`, clauses: [{ contextKind: 'user', attribute: 'email', op: 'endsWith', values: ['@example.org'] }], variation: 0 },
      ],
      fallthrough: { rollout: { variations: [{ variation: 0, weight: 60000 }, { variation: 1, weight: 40000 }] } },
    });
  }
  return out;
}

const contexts: unknown[] = Array.from({ length: 500 }, (_, i) =>
  i % 5 === 4
    ? { kind: 'multi', user: { key: `user-${i}`, plan: 'free' }, org: { key: `org-${i % 20}`, name: `Org ${i % 20}` } }
    : { kind: 'user', key: `user-${i}`, name: `User ${i}`, email: `u${i}@example.${i % 2 ? 'org' : 'com'}`, plan: i % 4 ? 'free' : 'gold' },
);

interface Clients {
  oursOff: LDClient;
  oursOn: LDClient;
  ldOff: LaunchDarklyClient;
  ldOn: LaunchDarklyClient;
}

async function clients(data: Record<string, unknown>[], eventsUri: string): Promise<Clients> {
  const td = new TestData();
  const ldtd = new LDTestData();
  for (const flag of data) {
    await td.usePreconfiguredFlag(flag);
    await ldtd.usePreconfiguredFlag(flag);
  }
  const endpoints = { baseUri: eventsUri, streamUri: eventsUri, eventsUri };
  const common = { ...endpoints, logger: quiet, flushInterval: 0.5, diagnosticOptOut: true };
  const oursOff = new SwitchyardClient('sdk-key', { ...common, sendEvents: false, updateProcessor: td.getFactory() });
  const oursOn = new SwitchyardClient('sdk-key', { ...common, updateProcessor: td.getFactory() }, { eventProcessorFactory });
  const ldOff = ldInit('sdk-key', { ...common, sendEvents: false, updateProcessor: ldtd.getFactory() });
  const ldOn = ldInit('sdk-key', { ...common, updateProcessor: ldtd.getFactory() });
  await Promise.all([oursOff, oursOn, ldOff, ldOn].map((c) => c.waitForInitialization({ timeout: 10 })));
  return { oursOff, oursOn, ldOff, ldOn };
}

const keys = Array.from({ length: 20 }, (_, i) => `flag-${i}`);

function syncTask(name: string, client: LDClient) {
  let c = 0;
  return {
    name,
    opsPerCall: keys.length,
    run: () => {
      c = (c + 1) % contexts.length;
      for (const key of keys) client.variationSync(key, contexts[c] as never, false);
    },
  };
}

function asyncTask(name: string, client: { variation(key: string, context: never, def: unknown): Promise<unknown> }) {
  let c = 0;
  return {
    name,
    opsPerCall: keys.length,
    run: async () => {
      c = (c + 1) % contexts.length;
      for (const key of keys) await client.variation(key, contexts[c] as never, false);
    },
  };
}

/** `loops` async loops, each doing `perLoop` awaited evaluations, interleaved; `loops * perLoop` ops per call. */
function loopsTask(name: string, client: { variation(key: string, context: never, def: unknown): Promise<unknown> }, loops: number, perLoop: number) {
  let c = 0;
  const loop = async () => {
    for (let i = 0; i < perLoop; i++) {
      c = (c + 1) % (contexts.length * keys.length);
      await client.variation(keys[c % keys.length]!, contexts[Math.floor(c / keys.length)] as never, false);
    }
  };
  return {
    name,
    opsPerCall: loops * perLoop,
    run: async () => {
      const running: Promise<void>[] = [];
      for (let l = 0; l < loops; l++) running.push(loop());
      await Promise.all(running);
    },
  };
}

const ops = (results: readonly BenchResult[], name: string) => results.find((r) => r.name === name)!.opsPerSecond;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

const receiver = await startReceiver();
try {
  for (const tracked of [false, true]) {
    const label = tracked ? 'tracked flags (every evaluation a feature event)' : 'untracked flags (summaries + index events)';
    const c = await clients(flags(tracked), receiver.url);
    const results = await compare(
      [
        syncTask('switchyard variationSync, events off', c.oursOff),
        syncTask('switchyard variationSync, events on', c.oursOn),
        asyncTask('switchyard variation (awaited), events off', c.oursOff),
        asyncTask('switchyard variation (awaited), events on', c.oursOn),
        asyncTask('launchdarkly variation (awaited), events off', c.ldOff),
        asyncTask('launchdarkly variation (awaited), events on', c.ldOn),
      ],
      { baseline: 'launchdarkly variation (awaited), events on' },
    );
    report(`Evaluation with events off/on, ${label}; 20 flags x 500 contexts (ratio: vs LaunchDarkly with events on)`, results, 'evals/s');
    console.log('  throughput kept with events on (on / off; 1.00x = events cost nothing):');
    console.log(`    switchyard sync      ${ratio(ops(results, 'switchyard variationSync, events on'), ops(results, 'switchyard variationSync, events off'))}`);
    console.log(`    switchyard awaited   ${ratio(ops(results, 'switchyard variation (awaited), events on'), ops(results, 'switchyard variation (awaited), events off'))}`);
    console.log(`    launchdarkly awaited ${ratio(ops(results, 'launchdarkly variation (awaited), events on'), ops(results, 'launchdarkly variation (awaited), events off'))}`);
    console.log(`  switchyard vs launchdarkly, both awaited with events on: ${ratio(ops(results, 'switchyard variation (awaited), events on'), ops(results, 'launchdarkly variation (awaited), events on'))}`);

    if (!tracked) {
      const perLoop = 200;
      const loopResults = await compare(
        [
          loopsTask('switchyard events on, 1 loop', c.oursOn, 1, 8 * perLoop),
          loopsTask('switchyard events on, 8 loops', c.oursOn, 8, perLoop),
          loopsTask('switchyard events off, 1 loop', c.oursOff, 1, 8 * perLoop),
          loopsTask('switchyard events off, 8 loops', c.oursOff, 8, perLoop),
          loopsTask('launchdarkly events on, 1 loop', c.ldOn, 1, 8 * perLoop),
          loopsTask('launchdarkly events on, 8 loops', c.ldOn, 8, perLoop),
        ],
        { baseline: 'switchyard events on, 1 loop' },
      );
      report('8 concurrent async evaluation loops vs 1 loop, same total work (ratio: vs switchyard events on, 1 loop)', loopResults, 'evals/s');
      console.log('  aggregate throughput, 8 loops / 1 loop (1.00x = the loops do not slow each other; per loop it is 1/8 of that):');
      for (const who of ['switchyard events on', 'switchyard events off', 'launchdarkly events on']) {
        const eight = ops(loopResults, `${who}, 8 loops`);
        const one = ops(loopResults, `${who}, 1 loop`);
        console.log(`    ${who.padEnd(24)} ${ratio(eight, one)}  (per loop: ${ratio(eight / 8, one)} of one loop)`);
      }
    }
    await Promise.all([c.oursOff.close(), c.oursOn.close()]);
    c.ldOff.close();
    c.ldOn.close();
  }
} finally {
  receiver.stop();
}
