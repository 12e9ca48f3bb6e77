// Summary counters through the real client and a persistent store without a cache: every evaluation reads
// (and parses) the flag again, so every evaluation has a new Flag object for the same key and version.
// The summary must still count every evaluation exactly, with a small event capacity.
import { PersistentStoreWrapper } from '@switchyard/core';
import { InMemoryPersistentStore } from '@switchyard/core/testing';
import { startFakeLaunchDarkly, type FakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { afterEach, expect, it } from 'vitest';

import type { LDClient } from '../src/client/api.js';
import { init } from '../src/index.js';
import { boolFlag } from './support.js';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

let fake: FakeLaunchDarkly | undefined;
let client: LDClient | undefined;
afterEach(async () => {
  await client?.close();
  await fake?.close();
  client = undefined;
  fake = undefined;
});

interface Counter {
  value: unknown;
  count: number;
  variation?: number;
  version?: number;
  unknown?: true;
}

it('counts 12,000 evaluations exactly when a persistent store with cacheTtlMs 0 re-reads the flag every time', async () => {
  fake = await startFakeLaunchDarkly({
    data: {
      flags: {
        plain: boolFlag('plain', 7),
        colour: {
          key: 'colour',
          version: 3,
          on: true,
          salt: 'colour',
          variations: ['red', 'green', 'blue'],
          offVariation: 0,
          fallthrough: { variation: 2 },
          targets: [{ values: ['t1'], variation: 1 }],
        },
      },
    },
  });
  client = init('sdk-key', {
    baseUri: fake.url,
    streamUri: fake.url,
    eventsUri: fake.url,
    featureStore: new PersistentStoreWrapper(new InMemoryPersistentStore(), { cacheTtlMs: 0 }),
    capacity: 5, // far fewer than the counters' evaluations: summaries must not depend on it
    flushInterval: 3600,
    diagnosticOptOut: true,
    logger: quiet,
  });
  await client.waitForInitialization({ timeout: 10 });

  const contexts = [{ kind: 'user', key: 'u1' }, { kind: 'user', key: 't1' }, { kind: 'org', key: 'o1' }];
  for (let i = 0; i < 12_000; i++) {
    const context = contexts[i % 3]!;
    if (i % 2 === 0) await client.variation('plain', context, false);
    else await client.variation('colour', context, 'none');
  }
  await client.flush();

  const events = fake.events.analyticsEvents();
  const summaries = events.filter((e) => e.kind === 'summary') as { features: Record<string, { counters: Counter[]; default: unknown }> }[];
  expect(summaries).toHaveLength(1);
  const { features } = summaries[0]!;
  expect(features.plain!.counters).toEqual([{ value: true, count: 6000, variation: 1, version: 7 }]);
  // Odd i: contexts[i % 3] cycles u1 (i=3, 9, …), t1 (i=1, 7, …) and o1 (i=5, 11, …), 2,000 each. The org
  // context has no user key, so it falls through like u1.
  expect(features.colour!.counters).toHaveLength(2);
  expect(features.colour!.counters).toEqual(
    expect.arrayContaining([
      { value: 'green', count: 2000, variation: 1, version: 3 },
      { value: 'blue', count: 4000, variation: 2, version: 3 },
    ]),
  );
  const counted = Object.values(features).flatMap((f) => f.counters).reduce((sum, c) => sum + c.count, 0);
  expect(counted).toBe(12_000);
  // Nothing was dropped: the three index events fit in the capacity of 5.
  expect(events.filter((e) => e.kind === 'index')).toHaveLength(3);
});
