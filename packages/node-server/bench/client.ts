/**
 * `variation()` through the whole client, Switchyard next to LaunchDarkly's Node SDK, on the same flag
 * data and the same contexts, in one run; prints evaluations per second and the ratio. Both clients get
 * the data from their SDK's own `TestData` (no network), events are off in both (the events benchmark
 * measures those). Run with `pnpm bench` in this package.
 */
import { integrations as ldIntegrations, init as ldInit } from '@launchdarkly/node-server-sdk';
import { assertSameAnswers, compare, report } from '@switchyard/bench-kit';

import { TestData, init } from '../src/index.js';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function flags(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const keys = Array.from({ length: 2000 }, (_, i) => `user-${i * 7}`);
  out.push({ key: 'kill-switch', version: 1, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 } });
  out.push({ key: 'beta-list', version: 1, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 0 }, targets: [{ values: keys, variation: 1 }] });
  out.push({
    key: 'ten-percent', version: 1, on: true, salt: 'abc', variations: ['old', 'new'], offVariation: 0,
    fallthrough: { rollout: { variations: [{ variation: 1, weight: 10000 }, { variation: 0, weight: 90000 }] } },
  });
  out.push({
    key: 'enterprise-gate', version: 1, on: true, variations: ['basic', 'full'], offVariation: 0, fallthrough: { variation: 0 },
    rules: [
      { id: 'plan', clauses: [{ contextKind: 'user', attribute: 'plan', op: 'in', values: ['enterprise'] }], variation: 1 },
      { id: 'seg', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['enterprise'] }], variation: 1 },
    ],
  });
  for (let i = 0; i < 40; i++) {
    out.push({
      key: `rules-${i}`, version: 1, on: true, salt: `s${i}`, variations: ['a', 'b', 'c'], offVariation: 0,
      prerequisites: i % 5 === 0 ? [{ key: 'kill-switch', variation: 1 }] : [],
      rules: [
        { id: 'email', clauses: [{ contextKind: 'user', attribute: 'email', op: 'endsWith', values: [`@corp${i}.com`] }], variation: 1 },
        { id: 'country', clauses: [{ contextKind: 'user', attribute: 'country', op: 'in', values: ['SE', 'DK', `X${i}`] }, { contextKind: 'user', attribute: 'plan', op: 'in', values: ['free'], negate: true }], variation: 2 },
        { id: 'ver', clauses: [{ contextKind: 'user', attribute: 'appVersion', op: 'semVerGreaterThan', values: ['2.0.0'] }], variation: 1 },
      ],
      fallthrough: { rollout: { variations: [{ variation: 0, weight: 50000 }, { variation: 1, weight: 50000 }] } },
    });
  }
  return out;
}
const segment = { key: 'enterprise', version: 1, included: Array.from({ length: 10000 }, (_, i) => `user-${i * 3}`), rules: [] };

const contexts = Array.from({ length: 500 }, (_, i) => ({
  kind: 'user',
  key: `user-${i}`,
  email: `u${i}@corp${i % 50}.com`,
  country: ['NO', 'SE', 'DK', 'FI'][i % 4],
  plan: i % 5 === 0 ? 'enterprise' : 'free',
  appVersion: `${1 + (i % 3)}.${i % 10}.0`,
}));

const ours = new TestData();
const theirs = new ldIntegrations.TestData();
await ours.usePreconfiguredSegment(segment);
await theirs.usePreconfiguredSegment(segment);
for (const flag of flags()) {
  await ours.usePreconfiguredFlag(flag);
  await theirs.usePreconfiguredFlag(flag);
}
const keys = flags().map((f) => f.key as string);

const client = init('sdk-key', { updateProcessor: ours, sendEvents: false, logger: quiet });
const ld = ldInit('sdk-key', { updateProcessor: theirs.getFactory(), sendEvents: false, diagnosticOptOut: true, logger: quiet });
await client.waitForInitialization({ timeout: 10 });
await ld.waitForInitialization({ timeout: 10 });

await assertSameAnswers(
  keys,
  contexts.slice(0, 50),
  (key, context, d) => client.variationDetail(key, context as never, d),
  (key, context, d) => ld.variationDetail(key, context as never, d),
);

let i = 0;
let j = 0;
let k = 0;
const results = await compare(
  [
    {
      name: 'switchyard variation (awaited)',
      opsPerCall: keys.length,
      run: async () => {
        i = (i + 1) % contexts.length;
        for (const key of keys) await client.variation(key, contexts[i]!, false);
      },
    },
    {
      name: 'switchyard variationSync',
      opsPerCall: keys.length,
      run: () => {
        k = (k + 1) % contexts.length;
        for (const key of keys) client.variationSync(key, contexts[k]!, false);
      },
    },
    {
      name: '@launchdarkly/node-server-sdk variation',
      opsPerCall: keys.length,
      run: async () => {
        j = (j + 1) % contexts.length;
        for (const key of keys) await ld.variation(key, contexts[j] as never, false);
      },
    },
  ],
  { baseline: '@launchdarkly/node-server-sdk variation' },
);
report(`client variation over ${keys.length} flags and ${contexts.length} contexts, events off (ratio: vs LaunchDarkly)`, results, 'evals/s');
await client.close();
ld.close();
