// The same evaluations, track and identify calls through Switchyard's client and through LaunchDarkly's
// Node SDK, each posting to its own fake events service: the payloads must say the same thing (dates
// and JSON key order aside).
import { init as ldInit, type LDClient as LaunchDarklyClient } from '@launchdarkly/node-server-sdk';
import { TestData as LDTestData } from '@launchdarkly/node-server-sdk/integrations';
import { rng } from '@switchyard/bench-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LDClient } from '../client/api.js';
import { SwitchyardClient } from '../client/client.js';
import { TestData } from '../integrations/index.js';
import { eventProcessorFactory } from './index.js';
import { endpoints, normalize, quiet, side, sortedSummaries, type Side } from './vs-launchdarkly.test-support.js';

const future = Date.now() + 3_600_000;
const FLAGS: Record<string, unknown>[] = [
  { key: 'plain', version: 2, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 } },
  { key: 'tracked', version: 3, on: true, variations: ['a', 'b'], offVariation: 0, fallthrough: { variation: 1 }, trackEvents: true },
  {
    key: 'ruled',
    version: 4,
    on: true,
    variations: [1, 2, 3],
    offVariation: 0,
    fallthrough: { variation: 0 },
    rules: [{ id: 'r1', clauses: [{ contextKind: 'user', attribute: 'plan', op: 'in', values: ['gold'] }], variation: 2, trackEvents: true }],
  },
  { key: 'fallthrough-tracked', version: 5, on: true, variations: ['x', 'y'], offVariation: 0, fallthrough: { variation: 1 }, trackEventsFallthrough: true },
  {
    key: 'experiment',
    version: 6,
    on: true,
    salt: 'salt',
    variations: ['control', 'treatment'],
    offVariation: 0,
    fallthrough: { rollout: { kind: 'experiment', variations: [{ variation: 0, weight: 50000 }, { variation: 1, weight: 50000 }] } },
  },
  { key: 'debugged', version: 7, on: true, variations: [{ v: 1 }, { v: 2 }], offVariation: 0, fallthrough: { variation: 1 }, debugEventsUntilDate: future },
  { key: 'off', version: 8, on: false, variations: ['off', 'on'], offVariation: 0, fallthrough: { variation: 1 }, trackEvents: true },
  { key: 'pre-child', version: 9, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 }, trackEvents: true },
  {
    key: 'pre-parent',
    version: 10,
    on: true,
    variations: ['no', 'yes'],
    offVariation: 0,
    fallthrough: { variation: 1 },
    prerequisites: [{ key: 'pre-child', variation: 1 }],
  },
  { key: 'hidden', version: 11, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 }, excludeFromSummaries: true, trackEvents: true },
];

const CONTEXTS: unknown[] = [
  { kind: 'user', key: 'alice', name: 'Alice', plan: 'gold', email: 'a@example.com', address: { street: '1 Main', city: 'Oslo' } },
  { kind: 'user', key: 'anon-1', anonymous: true, name: 'Nobody', plan: 'gold' },
  { kind: 'multi', user: { key: 'bob', plan: 'free', _meta: { privateAttributes: ['plan'] } }, org: { key: 'acme', name: 'Acme', anonymous: true } },
  { key: 'legacy-user', name: 'Old', custom: { plan: 'gold', score: 7 }, privateAttributeNames: ['score'] },
  { kind: 'device', key: 'd-1', model: 'X' },
];

const OPTIONS = { diagnosticOptOut: true, flushInterval: 3600, privateAttributes: ['email', '/address/street'], contextKeysCapacity: 3 };


let ours: Side;
let theirs: Side;
let ourClient: LDClient;
let ldClient: LaunchDarklyClient;

beforeAll(async () => {
  ours = await side();
  theirs = await side();
  const td = new TestData();
  const ldtd = new LDTestData();
  for (const flag of FLAGS) {
    await td.usePreconfiguredFlag(flag);
    await ldtd.usePreconfiguredFlag(flag);
  }
  ourClient = new SwitchyardClient('sdk-key', { ...OPTIONS, ...endpoints(ours.server.url), updateProcessor: td.getFactory(), logger: quiet }, { eventProcessorFactory });
  ldClient = ldInit('sdk-key', { ...OPTIONS, ...endpoints(theirs.server.url), updateProcessor: ldtd.getFactory(), logger: quiet });
  await ourClient.waitForInitialization({ timeout: 10 });
  await ldClient.waitForInitialization({ timeout: 10 });
});

afterAll(async () => {
  await ourClient?.close();
  ldClient?.close();
  await ours?.server.close();
  await theirs?.server.close();
});

/** Full events as a sorted list of JSON strings, and the summary with its counters sorted. */
function comparable(events: Record<string, unknown>[]) {
  const full = events.filter((e) => e.kind !== 'summary').map((e) => JSON.stringify(normalize(e)));
  return { full: full.sort(), summaries: sortedSummaries(events) };
}

it("sends the same events as LaunchDarkly's Node SDK for the same calls", async () => {
  for (const client of [ourClient, ldClient] as { variation: LDClient['variation']; variationDetail: LDClient['variationDetail']; track: LDClient['track']; identify: LDClient['identify']; flush(): Promise<void> }[]) {
    for (const context of CONTEXTS) {
      for (const flag of FLAGS) {
        await client.variation(String(flag.key), context as never, 'default');
        await client.variationDetail(String(flag.key), context as never, { fallback: true });
      }
      await client.variation('no-such-flag', context as never, 42);
      client.track('purchase', context as never, { items: [1, 2] }, 19.99);
      client.track('page-view', context as never);
      client.track('null-data', context as never, null);
      client.identify(context as never);
    }
    await client.flush();
  }
  const a = comparable(ours.events.analyticsEvents());
  const b = comparable(theirs.events.analyticsEvents());
  expect(a.full.length).toBeGreaterThan(50);
  expect(a.full).toEqual(b.full);
  expect(a.summaries).toEqual(b.summaries);
});

// --- seeded runs with a tiny context-key cache ------------------------------------------------------


/** Flags for the seeded runs: the ones above, plus prerequisite cycles and a malformed prerequisite. */
const RUN_FLAGS: Record<string, unknown>[] = [
  ...FLAGS,
  { key: 'self-cycle', version: 20, on: true, variations: [0, 1], offVariation: 0, fallthrough: { variation: 1 }, trackEvents: true, prerequisites: [{ key: 'self-cycle', variation: 1 }] },
  { key: 'cycle-a', version: 21, on: true, variations: [0, 1], offVariation: 0, fallthrough: { variation: 1 }, trackEvents: true, prerequisites: [{ key: 'cycle-b', variation: 1 }] },
  { key: 'cycle-b', version: 22, on: true, variations: [0, 1], offVariation: 0, fallthrough: { variation: 1 }, trackEvents: true, prerequisites: [{ key: 'cycle-a', variation: 1 }] },
  { key: 'broken', version: 23, on: true, variations: ['x'], fallthrough: { variation: 7 }, trackEvents: true },
  { key: 'needs-broken', version: 24, on: true, variations: ['no', 'yes'], offVariation: 0, fallthrough: { variation: 1 }, prerequisites: [{ key: 'broken', variation: 0 }] },
];

/** Contexts whose canonical keys collide or differ in telling ways (kind order, legacy users, kinds). */
const RUN_CONTEXTS: unknown[] = [
  { kind: 'user', key: 'a', name: 'A' },
  { key: 'a', name: 'legacy A' }, // canonical key "a", like the user above
  { kind: 'org', key: 'a' }, // canonical key "org:a"
  { kind: 'user', key: 'b', anonymous: true },
  { kind: 'multi', user: { key: 'a' }, org: { key: 'a' } },
  { kind: 'multi', org: { key: 'a' }, user: { key: 'a' } }, // the same canonical key, kinds in another order
  { kind: 'device', key: 'd:1' },
  { kind: 'user', key: 'org:a' }, // a user whose key is another context's canonical key
];

type Client = Pick<LDClient, 'variation' | 'variationDetail' | 'track' | 'identify'> & { flush(): Promise<void> };

/** Both SDKs over the same flags (TestData) and options, each posting events to its own fake service. */
interface Pair {
  readonly a: Side;
  readonly b: Side;
  readonly mine: SwitchyardClient;
  readonly theirs: LaunchDarklyClient;
  close(): Promise<void>;
}

async function pair(flags: readonly Record<string, unknown>[], options: Record<string, unknown>): Promise<Pair> {
  const a = await side();
  const b = await side();
  const td = new TestData();
  const ldtd = new LDTestData();
  for (const flag of flags) {
    await td.usePreconfiguredFlag(flag);
    await ldtd.usePreconfiguredFlag(flag);
  }
  const mine = new SwitchyardClient('sdk-key', { ...options, ...endpoints(a.server.url), updateProcessor: td.getFactory(), logger: quiet }, { eventProcessorFactory });
  const theirs = ldInit('sdk-key', { ...options, ...endpoints(b.server.url), updateProcessor: ldtd.getFactory(), logger: quiet });
  await mine.waitForInitialization({ timeout: 10 });
  await theirs.waitForInitialization({ timeout: 10 });
  return {
    a,
    b,
    mine,
    theirs,
    async close() {
      await mine.close();
      theirs.close();
      await a.server.close();
      await b.server.close();
    },
  };
}

/** One seeded run of calls, the same for both SDKs. */
async function run(client: Client, seed: number, calls: number): Promise<void> {
  const next = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const keys = [...RUN_FLAGS.map((f) => String(f.key)), 'no-such-flag'];
  for (let i = 0; i < calls; i++) {
    const context = pick(RUN_CONTEXTS) as never;
    const r = next();
    if (r < 0.45) await client.variation(pick(keys), context, 'default');
    else if (r < 0.8) await client.variationDetail(pick(keys), context, null);
    else if (r < 0.9) client.track(pick(['a', 'b']), context, { i });
    else if (r < 0.97) client.identify(context);
    else await client.flush();
  }
  await client.flush();
}

describe('seeded runs with a tiny context-key cache', () => {
  const SEEDS = Array.from({ length: Number(process.env.SWITCHYARD_EVENT_SEEDS ?? 8) }, (_, i) => 7000 + i);
  const RUNS = [1, 2, 3].flatMap((contextKeysCapacity) => SEEDS.map((seed) => ({ contextKeysCapacity, seed })));

  it.each(RUNS)('contextKeysCapacity $contextKeysCapacity, seed $seed: the same events in the same order', async ({ contextKeysCapacity, seed }) => {
    // Every other seed with a small event queue that overflows between flushes: which contexts count as
    // seen when their index event was dropped decides the index events after the next flush.
    const p = await pair(RUN_FLAGS, { ...OPTIONS, contextKeysCapacity, ...(seed % 2 ? { capacity: 25 } : {}) });
    const { a, b, mine, theirs } = p;
    try {
      await run(mine, seed, 150);
      await run(theirs as unknown as Client, seed, 150);
      const ourEvents = a.events.analyticsEvents();
      const theirEvents = b.events.analyticsEvents();
      // In order, not only as a set: which call produced an index event is the point.
      const inOrder = (events: Record<string, unknown>[]) => events.filter((e) => e.kind !== 'summary').map((e) => JSON.stringify(normalize(e)));
      expect(inOrder(ourEvents), `seed ${seed}`).toEqual(inOrder(theirEvents));
      expect(ourEvents.filter((e) => e.kind === 'index').length).toBeGreaterThan(0);
      expect(comparable(ourEvents).summaries).toEqual(comparable(theirEvents).summaries);
    } finally {
      await p.close();
    }
  });
});

// A documented difference (README, "Differences from LaunchDarkly"): LaunchDarkly's LRU of context keys
// with capacity 0 never evicts, so it remembers every key without limit; ours remembers none.
it('with contextKeysCapacity 0 indexes every event, where LaunchDarkly remembers every context without limit', async () => {
  const p = await pair([FLAGS[0]!], { ...OPTIONS, contextKeysCapacity: 0 });
  const { a, b, mine, theirs } = p;
  try {
    for (const client of [mine, theirs] as Client[]) {
      for (let i = 0; i < 50; i++) await client.variation('plain', { kind: 'user', key: `u${i % 5}` }, false);
      await client.flush();
    }
    const indexed = (s: Side) => s.events.analyticsEvents().filter((e) => e.kind === 'index').length;
    expect(indexed(a)).toBe(50);
    expect(indexed(b)).toBe(5);
  } finally {
    await p.close();
  }
});
