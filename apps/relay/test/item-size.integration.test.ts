// Behaviour 5 (LaunchDarkly's "DynamoDB storage limitation"), on DynamoDB (dynalite): an item over the
// store's size limit is logged as "too large to store … and was dropped"; proxy-mode SDKs still receive
// it (the relay holds it in memory), daemon-mode readers of the table do not. Items that fit keep the
// cache-TTL behaviour (read from the table once the TTL expired).
import { afterEach, describe, expect, it } from 'vitest';

import { DataKinds, type DataStoreOperationInfo } from '@switchyard/core';
import { startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { init } from '@switchyard/node-server';
import { DynamoDbPersistentStore, createDynamoDbTable, dynamoDbStore } from '@switchyard/store-dynamodb';
import { startDynalite } from '@switchyard/test-services';

import { SDK_KEY, USER, closeAll, flag, later, proxySdk, quiet, sleep, startTestRelay, until } from './helpers.js';

afterEach(closeAll);

describe('an item too large for the store', () => {
  it('is logged and dropped from DynamoDB, still served to proxy-mode SDKs, invisible to daemon-mode readers', async () => {
    const TTL = 1000;
    const dynalite = later(await startDynalite(), (d) => d.stop());
    const clientOptions = { endpoint: dynalite.endpoint, region: dynalite.region, credentials: dynalite.credentials };
    await createDynamoDbTable('relay-flags', { clientOptions });
    const huge = 'x'.repeat(410_000); // over DynamoDB's 400 KB item limit
    const fake = later(await startFakeLaunchDarkly({ data: { flags: { small: flag('small', 'fits'), big: flag('big', huge) }, segments: {} } }), (f) => f.close());
    const { relay, log } = await startTestRelay(
      fake.url,
      { type: 'dynamodb', tableName: 'relay-flags', endpoint: dynalite.endpoint, clientOptions: { region: dynalite.region, credentials: dynalite.credentials } },
      { cacheTtlMs: TTL },
    );
    await until(() => relay.status().environments.test!.serving === 'upstream', 'the relay to be connected upstream');
    expect(log.has(/The item "big" in "features" was too large to store in DynamoDB and was dropped/)).toBe(true);
    expect(relay.client.dataStoreStatusProvider.getMetrics().oversizedItemsDropped).toBe(1);

    const proxy = proxySdk(relay);
    await proxy.waitForInitialization({ timeout: 5 });
    expect(await proxy.variation('big', USER, 'default')).toBe(huge);
    expect(await proxy.variation('small', USER, 'default')).toBe('fits');

    const daemon = later(init(SDK_KEY, { useLdd: true, featureStore: dynamoDbStore({ tableName: 'relay-flags', clientOptions, cacheTtlMs: 0 }), logger: quiet, sendEvents: false }), (c) =>
      c.close(),
    );
    await daemon.waitForInitialization({ timeout: 5 });
    expect(await daemon.variation('small', USER, 'default')).toBe('fits');
    expect((await daemon.variationDetail('big', USER, 'default')).reason).toMatchObject({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' });

    // An oversized update is dropped from the table too, and still reaches connected SDKs.
    const huger = 'y'.repeat(420_000);
    fake.stream.patch('flags', flag('big', huger, 2));
    await until(async () => (await proxy.variation('big', USER, 'default')) === huger, 'the oversized update to reach the SDK');
    expect(relay.client.dataStoreStatusProvider.getMetrics().oversizedItemsDropped).toBe(2);

    // After the TTL, a new SDK makes the relay read the table (behaviour 1 still holds for stored items)
    // and still gets the oversized flag from the relay's memory.
    const reads: DataStoreOperationInfo[] = [];
    relay.client.dataStoreStatusProvider.onOperation!((op) => {
      if (op.operation === 'getAll') reads.push(op);
    });
    await dynaliteWrite(clientOptions, 'small', flag('small', 'edited-in-table', 5));
    await sleep(TTL + 200);
    const late = proxySdk(relay);
    await late.waitForInitialization({ timeout: 5 });
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(await late.variation('small', USER, 'default')).toBe('edited-in-table');
    expect(await late.variation('big', USER, 'default')).toBe(huger);
    expect(await daemon.variation('big', USER, 'default')).toBe('default');
  });
});

/** Writes one flag into the table the way LaunchDarkly's layout has it (namespace, key, version, item). */
async function dynaliteWrite(clientOptions: Record<string, unknown>, key: string, item: Record<string, unknown>): Promise<void> {
  const store = new DynamoDbPersistentStore({ tableName: 'relay-flags', clientOptions });
  try {
    await store.upsert(DataKinds.features, key, { version: item.version as number, serializedItem: JSON.stringify(item) });
  } finally {
    await store.close();
  }
}
