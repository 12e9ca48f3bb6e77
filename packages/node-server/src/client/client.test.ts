import { describe, expect, it } from 'vitest';

import { InMemoryDataStore, PersistentStoreWrapper, type EvaluationEvent, type EventProcessor } from '@switchyard/core';
import { CapturingLogger, InMemoryPersistentStore } from '@switchyard/core/testing';

import { TestData } from '../integrations/test-data.js';
import { SwitchyardClient } from './client.js';

const user = { kind: 'user', key: 'u1' };

async function clientWith(td: TestData, options: Record<string, unknown> = {}, internal = {}) {
  const logger = new CapturingLogger();
  const client = new SwitchyardClient('sdk-key', { updateProcessor: td, sendEvents: false, logger, ...options }, internal);
  await client.waitForInitialization({ timeout: 5 });
  return { client, logger };
}

class RecordingProcessor implements EventProcessor {
  readonly evaluations: EvaluationEvent[] = [];
  readonly other: string[] = [];
  recordEvaluation(e: EvaluationEvent) {
    this.evaluations.push(e);
  }
  recordUnknownFlag(e: { key: string }) {
    this.other.push(`unknown ${e.key}`);
  }
  recordCustom(e: { key: string; metricValue?: number }) {
    this.other.push(`custom ${e.key} ${e.metricValue}`);
  }
  recordIdentify(e: { context: { key(): string | undefined } }) {
    this.other.push(`identify ${e.context.key()}`);
  }
  flush() {
    return Promise.resolve();
  }
  close() {
    return Promise.resolve();
  }
}

describe('evaluation', () => {
  it('never throws: invalid contexts, unknown flags and wrong types give the default with an error reason', async () => {
    const td = new TestData();
    await td.update(td.flag('s').valueForAll('text'));
    const { client, logger } = await clientWith(td);
    expect(await client.variationDetail('s', { kind: 'user' } as never, 'd')).toMatchObject({ value: 'd', reason: { errorKind: 'USER_NOT_SPECIFIED' } });
    expect(await client.variationDetail('nope', user, 'd')).toMatchObject({ value: 'd', reason: { errorKind: 'FLAG_NOT_FOUND' } });
    expect(await client.boolVariationDetail('s', user, true)).toMatchObject({ value: true, variationIndex: null, reason: { errorKind: 'WRONG_TYPE' } });
    expect(await client.numberVariation('s', user, 3)).toBe(3);
    expect(client.stringVariationSync('s', user, 'x')).toBe('text');
    expect(logger.messages('error').join('\n')).toMatch(/unknown feature flag "nope"/);
    await client.close();
  });

  it('hands out deeply frozen values: mutating one cannot change the next evaluation', async () => {
    const td = new TestData();
    await td.update(td.flag('j').valueForAll({ list: [1, 2], nested: { a: 1 } }));
    const { client } = await clientWith(td);
    const value = (await client.jsonVariation('j', user, {})) as { list: number[] };
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.list)).toBe(true);
    expect(() => value.list.push(3)).toThrow();
    expect(client.jsonVariationSync('j', user, {})).toEqual({ list: [1, 2], nested: { a: 1 } });
    await client.close();
  });

  it('offline: initialized at once, every evaluation returns the default with CLIENT_NOT_READY', async () => {
    const client = new SwitchyardClient('', { offline: true, logger: new CapturingLogger() });
    await client.waitForInitialization({ timeout: 1 });
    expect(client.initialized()).toBe(true);
    expect(client.isOffline()).toBe(true);
    expect(await client.variationDetail('x', user, 1)).toEqual({ value: 1, variationIndex: null, reason: { kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' } });
    expect((await client.allFlagsState(user)).valid).toBe(false);
    await client.close();
  });

  it('requires an SDK key unless offline', () => {
    expect(() => new SwitchyardClient('', { logger: new CapturingLogger() })).toThrow(/SDK key/);
  });

  it('daemon mode (useLdd): no data source, reads what another process wrote to the store', async () => {
    const store = new InMemoryDataStore();
    const td = new TestData();
    await td.update(td.flag('f').variationForAll(false));
    const writer = new SwitchyardClient('k', { updateProcessor: td, featureStore: store, sendEvents: false, logger: new CapturingLogger() });
    await writer.waitForInitialization({ timeout: 5 });
    const reader = new SwitchyardClient('k', { useLdd: true, featureStore: store, sendEvents: false, logger: new CapturingLogger() });
    await reader.waitForInitialization({ timeout: 5 });
    expect(await reader.variation('f', user, true)).toBe(false);
    await reader.close();
    await writer.close();
  });

  it('answers from a persistent store through the async path when the cache is cold, and sync afterwards', async () => {
    const core = new InMemoryPersistentStore();
    const td = new TestData();
    await td.update(td.flag('f').variationForAll(true));
    const { client } = await clientWith(td, { featureStore: new PersistentStoreWrapper(core, { cacheTtlMs: 0 }) });
    // No cache: every read goes to the store; variationSync cannot answer, variation can.
    expect(client.variationDetailSync('f', user, false).reason).toEqual({ kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' });
    expect(await client.variation('f', user, false)).toBe(true);
    core.fail('get');
    expect(await client.variationDetail('f', user, false)).toMatchObject({ value: false, reason: { errorKind: 'EXCEPTION' } });
    await client.close();
  });
});

describe('events, hooks and the rest of the API', () => {
  it('records evaluations (with prerequisite events), unknown flags, custom and identify events', async () => {
    const td = new TestData();
    await td.update(td.flag('parent').variationForAll(true));
    await td.usePreconfiguredFlag({ key: 'child', version: 1, on: true, variations: ['a', 'b'], fallthrough: { variation: 1 }, offVariation: 0, prerequisites: [{ key: 'parent', variation: 0 }] });
    const processor = new RecordingProcessor();
    const { client } = await clientWith(td, { sendEvents: true }, { eventProcessorFactory: () => processor });
    expect(await client.variationDetail('child', user, 'z')).toMatchObject({ value: 'b' });
    await client.variation('missing', user, 1);
    client.track('purchase', user, { sku: 1 }, 9.5);
    client.identify(user);
    client.track('bad', { kind: 'user' } as never);
    expect(processor.evaluations.map((e) => [e.flag.key, e.prerequisiteOf, e.withReasons])).toEqual([
      ['parent', 'child', true],
      ['child', undefined, true],
    ]);
    expect(processor.other).toEqual(['unknown missing', 'custom purchase 9.5', 'identify u1']);
    let flushed: unknown;
    await client.flush((err, ok) => (flushed = [err, ok]));
    expect(flushed).toEqual([null, true]);
    await client.close();
  });

  it('runs hooks before and after each evaluation, with series data, and survives a throwing hook', async () => {
    const td = new TestData();
    await td.update(td.flag('f').variationForAll(true));
    const calls: string[] = [];
    const { client, logger } = await clientWith(td, {
      hooks: [
        {
          getMetadata: () => ({ name: 'recorder' }),
          beforeEvaluation: (ctx: { method: string; flagKey: string }, data: object) => {
            calls.push(`before ${ctx.method} ${ctx.flagKey}`);
            return { ...data, started: 1 };
          },
          afterEvaluation: (_ctx: unknown, data: { started?: number }, detail: { value: unknown }) => {
            calls.push(`after ${data.started} ${String(detail.value)}`);
            return data;
          },
        },
        {
          getMetadata: () => ({ name: 'broken' }),
          beforeEvaluation: () => {
            throw new Error('boom');
          },
        },
      ],
    });
    expect(await client.boolVariation('f', user, false)).toBe(true);
    expect(client.variationSync('f', user, false)).toBe(true);
    expect(calls).toEqual(['before LDClient.boolVariation f', 'after 1 true', 'before LDClient.variation f', 'after 1 true']);
    expect(logger.messages('error').join('\n')).toMatch(/"beforeEvaluation" of the "broken" hook: Error: boom/);
    await client.close();
  });

  it('computes secureModeHash like LaunchDarkly (HMAC-SHA256 of the canonical key) and throws for an invalid context', async () => {
    const client = new SwitchyardClient('secret', { offline: true, logger: new CapturingLogger() });
    expect(client.secureModeHash({ kind: 'user', key: 'Message' })).toBe('aa747c502a898200f9e4fa21bac68136f886a0e27aec70ba06daf2e2a5cb5597');
    expect(() => client.secureModeHash({ kind: 'user' } as never)).toThrow(/invalid context/);
    await client.close();
  });

  it('emits error events only when someone listens (otherwise logs), and warns about a second client for the same key', async () => {
    const td = new TestData();
    const { client, logger } = await clientWith(td);
    const errors: Error[] = [];
    await client.variation('missing', user, 1);
    client.on('error', (e: Error) => errors.push(e));
    await client.variation('missing', user, 1);
    expect(errors).toHaveLength(1);
    expect(logger.messages('error')).toHaveLength(1);
    const second = new SwitchyardClient('sdk-key', { updateProcessor: td, sendEvents: false, logger });
    expect(logger.messages('warn').join('\n')).toMatch(/2 clients are open for the same SDK key/);
    await second.close();
    await client.close();
  });

  it('rejects a pending waitForInitialization when closed first', async () => {
    const client = new SwitchyardClient('k', { updateProcessor: () => ({ start() {}, close() {} }), logger: new CapturingLogger() });
    const waiting = client.waitForInitialization();
    await client.close();
    await expect(waiting).rejects.toThrow(/closed before it initialized/);
  });
});

describe('big segments', () => {
  it('evaluates big-segment membership from the big-segment store, then answers synchronously from its cache', async () => {
    const { InMemoryBigSegmentStore } = await import('@switchyard/core/testing');
    const { createHash } = await import('node:crypto');
    const store = new InMemoryBigSegmentStore();
    store.setMetadata({ lastUpToDate: Date.now() });
    store.setMembership(createHash('sha256').update('member').digest('base64'), { 'big.g3': true });
    const td = new TestData();
    await td.usePreconfiguredSegment({ key: 'big', version: 1, unbounded: true, generation: 3 });
    await td.usePreconfiguredFlag({
      key: 'gated',
      version: 1,
      on: true,
      variations: [false, true],
      fallthrough: { variation: 0 },
      rules: [{ id: 'r', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['big'] }], variation: 1 }],
    });
    const { client } = await clientWith(td, { bigSegments: { store } });
    const member = { kind: 'user', key: 'member' };
    // Not fetched yet: the synchronous method cannot answer and says so.
    expect(client.variationDetailSync('gated', member, false)).toMatchObject({ value: false, reason: { errorKind: 'CLIENT_NOT_READY' } });
    expect(await client.variationDetail('gated', member, false)).toEqual({
      value: true,
      variationIndex: 1,
      reason: { kind: 'RULE_MATCH', ruleId: 'r', ruleIndex: 0, bigSegmentsStatus: 'HEALTHY' },
    });
    expect(client.variationDetailSync('gated', member, false)).toEqual({
      value: true,
      variationIndex: 1,
      reason: { kind: 'RULE_MATCH', ruleId: 'r', ruleIndex: 0, bigSegmentsStatus: 'HEALTHY' },
    });
    expect(await client.variationDetail('gated', { kind: 'user', key: 'stranger' }, false)).toEqual({
      value: false,
      variationIndex: 0,
      reason: { kind: 'FALLTHROUGH', bigSegmentsStatus: 'HEALTHY' },
    });
    expect(client.bigSegmentStoreStatusProvider.getStatus()).toEqual({ available: true, stale: false });
    await client.close();
  });
});
