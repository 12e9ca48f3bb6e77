import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

it('gives every flag in flags.json the key it is filed under, as LaunchDarkly\'s file data source needs', async () => {
  const file = JSON.parse(await readFile(new URL('../flags.json', import.meta.url), 'utf8')) as { flags: Record<string, { key?: unknown }> };
  for (const [key, flag] of Object.entries(file.flags)) expect(flag.key, key).toBe(key);
});

it('reads a relative path from where pnpm was started, as pnpm --filter … file-demo <file> passes it', async () => {
  // pnpm runs the script in apps/quickstart and says where it was started in INIT_CWD; pnpm 10 also
  // hands a literal `--` to the script.
  const dir = await mkdtemp(join(tmpdir(), 'file-demo-'));
  await writeFile(join(dir, 'my-flags.yaml'), 'flagValues:\n  my-flag: true\n');
  const { stdout } = await run(process.execPath, [app, '--', 'my-flags.yaml'], {
    cwd: dirname(app),
    env: { ...process.env, INIT_CWD: dir },
    timeout: 20_000,
  });
  expect(stdout).toContain(`Loaded 1 flags from ${join(dir, 'my-flags.yaml')}`);
  expect(stdout).toMatch(/bob\s+my-flag\s+= true\s+\(FALLTHROUGH\)/);
});
