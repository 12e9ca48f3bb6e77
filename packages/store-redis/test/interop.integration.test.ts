/**
 * Interop both ways with LaunchDarkly's own Redis integration (`@launchdarkly/node-server-sdk-redis`), on
 * one redis-server: the shared interop suite of `@switchyard/store-conformance`. Readers run with no
 * cache, so their answers come from what Redis holds; reads are counted with INFO commandstats.
 */
import {
  init as ldInit,
  integrations as ldIntegrations,
  type LDClient as TheirClient,
  type LDContext as TheirContext,
  type LDLogger,
  type LDOptions as TheirOptions,
} from '@launchdarkly/node-server-sdk';
import { RedisFeatureStore as TheirRedisFeatureStore } from '@launchdarkly/node-server-sdk-redis';
import { init, TestData, type LDClient, type LDContext, type LDOptions } from '@switchyard/node-server';
import { INTEROP_DEFAULT, type InteropJson, type InteropReading, evaluateInterop, initializeAndClose, loadInteropData, runInteropSuite } from '@switchyard/store-conformance';
import { type RedisServer, startRedis } from '@switchyard/test-services';
import { afterAll, beforeAll, expect } from 'vitest';

import { redisStore } from '../src/index.js';
import { ok } from './support.js';

const quiet: LDLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const common = { sendEvents: false, diagnosticOptOut: true, logger: quiet } as const;

let server: RedisServer;

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await server?.stop();
});

function theirStore(prefix: string): TheirOptions['featureStore'] {
  return TheirRedisFeatureStore({ redisOpts: { host: server.host, port: server.port }, prefix, cacheTTL: 0 });
}

/** `HGET` + `HGETALL` calls the server has answered so far (INFO commandstats). */
async function hashReads(): Promise<number> {
  const info = String(ok(await server.command('INFO', 'commandstats')));
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(?:hget|hgetall):calls=(\d+)/gm)) calls += Number(match[1]);
  return calls;
}

runInteropSuite({
  database: 'Redis',
  theirPrefix: 'ld-wrote',
  ourPrefix: 'sy:wrote/v1.interop',

  async writeWithTheirs(prefix) {
    const td = await loadInteropData(new ldIntegrations.TestData());
    await initializeAndClose(ldInit('sdk-interop-ld-writer', { ...common, updateProcessor: td.getFactory(), featureStore: theirStore(prefix) }));
  },

  async writeWithOurs(prefix) {
    const td = await loadInteropData(new TestData());
    await initializeAndClose(init('sdk-interop-sy-writer', { ...common, updateProcessor: td, featureStore: redisStore({ url: server.url, prefix }) }));
  },

  async readWithOurs(prefix, sdkKey): Promise<InteropReading> {
    const options: LDOptions = { ...common, useLdd: true, featureStore: redisStore({ url: server.url, prefix, cacheTtlMs: 0 }) };
    const client: LDClient = init(sdkKey, options);
    try {
      await client.waitForInitialization({ timeout: 10 });
      const before = await hashReads();
      const rows = await evaluateInterop((key, context) => client.variationDetail(key, context as LDContext, INTEROP_DEFAULT));
      return { rows, reads: (await hashReads()) - before };
    } finally {
      await client.close();
    }
  },

  async readWithTheirs(prefix, sdkKey): Promise<InteropReading> {
    const client: TheirClient = ldInit(sdkKey, { ...common, useLdd: true, featureStore: theirStore(prefix) });
    try {
      await client.waitForInitialization({ timeout: 10 });
      const before = await hashReads();
      const rows = await evaluateInterop((key, context) => client.variationDetail(key, context as TheirContext, INTEROP_DEFAULT));
      return { rows, reads: (await hashReads()) - before };
    } finally {
      client.close();
    }
  },

  async storedItems(prefix, kind) {
    const reply = ok(await server.command('HGETALL', `${prefix}:${kind}`));
    expect(Array.isArray(reply)).toBe(true);
    const fields = reply as string[];
    const items = new Map<string, InteropJson>();
    for (let i = 0; i < fields.length; i += 2) items.set(fields[i]!, JSON.parse(fields[i + 1]!) as InteropJson);
    return items;
  },

  hasInitMarker: async (prefix) => ok(await server.command('EXISTS', `${prefix}:$inited`)) === 1,
});
