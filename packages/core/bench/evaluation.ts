/**
 * variation() over a realistic flag set, Switchyard next to LaunchDarkly's Node SDK on the same data
 * and the same contexts, in the same run: prints evaluations per second for each and their ratio.
 * Run with `pnpm bench` (in this package, or at the root for every benchmark).
 *
 * The data: 100 generated flags (rules on every operator, rollouts, experiments, prerequisites,
 * segments) plus hand-shaped common flags (a boolean kill switch, a 2000-key target list, a 10%
 * rollout, a flag gated on a 10,000-key segment). Contexts are plain objects, as applications pass
 * them, so both SDKs pay for reading them on every call. Events are off in both (they are measured
 * by the events benchmark).
 */

import { assertSameAnswers, compare, report } from '@switchyard/bench-kit';

import { Generator } from '../test/support/generator.js';
import { launchDarklyClient } from '../test/support/launchdarkly.js';
import { LocalEvaluator, type RawData } from '../test/support/switchyard.js';

function realisticData(): RawData {
  const gen = new Generator(42);
  const data = gen.data(100, 8);
  const keys = Array.from({ length: 2000 }, (_, i) => `user-${i * 7}`);
  data.flags['kill-switch'] = { key: 'kill-switch', version: 3, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 } };
  data.flags['beta-list'] = {
    key: 'beta-list', version: 8, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 0 },
    targets: [{ values: keys, variation: 1 }],
  };
  data.flags['ten-percent'] = {
    key: 'ten-percent', version: 2, on: true, salt: 'abc', variations: ['old', 'new'], offVariation: 0,
    fallthrough: { rollout: { variations: [{ variation: 1, weight: 10000 }, { variation: 0, weight: 90000 }] } },
  };
  data.segments['enterprise'] = { key: 'enterprise', version: 1, included: Array.from({ length: 10000 }, (_, i) => `user-${i * 3}`), rules: [] };
  data.flags['enterprise-gate'] = {
    key: 'enterprise-gate', version: 5, on: true, variations: ['basic', 'full'], offVariation: 0, fallthrough: { variation: 0 },
    rules: [
      { id: 'plan', clauses: [{ contextKind: 'user', attribute: 'plan', op: 'in', values: ['enterprise'] }], variation: 1 },
      { id: 'seg', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['enterprise'] }], variation: 1 },
    ],
  };
  return data;
}

const data = realisticData();
const flagKeys = Object.keys(data.flags ?? {});
const contexts = (() => {
  const gen = new Generator(7);
  const out: unknown[] = [];
  for (let i = 0; i < 500; i++) {
    out.push(
      i % 3 === 0
        ? { kind: 'user', key: `user-${i}`, plan: i % 5 === 0 ? 'enterprise' : 'free', email: `u${i}@example.com`, country: 'NO' }
        : gen.context(),
    );
  }
  return out;
})();

const ours = new LocalEvaluator(data);
const ld = await launchDarklyClient(data);

await assertSameAnswers(
  flagKeys,
  contexts.slice(0, 50),
  (key, context, d) => ours.detail(key, context, d),
  (key, context, d) => ld.variationDetail(key, context as never, d),
);

let i = 0;
let j = 0;
let k = 0;
const results = await compare(
  [
    {
      name: 'switchyard variationDetail (sync)',
      opsPerCall: flagKeys.length,
      run: () => {
        i = (i + 1) % contexts.length;
        for (const key of flagKeys) ours.detail(key, contexts[i], false);
      },
    },
    {
      name: 'switchyard variationDetail (awaited)',
      opsPerCall: flagKeys.length,
      run: async () => {
        k = (k + 1) % contexts.length;
        for (const key of flagKeys) await Promise.resolve(ours.detail(key, contexts[k], false));
      },
    },
    {
      name: '@launchdarkly/node-server-sdk variationDetail',
      opsPerCall: flagKeys.length,
      run: async () => {
        j = (j + 1) % contexts.length;
        for (const key of flagKeys) await ld.variationDetail(key, contexts[j] as never, false);
      },
    },
  ],
  { baseline: '@launchdarkly/node-server-sdk variationDetail' },
);
report(`variation over ${flagKeys.length} flags and ${contexts.length} contexts, events off (ratio: vs LaunchDarkly)`, results, 'evals/s');
ld.close();
