import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect, it } from 'vitest';

import * as core from '../src/index.js';
import * as testing from '../src/testing/index.js';

/**
 * The README's quick start, run as written: the code block is extracted, its import lines dropped (the
 * names come from this package's root and `./testing` sources, so the quick start can use nothing from
 * `./internal`), and the result compared with the value the README promises.
 */
it('the README quick start runs on the public entry points and gives the result it shows', async () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const quickStart = readme.slice(readme.indexOf('## Quick start'));
  const code = /```ts\n([\s\S]*?)```/.exec(quickStart)![1]!;
  expect(code.match(/from '([^']+)'/g)).toEqual(["from '@switchyard/core'", "from '@switchyard/core/testing'"]);
  const body = code.replace(/^import .*$/gm, '').replace(/^const result = /m, 'return ');
  const exports: Record<string, unknown> = { ...core, ...testing };
  const names = Object.keys(exports).filter((name) => new RegExp(`\\b${name}\\b`).test(body));
  const run = new Function(...names, `return (async () => {${body}})();`) as (...args: unknown[]) => Promise<unknown>;
  const result = await run(...names.map((name) => exports[name]));
  const promised = JSON.parse(
    /^\/\/ (\{.*\})$/m
      .exec(code)![1]!
      .replace(/(\w+):/g, '"$1":'),
  ) as unknown;
  expect(result).toEqual(promised);
  expect(result).toEqual({ version: 2, on: true, status: { available: true, refreshNeeded: false } });
});
