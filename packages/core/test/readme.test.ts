import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect, it } from 'vitest';

import * as core from '../src/index.js';

/**
 * The README's quick start, run as written: the code block is extracted, its import line swapped for
 * this package's source, and the result compared with the value the README promises.
 */
it('the README quick start runs and gives the result it shows', async () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const quickStart = readme.slice(readme.indexOf('## Quick start'));
  const code = /```ts\n([\s\S]*?)```/.exec(quickStart)![1]!;
  const body = code.replace(/^import .*$/m, '').replace(/^const detail = /m, 'return ');
  const names = Object.keys(core).filter((name) => new RegExp(`\\b${name}\\b`).test(body));
  const run = new Function(...names, `return (async () => {${body}})();`) as (...args: unknown[]) => Promise<unknown>;
  const detail = await run(...names.map((name) => (core as Record<string, unknown>)[name]));
  expect(detail).toEqual({ value: true, variationIndex: 1, reason: { kind: 'RULE_MATCH', ruleId: 'pro', ruleIndex: 0 } });
});
