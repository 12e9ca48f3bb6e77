/**
 * Throttled writes: DynamoDB answers a `BatchWriteItem` under load with `UnprocessedItems` (some requests
 * not done) or `ProvisionedThroughputExceededException` (none done). dynalite never throttles, so a
 * middleware on the client does it for a while, and records what reached dynalite, in order.
 */
import { type BatchWriteItemCommandOutput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StoreError } from '@switchyard/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DynamoDbPersistentStore } from '../src/index.js';
import { type TestTable, clientOptionsFor, startTestTable } from './support.js';

const features = { namespace: 'features' };
const segments = { namespace: 'segments' };

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table?.stop();
});
beforeEach(async () => {
  await table.clearPrefix('thr');
});

/** A string attribute, whether the middleware sees lib-dynamodb's plain values or marshalled `{ S }`. */
function text(value: unknown): string {
  return typeof value === 'object' && value !== null && 'S' in value ? String((value as { S: unknown }).S) : String(value);
}

type Request = { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } };

interface Throttle {
  /** What reached dynalite, in order: `put <namespace>/<key>`, `delete …`, `marker`. */
  readonly log: string[];
  /** Throttling answers given. */
  readonly throttled: { errors: number; unprocessed: number };
  /** Throttle until this many throttling answers were given (Infinity: forever). */
  budget: number;
}

/**
 * A client whose BatchWriteItem calls are throttled until `budget` answers were given: every third call
 * fails whole with ProvisionedThroughputExceededException, the others write only their first half and
 * return the rest as UnprocessedItems.
 */
function throttlingClient(budget: number): { client: DynamoDBClient; throttle: Throttle } {
  const client = new DynamoDBClient(clientOptionsFor(table.server));
  const throttle: Throttle = { log: [], throttled: { errors: 0, unprocessed: 0 }, budget };
  let calls = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { RequestItems?: Record<string, Request[]>; Item?: Record<string, unknown> };
      if (context.commandName === 'PutItemCommand' && input.Item && text(input.Item.namespace) === 'thr:$inited') throttle.log.push('marker');
      if (context.commandName !== 'BatchWriteItemCommand' || !input.RequestItems) return next(args);
      const [[tableName, requests]] = Object.entries(input.RequestItems) as [[string, Request[]]];
      const describe = (r: Request) =>
        r.PutRequest ? `put ${text(r.PutRequest.Item.namespace)}/${text(r.PutRequest.Item.key)}` : `delete ${text(r.DeleteRequest!.Key.namespace)}/${text(r.DeleteRequest!.Key.key)}`;
      const throttling = throttle.throttled.errors + throttle.throttled.unprocessed < throttle.budget;
      calls++;
      if (throttling && calls % 3 === 0) {
        throttle.throttled.errors++;
        throw Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded.'), {
          name: 'ProvisionedThroughputExceededException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      const sent = throttling && requests.length > 1 ? requests.slice(0, Math.ceil(requests.length / 2)) : requests;
      const held = requests.slice(sent.length);
      const result = await next({ ...args, input: { ...input, RequestItems: { [tableName]: sent } } });
      throttle.log.push(...sent.map(describe));
      if (held.length === 0) return result;
      throttle.throttled.unprocessed++;
      const output = result.output as BatchWriteItemCommandOutput;
      const unprocessed = [...((output.UnprocessedItems?.[tableName] as Request[] | undefined) ?? []), ...held];
      return { ...result, output: { ...output, UnprocessedItems: { [tableName]: unprocessed as NonNullable<BatchWriteItemCommandOutput['UnprocessedItems']>[string] } } };
    },
    { step: 'initialize', name: 'switchyardTestThrottle' },
  );
  return { client, throttle };
}

const flagJson = (key: string, version = 1) => JSON.stringify({ key, version, on: false, variations: [1, 2], offVariation: 0, salt: 's' });
const flagItems = (n: number, version = 1) => Array.from({ length: n }, (_, i) => ({ key: `flag-${i}`, item: { version, serializedItem: flagJson(`flag-${i}`, version) } }));

describe('init under throttling', () => {
  it('writes every item eventually, deletes the stale ones, and writes $inited only after all of them', async () => {
    const { client, throttle } = throttlingClient(30);
    const store = new DynamoDbPersistentStore({ tableName: table.tableName, prefix: 'thr', client });
    // Stale items from an earlier data set: they must go, after the new ones are in.
    await table.put({ namespace: 'thr:features', key: 'old-1', version: 1, item: flagJson('old-1') });
    await table.put({ namespace: 'thr:features', key: 'old-2', version: 1, item: flagJson('old-2') });

    await store.init([
      { kind: segments, items: [{ key: 'seg', item: { version: 1, serializedItem: '{"key":"seg","version":1}' } }] },
      { kind: features, items: flagItems(300) },
    ]);

    expect(throttle.throttled.errors).toBeGreaterThan(0);
    expect(throttle.throttled.unprocessed).toBeGreaterThan(0);
    const stored = await table.rows('thr:features');
    expect(stored.map((r) => r.key).sort()).toEqual(flagItems(300).map((f) => f.key).sort());
    expect(await table.get('thr:segments', 'seg')).toBeDefined();
    expect(await store.isInitialized()).toBe(true);

    // Every put reached dynalite once, then the deletes, and the marker last.
    const puts = throttle.log.filter((l) => l.startsWith('put '));
    expect(new Set(puts).size).toBe(301);
    expect(puts).toHaveLength(301);
    const lastPut = throttle.log.findLastIndex((l) => l.startsWith('put '));
    const deletes = throttle.log.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('delete '));
    expect(deletes.map(([l]) => l).sort()).toEqual(['delete thr:features/old-1', 'delete thr:features/old-2']);
    expect(deletes.every(([, i]) => i > lastPut)).toBe(true);
    expect(throttle.log.at(-1)).toBe('marker');
    expect(throttle.log.filter((l) => l === 'marker')).toHaveLength(1);
    await store.close();
    client.destroy();
  });

  it('gives up at writeDeadlineMs with a StoreError that counts the items not written, and writes no $inited', async () => {
    const { client, throttle } = throttlingClient(Infinity);
    const store = new DynamoDbPersistentStore({ tableName: table.tableName, prefix: 'thr', client, writeDeadlineMs: 1_500 });
    const error: unknown = await store.init([{ kind: features, items: flagItems(100) }]).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(StoreError.isInstance(error)).toBe(true);
    const match = /(\d+) of 100 items were not written: DynamoDB was still throttling after writeDeadlineMs \(1500 ms\)/.exec((error as Error).message);
    expect(match).not.toBeNull();
    const written = (await table.rows('thr:features')).length;
    expect(Number(match![1])).toBe(100 - written);
    expect(written).toBeLessThan(100);
    expect(throttle.log).not.toContain('marker');
    expect(await store.isInitialized()).toBe(false);
    await store.close();
    client.destroy();
  });
});
