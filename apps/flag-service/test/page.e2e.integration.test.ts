// End to end, in a real headless Chromium (Debian's `chromium`, driven by playwright-core): the page
// changes flags, and the quickstart server — a real Switchyard client streaming from the service —
// answers differently within 2 seconds. Also: a malformed edit is refused on the page and the file is
// untouched. Takes the README's screenshot.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { freePort } from '@switchyard/test-services';

import { startFlagService, type FlagService } from '../src/index.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const QUICKSTART = fileURLToPath(new URL('../../quickstart/index.js', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../docs/page.png', import.meta.url));

let service: FlagService;
let quickstart: ChildProcess;
let quickstartUrl: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  const dir = await mkdtemp(join(tmpdir(), 'flag-service-e2e-'));
  service = await startFlagService({ port: 0, dataFile: join(dir, 'flags.json'), log: () => {} });
  const port = await freePort();
  quickstartUrl = `http://127.0.0.1:${port}`;
  quickstart = spawn(process.execPath, [QUICKSTART], { env: { ...process.env, FLAG_SERVICE_URL: service.url, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    quickstart.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('listening on')) resolve();
    });
    quickstart.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    quickstart.once('exit', (code) => reject(new Error(`quickstart exited with ${code}: ${out}`)));
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(service.url);
  await page.getByTestId('flag-banner-text').waitFor();
  expect(errors).toEqual([]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  quickstart?.kill('SIGTERM');
  await service?.close();
});

async function answer(user: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${quickstartUrl}/?user=${user}`);
  return ((await res.json()) as { flags: Record<string, unknown> }).flags;
}

/** Resolves with the time it took until the quickstart answers `expected` for `flag`; fails after 2 s. */
async function changesWithin2s(user: string, flag: string, expected: unknown, since: number): Promise<number> {
  for (;;) {
    const value = (await answer(user))[flag];
    const elapsed = Date.now() - since;
    if (value === expected) return elapsed;
    if (elapsed > 2000) throw new Error(`after ${elapsed} ms the quickstart still answers ${JSON.stringify(value)} for ${flag}, expected ${JSON.stringify(expected)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('toggling a flag on the page changes the quickstart’s answer within 2 seconds', async () => {
  expect((await answer('bob'))['banner-text']).toBe('Welcome!');
  const clicked = Date.now();
  await page.getByTestId('toggle-banner-text').click();
  expect(await changesWithin2s('bob', 'banner-text', '', clicked)).toBeLessThan(2000);
  expect(service.data().flags['banner-text']).toMatchObject({ on: false, version: 2 });
}, 30_000);

it('editing a rollout on the page changes the quickstart’s answer within 2 seconds', async () => {
  const before = (await answer('carol'))['new-checkout'];
  await page.getByTestId('open-new-checkout').click();
  await page.getByTestId('editor').waitFor();
  // Serve everyone the variation carol does not get today: 100% to it, 0% to the other.
  const [trueWeight, falseWeight] = before === true ? ['0', '100'] : ['100', '0'];
  await page.getByTestId('fallthrough-weight-0').fill(trueWeight);
  await page.getByTestId('fallthrough-weight-1').fill(falseWeight);
  const saved = Date.now();
  await page.getByTestId('save').click();
  expect(await changesWithin2s('carol', 'new-checkout', !before, saved)).toBeLessThan(2000);
  expect(service.data().flags['new-checkout']!.fallthrough).toEqual({
    rollout: { variations: [{ variation: 0, weight: Number(trueWeight) * 1000 }, { variation: 1, weight: Number(falseWeight) * 1000 }] },
  });
}, 30_000);

it('a malformed edit is refused on the page with the server’s message, and the file is unchanged', async () => {
  const file = await readFile(service.dataFile);
  await page.getByTestId('open-max-items').click();
  await page.getByTestId('editor').waitFor();
  await page.getByTestId('fallthrough-variation').selectOption('rollout');
  await page.getByTestId('fallthrough-weight-0').fill('30');
  await page.getByTestId('fallthrough-weight-1').fill('30');
  await page.getByTestId('fallthrough-weight-2').fill('30');
  await page.getByTestId('save').click();
  await expect.poll(() => page.getByTestId('error').textContent(), { timeout: 5000 }).toMatch(/weights must add up to 100000 \(100%\), not 90000/);
  expect(await readFile(service.dataFile)).toEqual(file);
  expect((await answer('bob'))['max-items']).toBe(50);
}, 30_000);

it('shows evaluations arriving live, and takes the README screenshot', async () => {
  for (const user of ['alice', 'bob', 'carol', 'dave']) await answer(user);
  // The quickstart flushes events every second.
  await expect.poll(() => page.getByTestId('count-banner-text').count(), { timeout: 10_000 }).toBeGreaterThan(0);
  await page.getByTestId('open-new-checkout').click();
  await page.screenshot({ path: SCREENSHOT, fullPage: false });
  expect(existsSync(SCREENSHOT)).toBe(true);
}, 30_000);
