import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

it('the CLI serves a flag file over polling and stops on SIGTERM', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'fake-ld-')), 'flags.json');
  writeFileSync(file, JSON.stringify({ flags: { f: { key: 'f', version: 2, on: true, variations: [1], fallthrough: { variation: 0 } } } }));
  const child = spawn(process.execPath, [cli, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
  });
  const res = await fetch(`${url}/sdk/latest-all`, { headers: { Authorization: 'key' } });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { flags: Record<string, { version: number }> }).flags.f?.version).toBe(2);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
