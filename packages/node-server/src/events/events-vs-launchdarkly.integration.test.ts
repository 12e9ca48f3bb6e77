// The same evaluations, track and identify calls through Switchyard's client and through LaunchDarkly's
// Node SDK, each posting to its own fake events service: the payloads must say the same thing (dates
// and JSON key order aside).
import { init as ldInit, type LDClient as LaunchDarklyClient } from '@launchdarkly/node-server-sdk';
import { TestData as LDTestData } from '@launchdarkly/node-server-sdk/integrations';
import { FakeEvents, FakeServer } from '@switchyard/fake-launchdarkly';
import { afterAll, beforeAll, expect, it } from 'vitest';

import type { LDClient } from '../client/api.js';
import { SwitchyardClient } from '../client/client.js';
import { TestData } from '../integrations/index.js';
import { eventProcessorFactory } from './index.js';

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
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

interface Side {
  server: FakeServer;
  events: FakeEvents;
}
async function side(): Promise<Side> {
  const server = new FakeServer();
  const events = new FakeEvents(server);
  await server.listen();
  return { server, events };
}

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
  const endpoints = (url: string) => ({ baseUri: url, streamUri: url, eventsUri: url });
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

/** Dates vary between the two runs; key order does not matter in JSON. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (key === 'creationDate' || key === 'startDate' || key === 'endDate') continue;
    out[key] = normalize((value as Record<string, unknown>)[key]);
  }
  return out;
}

/** Full events as a sorted list of JSON strings, and the summary with its counters sorted. */
function comparable(events: Record<string, unknown>[]) {
  const full = events.filter((e) => e.kind !== 'summary').map((e) => JSON.stringify(normalize(e)));
  const summaries = events.filter((e) => e.kind === 'summary').map((e) => normalize(e) as { features: Record<string, { counters: unknown[]; contextKinds: string[] }> });
  for (const summary of summaries) {
    for (const feature of Object.values(summary.features)) {
      feature.counters.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
      feature.contextKinds.sort();
    }
  }
  return { full: full.sort(), summaries };
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
