import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import { startFakeLaunchDarkly, type FakeItem, type FakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import data from '../flags.json';

// The app (index.js) run as a user runs it, against the fake flag service: 3 workers, one Switchyard
// client each. The tests run in order and share the running app: each step builds on the previous one
// (the flag patched in one is checked on the replacement worker of the next).

const app = fileURLToPath(new URL('../index.js', import.meta.url));
const WORKERS = 3;
const SDK_KEY = 'sdk-cluster-test-key';
const TIMEOUT = 30_000;

// The same flags and segments as `pnpm … exec fake-launchdarkly flags.json` serves in the README.
const { flags, segments } = data satisfies { flags: Record<string, FakeItem>; segments: Record<string, FakeItem> };

const FLAG_KEYS = Object.keys(flags);
const READY = /^worker (\d+) \(pid (\d+)\) ready/gm;

interface Answer {
  pid: number;
  worker: number;
  flags: Record<string, unknown>;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The analytics events the fake had received when the primary exited. */
  events: Record<string, unknown>[];
}

let fake: FakeLaunchDarkly;
let child: ChildProcess;
let port: number;
let output = '';
let exited: Promise<Exit>;
let exitedNow = false;
/** 200 answers by worker pid (each one is one evaluation of every flag). */
const served = new Map<number, number>();
/** Every worker pid the app printed as ready. */
const workerPids = new Set<number>();
let firstPids: number[] = [];
let victim: number | undefined;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return free;
}

/** Waits until `pattern` (global) matches the app's output at least `count` times; returns the matches. */
async function waitForOutput(pattern: RegExp, count = 1, timeoutMs = 15_000): Promise<RegExpExecArray[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const matches = [...output.matchAll(pattern)];
    if (matches.length >= count) return matches;
    if (Date.now() > deadline || exitedNow) {
      throw new Error(`${count} × ${pattern} not in the app's output within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One GET on a new connection (`Connection: close`), so the primary hands every request to a worker. */
function request(path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, headers: { Connection: 'close' }, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within 5 s`)));
    req.on('error', reject);
  });
}

/** The flags for a context (`user=…&attr=…`), counted in `served` by the pid that answered. */
async function ask(query: string): Promise<Answer> {
  const { status, body } = await request(`/?${query}`);
  expect(status).toBe(200);
  const answer = body as Answer;
  served.set(answer.pid, (served.get(answer.pid) ?? 0) + 1);
  return answer;
}

/** Waits (at most `timeoutMs`) for `read()` to return `expected`; returns the last value read. */
async function settle<T>(read: () => T, expected: T, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (read() !== expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return read();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Expected values before the patch; `max-upload-mb` is off (10) until the patch test turns it on. */
const expected = (newCheckout: boolean, banner: string, maxUploadMb = 10) => ({
  'new-checkout': newCheckout,
  'banner-text': banner,
  'max-upload-mb': maxUploadMb,
});

beforeAll(async () => {
  fake = await startFakeLaunchDarkly({ data: { flags, segments } });
  port = await freePort();
  child = spawn(process.execPath, [app], {
    env: { ...process.env, WORKERS: String(WORKERS), PORT: String(port), FLAG_SERVICE_URL: fake.url, SDK_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitedNow = true;
      // Taken the moment the primary is gone: what the workers delivered before exiting.
      resolve({ code, signal, events: fake.events.analyticsEvents() });
    });
  });
  await waitForOutput(/^primary \(pid \d+\): 3 workers ready on http:\/\/localhost:\d+/gm);
}, TIMEOUT);

afterAll(async () => {
  // Only after a failure: leave no process behind.
  if (!exitedNow) child.kill('SIGKILL');
  for (const pid of workerPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await fake?.close();
});

describe('apps/cluster: node:cluster with one Switchyard client per worker', { timeout: TIMEOUT }, () => {
  it('prints one ready line per worker, then the primary line with the URL', async () => {
    const ready = await waitForOutput(READY, WORKERS);
    expect(ready).toHaveLength(WORKERS);
    expect(ready.map((m) => Number(m[1])).sort()).toEqual([1, 2, 3]);
    firstPids = ready.map((m) => Number(m[2]));
    for (const pid of firstPids) workerPids.add(pid);
    expect(new Set(firstPids).size).toBe(WORKERS);
    expect(firstPids).not.toContain(child.pid);
    expect(output).toMatch(new RegExp(`^primary \\(pid ${child.pid}\\): 3 workers ready on http://localhost:${port}/\\?user=alice$`, 'm'));
  });

  it("answers with each context's flag values (targets, rules, segments, off flags)", async () => {
    expect((await ask('user=alice')).flags).toEqual(expected(true, 'Welcome!')); // individual target
    expect((await ask('user=bob&email=bob%40example.com')).flags).toEqual(expected(true, 'Welcome!')); // email rule
    expect((await ask('user=erin')).flags).toEqual(expected(true, 'Welcome!')); // segment rule
    expect((await ask('user=carol&country=de')).flags).toEqual(expected(false, 'Spring sale: 20% off')); // country rule
    expect((await ask('user=dave')).flags).toEqual(expected(false, 'Welcome!')); // fallthrough
    const answer = await ask('user=dave');
    expect(firstPids).toContain(answer.pid);
    expect(answer.worker).toBeGreaterThanOrEqual(1);
    expect(await request('/')).toEqual({ status: 400, body: { error: 'missing ?user=<key>' } });
  });

  it('spreads requests over the workers (30 requests on new connections)', async () => {
    const pids = new Set<number>();
    for (let i = 0; i < 30; i++) pids.add((await ask(`user=spread-${i}`)).pid);
    expect(pids.size).toBeGreaterThan(1);
    for (const pid of pids) expect(firstPids).toContain(pid);
  });

  it('opens one stream connection per worker: 3 workers = 3 connections, 3 SDK instances', async () => {
    expect(fake.stream.connections).toHaveLength(WORKERS);
    expect(fake.stream.openCount).toBe(WORKERS);
    for (const connection of fake.stream.connections) expect(connection.request.headers.authorization).toBe(SDK_KEY);
    // Each worker's client announces itself with its own diagnostic id.
    const initIds = () =>
      new Set(
        fake.events
          .diagnosticEvents()
          .filter((e) => e.kind === 'diagnostic-init')
          .map((e) => (e.id as { diagnosticId: string }).diagnosticId),
      );
    await fake.events.waitFor(() => initIds().size >= WORKERS, 10_000);
    expect(initIds().size).toBe(WORKERS);
  });

  it('delivers a flag change on the stream to every worker within 2 s', async () => {
    const start = Date.now();
    fake.stream.patch('flags', { ...flags['max-upload-mb'], version: 2, on: true });
    const updated = new Set<number>();
    while (updated.size < WORKERS && Date.now() - start < 2000) {
      const answer = await ask('user=dave');
      if (answer.flags['max-upload-mb'] === 100) updated.add(answer.pid);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect([...updated].sort()).toEqual([...firstPids].sort());
    expect(Date.now() - start).toBeLessThan(2000);
    // Once a worker has the change, it keeps it.
    for (let i = 0; i < 6; i++) expect((await ask('user=dave')).flags).toEqual(expected(false, 'Welcome!', 100));
  });

  it('replaces a worker killed with SIGKILL; the replacement connects and answers correctly', async () => {
    victim = (await ask('user=dave')).pid;
    process.kill(victim, 'SIGKILL');
    await waitForOutput(new RegExp(`^primary: worker \\d+ \\(pid ${victim}\\) was killed by SIGKILL; starting a replacement$`, 'gm'));
    const ready = await waitForOutput(READY, WORKERS + 1);
    const replacement = Number(ready[WORKERS]![2]);
    workerPids.add(replacement);
    expect(firstPids).not.toContain(replacement);
    expect(Number(ready[WORKERS]![1])).toBe(WORKERS + 1); // worker ids are never reused
    // The replacement is one more client: one more stream connection.
    expect(fake.stream.connections).toHaveLength(WORKERS + 1);
    expect(await settle(() => fake.stream.openCount, WORKERS)).toBe(WORKERS); // the killed one's is closed

    const deadline = Date.now() + 10_000;
    let fromReplacement: Answer | undefined;
    while (!fromReplacement && Date.now() < deadline) {
      const answer = await ask('user=carol&country=de');
      expect(answer.pid).not.toBe(victim);
      expect(answer.flags).toEqual(expected(false, 'Spring sale: 20% off', 100));
      if (answer.pid === replacement) fromReplacement = answer;
    }
    expect(fromReplacement).toMatchObject({ pid: replacement, worker: WORKERS + 1, flags: expected(false, 'Spring sale: 20% off', 100) });
    expect(isAlive(victim)).toBe(false);
  });

  it('on SIGTERM every worker flushes its events before the primary exits 0, and no worker is left', async () => {
    // Contexts no worker has seen yet: each must reach the fake as an index event in a final flush.
    const finalUsers = Array.from({ length: 12 }, (_, i) => `final-${i}`);
    for (const user of finalUsers) await ask(`user=${user}`);
    const livePids = [...workerPids].filter((pid) => pid !== victim);
    expect(livePids).toHaveLength(WORKERS);

    child.kill('SIGTERM');
    const { code, signal, events } = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(output).toMatch(/^primary: SIGTERM; asking 3 workers to shut down$/m);
    for (const pid of livePids) {
      expect(output).toMatch(new RegExp(`^worker \\d+ \\(pid ${pid}\\) flushed its events and closed its client$`, 'm'));
    }
    expect(output).toMatch(/^primary: every worker has stopped; exiting with code 0$/m);

    // Summary events count every evaluation of the workers that shut down gracefully. The killed worker's
    // evaluations since its last timed flush are lost (SIGKILL gives it no chance), hence the range.
    const total = [...served.values()].reduce((a, b) => a + b, 0);
    const graceful = total - (served.get(victim!) ?? 0);
    const summaries = events.filter((e) => e.kind === 'summary') as {
      features: Record<string, { counters: { count: number }[] }>;
    }[];
    expect(summaries.length).toBeGreaterThan(0);
    for (const key of FLAG_KEYS) {
      const counted = summaries.reduce((sum, s) => sum + (s.features[key]?.counters.reduce((n, c) => n + c.count, 0) ?? 0), 0);
      expect(counted, key).toBeGreaterThanOrEqual(graceful);
      expect(counted, key).toBeLessThanOrEqual(total);
    }
    const indexed = new Set(events.filter((e) => e.kind === 'index').map((e) => (e.context as { key: string }).key));
    for (const user of finalUsers) expect(indexed, user).toContain(user);

    for (const pid of workerPids) expect(isAlive(pid), `worker pid ${pid}`).toBe(false);
    expect(isAlive(child.pid!)).toBe(false);
    expect(await settle(() => fake.stream.openCount, 0)).toBe(0);
  });
});
