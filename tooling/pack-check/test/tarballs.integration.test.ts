import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { installedPackages, installIntoEmptyProject, packPackage, runNode } from '../src/pack.js';

/**
 * What a user gets from `npm install @switchyard/node-server @switchyard/store-redis`: the tarballs as
 * they would be published, installed with npm into an empty project. core is packed too because it is
 * not on the registry yet; node-server depends on it.
 */
describe('packed node-server + store-redis installed with npm', () => {
  let work: string;
  let project: string;
  let installed: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'switchyard-tarballs-'));
    const tarballs = await Promise.all(['packages/core', 'packages/node-server', 'packages/store-redis'].map((dir) => packPackage(dir, work)));
    project = await installIntoEmptyProject(tarballs);
    installed = installedPackages(project);
  }, 240_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  });

  it('installs the three packages and ioredis', () => {
    expect(installed).toEqual(expect.arrayContaining(['@switchyard/core', '@switchyard/node-server', '@switchyard/store-redis', 'ioredis']));
  });

  it('installs no AWS SDK and no Consul client', () => {
    expect(installed.filter((name) => name.startsWith('@aws-sdk/') || name.startsWith('@smithy/'))).toEqual([]);
    expect(installed.filter((name) => /consul/i.test(name))).toEqual([]);
    expect(installed).not.toContain('@switchyard/store-dynamodb');
    expect(installed).not.toContain('@switchyard/store-consul');
  });

  it('installs no OpenFeature or OpenTelemetry package (the integrations are separate installs)', () => {
    expect(installed.filter((name) => /^@(openfeature|opentelemetry)\//.test(name) || name === '@switchyard/openfeature' || name === '@switchyard/otel')).toEqual([]);
  });

  it('installs no test or build tooling', () => {
    expect(installed.filter((name) => /^(vitest|vite|tsup|typescript|esbuild|dynalite)$/.test(name))).toEqual([]);
  });

  it('loads both packages with import (ESM)', async () => {
    const out = await runNode(
      project,
      'check.mjs',
      `import * as node from '@switchyard/node-server';
import * as redis from '@switchyard/store-redis';
console.log(JSON.stringify({ node: Object.keys(node).sort(), prefix: redis.redisStoreDefaults.prefix }));`,
    );
    const result = JSON.parse(out) as { node: string[]; prefix: string };
    expect(result.node).toEqual(expect.arrayContaining(['loadFlagFile', 'InMemoryDataStore']));
    expect(result.prefix).toBe('launchdarkly');
  });

  it('loads both packages with require (CommonJS)', async () => {
    const out = await runNode(
      project,
      'check.cjs',
      `const node = require('@switchyard/node-server');
const redis = require('@switchyard/store-redis');
console.log(JSON.stringify({ node: Object.keys(node).sort(), prefix: redis.redisStoreDefaults.prefix, init: typeof node.init, sameInit: node.default.init === node.init }));`,
    );
    const result = JSON.parse(out) as { node: string[]; prefix: string; init: string; sameInit: boolean };
    expect(result.node).toEqual(expect.arrayContaining(['loadFlagFile', 'InMemoryDataStore']));
    expect(result.prefix).toBe('launchdarkly');
    // Named exports at the top: CommonJS callers never have to reach for `.default`. `.default` is there too,
    // holding LaunchDarkly's default-export members, as `require('@launchdarkly/node-server-sdk')` has it.
    expect(result.init).toBe('function');
    expect(result.sameInit).toBe(true);
  });

  it('publishes real version ranges, never workspace: or catalog: specifiers', async () => {
    const out = await runNode(
      project,
      'manifests.cjs',
      `const names = ['@switchyard/core', '@switchyard/node-server', '@switchyard/store-redis'];
console.log(JSON.stringify(names.map((n) => require(n + '/package.json'))));`,
    );
    const text = out;
    expect(text).not.toMatch(/workspace:|catalog:/);
    const [, node, redis] = JSON.parse(out) as Record<string, Record<string, string>>[];
    expect(node!.dependencies!['@switchyard/core']).toMatch(/^\^\d+\.\d+\.\d+$/);
    expect(redis!.peerDependencies!['@switchyard/core']).toMatch(/^>=\d+\.\d+\.\d+ <\d+\.\d+\.\d+$/);
    expect(redis!.dependencies!.ioredis).toMatch(/^\^5\./);
  });
});

/**
 * The other two stores, installed the same way: each brings its own client and nothing of the others.
 */
describe.each([
  {
    store: 'store-dynamodb',
    brings: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@smithy/node-http-handler'],
    never: (name: string) => name === 'ioredis' || name === 'undici' || /consul/i.test(name),
    factory: 'dynamoDbStore',
    options: `{ tableName: 'flags', clientOptions: { region: 'us-east-1' } }`,
  },
  {
    store: 'store-consul',
    brings: ['undici'],
    never: (name: string) => name === 'ioredis' || name.startsWith('@aws-sdk/') || name.startsWith('@smithy/'),
    factory: 'consulStore',
    options: `{ url: 'http://127.0.0.1:8500' }`,
  },
])('packed node-server + $store installed with npm', ({ store, brings, never, factory, options }) => {
  let work: string;
  let project: string;
  let installed: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'switchyard-tarballs-'));
    const tarballs = await Promise.all(['packages/core', 'packages/node-server', `packages/${store}`].map((dir) => packPackage(dir, work)));
    project = await installIntoEmptyProject(tarballs);
    installed = installedPackages(project);
  }, 240_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  });

  it(`installs ${store} with its own client only`, () => {
    expect(installed).toEqual(expect.arrayContaining([`@switchyard/${store}`, ...brings]));
    expect(installed.filter(never)).toEqual([]);
    expect(installed.filter((name) => /^(vitest|vite|tsup|typescript|esbuild|dynalite|aws-sdk|launchdarkly-node-server-sdk.*)$/.test(name))).toEqual([]);
  });

  it('builds a store factory with import and with require', async () => {
    const esm = await runNode(project, 'check.mjs', `import { ${factory} } from '@switchyard/${store}';\nconsole.log(typeof ${factory}(${options}));`);
    const cjs = await runNode(project, 'check.cjs', `const { ${factory} } = require('@switchyard/${store}');\nconsole.log(typeof ${factory}(${options}));`);
    expect([esm.trim(), cjs.trim()]).toEqual(['function', 'function']);
  });
});
