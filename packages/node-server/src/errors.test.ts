import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { SwitchyardError, TimeoutError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';

import {
  DataSourceError,
  FlagFileError,
  LDClientError,
  LDFileDataSourceError,
  LDPollingError,
  LDStreamingError,
  LDTimeoutError,
  LDUnexpectedResponseError,
  NetworkError,
} from './index.js';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Plain `Error`/`TypeError`/`RangeError` constructions that are allowed in packages' sources, as
 * `path: text of the construction`, each with the reason. Everything else a package raises is a
 * SwitchyardError subclass, so `SwitchyardError.isInstance(err)` holds for whatever reaches a user.
 */
const ALLOWED: Record<string, string> = {
  'core/src/value/json.ts: new TypeError(': 'mirrors JSON.stringify, which throws a TypeError for a cyclic structure',
  'node-server/src/migrations/migration.ts: new TypeError(': "LaunchDarkly's read/write throw a TypeError for a default stage that is not a stage; ours return it as the failed result",
  'node-server/src/client/wiring.ts: new Error(String(err))': 'wraps a thrown value that is not an Error (an Error is passed on as it is)',
  'node-server/src/client/client.ts: new Error(String(err))': 'wraps a thrown value that is not an Error (an Error is passed on as it is)',
  'node-server/src/cluster/worker.ts: new Error(String(err))': 'wraps a thrown value that is not an Error (an Error is passed on as it is)',
  'node-server/src/integrations/file-data-source.ts: new Error(String(err))': 'wraps a thrown value that is not an Error; the handler then gets a FlagFileError with it as cause',
  'store-redis/src/redis-store.ts: new Error(': 'internal: an aborted transaction is retried, then rejected as a StoreError',
  'store-redis/src/pool.ts: new Error(': 'internal: a failed connection is the cause of the StoreError the operation rejects with',
  'store-conformance/src/persistent-store-suite.ts: new Error(': 'the test suite failing a test, not a library error',
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith('.ts') && !/\.test(-support)?\.ts$|\.test\.ts$|\.bench\.ts$|test-support\.ts$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Every package's non-test source files, with the package's folder name. */
function packageSources(): Array<{ pkg: string; file: string }> {
  const out: Array<{ pkg: string; file: string }> = [];
  for (const pkg of readdirSync(packagesDir)) {
    let files: string[];
    try {
      files = sources(join(packagesDir, pkg, 'src'));
    } catch {
      continue;
    }
    for (const file of files) out.push({ pkg, file });
  }
  return out;
}

describe('errors', () => {
  it('raises only SwitchyardError subclasses in every package, apart from the listed cases', () => {
    const found: string[] = [];
    const used = new Set<string>();
    for (const { file } of packageSources()) {
      const path = relative(packagesDir, file).split('\\').join('/');
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/^\s*(\/\/|\*)/.test(line)) return; // comments and TSDoc examples
          for (const match of line.matchAll(/new (?:Error|TypeError|RangeError)\((?:String\(err\)\))?/g)) {
            const key = Object.keys(ALLOWED).find((k) => k.startsWith(`${path}: `) && match[0].startsWith(k.slice(path.length + 2)));
            if (key) used.add(key);
            else found.push(`${path}:${i + 1}: ${line.trim()}`);
          }
        });
    }
    expect(found).toEqual([]);
    expect(Object.keys(ALLOWED).filter((k) => !used.has(k))).toEqual([]); // no stale entries
  });

  it('prefixes messages with [switchyard/<package>] of the package that writes them', () => {
    const wrong: string[] = [];
    for (const { pkg, file } of packageSources()) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/^\s*(\/\/|\*)/.test(line)) return; // comments and TSDoc examples
          for (const [, name] of line.matchAll(/\[switchyard\/([a-z0-9-]+)\]/g)) {
            if (name !== pkg) wrong.push(`${relative(packagesDir, file)}:${i + 1}: [switchyard/${name}]`);
          }
        });
    }
    expect(wrong).toEqual([]);
  });

  it('starts every log line written from a literal with the [switchyard/<package>] prefix (or an interpolated one)', () => {
    const unprefixed: string[] = [];
    // A logger call whose message is a string literal: it must open with the prefix, or with an interpolation
    // (`${PREFIX} …`, `${message}` built with the prefix); the test above checks the prefix names the package.
    const call = /\b(?:logger|log|_logger)\??\.(?:error|warn|info|debug)\(\s*([`'"])(?!\[switchyard\/|\$\{)/g;
    for (const { file } of packageSources()) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(call)) {
        const line = text.slice(0, match.index).split('\n').length;
        unprefixed.push(`${relative(packagesDir, file)}:${line}: ${text.slice(match.index, match.index + 80).split('\n')[0]}`);
      }
    }
    expect(unprefixed).toEqual([]);
  });

  it('makes every LaunchDarkly-named class a SwitchyardError with a code', () => {
    const cases: Array<[Error, string]> = [
      [new LDClientError('m'), 'CLIENT'],
      [new LDTimeoutError('m', 5000), 'TIMEOUT'],
      [new NetworkError('m'), 'NETWORK'],
      [new LDUnexpectedResponseError('m'), 'NETWORK'],
      [new DataSourceError('m', 404), 'DATA_SOURCE'],
      [new LDPollingError('ERROR_RESPONSE', 'm', 500), 'DATA_SOURCE'],
      [new LDStreamingError('ERROR_RESPONSE', 'm', 404, false), 'DATA_SOURCE'],
      [new LDFileDataSourceError('m'), 'DATA_SOURCE'],
      [new FlagFileError('m'), 'DATA_SOURCE'],
    ];
    for (const [err, code] of cases) {
      expect(err).toBeInstanceOf(SwitchyardError);
      expect(SwitchyardError.codeOf(err), err.name).toBe(code);
    }
  });

  it('keeps core’s TimeoutError and LaunchDarkly’s LDTimeoutError for a waitForInitialization timeout', () => {
    const err = new LDTimeoutError('waitForInitialization timed out after 1 seconds.', 1000);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(TimeoutError.isInstance(err)).toBe(true);
    expect(err.timeoutMs).toBe(1000);
    expect(err.name).toBe('LaunchDarklyTimeoutError');
  });

  it('gives streaming errors the HTTP status in code and status, as LaunchDarkly does', () => {
    const err = new LDStreamingError('ERROR_RESPONSE', 'm', 403, false);
    expect(err.code).toBe(403);
    expect(err.status).toBe(403);
    expect(err.recoverable).toBe(false);
    expect(err).toBeInstanceOf(DataSourceError);
  });

  it('makes a flag-file error LaunchDarkly’s LDFileDataSourceError', () => {
    const err = new FlagFileError('flag file x.json is not valid JSON');
    expect(err).toBeInstanceOf(LDFileDataSourceError);
    expect(err.name).toBe('FlagFileError');
    expect(err.kind).toBe('INVALID_DATA');
  });
});
