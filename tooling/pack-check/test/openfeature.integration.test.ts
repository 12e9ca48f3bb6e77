import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { installedPackages, installIntoEmptyProject, packPackage, runNode } from '../src/pack.js';

/**
 * What a user gets from `npm install @switchyard/node-server @switchyard/openfeature
 * @openfeature/server-sdk`: the tarballs as they would be published, installed with npm into an empty
 * project. core is packed too because it is not on the registry yet. The provider must bring nothing
 * of ours beyond core and node-server (no store, no otel), and nothing of LaunchDarkly's.
 */
describe('packed node-server + openfeature installed with npm', () => {
  let work: string;
  let project: string;
  let installed: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'switchyard-tarballs-'));
    const tarballs = await Promise.all(['packages/core', 'packages/node-server', 'packages/openfeature'].map((dir) => packPackage(dir, work)));
    project = await installIntoEmptyProject([...tarballs, '@openfeature/server-sdk@^1.16.0']);
    installed = installedPackages(project);
  }, 240_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  });

  it('installs the three packages and OpenFeature’s server SDK (with its core)', () => {
    expect(installed).toEqual(expect.arrayContaining(['@switchyard/core', '@switchyard/node-server', '@switchyard/openfeature', '@openfeature/server-sdk', '@openfeature/core']));
  });

  it('installs nothing else of ours: no store, no otel', () => {
    expect(installed.filter((name) => name.startsWith('@switchyard/'))).toEqual(['@switchyard/core', '@switchyard/node-server', '@switchyard/openfeature']);
  });

  it('installs no database client, no LaunchDarkly package, no OpenTelemetry and no test or build tooling', () => {
    expect(installed.filter((name) => name === 'ioredis' || name === 'undici' || name.startsWith('@aws-sdk/') || /consul/i.test(name))).toEqual([]);
    expect(installed.filter((name) => name.startsWith('@launchdarkly/') || name.startsWith('launchdarkly'))).toEqual([]);
    expect(installed.filter((name) => name.startsWith('@opentelemetry/') || name.startsWith('@cucumber/'))).toEqual([]);
    expect(installed.filter((name) => /^(vitest|vite|tsup|typescript|esbuild|dynalite)$/.test(name))).toEqual([]);
  });

  // A provider on a client fed by TestData, through OpenFeature: a targeted flag, a missing flag, metadata.
  const exercise = (imports: string) => `${imports}
const td = new TestData();
td.update(td.flag('new-checkout').variationForContext('user', 'alice', true).fallthroughVariation(false)).then(async () => {
  const client = init('sdk-key', { updateProcessor: td.getFactory(), sendEvents: false });
  await OpenFeature.setProviderAndWait(new SwitchyardProvider(client, { standardReasons: true }));
  const flags = OpenFeature.getClient();
  const alice = await flags.getBooleanDetails('new-checkout', false, { targetingKey: 'alice' });
  const bob = await flags.getBooleanValue('new-checkout', true, { targetingKey: 'bob' });
  const missing = await flags.getStringDetails('missing', 'fallback', { targetingKey: 'bob' });
  await OpenFeature.close();
  await client.close();
  console.log(JSON.stringify({ alice: [alice.value, alice.variant, alice.reason, alice.flagMetadata.flagVersion, alice.flagMetadata.contextId], bob, missing: [missing.value, missing.errorCode], name: PROVIDER_NAME }));
});`;
  const expected = { alice: [true, '0', 'TARGETING_MATCH', 1, 'alice'], bob: false, missing: ['fallback', 'FLAG_NOT_FOUND'], name: 'switchyard-node-provider' };

  it('loads and evaluates a TestData flag with import (ESM)', async () => {
    const out = await runNode(
      project,
      'check.mjs',
      exercise(`import { OpenFeature } from '@openfeature/server-sdk';
import { TestData, init } from '@switchyard/node-server';
import { SwitchyardProvider, PROVIDER_NAME } from '@switchyard/openfeature';`),
    );
    expect(JSON.parse(out)).toEqual(expected);
  });

  it('loads and evaluates a TestData flag with require (CommonJS), with named exports only', async () => {
    const out = await runNode(
      project,
      'check.cjs',
      exercise(`const { OpenFeature } = require('@openfeature/server-sdk');
const { TestData, init } = require('@switchyard/node-server');
const openfeature = require('@switchyard/openfeature');
if (openfeature.default !== undefined) throw new Error('a default export');
const { SwitchyardProvider, PROVIDER_NAME } = openfeature;`),
    );
    expect(JSON.parse(out)).toEqual(expected);
  });

  it('publishes peer ranges and no dependencies', async () => {
    const out = await runNode(project, 'manifest.cjs', `console.log(JSON.stringify(require('@switchyard/openfeature/package.json')));`);
    expect(out).not.toMatch(/workspace:|catalog:/);
    const manifest = JSON.parse(out) as { dependencies?: Record<string, string>; peerDependencies: Record<string, string> };
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies['@openfeature/server-sdk']).toBe('^1.16.0');
    expect(manifest.peerDependencies['@switchyard/node-server']).toMatch(/^>=\d+\.\d+\.\d+ <\d+\.\d+\.\d+$/);
  });
});
