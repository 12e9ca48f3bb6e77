// The worker's replica data source, fed by a scripted channel (the primary's side is covered with real
// processes in test/cluster.integration.test.ts). What matters here is ordering: no message may roll
// data back, and a dead primary leaves the data in place.
import { DataKinds, InMemoryDataStore } from '@switchyard/core';
import { CapturingLogger } from '@switchyard/core/testing';
import { afterEach, expect, it, vi } from 'vitest';

import { DataSourceUpdates } from '../data-sources/data-source-updates.js';
import { DataSourceStatusManager } from '../data-sources/status.js';
import type { ClusterMessage } from './protocol.js';
import { ClusterReplicaSource, type WorkerChannel } from './worker.js';

const ENV = 'env-1';

class ScriptedChannel implements WorkerChannel {
  readonly sent: ClusterMessage[] = [];
  connected = true;
  private readonly listeners = new Set<(m: unknown) => void>();
  private readonly disconnects = new Set<() => void>();
  send(message: ClusterMessage): Promise<void> {
    this.sent.push(message);
    return this.connected ? Promise.resolve() : Promise.reject(new Error('closed'));
  }
  onMessage(listener: (m: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onDisconnect(listener: () => void): () => void {
    this.disconnects.add(listener);
    return () => this.disconnects.delete(listener);
  }
  deliver(message: Record<string, unknown>): void {
    for (const l of this.listeners) l({ switchyard: 1, env: ENV, ...message });
  }
  disconnect(): void {
    this.connected = false;
    for (const d of this.disconnects) d();
  }
  get listening(): number {
    return this.listeners.size;
  }
}

const flag = (version: number, on = true) => ({ key: 'f', version, on, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 }, salt: 'f' });

let source: ClusterReplicaSource | undefined;
afterEach(() => {
  source?.close();
  source = undefined;
  vi.useRealTimers();
});

function setup() {
  const channel = new ScriptedChannel();
  const logger = new CapturingLogger();
  const store = new InMemoryDataStore();
  const status = new DataSourceStatusManager(logger);
  const updates = new DataSourceUpdates(store, status, { hasListeners: () => false, onChange: () => {}, onError: () => {} }, logger);
  // As the client's: the first data set makes a source that reported nothing VALID.
  const initSuccess = vi.fn(() => updates.sourceInitialized());
  const errorHandler = vi.fn();
  source = new ClusterReplicaSource(channel, ENV, { eventForwardIntervalMs: 1000, primaryTimeoutMs: 1000 }, updates, initSuccess, errorHandler, logger);
  source.start();
  const version = () => store.getSync(DataKinds.features, 'f')?.version;
  return { channel, logger, store, status, updates, initSuccess, errorHandler, version };
}

it('says hello, initializes from the first full data set, applies later patches and status', async () => {
  const t = setup();
  expect(t.channel.sent).toEqual([{ switchyard: 1, env: ENV, type: 'hello' }]);
  t.channel.deliver({ type: 'full', hub: 'h1', seq: 1, data: { features: { f: flag(1) }, segments: {} } });
  await t.updates.settled();
  expect(t.initSuccess).toHaveBeenCalledTimes(1);
  expect(t.version()).toBe(1);
  // Workers keep no JSON: nothing will ever write these items anywhere.
  expect(t.store.getSync(DataKinds.features, 'f')!.json).toBeUndefined();

  t.channel.deliver({ type: 'upsert', hub: 'h1', seq: 2, namespace: 'features', item: flag(2, false) });
  t.channel.deliver({ type: 'status', hub: 'h1', seq: 3, state: 'INTERRUPTED', error: { kind: 'NETWORK_ERROR', message: 'stream dropped' } });
  await t.updates.settled();
  expect(t.version()).toBe(2);
  expect(t.status.getStatus()).toMatchObject({ state: 'INTERRUPTED', lastError: { kind: 'NETWORK_ERROR', message: 'stream dropped' } });
});

it('ignores duplicated and late messages: a full data set older than an applied patch never rolls it back', async () => {
  const t = setup();
  t.channel.deliver({ type: 'full', hub: 'h1', seq: 1, data: { features: { f: flag(1) }, segments: {} } });
  t.channel.deliver({ type: 'upsert', hub: 'h1', seq: 3, namespace: 'features', item: flag(3) });
  t.channel.deliver({ type: 'full', hub: 'h1', seq: 2, data: { features: { f: flag(2) }, segments: {} } }); // late
  t.channel.deliver({ type: 'upsert', hub: 'h1', seq: 3, namespace: 'features', item: flag(3, false) }); // duplicate seq
  t.channel.deliver({ type: 'upsert', hub: 'h1', seq: 4, namespace: 'features', item: flag(2) }); // lower version
  await t.updates.settled();
  expect(t.version()).toBe(3);
  expect(t.store.getSync(DataKinds.features, 'f')!.on).toBe(true);
  expect(t.initSuccess).toHaveBeenCalledTimes(1);
});

it('accepts a new primary client (a new hub) from its first full data set only', async () => {
  const t = setup();
  t.channel.deliver({ type: 'full', hub: 'h1', seq: 5, data: { features: { f: flag(5) }, segments: {} } });
  t.channel.deliver({ type: 'upsert', hub: 'h2', seq: 1, namespace: 'features', item: flag(9) }); // before h2's full
  await t.updates.settled();
  expect(t.version()).toBe(5);
  t.channel.deliver({ type: 'full', hub: 'h2', seq: 1, data: { features: { f: flag(7) }, segments: {} } });
  await t.updates.settled();
  expect(t.version()).toBe(7);
  t.channel.deliver({ type: 'upsert', hub: 'h1', seq: 6, namespace: 'features', item: flag(8) }); // the old hub
  await t.updates.settled();
  expect(t.version()).toBe(7);
});

it('ignores messages of other environments and foreign IPC messages', async () => {
  const t = setup();
  for (const l of [null, 'shutdown', { type: 'full' }, { switchyard: 1, env: 'other', type: 'full', hub: 'x', seq: 1, data: { features: { f: flag(1) }, segments: {} } }]) {
    (t.channel as unknown as { listeners: Set<(m: unknown) => void> }).listeners.forEach((fn) => fn(l));
  }
  await t.updates.settled();
  expect(t.version()).toBeUndefined();
  expect(t.initSuccess).not.toHaveBeenCalled();
});

it('when the primary is gone, keeps the data and reports INTERRUPTED', async () => {
  const t = setup();
  t.channel.deliver({ type: 'full', hub: 'h1', seq: 1, data: { features: { f: flag(1) }, segments: {} } });
  await t.updates.settled();
  t.channel.disconnect();
  expect(t.status.getStatus()).toMatchObject({ state: 'INTERRUPTED', lastError: { kind: 'NETWORK_ERROR' } });
  expect(t.status.getStatus().lastError!.message).toMatch(/cluster primary is gone/);
  expect(t.version()).toBe(1);
  expect(t.logger.messages('warn').join('\n')).toMatch(/serving the last flag data received/);
  expect(t.channel.listening).toBe(0);
});

it('fails initialization when the primary refuses the worker or its own client failed', () => {
  const t = setup();
  t.channel.deliver({ type: 'refused', message: 'the primary has no client for this SDK key' });
  expect(t.errorHandler).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringMatching(/refused this worker: the primary has no client/) }));
  t.channel.deliver({ type: 'failed', hub: 'h1', seq: 1, message: 'HTTP 401' });
  expect(t.errorHandler).toHaveBeenLastCalledWith(expect.objectContaining({ message: expect.stringMatching(/could not initialize: HTTP 401/) }));
});

it('says hello again until data arrives, and warns once that the primary has not answered', () => {
  vi.useFakeTimers();
  const t = setup();
  vi.advanceTimersByTime(3500);
  expect(t.channel.sent.filter((m) => m.type === 'hello')).toHaveLength(4);
  expect(t.logger.messages('warn')).toHaveLength(1);
  expect(t.logger.messages('warn')[0]).toMatch(/no flag data from the cluster primary after 1000 ms; is a client with \{ cluster: true \}/);
});
