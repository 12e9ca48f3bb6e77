import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');
const changesetBin = join(root, 'node_modules/@changesets/cli/bin.js');

/**
 * A throwaway git repository holding this workspace's manifests and changeset config (no code needed:
 * changesets only reads package.json files), with no pending changesets but the one a test writes.
 */
function scratchWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-release-plan-'));
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json']) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    cpSync(join(root, file), join(dir, file));
  }
  for (const folder of ['packages', 'apps', 'tooling']) {
    for (const name of readdirSync(join(root, folder))) {
      const manifest = join(root, folder, name, 'package.json');
      if (!existsSync(manifest)) continue;
      mkdirSync(join(dir, folder, name), { recursive: true });
      cpSync(manifest, join(dir, folder, name, 'package.json'));
    }
  }
  return dir;
}

async function git(dir: string, ...args: string[]) {
  await run('git', ['-c', 'user.email=ci@switchyard.invalid', '-c', 'user.name=ci', ...args], { cwd: dir });
}

async function plan(dir: string, changeset: string) {
  writeFileSync(join(dir, '.changeset/sample.md'), changeset);
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'sample');
  await run(process.execPath, [changesetBin, 'status', '--output=plan.json'], { cwd: dir });
  const status = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as {
    releases: { name: string; type: string; oldVersion: string; newVersion: string }[];
  };
  return status.releases.filter((r) => r.type !== 'none');
}

const version = (dir: string, pkg: string) =>
  (JSON.parse(readFileSync(join(dir, 'packages', pkg, 'package.json'), 'utf8')) as { version: string }).version;

describe('release plans', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a changeset for one store bumps only that store and writes only its changelog', async () => {
    dir = scratchWorkspace();
    const before = Object.fromEntries(readdirSync(join(dir, 'packages')).map((p) => [p, version(dir, p)]));
    const releases = await plan(dir, '---\n"@switchyard/store-redis": patch\n---\n\nFix a thing.\n');
    expect(releases.map((r) => [r.name, r.type])).toEqual([['@switchyard/store-redis', 'patch']]);

    await run(process.execPath, [changesetBin, 'version'], { cwd: dir });
    for (const [pkg, old] of Object.entries(before)) {
      if (pkg === 'store-redis') {
        expect(version(dir, pkg)).not.toBe(old);
        expect(readFileSync(join(dir, 'packages', pkg, 'CHANGELOG.md'), 'utf8')).toMatch(/## \d+\.\d+\.\d+\n\n### Patch Changes\n\n- [^\n]*Fix a thing\./);
      } else {
        expect(version(dir, pkg), pkg).toBe(old);
        expect(existsSync(join(dir, 'packages', pkg, 'CHANGELOG.md')), pkg).toBe(false);
      }
    }
  });

  it('a core minor bumps core and node-server (which depends on it) but no store, and no private package', async () => {
    dir = scratchWorkspace();
    const releases = await plan(dir, '---\n"@switchyard/core": minor\n---\n\nNew API.\n');
    expect(releases.map((r) => [r.name, r.type]).sort()).toEqual([
      ['@switchyard/core', 'minor'],
      ['@switchyard/node-server', 'patch'],
    ]);
  });

  it('a core major outside the stores’ peer range bumps every store (they must be republished)', async () => {
    dir = scratchWorkspace();
    const releases = await plan(dir, '---\n"@switchyard/core": major\n---\n\nBreaking store contract.\n');
    const names = releases.map((r) => r.name);
    for (const store of ['store-redis', 'store-dynamodb', 'store-consul', 'store-conformance']) {
      expect(releases.find((r) => r.name === `@switchyard/${store}`)?.type).toBe('major');
    }
    expect(names.filter((n) => /app-|tsconfig|test-services|config|checks|pack-check/.test(n))).toEqual([]);
  });

  it('private apps and tooling never appear in a release plan, even when a changeset names them', async () => {
    dir = scratchWorkspace();
    const releases = await plan(dir, '---\n"@switchyard/app-quickstart": minor\n"@switchyard/test-services": patch\n---\n\nOnly private.\n');
    expect(releases).toEqual([]);
  });

  it('refuses a changeset that mixes private and published packages instead of releasing either', async () => {
    dir = scratchWorkspace();
    await expect(plan(dir, '---\n"@switchyard/node-server": minor\n"@switchyard/app-quickstart": minor\n---\n\nMixed.\n')).rejects.toThrow(
      /mixed changeset/,
    );
  });
});
