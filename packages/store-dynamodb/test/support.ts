import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type DynaliteOptions, type DynaliteServer, freePort, startDynalite } from '@switchyard/test-services';

import { createDynamoDbTable } from '../src/index.js';

/** A row of the table, as lib-dynamodb returns it. */
export type Row = Record<string, unknown>;

/** dynalite with one table in the stores' layout, and a plain client to look at it from outside the store. */
export interface TestTable {
  readonly server: DynaliteServer;
  readonly tableName: string;
  /** Options that reach this dynalite (endpoint, region, dummy credentials). */
  readonly clientOptions: DynamoDBClientConfig;
  readonly doc: DynamoDBDocumentClient;
  /** Every row, or those whose namespace is one of `namespaces`. */
  rows(...namespaces: string[]): Promise<Row[]>;
  get(namespace: string, key: string): Promise<Row | undefined>;
  put(row: Row): Promise<void>;
  /** Deletes every row of `prefix` (rows with `<prefix>:` namespaces; without a prefix, those with no colon). */
  clearPrefix(prefix: string | undefined): Promise<void>;
  stop(): Promise<void>;
}

/** Options that reach `endpoint` with dynalite's dummy credentials, failing fast. */
export function clientOptionsFor(server: Pick<DynaliteServer, 'endpoint' | 'region' | 'credentials'>, endpoint = server.endpoint): DynamoDBClientConfig {
  return { endpoint, region: server.region, credentials: server.credentials, maxAttempts: 2 };
}

export async function startTestTable(tableName = 'switchyard-test', options: DynaliteOptions = {}): Promise<TestTable> {
  const server = await startDynalite(options);
  const clientOptions = clientOptionsFor(server);
  const raw = new DynamoDBClient(clientOptions);
  const doc = DynamoDBDocumentClient.from(raw);
  await createDynamoDbTable(tableName, { client: raw });
  const rows = async (...namespaces: string[]): Promise<Row[]> => {
    const out: Row[] = [];
    let start: Row | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
      out.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return namespaces.length === 0 ? out : out.filter((row) => namespaces.includes(String(row.namespace)));
  };
  return {
    server,
    tableName,
    clientOptions,
    doc,
    rows,
    get: async (namespace, key) => (await doc.send(new GetCommand({ TableName: tableName, Key: { namespace, key }, ConsistentRead: true }))).Item,
    put: async (row) => {
      await doc.send(new PutCommand({ TableName: tableName, Item: row }));
    },
    async clearPrefix(prefix) {
      const mine = (namespace: string) => (prefix ? namespace.startsWith(`${prefix}:`) : !namespace.includes(':'));
      const keys = (await rows()).filter((row) => mine(String(row.namespace))).map((row) => ({ namespace: row.namespace, key: row.key }));
      for (let i = 0; i < keys.length; i += 25) {
        const batch = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
        await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
      }
    },
    async stop() {
      raw.destroy();
      await server.stop();
    },
  };
}

/** Client options for a loopback port where nothing listens: every call fails at once. */
export async function unreachableClientOptions(server: Pick<DynaliteServer, 'region' | 'credentials'>): Promise<DynamoDBClientConfig> {
  const port = await freePort();
  return { endpoint: `http://127.0.0.1:${port}`, region: server.region, credentials: server.credentials, maxAttempts: 1 };
}
