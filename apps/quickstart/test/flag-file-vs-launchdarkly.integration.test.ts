// flags.json is a LaunchDarkly flag file: LaunchDarkly's own file data source must load it and give the
// same answers as Switchyard's. LaunchDarkly's data source files a flag under its `key` field, not its
// map key: without `key`, a file with two flags fails there ("found duplicate key: undefined"), while
// Switchyard's takes the map key and loads it.
import { fileURLToPath } from 'node:url';

import * as launchdarkly from '@launchdarkly/node-server-sdk';
import * as switchyard from '@switchyard/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const flagFile = fileURLToPath(new URL('../flags.json', import.meta.url));

const contexts = {
  'a targeted user': { kind: 'user', key: 'alice', name: 'Alice' },
  'another user': { kind: 'user', key: 'bob', name: 'Bob' },
  'a legacy user object': { key: 'carol' },
  'a multi-kind context': { kind: 'multi', user: { key: 'carol' }, org: { key: 'acme' } },
  'an organization': { kind: 'org', key: 'acme' },
} as const;

let ld: launchdarkly.LDClient;
let sy: switchyard.LDClient;

beforeAll(async () => {
  ld = launchdarkly.init('sdk-key-not-needed-for-local-files', {
    updateProcessor: new launchdarkly.integrations.FileDataSourceFactory({ paths: [flagFile] }).getFactory(),
    sendEvents: false,
    diagnosticOptOut: true,
    logger: launchdarkly.basicLogger({ level: 'none' }),
  });
  sy = switchyard.init('sdk-key-not-needed-for-local-files', {
    updateProcessor: new switchyard.integrations.FileDataSourceFactory({ paths: [flagFile] }),
    sendEvents: false,
    logger: switchyard.basicLogger({ level: 'none' }),
  });
  await Promise.all([ld.waitForInitialization({ timeout: 10 }), sy.waitForInitialization({ timeout: 10 })]);
});

afterAll(async () => {
  ld?.close();
  await sy?.close();
});

describe('apps/quickstart/flags.json', () => {
  it('loads every flag in LaunchDarkly’s file data source', async () => {
    const state = await ld.allFlagsState(contexts['a targeted user']);
    expect(state.valid).toBe(true);
    expect(state.allValues()).toEqual({ 'new-checkout': true, 'maintenance-banner': '', theme: 'dark' });
  });

  it.each(Object.entries(contexts))('gives %s the same allFlagsState in both SDKs', async (_name, context) => {
    for (const options of [{}, { withReasons: true }, { clientSideOnly: true }]) {
      const [theirs, ours] = await Promise.all([ld.allFlagsState(context, options), sy.allFlagsState(context, options)]);
      expect(ours.toJSON(), JSON.stringify(options)).toEqual(theirs.toJSON());
    }
  });

  it.each(Object.entries(contexts))('gives %s the same variation, index and reason for every flag', async (_name, context) => {
    const keys = Object.keys((await ld.allFlagsState(context)).allValues());
    expect(keys.length).toBeGreaterThan(0);
    for (const key of [...keys, 'not-in-the-file']) {
      const [theirs, ours] = await Promise.all([ld.variationDetail(key, context, 'fallback'), sy.variationDetail(key, context, 'fallback')]);
      expect(ours, key).toEqual(theirs);
    }
  });
});
