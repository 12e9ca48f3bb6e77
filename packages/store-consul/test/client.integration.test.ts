/**
 * node-server with `consulStore`, its data from the fake flag service's stream, against the emulator:
 * correct answers end to end, and answers from the cache while Consul is stopped and after it restarts.
 */
import { type ConsulEmulator, startConsulEmulator } from '@switchyard/consul-kv-emulator';
import { type FakeItem, type FakeLaunchDarkly, startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { init, type LDClient } from '@switchyard/node-server';
import { waitUntil } from '@switchyard/test-services';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { consulStore } from '../src/index.js';

const TOKEN = 'e2e-t0ken-5555-4555-8555-secret';
const FLAGS = 30;
const user = { kind: 'user', key: 'user-1', plan: 'gold' };
const member = { kind: 'user', key: 'user-99' };

function flag(i: number, version = 1, value = `v${i}`) {
  return {
    key: `flag-${i}`,
    version,
    on: true,
    salt: `s${i}`,
    variations: ['off', value, 'gold'],
    offVariation: 0,
    prerequisites: i > 0 ? [{ key: 'flag-0', variation: 1 }] : [],
    rules: [{ id: 'gold', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['gold'] }], variation: 2 }],
    fallthrough: { variation: 1 },
  };
}
const gold = { key: 'gold', version: 1, included: ['user-99'], rules: [] };

let consul: ConsulEmulator;
let fake: FakeLaunchDarkly;
const lines: string[] = [];
const logger = { error: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), info: (m: string) => lines.push(m), debug: (m: string) => lines.push(m) };
let client: LDClient | undefined;

beforeEach(async () => {
  const flags: Record<string, FakeItem> = {};
  for (let i = 0; i < FLAGS; i++) flags[`flag-${i}`] = flag(i);
  [consul, fake] = await Promise.all([startConsulEmulator({ aclToken: TOKEN }), startFakeLaunchDarkly({ data: { flags, segments: { gold } } })]);
  lines.length = 0;
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  await Promise.all([fake?.close(), consul?.stop()]);
});

async function start(cacheTtlMs: number): Promise<LDClient> {
  client = init('sdk-key', {
    baseUri: fake.url,
    streamUri: fake.url,
    eventsUri: fake.url,
    sendEvents: false,
    logger,
    featureStore: consulStore({ url: consul.url, token: TOKEN, prefix: 'e2e', cacheTtlMs, pool: { maxConnections: 2, requestTimeoutMs: 10_000 } }),
  });
  await client.waitForInitialization({ timeout: 10 });
  return client;
}

const all = (c: LDClient) => Promise.all(Array.from({ length: FLAGS }, (_, i) => c.variation(`flag-${i}`, user, 'default')));
const expected = Array.from({ length: FLAGS }, (_, i) => `v${i}`);

describe('node-server with consulStore', () => {
  it('evaluates from Consul with no cache: prerequisites, segments, and stream updates', async () => {
    const c = await start(0);
    expect(await all(c)).toEqual(expected);
    expect(await c.variation('flag-0', member, 'default')).toBe('gold');
    // flag-0 serves gold to the member, not the variation flag-3 requires of it.
    expect(await c.variation('flag-3', member, 'default')).toBe('off');
    expect(consul.keys('e2e/features/')).toHaveLength(FLAGS);
    expect(consul.get('e2e/$inited')).toBeDefined();

    fake.stream.patch('flags', flag(5, 2, 'patched'));
    await waitUntil(async () => (await c.variation('flag-5', user, 'default')) === 'patched', { timeoutMs: 5_000, what: 'the patch to be served' });
    expect(JSON.parse(consul.get('e2e/features/flag-5')!.value.toString('utf8'))).toMatchObject({ version: 2 });
    // Turning the prerequisite off switches every dependant to its off variation.
    fake.stream.patch('flags', { ...flag(0, 2), on: false });
    await waitUntil(async () => (await c.variation('flag-1', user, 'default')) === 'off', { timeoutMs: 5_000, what: 'the prerequisite change' });
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('keeps serving from its cache while Consul is stopped, and catches up when it restarts (cacheTtlMs 60 s)', async () => {
    const c = await start(60_000);
    expect(await all(c)).toEqual(expected);
    await consul.stop();
    expect(await all(c)).toEqual(expected);
    expect(await c.variation('flag-0', member, 'default')).toBe('gold');
    // flag-0 serves gold to the member, not the variation flag-3 requires of it.
    expect(await c.variation('flag-3', member, 'default')).toBe('off');
    await consul.restart();
    expect(await all(c)).toEqual(expected);
    expect(c.dataStoreStatusProvider.getStatus().available).toBe(true);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('takes a patch while Consul is down and writes its cache back when Consul returns (cacheTtlMs -1)', async () => {
    const c = await start(-1);
    expect(await all(c)).toEqual(expected);
    await consul.kill();
    fake.stream.patch('flags', flag(7, 2, 'during-outage'));
    await waitUntil(async () => (await c.variation('flag-7', user, 'default')) === 'during-outage', { timeoutMs: 5_000, what: 'the patch to be served' });
    await waitUntil(async () => !c.dataStoreStatusProvider.getStatus().available, { timeoutMs: 10_000, what: 'the outage to be reported' });
    expect(await all(c)).toEqual(expected.map((v, i) => (i === 7 ? 'during-outage' : v)));

    await consul.restart({ wipe: true });
    await waitUntil(async () => c.dataStoreStatusProvider.getStatus().available, { timeoutMs: 10_000, what: 'the store to be available again' });
    await waitUntil(async () => consul.keys('e2e/features/').length === FLAGS, { timeoutMs: 10_000, what: 'the cache to be written back' });
    expect(JSON.parse(consul.get('e2e/features/flag-7')!.value.toString('utf8'))).toMatchObject({ version: 2, variations: ['off', 'during-outage', 'gold'] });
    expect(consul.get('e2e/$inited')).toBeDefined();
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});
