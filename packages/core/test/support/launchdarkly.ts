import { deserializePoll } from '@launchdarkly/js-server-sdk-common';
import { init, type LDClient } from '@launchdarkly/node-server-sdk';

import type { RawData } from './switchyard.js';

const quietLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

type Items = Record<string, Record<string, unknown>>;

/**
 * What LaunchDarkly's data sources do to an item before storing it (precomputed attribute references
 * and sets), through its own exported deserializer. An item it cannot process is stored raw, as a store
 * shared with another SDK could hold it.
 */
function prepare(kind: 'flags' | 'segments', item: Record<string, unknown>): Record<string, unknown> {
  try {
    const parsed = deserializePoll(JSON.stringify({ flags: {}, segments: {}, [kind]: { [String(item.key)]: item } })) as
      | Record<string, Record<string, Record<string, unknown>>>
      | undefined;
    return parsed?.[kind]?.[String(item.key)] ?? item;
  } catch {
    return item;
  }
}

/**
 * A feature store holding the raw JSON as given (LaunchDarkly's TestData rewrites flags, and refuses
 * malformed ones, which we want to feed it too).
 */
function rawStore(data: RawData) {
  const all: Record<string, Items> = { features: {}, segments: {} };
  for (const [key, json] of Object.entries(data.flags ?? {})) all.features![key] = prepare('flags', { key, version: 1, ...json });
  for (const [key, json] of Object.entries(data.segments ?? {})) all.segments![key] = prepare('segments', { key, version: 1, ...json });
  return {
    get: (kind: { namespace: string }, key: string, cb: (item: unknown) => void) => cb(all[kind.namespace]?.[key] ?? null),
    all: (kind: { namespace: string }, cb: (items: Items) => void) => cb(all[kind.namespace] ?? {}),
    init: (_data: unknown, cb: () => void) => cb(),
    delete: (_kind: unknown, _key: string, _version: number, cb: () => void) => cb(),
    upsert: (_kind: unknown, _item: unknown, cb: () => void) => cb(),
    initialized: (cb: (initialized: boolean) => void) => cb(true),
    close: () => undefined,
    getDescription: () => 'raw-test-store',
  };
}

/** Where LaunchDarkly's client sends analytics events, and the event options compared. */
export interface LaunchDarklyEventOptions {
  /** The events service (e.g. an {@link EventsReceiver}). */
  eventsUri: string;
  contextKeysCapacity?: number;
  capacity?: number;
}

/**
 * LaunchDarkly's own Node SDK over the same data: daemon mode (`useLdd`) reading a store that holds the
 * raw JSON; events off unless `events` says where to send them (flushed only by `flush()`). Used as the
 * oracle in agreement tests.
 */
export async function launchDarklyClient(data: RawData, events?: LaunchDarklyEventOptions): Promise<LDClient> {
  const client = init('sdk-key-for-tests', {
    useLdd: true,
    featureStore: rawStore(data) as never,
    sendEvents: events !== undefined,
    ...(events ? { ...events, flushInterval: 3600 } : {}),
    diagnosticOptOut: true,
    logger: quietLogger,
  });
  await client.waitForInitialization({ timeout: 10 });
  return client;
}
