import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./fixtures/dropin-script.mjs', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

let dir: string;
let flagFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-dropin-'));
  flagFile = join(dir, 'flags.json');
  await writeFile(
    flagFile,
    JSON.stringify({
      flags: { 'file-flag': { key: 'file-flag', version: 1, on: true, variations: ['a', 'b'], fallthrough: { variation: 1 }, offVariation: 0, salt: 's' } },
      flagValues: { 'value-flag': 42 },
    }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function output(sdkModule: string): Promise<string> {
  const { stdout } = await run(process.execPath, [script, sdkModule, flagFile], { cwd: packageDir, timeout: 30_000 });
  return stdout;
}

it('runs a script written against LaunchDarkly unchanged on Switchyard, with the same output', async () => {
  const launchDarkly = await output('@launchdarkly/node-server-sdk');
  const switchyard = await output('@switchyard/node-server');
  expect(launchDarkly.split('\n').length).toBeGreaterThan(20);
  expect(switchyard.split('\n')).toEqual(launchDarkly.split('\n'));
});

it('gives require() the named exports and import the default object, from the built package', async () => {
  const cjs = `const ld = require('@switchyard/node-server');
    console.log(typeof ld.init, typeof ld.default.init, ld.default.init === ld.init, typeof ld.LDTimeoutError, typeof ld.integrations.TestData);`;
  const esm = `import ld, { init } from '@switchyard/node-server';
    console.log(typeof ld.init, ld.init === init, typeof ld.LDTimeoutError, typeof ld.integrations.TestData);`;
  const fromCjs = await run(process.execPath, ['-e', cjs], { cwd: packageDir });
  const fromEsm = await run(process.execPath, ['--input-type=module', '-e', esm], { cwd: packageDir });
  expect(fromCjs.stdout.trim()).toBe('function function true function function');
  expect(fromEsm.stdout.trim()).toBe('function true function function');
});
