import { describe, expect, it } from 'vitest';

import { PersistentStoreWrapper } from '@switchyard/core';
import { CapturingLogger, InMemoryPersistentStore } from '@switchyard/core/testing';

import type { EvaluationMetadata, Hook } from '../hooks.js';
import { TestData } from '../integrations/test-data.js';
import { SwitchyardClient } from './client.js';

const user = { kind: 'user', key: 'u1' };
const multi = { kind: 'multi', user: { key: 'u1' }, org: { key: 'o:1' } } as const;

async function clientWith(td: TestData, options: Record<string, unknown> = {}) {
  const logger = new CapturingLogger();
  const client = new SwitchyardClient('sdk-key', { updateProcessor: td, sendEvents: false, logger, ...options });
  await client.waitForInitialization({ timeout: 5 });
  return client;
}

/** A hook that keeps what `afterEvaluation` was given. */
function recordingHook() {
  const seen: { method: string; value: unknown; metadata: EvaluationMetadata | undefined }[] = [];
  const hook: Hook = {
    getMetadata: () => ({ name: 'metadata recorder' }),
    afterEvaluation: (ctx, data, detail, metadata) => {
      seen.push({ method: ctx.method, value: detail.value, metadata });
      return data;
    },
  };
  return { hook, seen };
}

describe('evaluation metadata (flag version, context key and kinds)', () => {
  it('variationDetailWithMetadata returns the detail with the flag version and the canonical key', async () => {
    const td = new TestData();
    await td.update(td.flag('f').booleanFlag().variationForAll(true));
    await td.update(td.flag('f').booleanFlag().variationForAll(false));
    const client = await clientWith(td);
    const single = await client.variationDetailWithMetadata('f', user, true);
    expect(single.detail).toEqual({ value: false, variationIndex: 1, reason: { kind: 'FALLTHROUGH' } });
    expect(single.metadata).toEqual({ flagVersion: 2, contextKey: 'u1', contextKinds: ['user'] });
    expect(Object.isFrozen(single)).toBe(true);
    expect(Object.isFrozen(single.metadata)).toBe(true);

    const both = await client.variationDetailWithMetadata('f', multi, true);
    expect(both.metadata).toEqual({ flagVersion: 2, contextKey: 'org:o%3A1:user:u1', contextKinds: ['user', 'org'] });

    const unknown = await client.variationDetailWithMetadata('nope', user, 'd');
    expect(unknown.detail.reason).toEqual({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' });
    expect(unknown.metadata).toEqual({ contextKey: 'u1', contextKinds: ['user'] });

    const invalid = await client.variationDetailWithMetadata('f', { kind: 'user' } as never, 'd');
    expect(invalid.detail.reason).toEqual({ kind: 'ERROR', errorKind: 'USER_NOT_SPECIFIED' });
    expect(invalid.metadata).toEqual({});
    await client.close();
  });

  it('checks the type like the typed detail methods, and runs hooks under their names', async () => {
    const td = new TestData();
    await td.update(td.flag('s').valueForAll('text'));
    const { hook, seen } = recordingHook();
    const client = await clientWith(td, { hooks: [hook] });
    const wrong = await client.variationDetailWithMetadata('s', user, 3, { type: 'number' });
    expect(wrong.detail).toEqual({ value: 3, variationIndex: null, reason: { kind: 'ERROR', errorKind: 'WRONG_TYPE' } });
    expect(wrong.metadata.flagVersion).toBe(1);
    const right = await client.variationDetailWithMetadata('s', user, 'x', { type: 'string' });
    expect(right.detail.value).toBe('text');
    await client.variationDetailWithMetadata('s', user, 'x');
    expect(seen.map((s) => s.method)).toEqual(['LDClient.numberVariationDetail', 'LDClient.stringVariationDetail', 'LDClient.variationDetail']);
    await client.close();
  });

  it('gives hooks the metadata as a fourth argument, on the synchronous and the store-awaiting paths', async () => {
    const td = new TestData();
    await td.update(td.flag('f').valueForAll('v'));
    const { hook, seen } = recordingHook();
    // No cache: every evaluation awaits the store.
    const store = new PersistentStoreWrapper(new InMemoryPersistentStore(), { cacheTtlMs: 0 });
    const slow = await clientWith(td, { hooks: [hook], featureStore: store });
    expect(await slow.variation('f', multi, 'd')).toBe('v');
    expect(slow.variationSync('f', user, 'd')).toBe('d');
    await slow.close();

    const fast = await clientWith(td, { hooks: [hook] });
    expect(fast.variationSync('f', user, 'd')).toBe('v');
    expect(await fast.variation('missing', user, 'd')).toBe('d');

    expect(seen).toEqual([
      { method: 'LDClient.variation', value: 'v', metadata: { flagVersion: 1, contextKey: 'org:o%3A1:user:u1', contextKinds: ['user', 'org'] } },
      // Could not be answered from memory: nothing was evaluated.
      { method: 'LDClient.variation', value: 'd', metadata: {} },
      { method: 'LDClient.variation', value: 'v', metadata: { flagVersion: 1, contextKey: 'u1', contextKinds: ['user'] } },
      { method: 'LDClient.variation', value: 'd', metadata: { contextKey: 'u1', contextKinds: ['user'] } },
    ]);
    for (const s of seen) expect(Object.isFrozen(s.metadata)).toBe(true);
    await fast.close();
  });
});

describe('getEventProcessorStats', () => {
  it('is undefined when events are off', async () => {
    const td = new TestData();
    const client = await clientWith(td);
    expect(client.getEventProcessorStats()).toBeUndefined();
    await client.close();
  });

  it("reports the event processor's queue and dropped events", async () => {
    const td = new TestData();
    await td.update(td.flag('f').booleanFlag().variationForAll(true));
    // Nothing listens on port 9: nothing is delivered, and the flush interval never comes.
    const client = await clientWith(td, { sendEvents: true, capacity: 3, flushInterval: 3600, eventsUri: 'http://127.0.0.1:9', diagnosticOptOut: true });
    for (let i = 0; i < 5; i++) client.identify({ kind: 'user', key: `u${i}` });
    expect(client.getEventProcessorStats()).toMatchObject({ queuedEvents: 3, droppedEvents: 2, payloadsDelivered: 0 });
    await client.close();
  });
});
