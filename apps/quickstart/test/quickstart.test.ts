import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { expect, it } from 'vitest';

const run = promisify(execFile);
const app = fileURLToPath(new URL('../file-demo.js', import.meta.url));

it('evaluates every flag in flags.json for each demo context, then exits on its own', async () => {
  const { stdout } = await run(process.execPath, [app], { timeout: 20_000 });
  expect(stdout).toMatch(/Loaded 3 flags from .*flags\.json/);
  expect(stdout).toMatch(/alice\s+new-checkout\s+= true\s+\(TARGET_MATCH\)/);
  expect(stdout).toMatch(/bob\s+new-checkout\s+= false\s+\(FALLTHROUGH\)/);
  expect(stdout).toMatch(/bob\s+maintenance-banner\s+= ""\s+\(OFF\)/);
  expect(stdout).toMatch(/bob\s+theme\s+= "dark"\s+\(FALLTHROUGH\)/);
});

it('fails with a clear message naming a missing flag file', async () => {
  await expect(run(process.execPath, [app, '/nonexistent.json'], { timeout: 20_000 })).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/Could not load flags: .*\/nonexistent.json/),
  });
});
