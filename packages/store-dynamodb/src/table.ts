import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

import { TimeoutError } from '@switchyard/core';
import { PREFIX, errorName } from './errors.js';

/** Options of {@link createDynamoDbTable}. */
export interface CreateDynamoDbTableOptions {
  /** A client to use (not destroyed). Otherwise one is made from `clientOptions` and destroyed afterwards. */
  readonly client?: DynamoDBClient;
  /** Passed to `new DynamoDBClient(…)` when no `client` is given. */
  readonly clientOptions?: DynamoDBClientConfig;
  /** How long to wait for the table to become ACTIVE, in milliseconds. Default 60000. */
  readonly timeoutMs?: number;
}

/**
 * Creates a table with the layout the stores use (partition key `namespace` (S), sort key `key` (S),
 * on-demand billing) and waits until it is ACTIVE. For local development and tests: production tables
 * belong in your infrastructure code, with the same key schema. Resolves `'exists'` if a table of that
 * name is already there (its schema is not changed). The stores themselves never create tables.
 *
 * @example
 * ```ts
 * await createDynamoDbTable('flags', { clientOptions: { endpoint: 'http://127.0.0.1:8000', region: 'us-east-1' } });
 * ```
 */
export async function createDynamoDbTable(tableName: string, options: CreateDynamoDbTableOptions = {}): Promise<'created' | 'exists'> {
  const client = options.client ?? new DynamoDBClient(options.clientOptions ?? {});
  try {
    let outcome: 'created' | 'exists' = 'created';
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          KeySchema: [
            { AttributeName: 'namespace', KeyType: 'HASH' },
            { AttributeName: 'key', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'namespace', AttributeType: 'S' },
            { AttributeName: 'key', AttributeType: 'S' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (err) {
      if (errorName(err) !== 'ResourceInUseException') throw err;
      outcome = 'exists';
    }
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') return outcome;
      if (Date.now() > deadline) throw new TimeoutError(`${PREFIX} table "${tableName}" is still ${Table?.TableStatus ?? 'unknown'} after ${options.timeoutMs ?? 60_000} ms`, options.timeoutMs ?? 60_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    if (!options.client) client.destroy();
  }
}
