/**
 * Interop both ways with LaunchDarkly's DynamoDB store (`launchdarkly-node-server-sdk-dynamodb` 4.0.0,
 * the one the npm registry serves), on one dynalite table: what their store writes, a Switchyard client
 * in daemon mode evaluates exactly as their daemon-mode client does, and the other way round. Readers run
 * with no cache, so their answers come from the table.
 *
 * Their store was written for their SDK 6, which predates contexts and hangs on a prerequisite cycle, so
 * it runs under their current SDK (9.x): their store's own reads and writes (query, get, batch write,
 * marshalling), behind their SDK's own `PersistentDataStoreWrapper`, joined by a few lines that turn its
 * parsed items into the JSON text that wrapper expects (`legacyCore`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  init as ldInit,
  integrations as ldIntegrations,
  type LDClient as TheirClient,
  type LDContext as TheirContext,
  type LDLogger,
  type LDOptions as TheirOptions,
  PersistentDataStoreWrapper,
} from '@launchdarkly/node-server-sdk';
import { init, TestData, type LDClient, type LDContext } from '@switchyard/node-server';
import { INTEROP_DEFAULT, type InteropJson, type InteropReading, evaluateInterop, initializeAndClose, loadInteropData, runInteropSuite } from '@switchyard/store-conformance';
import AWS from 'aws-sdk';
import { DynamoDBFeatureStore as TheirDynamoDBFeatureStore } from 'launchdarkly-node-server-sdk-dynamodb';
import { afterAll, beforeAll, expect } from 'vitest';

import { DynamoDBFeatureStore, dynamoDbStore } from '../src/index.js';
import { type Row, type TestTable, startTestTable } from './support.js';

const quiet: LDLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const common = { sendEvents: false, diagnosticOptOut: true, logger: quiet } as const;

let table: TestTable;

beforeAll(async () => {
  table = await startTestTable('interop-table');
});

afterAll(async () => {
  await table?.stop();
});

/** The callback interface of their legacy store (SDK 6's CachingStoreWrapper). */
interface LegacyStore {
  init(allData: Record<string, Record<string, InteropJson>>, cb: () => void): void;
  get(kind: { namespace: string }, key: string, cb: (item: InteropJson | null) => void): void;
  all(kind: { namespace: string }, cb: (items: Record<string, InteropJson> | null) => void): void;
  upsert(kind: { namespace: string }, item: InteropJson, cb: () => void): void;
  initialized(cb: (inited: boolean) => void): void;
  close(): void;
}

type Descriptor = { version: number; serializedItem?: string; deleted?: boolean };
const describeItem = (item: InteropJson): Descriptor => ({ version: item.version as number, serializedItem: JSON.stringify(item) });

/**
 * Their SDK 9's persistent-store interface over their legacy store: items in and out as JSON text
 * (the legacy store parses and stringifies them itself), nothing else changed.
 */
function legacyCore(store: LegacyStore) {
  return {
    init(allData: { key: { namespace: string }; item: { key: string; item: Descriptor }[] }[], callback: (err?: Error) => void) {
      const data: Record<string, Record<string, InteropJson>> = {};
      for (const { key: kind, item: items } of allData) {
        data[kind.namespace] = Object.fromEntries(items.map(({ key, item }) => [key, JSON.parse(item.serializedItem!) as InteropJson]));
      }
      store.init(data, () => callback());
    },
    get(kind: { namespace: string }, key: string, callback: (descriptor: Descriptor | undefined) => void) {
      store.get(kind, key, (item) => callback(item ? describeItem(item) : undefined));
    },
    getAll(kind: { namespace: string }, callback: (descriptors: { key: string; item: Descriptor }[] | undefined) => void) {
      store.all(kind, (items) => callback(items ? Object.entries(items).map(([key, item]) => ({ key, item: describeItem(item) })) : undefined));
    },
    upsert(kind: { namespace: string }, key: string, descriptor: Descriptor, callback: (err?: Error, updated?: Descriptor) => void) {
      store.upsert(kind, JSON.parse(descriptor.serializedItem!) as InteropJson, () => callback(undefined, descriptor));
    },
    initialized(callback: (result: boolean) => void) {
      store.initialized(callback);
    },
    close() {
      store.close();
    },
    getDescription: () => 'DynamoDB (legacy)',
  };
}

/** LaunchDarkly's store, on an aws-sdk v2 DocumentClient whose reads are counted. */
function theirStore(prefix: string, counter?: { reads: number }): NonNullable<TheirOptions['featureStore']> {
  const { endpoint, region, credentials } = table.server;
  const dynamoDBClient = new AWS.DynamoDB.DocumentClient({ endpoint, region, ...credentials });
  if (counter) {
    for (const method of ['get', 'query'] as const) {
      const original = dynamoDBClient[method].bind(dynamoDBClient) as (...args: unknown[]) => unknown;
      (dynamoDBClient as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        counter.reads++;
        return original(...args);
      };
    }
  }
  const factory = TheirDynamoDBFeatureStore(table.tableName, { dynamoDBClient, prefix, cacheTTL: 0 }) as unknown as (config: { logger: LDLogger }) => LegacyStore;
  return new PersistentDataStoreWrapper(legacyCore(factory({ logger: quiet })) as never, 0);
}

/** Our reader, on a borrowed client whose GetItem and Query calls are counted. */
async function evaluateWithOurs(prefix: string, sdkKey: string): Promise<InteropReading> {
  const counter = { reads: 0 };
  const dynamo = new DynamoDBClient(table.clientOptions);
  dynamo.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'GetItemCommand' || context.commandName === 'QueryCommand') counter.reads++;
      return next(args);
    },
    { step: 'initialize', name: 'countReads' },
  );
  // The LaunchDarkly-compatible factory, as a user switching imports would write it.
  const client: LDClient = init(sdkKey, { ...common, useLdd: true, featureStore: DynamoDBFeatureStore(table.tableName, { dynamoDBClient: dynamo, prefix, cacheTTL: 0 }) });
  try {
    await client.waitForInitialization({ timeout: 10 });
    const before = counter.reads;
    const rows = await evaluateInterop((key, context) => client.variationDetail(key, context as LDContext, INTEROP_DEFAULT));
    return { rows, reads: counter.reads - before };
  } finally {
    await client.close();
    dynamo.destroy();
  }
}

async function evaluateWithTheirs(prefix: string, sdkKey: string): Promise<InteropReading> {
  const counter = { reads: 0 };
  const client: TheirClient = ldInit(sdkKey, { ...common, useLdd: true, featureStore: theirStore(prefix, counter) });
  try {
    await client.waitForInitialization({ timeout: 10 });
    const before = counter.reads;
    const rows = await evaluateInterop((key, context) => client.variationDetail(key, context as TheirContext, INTEROP_DEFAULT));
    return { rows, reads: counter.reads - before };
  } finally {
    client.close();
  }
}

/** The rows of `<prefix>:<kind>`, by key. */
async function storedRows(prefix: string, kind: 'features' | 'segments'): Promise<Map<string, Row>> {
  return new Map((await table.rows(`${prefix}:${kind}`)).map((row) => [String(row.key), row]));
}

runInteropSuite({
  database: 'DynamoDB',
  theirPrefix: 'ld-wrote',
  // The layout's separator and DynamoDB expression characters.
  ourPrefix: 'sy:wrote#v1.interop',

  async writeWithTheirs(prefix) {
    const td = await loadInteropData(new ldIntegrations.TestData());
    await initializeAndClose(ldInit('sdk-interop-ld-writer', { ...common, updateProcessor: td.getFactory(), featureStore: theirStore(prefix) }));
  },

  async writeWithOurs(prefix) {
    const td = await loadInteropData(new TestData());
    await initializeAndClose(init('sdk-interop-sy-writer', { ...common, updateProcessor: td, featureStore: dynamoDbStore({ tableName: table.tableName, clientOptions: table.clientOptions, prefix }) }));
  },

  readWithOurs: evaluateWithOurs,
  readWithTheirs: evaluateWithTheirs,

  async storedItems(prefix, kind) {
    const rows = await storedRows(prefix, kind);
    return new Map([...rows].map(([key, row]) => [key, JSON.parse(String(row.item)) as InteropJson]));
  },

  hasInitMarker: async (prefix) => (await table.get(`${prefix}:$inited`, `${prefix}:$inited`)) !== undefined,

  // LaunchDarkly's rows carry the version twice: in the JSON and as the `version` number attribute.
  async checkLayout(prefix) {
    for (const kind of ['features', 'segments'] as const) {
      for (const [key, row] of await storedRows(prefix, kind)) {
        expect(row.version, `version attribute of ${key}`).toBe((JSON.parse(String(row.item)) as InteropJson).version);
      }
    }
  },
});
