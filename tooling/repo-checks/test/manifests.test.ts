import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
type Manifest = Record<string, unknown> & {
  name: string;
  private?: boolean;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

const read = (path: string): Manifest => JSON.parse(readFileSync(join(root, path), 'utf8')) as Manifest;
const dirs = (folder: string) => readdirSync(join(root, folder)).filter((d) => existsSync(join(root, folder, d, 'package.json')));

const published = dirs('packages');
const stores = published.filter((d) => d.startsWith('store-') && d !== 'store-conformance');

describe('published packages', () => {
  it('are exactly the eight the design names', () => {
    expect(published.sort()).toEqual([
      'core',
      'node-server',
      'openfeature',
      'otel',
      'store-conformance',
      'store-consul',
      'store-dynamodb',
      'store-redis',
    ]);
  });

  describe.each(published)('%s', (dir) => {
    const pkg = read(`packages/${dir}/package.json`);

    it('is a public @switchyard package for Node 20+ without side effects', () => {
      expect(pkg.name).toBe(`@switchyard/${dir}`);
      expect(pkg.private).toBeUndefined();
      expect(pkg.type).toBe('module');
      expect(pkg.sideEffects).toBe(false);
      expect(pkg.engines).toEqual({ node: '>=20' });
      expect(pkg.files).toEqual(expect.arrayContaining(['dist']));
      expect(pkg.license).toBe('Apache-2.0');
    });

    it('has a nested exports map with separate types for import and require', () => {
      expect(pkg.exports).toMatchObject({
        '.': {
          import: { types: './dist/index.d.ts', default: './dist/index.js' },
          require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
        },
      });
      expect(pkg.main).toBe('./dist/index.cjs');
      expect(pkg.types).toBe('./dist/index.d.cts');
    });

    it('builds with the shared tsup preset and runs every turbo task', () => {
      expect(readFileSync(join(root, 'packages', dir, 'tsup.config.ts'), 'utf8')).toMatch(/switchyardTsup\(/);
      expect(pkg.scripts).toMatchObject({
        build: 'tsup',
        lint: 'eslint .',
        test: 'vitest run --project unit',
        'check-exports': 'publint --strict && attw --pack .',
      });
      expect(pkg.scripts?.typecheck).toMatch(/^tsc --noEmit/);
    });

    it('takes tool versions from the pnpm catalog', () => {
      for (const [name, spec] of Object.entries(pkg.devDependencies ?? {})) {
        expect(spec, name).toMatch(/^(catalog:|workspace:)/);
      }
    });

    it('has a README with install, quick start and options', () => {
      const readme = readFileSync(join(root, 'packages', dir, 'README.md'), 'utf8');
      expect(readme).toMatch(new RegExp(`^# @switchyard/${dir}`, 'm'));
      expect(readme).toMatch(/^## Install/m);
      expect(readme).toMatch(/^## Quick start/m);
      expect(readme).toMatch(/^## Options/m);
      expect(readme).toMatch(/\|.*\|.*\|/);
    });
  });
});

describe('dependency rules', () => {
  it('node-server depends on core and on no store', () => {
    const pkg = read('packages/node-server/package.json');
    expect(pkg.dependencies?.['@switchyard/core']).toBe('workspace:^');
    const all = { ...pkg.dependencies, ...pkg.peerDependencies };
    expect(Object.keys(all).filter((d) => d.startsWith('@switchyard/store-'))).toEqual([]);
  });

  it.each([...stores, 'store-conformance'])('%s peer-depends on core with a bounded range and on no other store', (dir) => {
    const pkg = read(`packages/${dir}/package.json`);
    // Bounded: a core release outside it makes changesets bump this store (see .changeset/README.md).
    expect(pkg.peerDependencies?.['@switchyard/core']).toMatch(/^workspace:>=\d+\.\d+\.\d+ <\d+\.\d+\.\d+$/);
    expect(pkg.dependencies?.['@switchyard/core']).toBeUndefined();
    expect(pkg.devDependencies?.['@switchyard/core']).toBe('workspace:*');
    const all = { ...pkg.dependencies, ...pkg.peerDependencies };
    expect(Object.keys(all).filter((d) => d.startsWith('@switchyard/store-'))).toEqual([]);
  });

  it('only store-dynamodb depends on the AWS SDK', () => {
    for (const dir of published) {
      const deps = Object.keys({ ...read(`packages/${dir}/package.json`).dependencies });
      const aws = deps.filter((d) => d.startsWith('@aws-sdk/'));
      expect(aws.length > 0, dir).toBe(dir === 'store-dynamodb');
    }
  });

  it.each([
    ['openfeature', '@openfeature/server-sdk'],
    ['otel', '@opentelemetry/api'],
  ])('%s has no runtime dependencies: it peer-depends on node-server (bounded) and on %s only', (dir, api) => {
    const pkg = read(`packages/${dir}/package.json`);
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(Object.keys(pkg.peerDependencies ?? {}).sort()).toEqual([api, '@switchyard/node-server'].sort());
    expect(pkg.peerDependencies?.['@switchyard/node-server']).toMatch(/^workspace:>=\d+\.\d+\.\d+ <\d+\.\d+\.\d+$/);
    expect(pkg.peerDependencies?.[api]).toMatch(/^\^1\./);
  });

  it('core has no runtime dependencies', () => {
    expect(read('packages/core/package.json').dependencies ?? {}).toEqual({});
  });

  it('only node-server among the published packages imports @switchyard/core/internal (no semver promise there)', () => {
    // The stores and the conformance suite peer-depend on a range of core versions: they must build on the
    // root, as a third-party store does. node-server depends on the core it was released with.
    const importers = published
      .filter((dir) => dir !== 'core')
      .flatMap((dir) =>
        ['src', 'test']
          .filter((folder) => existsSync(join(root, 'packages', dir, folder)))
          .flatMap((folder) => readdirSync(join(root, 'packages', dir, folder), { recursive: true, encoding: 'utf8' }).map((f) => join('packages', dir, folder, f)))
          .filter((path) => /\.[cm]?[jt]s$/.test(path) && readFileSync(join(root, path), 'utf8').includes("'@switchyard/core/internal'")),
      );
    expect(importers.filter((path) => !path.startsWith(join('packages', 'node-server')))).toEqual([]);
  });
});

describe('private workspaces', () => {
  it.each([...dirs('apps').map((d) => `apps/${d}`), ...dirs('tooling').map((d) => `tooling/${d}`)])('%s is private', (dir) => {
    expect(read(`${dir}/package.json`).private).toBe(true);
  });

  it('changesets never versions or tags private packages and versions packages independently', () => {
    const config = JSON.parse(readFileSync(join(root, '.changeset/config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.privatePackages).toEqual({ version: false, tag: false });
    expect(config.fixed).toEqual([]);
    expect(config.linked).toEqual([]);
  });
});

describe('root', () => {
  const pkg = read('package.json');

  it('pins the package manager and Node version', () => {
    expect(pkg.private).toBe(true);
    expect(pkg.packageManager).toMatch(/^pnpm@10\.\d+\.\d+$/);
    expect(pkg.engines).toEqual({ node: '>=20' });
  });

  it('README lists every published package and the commands CI runs', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const dir of published) expect(readme).toContain(`@switchyard/${dir}`);
    const ci = readFileSync(join(root, '.ci/run'), 'utf8');
    const testCommand = /```sh\n(pnpm install && pnpm test)\n```/.exec(readme)?.[1];
    expect(testCommand).toBe('pnpm install && pnpm test');
    expect(ci).toMatch(/^pnpm install --frozen-lockfile$/m);
    expect(ci).toMatch(/^pnpm test$/m);
  });
});
