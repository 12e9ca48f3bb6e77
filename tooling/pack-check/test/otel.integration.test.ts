import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { installedPackages, installIntoEmptyProject, packPackage, runNode } from '../src/pack.js';

/**
 * What a user gets from `npm install @switchyard/node-server @switchyard/otel @opentelemetry/api`: the
 * tarballs as they would be published, installed with npm into an empty project. core is packed too
 * because it is not on the registry yet. The OpenTelemetry API is the only OpenTelemetry package the
 * hook may bring: no SDK, no exporter, no context manager, and none of our stores.
 */
describe('packed node-server + otel installed with npm', () => {
  let work: string;
  let project: string;
  let installed: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'switchyard-tarballs-'));
    const tarballs = await Promise.all(['packages/core', 'packages/node-server', 'packages/otel'].map((dir) => packPackage(dir, work)));
    project = await installIntoEmptyProject([...tarballs, '@opentelemetry/api@^1.4.0']);
    installed = installedPackages(project);
  }, 240_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  });

  it('installs the three packages and the OpenTelemetry API', () => {
    expect(installed).toEqual(expect.arrayContaining(['@switchyard/core', '@switchyard/node-server', '@switchyard/otel', '@opentelemetry/api']));
  });

  it('installs no OpenTelemetry package other than the API', () => {
    expect(installed.filter((name) => name.startsWith('@opentelemetry/'))).toEqual(['@opentelemetry/api']);
  });

  it('installs none of our stores, no database client and no LaunchDarkly package', () => {
    expect(installed.filter((name) => name.startsWith('@switchyard/store-'))).toEqual([]);
    expect(installed.filter((name) => name === 'ioredis' || name === 'undici' || name.startsWith('@aws-sdk/') || /consul/i.test(name))).toEqual([]);
    expect(installed.filter((name) => name.startsWith('@launchdarkly/') || name.startsWith('launchdarkly'))).toEqual([]);
    expect(installed.filter((name) => /^(vitest|vite|tsup|typescript|esbuild)$/.test(name))).toEqual([]);
  });

  // With only the API (no SDK registered) everything is a no-op, and must not throw.
  const exercise = (imported: string) => `${imported}
const client = init('sdk-key', { offline: true, plugins: [new SwitchyardOtelPlugin({ spans: true })], hooks: [new TracingHook({ includeValue: true })] });
const registration = registerMetrics(client);
client.waitForInitialization({ timeout: 5 }).then(async () => {
  const value = await client.variation('any-flag', { kind: 'user', key: 'u' }, 'fallback');
  registration.shutdown();
  await client.close();
  console.log(JSON.stringify({ value, evaluations: SwitchyardMetricNames.evaluations, event: FEATURE_FLAG_EVALUATION_EVENT }));
});`;
  const expected = { value: 'fallback', evaluations: 'switchyard.flag.evaluations', event: 'feature_flag.evaluation' };

  it('loads and runs with import (ESM)', async () => {
    const out = await runNode(
      project,
      'check.mjs',
      exercise(`import { init } from '@switchyard/node-server';
import { SwitchyardOtelPlugin, TracingHook, registerMetrics, SwitchyardMetricNames, FEATURE_FLAG_EVALUATION_EVENT } from '@switchyard/otel';`),
    );
    expect(JSON.parse(out)).toEqual(expected);
  });

  it('loads and runs with require (CommonJS), with named exports only', async () => {
    const out = await runNode(
      project,
      'check.cjs',
      exercise(`const { init } = require('@switchyard/node-server');
const otel = require('@switchyard/otel');
if (otel.default !== undefined) throw new Error('a default export');
const { SwitchyardOtelPlugin, TracingHook, registerMetrics, SwitchyardMetricNames, FEATURE_FLAG_EVALUATION_EVENT } = otel;`),
    );
    expect(JSON.parse(out)).toEqual(expected);
  });

  it('publishes peer ranges and no dependencies', async () => {
    const out = await runNode(project, 'manifest.cjs', `console.log(JSON.stringify(require('@switchyard/otel/package.json')));`);
    expect(out).not.toMatch(/workspace:|catalog:/);
    const manifest = JSON.parse(out) as { dependencies?: Record<string, string>; peerDependencies: Record<string, string> };
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies['@opentelemetry/api']).toBe('^1.4.0');
    expect(manifest.peerDependencies['@switchyard/node-server']).toMatch(/^>=\d+\.\d+\.\d+ <\d+\.\d+\.\d+$/);
  });
});
