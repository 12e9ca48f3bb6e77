import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (this file lives in tooling/pack-check/src). */
export const repoRoot = resolve(import.meta.dirname, '../../..');

/**
 * Packs a workspace package with `pnpm pack`, which turns `workspace:` and `catalog:` specifiers into
 * real version ranges exactly as `pnpm publish` does. Returns the tarball path.
 */
export async function packPackage(packageDir: string, destination: string): Promise<string> {
  const { stdout } = await run('pnpm', ['pack', '--pack-destination', destination], {
    cwd: join(repoRoot, packageDir),
    maxBuffer: 16 * 1024 * 1024,
  });
  const tarball = stdout
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .reverse()
    .find((l) => l.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack printed no tarball for ${packageDir}:\n${stdout}`);
  return resolve(destination, tarball);
}

/** Creates an empty npm project in a temporary folder and installs the tarballs into it with npm. */
export async function installIntoEmptyProject(tarballs: readonly string[]): Promise<string> {
  const project = mkdtempSync(join(tmpdir(), 'switchyard-pack-check-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'pack-check-app', version: '1.0.0', private: true }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], {
    cwd: project,
    maxBuffer: 16 * 1024 * 1024,
  });
  return project;
}

/** Every package name installed under `node_modules` (scoped ones as `@scope/name`). */
export function installedPackages(project: string): string[] {
  const root = join(project, 'node_modules');
  if (!existsSync(root)) return [];
  const names: string[] = [];
  for (const entry of readdirSync(root)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const scoped of readdirSync(join(root, entry))) names.push(`${entry}/${scoped}`);
    } else {
      names.push(entry);
    }
  }
  return names.sort();
}

/** Runs a script file with node inside the project and returns its stdout. */
export async function runNode(project: string, file: string, source: string): Promise<string> {
  writeFileSync(join(project, file), source);
  const { stdout } = await run(process.execPath, [file], { cwd: project });
  return stdout;
}
