import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startFlagService, type FlagService } from '@switchyard/app-flag-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import data from '../flags.json';

// The app (index.js) run as a user runs it, against the local flag service (apps/flag-service) started
// in-process with this app's flags.json. The first describe runs it in cluster mode with 4 workers; the
// tests run in order and share the running app (the flag changed in one is checked on the replacement
// worker of the next, and the last one stops the app and checks everything the flag service received).
// The second describe runs the old setup (CLUSTER_MODE=off) for comparison.

const app = fileURLToPath(new URL('../index.js', import.meta.url));
const samplePath = fileURLToPath(new URL('../flags.json', import.meta.url));
const SDK_KEY = 'sdk-cluster-test-key';
const TIMEOUT = 30_000;

const FLAG_KEYS = Object.keys(data.flags);
const READY = /^worker (\d+) \(pid (\d+)\) ready: flags from (.*), serving on port \d+$/gm;

interface Answer {
  pid: number;
  worker: number;
  flags: Record<string, unknown>;
}

/** The flag values the app answers; `max-upload-mb` is off (10) until the flag change turns it on. */
const expected = (newCheckout: boolean, banner: string, maxUploadMb = 10) => ({
  'new-checkout': newCheckout,
  'banner-text': banner,
  'max-upload-mb': maxUploadMb,
});

/** Contexts covering each way flags.json serves a value, with the values before the flag change. */
const CONTEXTS: [query: string, values: ReturnType<typeof expected>][] = [
  ['user=alice', expected(true, 'Welcome!')], // individual target
  ['user=bob&email=bob%40example.com', expected(true, 'Welcome!')], // rule on email
  ['user=erin', expected(true, 'Welcome!')], // rule on the beta-testers segment
  ['user=carol&country=de', expected(false, 'Spring sale: 20% off')], // rule on country
  ['user=dave', expected(false, 'Welcome!')], // fallthrough (and max-upload-mb off)
];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (at most `timeoutMs`) for `read()` to return `expected`; returns the last value read. */
async function settle<T>(read: () => T, expected: T, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (read() !== expected && Date.now() < deadline) await sleep(20);
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

function header(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A running flag service with its data file in a temporary directory, recording every event post. */
async function startService(): Promise<{ service: FlagService; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cluster-app-test-'));
  const service = await startFlagService({ port: 0, sdkKey: SDK_KEY, dataFile: join(dir, 'flags.json'), samplePath, log: () => {} });
  service.events.recordPosts = true;
  return { service, dir };
}

/**
 * Changes a flag through the service's API, as its page does (the service sets the version). Returns
 * when the service answered (`Date.now()` as the answer arrived).
 */
async function putFlag(service: FlagService, flag: Record<string, unknown>): Promise<number> {
  const { version: _version, ...body } = flag;
  const res = await fetch(`${service.url}/api/flags/${String(flag.key)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answeredAt = Date.now();
  expect(res.status, await res.text()).toBe(200);
  return answeredAt;
}

/** index.js as a child process: its output, HTTP requests to its workers, what they answered. */
class App {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output = '';
  exitedNow = false;
  /** 200 answers by worker pid (each one is one evaluation of every flag). */
  readonly served = new Map<number, number>();
  /** For each flag, how many answers had each value (JSON), by the pid that answered. */
  readonly values = new Map<number, Map<string, Map<string, number>>>();
  /** When the last answer arrived. */
  lastAnswerAt = 0;

  constructor(
    readonly port: number,
    readonly workers: number,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [app], {
      env: { ...process.env, WORKERS: String(workers), PORT: String(port), SDK_KEY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitedNow = true;
        resolve({ code, signal });
      });
    });
  }

  /** Every worker pid the app printed as ready. */
  workerPids(): number[] {
    return [...this.output.matchAll(READY)].map((m) => Number(m[2]));
  }

  /** Waits until `pattern` (global) matches the app's output at least `count` times; returns the matches. */
  async waitForOutput(pattern: RegExp, count = 1, timeoutMs = 15_000): Promise<RegExpExecArray[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matches = [...this.output.matchAll(pattern)];
      if (matches.length >= count) return matches;
      if (Date.now() > deadline || this.exitedNow) {
        throw new Error(`${count} × ${pattern} not in the app's output within ${timeoutMs} ms:\n${this.output}`);
      }
      await sleep(20);
    }
  }

  /** One GET on a new connection (`Connection: close`), so the primary hands every request to a worker. */
  request(path: string): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const options = { host: '127.0.0.1', port: this.port, path, agent: false, headers: { Connection: 'close' }, timeout: 5000 };
      const req = get(options, (res) => {
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

  /** The flags for a context (`user=…&attr=…`), counted by the pid that answered. */
  async ask(query: string): Promise<Answer> {
    const { status, body } = await this.request(`/?${query}`);
    expect(status, JSON.stringify(body)).toBe(200);
    const answer = body as Answer;
    this.lastAnswerAt = Date.now();
    this.served.set(answer.pid, (this.served.get(answer.pid) ?? 0) + 1);
    let byFlag = this.values.get(answer.pid);
    if (!byFlag) this.values.set(answer.pid, (byFlag = new Map()));
    for (const [key, value] of Object.entries(answer.flags)) {
      const counts = byFlag.get(key) ?? new Map<string, number>();
      byFlag.set(key, counts);
      counts.set(JSON.stringify(value), (counts.get(JSON.stringify(value)) ?? 0) + 1);
    }
    return answer;
  }

  /**
   * Asks `query` until every pid of `pids` has answered it (new connections go round robin over the
   * workers, so this takes about one request per worker); every answer must be `values`. Returns the pids
   * that answered.
   */
  async askEvery(query: string, pids: readonly number[], values: unknown): Promise<Set<number>> {
    const answered = new Set<number>();
    for (let i = 0; i < pids.length * 10 && !pids.every((pid) => answered.has(pid)); i++) {
      const answer = await this.ask(query);
      expect(answer.flags, `${query} answered by pid ${answer.pid}`).toEqual(values);
      answered.add(answer.pid);
    }
    return answered;
  }

  /** Leaves no process behind (after a failure). */
  killAll(): void {
    if (!this.exitedNow) this.child.kill('SIGKILL');
    for (const pid of this.workerPids()) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

/** Sums the summary counters of `events` for one flag, by value (JSON). */
function summarized(events: Record<string, unknown>[], key: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of events) {
    if (event.kind !== 'summary') continue;
    const counters = (event.features as Record<string, { counters: { value: unknown; count: number }[] } | undefined>)[key]?.counters ?? [];
    for (const { value, count } of counters) counts.set(JSON.stringify(value), (counts.get(JSON.stringify(value)) ?? 0) + count);
  }
  return counts;
}

describe('apps/cluster in cluster mode: 4 workers, one Switchyard client in the primary', { timeout: TIMEOUT }, () => {
  const WORKERS = 4;
  let service: FlagService;
  let dir: string;
  let app: App;
  let firstPids: number[] = [];
  let victim: number | undefined;
  let replacement: number | undefined;

  beforeAll(async () => {
    ({ service, dir } = await startService());
    app = new App(await freePort(), WORKERS, { FLAG_SERVICE_URL: service.url, CLUSTER_MODE: 'on' });
    await app.waitForOutput(/^primary \(pid \d+\): 4 workers ready on http:\/\/localhost:\d+/gm);
  }, TIMEOUT);

  afterAll(async () => {
    app?.killAll();
    await service?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts 4 workers on the primary’s flags, with exactly one stream connection at the flag service', async () => {
    const ready = await app.waitForOutput(READY, WORKERS);
    expect(ready.map((m) => Number(m[1])).sort()).toEqual([1, 2, 3, 4]);
    for (const m of ready) expect(m[3]).toBe('the primary (cluster mode)');
    firstPids = ready.map((m) => Number(m[2]));
    expect(new Set(firstPids).size).toBe(WORKERS);
    expect(firstPids).not.toContain(app.child.pid);
    expect(app.output).toMatch(new RegExp(`^primary \\(pid ${app.child.pid}\\): cluster mode, flags from ${service.url}$`, 'm'));
    expect(app.output).toMatch(new RegExp(`^primary \\(pid ${app.child.pid}\\): 4 workers ready on http://localhost:${app.port}/\\?user=alice$`, 'm'));

    // One stream for the host (the primary's), not one per worker; nothing reconnected.
    expect(service.stream.connectionCount).toBe(1);
    expect(service.stream.openCount).toBe(1);
    expect(service.stream.connections).toHaveLength(1);
    expect(service.stream.connections[0]!.request.headers.authorization).toBe(SDK_KEY);
  });

  it("answers each context's flag values from every one of the 4 workers (targets, rules, segment, fallthrough)", async () => {
    for (const [query, values] of CONTEXTS) {
      const answered = await app.askEvery(query, firstPids, values);
      expect([...answered].sort(), query).toEqual([...firstPids].sort());
    }
    expect(await app.request('/')).toEqual({ status: 400, body: { error: 'missing ?user=<key>' } });
    // Still the one stream: answering opened nothing upstream.
    expect(service.stream.connectionCount).toBe(1);
  });

  it('delivers a flag change made through the flag service API to every worker within 1 s', async () => {
    const changedAt = await putFlag(service, { ...data.flags['max-upload-mb'], on: true });
    const seenAt = new Map<number, number>();
    while (seenAt.size < WORKERS && Date.now() - changedAt < 5000) {
      const answer = await app.ask('user=dave');
      expect([10, 100]).toContain(answer.flags['max-upload-mb']);
      expect(answer.flags).toEqual(expected(false, 'Welcome!', answer.flags['max-upload-mb'] as number));
      if (answer.flags['max-upload-mb'] === 100 && !seenAt.has(answer.pid)) seenAt.set(answer.pid, Date.now());
    }
    expect([...seenAt.keys()].sort()).toEqual([...firstPids].sort());
    const elapsed = Math.max(...seenAt.values()) - changedAt;
    console.log(`flag change seen by all ${WORKERS} workers ${elapsed} ms after the flag service answered the PUT`);
    expect(elapsed).toBeLessThan(1000);
    // The service sent it as a patch on the one stream: no worker connected to get it.
    expect(service.stream.connectionCount).toBe(1);
    expect(service.data().flags['max-upload-mb']).toMatchObject({ on: true, version: 2 });
    // Once a worker has the change, it keeps it.
    for (let i = 0; i < 2 * WORKERS; i++) expect((await app.ask('user=dave')).flags).toEqual(expected(false, 'Welcome!', 100));
  });

  it('replaces a worker killed with SIGKILL by one that gets a fresh replica from the primary, still over one stream', async () => {
    victim = (await app.ask('user=dave')).pid;
    // Workers forward their events to the primary every second: after 2 s without a request the victim
    // has forwarded all of them, so killing it loses none (the last test counts them exactly).
    await sleep(Math.max(0, app.lastAnswerAt + 2000 - Date.now()));
    process.kill(victim, 'SIGKILL');
    await app.waitForOutput(new RegExp(`^primary: worker \\d+ \\(pid ${victim}\\) was killed by SIGKILL; starting a replacement$`, 'gm'));
    const ready = await app.waitForOutput(READY, WORKERS + 1);
    replacement = Number(ready[WORKERS]![2]);
    expect(firstPids).not.toContain(replacement);
    expect(Number(ready[WORKERS]![1])).toBe(WORKERS + 1); // worker ids are never reused
    expect(ready[WORKERS]![3]).toBe('the primary (cluster mode)');
    expect(isAlive(victim)).toBe(false);

    // The replacement answers the current data (max-upload-mb changed) for every kind of context.
    const livePids = [...firstPids.filter((pid) => pid !== victim), replacement];
    for (const [query, values] of CONTEXTS) {
      const answered = await app.askEvery(query, livePids, { ...values, 'max-upload-mb': 100 });
      expect(answered, query).toContain(replacement);
      expect(answered, query).not.toContain(victim);
    }
    // The replacement connected to nothing: still the primary's one stream, never reopened.
    expect(service.stream.connectionCount).toBe(1);
    expect(service.stream.openCount).toBe(1);
  });

  it('on SIGTERM every worker hands its events to the primary, which delivers them as one sender and exits 0', async () => {
    expect(victim).toBeDefined();
    expect(replacement).toBeDefined();
    const livePids = [...firstPids.filter((pid) => pid !== victim), replacement!];
    // Contexts no worker has seen yet, each asked of at least 2 workers right before the shutdown: each
    // worker sends an index event for it, and the primary must keep one.
    const sharedUsers = ['shared-0', 'shared-1', 'shared-2', 'shared-3'];
    for (const user of sharedUsers) {
      const answered = await app.askEvery(`user=${user}`, livePids.slice(0, 2), expected(false, 'Welcome!', 100));
      expect(answered.size, user).toBeGreaterThanOrEqual(2);
    }

    app.child.kill('SIGTERM');
    const { code, signal } = await app.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(app.output).toMatch(/^primary: SIGTERM; asking 4 workers to shut down$/m);
    for (const pid of livePids) {
      expect(app.output).toMatch(new RegExp(`^worker \\d+ \\(pid ${pid}\\) flushed its events and closed its client$`, 'm'));
    }
    expect(app.output).toMatch(/^primary: delivered the events of every worker and closed its client$/m);
    expect(app.output).toMatch(/^primary: every worker has stopped; exiting with code 0$/m);
    for (const pid of app.workerPids()) expect(isAlive(pid), `worker pid ${pid}`).toBe(false);
    expect(isAlive(app.child.pid!)).toBe(false);
    expect(await settle(() => service.stream.openCount, 0)).toBe(0);
    expect(service.stream.connectionCount).toBe(1);

    // One sender: the primary's client posted everything, with one instance id and one diagnostic-init.
    const posts = service.events.posts;
    const bulk = service.events.analyticsPosts();
    expect(bulk.length).toBeGreaterThan(0);
    for (const post of posts) expect(post.status, `${post.endpoint} post`).toBe(202);
    const instanceIds = new Set(posts.map((post) => header(post.request.headers, 'x-launchdarkly-instance-id')));
    expect(instanceIds.size).toBe(1);
    expect([...instanceIds][0]).toMatch(/\S/);
    const inits = service.events.diagnosticEvents().filter((e) => e.kind === 'diagnostic-init');
    expect(inits).toHaveLength(1);

    // Summarized: at most one summary per payload, whatever the number of workers; no per-evaluation events.
    for (const post of bulk) expect((post.body as { kind: string }[]).filter((e) => e.kind === 'summary').length).toBeLessThanOrEqual(1);
    const events = service.events.analyticsEvents();
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(['index', 'summary']));

    // The summaries count every evaluation the workers answered, value by value. The killed worker had
    // forwarded all of its events before it was killed (see above), so none is missing.
    const total = [...app.served.values()].reduce((a, b) => a + b, 0);
    const graceful = total - (app.served.get(victim!) ?? 0);
    expect(graceful).toBeLessThan(total);
    for (const key of FLAG_KEYS) {
      const answeredValues = new Map<string, number>();
      for (const byFlag of app.values.values()) {
        for (const [value, count] of byFlag.get(key) ?? []) answeredValues.set(value, (answeredValues.get(value) ?? 0) + count);
      }
      const counted = summarized(events, key);
      expect([...counted.values()].reduce((a, b) => a + b, 0), key).toBe(total);
      expect(Object.fromEntries(counted), key).toEqual(Object.fromEntries(answeredValues));
    }

    // Index events deduplicated across workers: every user asked of several workers is indexed once.
    const indexed = events.filter((e) => e.kind === 'index').map((e) => (e.context as { key: string }).key);
    const users = [...CONTEXTS.map(([query]) => new URLSearchParams(query).get('user')!), ...sharedUsers];
    for (const user of users) expect(indexed.filter((key) => key === user), user).toHaveLength(1);
    expect(indexed.length).toBe(new Set(indexed).size);
  });
});

describe('apps/cluster with CLUSTER_MODE=off: one independent client per worker (the cost cluster mode removes)', { timeout: TIMEOUT }, () => {
  const WORKERS = 2;
  let service: FlagService;
  let dir: string;
  let app: App;

  beforeAll(async () => {
    ({ service, dir } = await startService());
    app = new App(await freePort(), WORKERS, { FLAG_SERVICE_URL: service.url, CLUSTER_MODE: 'off' });
    await app.waitForOutput(/^primary \(pid \d+\): 2 workers ready on http:\/\/localhost:\d+/gm);
  }, TIMEOUT);

  afterAll(async () => {
    app?.killAll();
    await service?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens one stream per worker and delivers events from one sender per worker', async () => {
    const pids = app.workerPids();
    expect(pids).toHaveLength(WORKERS);
    expect(app.output).not.toMatch(/cluster mode/);
    expect(service.stream.connectionCount).toBe(WORKERS);
    expect(service.stream.openCount).toBe(WORKERS);
    const [query, values] = CONTEXTS[0]!;
    expect([...(await app.askEvery(query, pids, values))].sort()).toEqual([...pids].sort());

    app.child.kill('SIGTERM');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    const ids = (posts: { request: { headers: Readonly<Record<string, string | string[] | undefined>> } }[]) =>
      new Set(posts.map((post) => header(post.request.headers, 'x-launchdarkly-instance-id')));
    expect(ids(service.events.analyticsPosts()).size).toBe(WORKERS);
    expect(ids(service.events.posts).size).toBe(WORKERS);
    expect(service.events.diagnosticEvents().filter((e) => e.kind === 'diagnostic-init')).toHaveLength(WORKERS);
    expect(await settle(() => service.stream.openCount, 0)).toBe(0);
  });
});
