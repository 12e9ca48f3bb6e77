/**
 * The 400 KB guard, counted the way DynamoDB counts (UTF-8 bytes of names and values), against dynalite,
 * which counts UTF-16 code units: where the two disagree (multibyte text) dynalite would accept an item
 * that DynamoDB refuses, so these tests check the guard's own decision, the rows the table holds, the log
 * line and what a real client evaluates.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type FakeItem, startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { type SerializedItem } from '@switchyard/core';
import { init } from '@switchyard/node-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DYNAMODB_MAX_ITEM_BYTES, DynamoDbPersistentStore, dynamoDbItemSize, dynamoDbStore } from '../src/index.js';
import { type TestTable, startTestTable } from './support.js';

const features = { namespace: 'features' };
const segments = { namespace: 'segments' };
const LIMIT = DYNAMODB_MAX_ITEM_BYTES;

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table?.stop();
});
beforeEach(async () => {
  await table.clearPrefix('guard');
});

/** A logger that keeps error lines. */
function recordingLogger() {
  const errors: string[] = [];
  return { errors, logger: { error: (m: string) => errors.push(m), warn: () => undefined, info: () => undefined, debug: () => undefined } };
}

/** The row the store writes for an item: its size is what DynamoDB compares with 400 KB. */
function rowSize(key: string, json: string, version = 1, namespace = 'guard:features'): number {
  return dynamoDbItemSize({ namespace, key, version, item: json });
}

/**
 * A flag JSON whose row is exactly `bytes` bytes as DynamoDB counts them, padded with `unit` (a
 * 1-, 2-, 3- or 4-byte character) in a variation, plus ASCII to land on the exact byte.
 */
function flagOfSize(key: string, bytes: number, unit: string, version = 1): string {
  const shell = (pad: string) => JSON.stringify({ key, version, on: true, variations: [pad, 'b'], fallthrough: { variation: 0 }, offVariation: 1, salt: 's' });
  const base = rowSize(key, shell(''), version);
  const unitBytes = Buffer.byteLength(unit);
  const units = Math.floor((bytes - base) / unitBytes);
  const json = shell(unit.repeat(units) + 'x'.repeat(bytes - base - units * unitBytes));
  expect(rowSize(key, json, version)).toBe(bytes);
  return json;
}

const item = (json: string, version = 1): SerializedItem => ({ version, serializedItem: json });
const smallFlag = (key: string, version = 1) => JSON.stringify({ key, version, on: false, variations: ['a', 'b'], offVariation: 0, fallthrough: { variation: 0 }, salt: 's' });

function store(logger?: ReturnType<typeof recordingLogger>['logger']) {
  return new DynamoDbPersistentStore({ tableName: table.tableName, clientOptions: table.clientOptions, prefix: 'guard' }, logger);
}

describe('the size DynamoDB counts', () => {
  it('is UTF-8 bytes of attribute names and values, never UTF-16 length', () => {
    expect(dynamoDbItemSize({ k: 'é' })).toBe(1 + 2);
    expect(dynamoDbItemSize({ k: '€' })).toBe(1 + 3);
    expect(dynamoDbItemSize({ k: '🚀' })).toBe(1 + 4);
    expect('🚀'.length).toBe(2);
    expect(dynamoDbItemSize({ namespace: 'features', key: 'f', version: 12, item: '{}' })).toBe(9 + 8 + 3 + 1 + 7 + 2 + 4 + 2);
  });

  it('shows where dynalite and DynamoDB disagree: dynalite stores a multibyte item that is over 400 KB in UTF-8', async () => {
    const json = flagOfSize('too-big-for-dynamodb', LIMIT + 3, '€');
    expect(json.length).toBeLessThan(LIMIT / 2);
    // Written around the store: dynalite accepts it, real DynamoDB would refuse it.
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { namespace: 'guard:features', key: 'too-big-for-dynamodb', version: 1, item: json } }));
    expect(await table.get('guard:features', 'too-big-for-dynamodb')).toBeDefined();
  });
});

describe.each([
  ['ASCII', 'a'],
  ['2-byte text (é)', 'é'],
  ['3-byte text (€)', '€'],
  ['4-byte text (🚀)', '🚀'],
])('an item of %s', (_label, unit) => {
  it('is written at exactly 400 KB as DynamoDB counts it', async () => {
    const { errors, logger } = recordingLogger();
    const s = store(logger);
    await s.init([{ kind: features, items: [{ key: 'at-limit', item: item(flagOfSize('at-limit', LIMIT, unit)) }] }]);
    expect(await table.get('guard:features', 'at-limit')).toMatchObject({ key: 'at-limit', version: 1 });
    expect(errors).toEqual([]);
    await s.close();
  });

  it('is dropped one byte over, alone, with the line LaunchDarkly users search for, and init still completes', async () => {
    const { errors, logger } = recordingLogger();
    const s = store(logger);
    await s.init([{ kind: features, items: [{ key: 'over-limit', item: item(flagOfSize('over-limit', LIMIT + 1, unit)) }] }]);
    expect(await table.get('guard:features', 'over-limit')).toBeUndefined();
    expect(await s.isInitialized()).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('The item "over-limit" in "guard:features" was too large to store in DynamoDB and was dropped');
    expect(errors[0]).toContain(`${LIMIT + 1} bytes`);
    await s.close();
  });
});

describe('among other items', () => {
  it('drops only the oversized item of a 100-item init; the 99 others (and every segment) are written', async () => {
    const { errors, logger } = recordingLogger();
    const s = store(logger);
    const flags = Array.from({ length: 100 }, (_, i) =>
      i === 42 ? { key: 'flag-42', item: item(flagOfSize('flag-42', LIMIT + 2, '旗')) } : { key: `flag-${i}`, item: item(smallFlag(`flag-${i}`)) },
    );
    await s.init([
      { kind: segments, items: [{ key: 'seg', item: item('{"key":"seg","version":1}') }] },
      { kind: features, items: flags },
    ]);
    const stored = await table.rows('guard:features');
    expect(stored.map((r) => r.key).sort()).toEqual(flags.map((f) => f.key).filter((k) => k !== 'flag-42').sort());
    expect(await table.get('guard:segments', 'seg')).toBeDefined();
    expect(errors.filter((e) => e.includes('"flag-42"'))).toHaveLength(1);
    await s.close();
  });

  it('keeps an older copy of an item whose new version is too large (init and upsert)', async () => {
    const s = store(recordingLogger().logger);
    await s.init([{ kind: features, items: [{ key: 'grows', item: item(smallFlag('grows', 1)) }, { key: 'other', item: item(smallFlag('other', 1)) }] }]);
    await s.init([{ kind: features, items: [{ key: 'grows', item: item(flagOfSize('grows', LIMIT + 1, 'ü', 2), 2) }] }]);
    expect(await table.get('guard:features', 'grows')).toMatchObject({ version: 1 });
    expect(await table.get('guard:features', 'other')).toBeUndefined();

    const result = await s.upsert(features, 'grows', item(flagOfSize('grows', LIMIT + 1, '🚀', 3), 3));
    expect(result.updated).toBe(false);
    expect(await table.get('guard:features', 'grows')).toMatchObject({ version: 1 });
    expect((await s.upsert(features, 'grows', item(smallFlag('grows', 4), 4))).updated).toBe(true);
    await s.close();
  });

  it('drops an oversized upsert with the log line and writes the next one', async () => {
    const { errors, logger } = recordingLogger();
    const s = store(logger);
    await s.init([{ kind: features, items: [] }]);
    expect((await s.upsert(features, 'big', item(flagOfSize('big', LIMIT + 1, 'a')))).updated).toBe(false);
    expect(errors[0]).toContain('The item "big" in "guard:features" was too large to store in DynamoDB and was dropped');
    expect((await s.upsert(features, 'big', item(flagOfSize('big', LIMIT, 'a', 2), 2))).updated).toBe(true);
    expect(await table.get('guard:features', 'big')).toMatchObject({ version: 2 });
    await s.close();
  });

  it('skips a key longer than DynamoDB’s 1024-byte sort key instead of failing the whole batch', async () => {
    const { errors, logger } = recordingLogger();
    const s = store(logger);
    const longKey = 'k'.repeat(1025);
    await s.init([{ kind: features, items: [{ key: longKey, item: item(smallFlag(longKey)) }, { key: 'fine', item: item(smallFlag('fine')) }] }]);
    expect(await table.get('guard:features', 'fine')).toBeDefined();
    expect(errors.join('\n')).toMatch(/sort keys must be 1 to 1024 bytes \(this one is 1025\)/);
    await s.close();
  });
});

describe('through a client (node-server, stream, caching wrapper)', () => {
  it('evaluates the 100 good flags, answers FLAG_NOT_FOUND for the oversized one, logs its key, and keeps serving updates', async () => {
    const flags: Record<string, FakeItem> = {};
    for (let i = 0; i < 100; i++) flags[`f${i}`] = { key: `f${i}`, version: 1, on: true, variations: ['off', `v${i}`], offVariation: 0, fallthrough: { variation: 1 }, salt: 's' };
    // Multibyte: dynalite would store it; DynamoDB would refuse it (and with it LaunchDarkly's whole batch).
    flags.huge = { key: 'huge', version: 1, on: true, variations: ['€'.repeat(140_000), 'x'], offVariation: 1, fallthrough: { variation: 0 }, salt: 's' };
    const fake = await startFakeLaunchDarkly({ data: { flags, segments: {} } });
    const { errors, logger } = recordingLogger();
    const client = init('sdk-key', {
      baseUri: fake.url,
      streamUri: fake.url,
      eventsUri: fake.url,
      sendEvents: false,
      logger,
      featureStore: dynamoDbStore({ tableName: table.tableName, clientOptions: table.clientOptions, prefix: 'guard', cacheTtlMs: 0 }),
    });
    try {
      await client.waitForInitialization({ timeout: 10 });
      const user = { kind: 'user', key: 'u' };
      const values = await Promise.all(Array.from({ length: 100 }, (_, i) => client.variation(`f${i}`, user, 'default')));
      expect(values).toEqual(Array.from({ length: 100 }, (_, i) => `v${i}`));
      expect(await client.variationDetail('huge', user, 'default')).toMatchObject({ value: 'default', reason: { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' } });
      expect(await table.get('guard:features', 'huge')).toBeUndefined();
      expect((await table.rows('guard:features')).length).toBe(100);
      expect(errors.filter((e) => e.includes('The item "huge" in "guard:features" was too large to store in DynamoDB and was dropped'))).toHaveLength(1);
      expect(client.dataStoreStatusProvider.getStatus().available).toBe(true);

      fake.stream.patch('flags', { ...flags.f7!, version: 2, variations: ['off', 'patched'] });
      await expect.poll(() => client.variation('f7', user, 'default'), { timeout: 5_000 }).toBe('patched');
    } finally {
      await client.close();
      await fake.close();
    }
  });
});
