import { integrations as ld, init as ldInit } from '@launchdarkly/node-server-sdk';
import { describe, expect, it } from 'vitest';

import type { LDContext } from '@switchyard/core';
import { CapturingLogger } from '@switchyard/core/testing';

import { SwitchyardClient } from '../client/client.js';
import { TestData, type TestDataFlagBuilder } from './test-data.js';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const contexts: LDContext[] = [
  { kind: 'user', key: 'alice', country: 'gb', name: 'Patsy' },
  { kind: 'user', key: 'bob', country: 'us' },
  { kind: 'org', key: 'acme' },
  { kind: 'multi', user: { key: 'carol', country: 'gb' }, org: { key: 'acme' } },
];

type Builder = Pick<TestDataFlagBuilder, 'booleanFlag'>;
/** The same builder calls on both SDKs' TestData. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same calls go to two SDKs' builder types
const scenarios: Record<string, (b: any) => Builder> = {
  default: (b) => b,
  off: (b) => b.on(false),
  valueForAll: (b) => b.valueForAll({ colour: 'red' }),
  variationForAll: (b) => b.variations('a', 'b', 'c').variationForAll(2),
  targets: (b) => b.variationForUser('alice', false).variationForContext('org', 'acme', false).variationForUser('bob', true),
  retarget: (b) => b.variationForUser('alice', false).variationForUser('alice', true),
  rules: (b) => b.ifMatch('user', 'country', 'gb').andNotMatch('user', 'name', 'Patsy').thenReturn(false).ifNotMatch('org', 'key', 'x').thenReturn(0),
  strings: (b) => b.variations('x', 'y').offVariation(1).fallthroughVariation(0).on(true).ifMatch('user', 'key', 'bob').thenReturn(1),
  clear: (b) => b.variationForUser('alice', false).ifMatch('user', 'key', 'bob').thenReturn(false).clearRules().clearAllTargets(),
};

describe('TestData', () => {
  for (const [name, build] of Object.entries(scenarios)) {
    it(`gives the same results as LaunchDarkly's TestData: ${name}`, async () => {
      const ours = new TestData();
      const theirs = new ld.TestData();
      await ours.update(build(ours.flag('f')) as TestDataFlagBuilder);
      await theirs.update(build(theirs.flag('f')) as never);
      // Second round: the builder continues from the last applied configuration.
      await ours.update(ours.flag('f').on(true));
      await theirs.update(theirs.flag('f').on(true));
      const a = new SwitchyardClient('k', { updateProcessor: ours.getFactory(), sendEvents: false, logger: new CapturingLogger() });
      const b = ldInit('k', { updateProcessor: theirs.getFactory(), sendEvents: false, logger: quiet });
      await a.waitForInitialization({ timeout: 5 });
      await b.waitForInitialization({ timeout: 5 });
      for (const context of contexts) {
        expect(await a.variationDetail('f', context, 'dflt')).toEqual(await b.variationDetail('f', context as never, 'dflt'));
      }
      await a.close();
      b.close();
    });
  }

  it('propagates updates to running clients like stream patches, with update events', async () => {
    const td = new TestData();
    const client = new SwitchyardClient('k', { updateProcessor: td, sendEvents: false, logger: new CapturingLogger() });
    await client.waitForInitialization({ timeout: 5 });
    const updates: string[] = [];
    client.on('update', ({ key }: { key: string }) => updates.push(key));
    await td.update(td.flag('f').variationForAll(false));
    expect(client.boolVariationSync('f', contexts[0]!, true)).toBe(false);
    await td.usePreconfiguredSegment({ key: 's', version: 1, included: ['alice'] });
    await td.usePreconfiguredFlag({ key: 'g', version: 1, on: true, variations: [false, true], fallthrough: { variation: 0 }, rules: [{ id: 'r', variation: 1, clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['s'] }] }] });
    expect(client.boolVariationSync('g', contexts[0]!, false)).toBe(true);
    await td.usePreconfiguredSegment({ key: 's', version: 1, included: [] });
    expect(client.boolVariationSync('g', contexts[0]!, true)).toBe(false);
    await new Promise((r) => setTimeout(r, 10));
    expect(updates).toEqual(['f', 'g', 'g']);
    await client.close();
  });
});

describe('TestData and the data source status', () => {
  it('reports VALID once its data is in the store, as a data source that reports no status of its own', async () => {
    const td = new TestData();
    await td.update(td.flag('f').booleanFlag());
    const client = new SwitchyardClient('sdk-key', { updateProcessor: td.getFactory(), sendEvents: false, logger: quiet });
    try {
      await client.waitForInitialization({ timeout: 5 });
      expect(client.dataSourceStatusProvider.getStatus().state).toBe('VALID');
    } finally {
      await client.close();
    }
  });
});
