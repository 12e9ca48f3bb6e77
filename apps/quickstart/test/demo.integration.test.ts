// `pnpm start`'s launcher: it starts the flag service and the quickstart, prints both URLs and what to
// try, the quickstart answers from the service, and Ctrl-C stops both cleanly.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

import { freePort } from '@switchyard/test-services';

const demo = fileURLToPath(new URL('../demo.js', import.meta.url));

it('starts the flag service and the quickstart, prints what to try, and stops both in order on Ctrl-C', async () => {
  const [servicePort, port] = [await freePort(), await freePort()];
  const dataFile = join(await mkdtemp(join(tmpdir(), 'demo-')), 'flags.json');
  const child = spawn(process.execPath, [demo], {
    env: { ...process.env, FLAG_SERVICE_PORT: String(servicePort), PORT: String(port), FLAG_SERVICE_DATA: dataFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ctrl-C stops both')) resolve();
    });
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`demo exited early (${code}): ${out}`)));
  });
  expect(out).toContain(`Flag service (the page):  http://127.0.0.1:${servicePort}`);
  expect(out).toContain(`Quickstart (the app):     http://127.0.0.1:${port}/?user=bob`);

  const answer = (await (await fetch(`http://127.0.0.1:${port}/?user=bob`)).json()) as { flags: Record<string, unknown> };
  expect(answer.flags).toEqual({ 'new-checkout': expect.any(Boolean), 'banner-text': 'Welcome!', 'max-items': 50, 'beta-dashboard': true });
  const page = await fetch(`http://127.0.0.1:${servicePort}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toMatch(/<html/i);
  expect(JSON.parse(await readFile(dataFile, 'utf8'))).toHaveProperty('flags.banner-text');

  // One more evaluation right before Ctrl-C, so its events are still queued when the stop begins. A
  // terminal's Ctrl-C under `pnpm start` arrives twice (from the terminal and forwarded by pnpm).
  expect((await fetch(`http://127.0.0.1:${port}/?user=carol`)).status).toBe(200);
  child.kill('SIGINT');
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  // The quickstart stopped first and delivered its events to the service that was still running.
  expect(out).toContain('closed the LaunchDarkly stream connection');
  expect(out).not.toMatch(/could not deliver|dropped/);
  await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  await expect(fetch(`http://127.0.0.1:${servicePort}/`)).rejects.toThrow();
}, 60_000);
