import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { afterEach, expect, it } from 'vitest';

import { boolFlag, harness, type Harness } from './support.js';

const app = fileURLToPath(new URL('./fixtures/exit-app.mjs', import.meta.url));

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** Runs the app; resolves with its output and exit code, or `code: 'hung'` if it is still running after `limitMs`. */
function run(args: string[], limitMs = 15_000): Promise<{ code: number | 'hung'; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [app, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: 'hung', stdout });
    }, limitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout });
    });
  });
}

it('64: a process exits by itself after close() (streaming, connected)', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const { code, stdout } = await run([h.fake.url, 'ready']);
  expect(stdout).toContain('value: true');
  expect(stdout).toContain('closed');
  expect(code).toBe(0);
});

it('64: a process exits by itself after close() while the stream is reconnecting', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  h.fake.stream.nextConnections(...Array.from({ length: 1000 }, () => ({ kind: 'status' as const, status: 503 })));
  const { code, stdout } = await run([h.fake.url, 'reconnecting']);
  expect(stdout).toContain('init: TimeoutError');
  expect(stdout).toContain('closed');
  expect(code).toBe(0);
});

it('64: a process exits by itself after close() in polling mode', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const { code, stdout } = await run([h.fake.url, 'polling']);
  expect(stdout).toContain('value: true');
  expect(code).toBe(0);
});

it('64: a process exits by itself after close() while the persistent store is down', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const { code, stdout } = await run([h.fake.url, 'store-down']);
  expect(stdout).toContain('closed');
  expect(code).toBe(0);
});
