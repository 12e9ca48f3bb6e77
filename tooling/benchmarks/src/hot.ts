/**
 * `node --import tsx src/hot.ts [sync|await|allflags|init] [seconds]`: one SDK-side loop of the standard workload
 * against an in-process fake service, for profiling with `--cpu-prof` (the benchmark runner measures;
 * this only runs the hot path long enough for a clean profile). Switchyard only.
 */
import { performance } from 'node:perf_hooks';

import { startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';

import { pairs, throughput, workload } from './loops.js';
import { createClient } from './sdk.js';

const [mode = 'sync', seconds = '5', sdkArg = 'switchyard'] = process.argv.slice(2);
const data = workload(mode === 'init' ? 'large' : 'standard');
const fake = await startFakeLaunchDarkly({ data: { flags: data.flags, segments: data.segments } });
const sdk = sdkArg === 'launchdarkly' ? 'launchdarkly' : 'switchyard';
if (mode === 'init') {
  for (let i = 0; i < Number(seconds); i++) {
    const t0 = performance.now();
    const c = createClient(sdk, { serviceUrl: fake.url, sendEvents: false });
    await c.waitForInitialization(60);
    console.log(`init ${(performance.now() - t0).toFixed(0)} ms`);
    c.close();
  }
} else {
  const client = createClient(sdk, { serviceUrl: fake.url, sendEvents: mode === 'events' });
  await client.waitForInitialization(60);
  const rotation = pairs(data);
  const ms = Number(seconds) * 1000;
  const rate =
    mode === 'sync'
      ? await throughput(rotation, (p) => client.variationSync!(p.key, p.context, null), ms)
      : mode === 'allflags'
        ? await throughput(rotation, async (p) => (await client.allFlagsState(p.context)).toJSON(), ms)
        : await throughput(rotation, (p) => client.variation(p.key, p.context, null), ms);
  console.log(`${mode}: ${Math.round(rate)}/s`);
  client.close();
}
await fake.close();
process.exit(0);
