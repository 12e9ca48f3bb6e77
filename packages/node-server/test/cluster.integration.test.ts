// Cluster mode with real node:cluster processes against the fake flag service: the primary's client
// holds the only stream and delivers the events of every worker; workers evaluate on its replica.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { startFakeLaunchDarkly, type FakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { afterEach, describe, expect, it } from 'vitest';

import { boolFlag, until } from './support.js';

const app = fileURLToPath(new URL('./fixtures/cluster-app.mjs', import.meta.url));
const SDK_KEY = 'sdk-cluster-0123-secret';

interface AppEvent {
  event?: string;
  reply?: string;
  worker?: number;
  pid?: number;
  key?: string;
  at?: number;
  state?: string;
  message?: string;
  results?: { worker: number; pid: number; value?: unknown; initialized?: boolean; state?: string }[];
}

interface App {
  child: ChildProcess;
  events: AppEvent[];
  stderr: () => string;
  request(cmd: Record<string, unknown>): Promise<AppEvent>;
  exited: Promise<number | null>;
}

let fake: FakeLaunchDarkly | undefined;
let running: App | undefined;

afterEach(async () => {
  if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
  for (const e of running?.events ?? []) if (e.pid && e.event === 'ready') killQuietly(e.pid);
  running = undefined;
  await fake?.close();
  fake = undefined;
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const flags = {
  'bool-flag': boolFlag('bool-flag', 1),
  'rule-flag': {
    ...boolFlag('rule-flag', 1),
    rules: [{ id: 'r1', variation: 0, clauses: [{ attribute: 'key', op: 'in', values: ['blocked'], negate: false }] }],
  },
  'segment-flag': {
    ...boolFlag('segment-flag', 1),
    fallthrough: { variation: 0 },
    rules: [{ id: 's', variation: 1, clauses: [{ attribute: 'segmentMatch', op: 'segmentMatch', values: ['beta'], negate: false }] }],
  },
};
const segments = { beta: { key: 'beta', version: 1, included: ['beta-user'], excluded: [], rules: [], salt: 's' } };

function start(env: Record<string, string>): App {
  const child = fork(app, [], { env: { ...process.env, URL: fake!.url, SDK_KEY, ...env }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const events: AppEvent[] = [];
  const waiting: ((e: AppEvent) => boolean)[] = [];
  child.on('message', (m: AppEvent) => {
    events.push(m);
    for (const w of [...waiting]) if (w(m)) waiting.splice(waiting.indexOf(w), 1);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  running = {
    child,
    events,
    stderr: () => stderr,
    exited,
    request: (cmd) =>
      new Promise((resolve) => {
        waiting.push((m) => {
          if (m.reply !== cmd.cmd) return false;
          resolve(m);
          return true;
        });
        child.send(cmd);
      }),
  };
  return running;
}

const readyWorkers = (a: App) => new Set(a.events.filter((e) => e.event === 'ready').map((e) => e.worker));

async function evalAll(a: App, key: string, context: unknown, dflt: unknown = 'default') {
  return (await a.request({ cmd: 'eval', key, context, dflt })).results!;
}

describe('cluster mode (node:cluster, 4 workers)', () => {
  it('one stream for the host; every worker initializes from the primary and evaluates right', async () => {
    fake = await startFakeLaunchDarkly({ data: { flags, segments } });
    const a = start({ WORKERS: '4' });
    await until(() => readyWorkers(a).size === 4, 20_000, '4 workers ready');

    expect(fake.stream.connectionCount).toBe(1);
    expect(fake.stream.openCount).toBe(1);
    expect(fake.polling.requests).toHaveLength(0);
    for (const [context, expected] of [
      [{ key: 'alice' }, { 'bool-flag': true, 'rule-flag': true, 'segment-flag': false }],
      [{ key: 'blocked' }, { 'bool-flag': true, 'rule-flag': false, 'segment-flag': false }],
      [{ key: 'beta-user' }, { 'bool-flag': true, 'rule-flag': true, 'segment-flag': true }],
    ] as const) {
      for (const [key, value] of Object.entries(expected)) {
        const results = await evalAll(a, key, context);
        expect(results).toHaveLength(4);
        for (const r of results) expect({ key, context, value: r.value, initialized: r.initialized, state: r.state }).toEqual({ key, context, value, initialized: true, state: 'VALID' });
      }
    }
    expect((await evalAll(a, 'missing-flag', { key: 'alice' }, 'dflt')).map((r) => r.value)).toEqual(['dflt', 'dflt', 'dflt', 'dflt']);
  }, 40_000);

  it('a patch reaches every worker within 1 s, as an update event; a late or lower version never rolls it back', async () => {
    fake = await startFakeLaunchDarkly({ data: { flags, segments } });
    const a = start({ WORKERS: '4' });
    await until(() => readyWorkers(a).size === 4, 20_000, '4 workers ready');

    // (Each worker's first data set fired `update` for every flag, as LaunchDarkly's SDK does: only
    // events after the patch count.)
    const sentAt = Date.now();
    fake.stream.patch('flags', boolFlag('bool-flag', 2, { on: false }));
    const updates = () => a.events.filter((e) => e.event === 'update' && e.key === 'bool-flag' && e.worker! > 0 && e.at! >= sentAt);
    await until(() => updates().length === 4, 5000, 'update in 4 workers');
    expect(new Set(updates().map((e) => e.worker)).size).toBe(4);
    const delays = updates().map((e) => e.at! - sentAt);
    expect(Math.max(...delays)).toBeLessThan(1000);
    expect((await evalAll(a, 'bool-flag', { key: 'alice' })).map((r) => r.value)).toEqual([false, false, false, false]);

    // An older version sent after the newer one is ignored by the primary and never reaches a worker.
    fake.stream.patch('flags', boolFlag('bool-flag', 1, { on: true }));
    fake.stream.patch('flags', boolFlag('rule-flag', 2, { on: false })); // a marker sent after it
    await until(async () => (await evalAll(a, 'rule-flag', { key: 'alice' })).every((r) => r.value === false), 5000, 'marker');
    expect((await evalAll(a, 'bool-flag', { key: 'alice' })).map((r) => r.value)).toEqual([false, false, false, false]);

    // A new put (the stream reconnected) replaces the data in every worker.
    fake.data.replace({ flags: { ...flags, 'bool-flag': boolFlag('bool-flag', 3) }, segments });
    fake.stream.drop();
    await until(async () => (await evalAll(a, 'bool-flag', { key: 'alice' })).every((r) => r.value === true), 10_000, 'new put in every worker');
    expect(fake.stream.connectionCount).toBe(2); // the primary reconnected; workers never connect
  }, 40_000);

  it("workers report the primary's data source status: INTERRUPTED while its stream is down, VALID again after", async () => {
    fake = await startFakeLaunchDarkly({ data: { flags, segments } });
    const a = start({ WORKERS: '2' });
    await until(() => readyWorkers(a).size === 2, 20_000, '2 workers ready');
    fake.stream.nextConnections({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    fake.stream.drop();
    await until(() => a.events.filter((e) => e.event === 'status' && e.state === 'INTERRUPTED').length >= 2, 10_000, 'INTERRUPTED in both workers');
    const interrupted = a.events.filter((e) => e.event === 'status' && e.state === 'INTERRUPTED');
    expect(new Set(interrupted.map((e) => e.worker))).toEqual(new Set([1, 2]));
    // Meanwhile the workers keep serving the last data.
    expect((await evalAll(a, 'bool-flag', { key: 'alice' })).map((r) => r.value)).toEqual([true, true]);
    await until(async () => (await evalAll(a, 'bool-flag', { key: 'alice' })).every((r) => r.state === 'VALID'), 15_000, 'VALID again');
  }, 40_000);

  it("merges every worker's events into the primary's payloads: one sender, summed counts, one index event per context", async () => {
    fake = await startFakeLaunchDarkly({ data: { flags: { ...flags, 'bool-flag': boolFlag('bool-flag', 1, { trackEvents: false }) }, segments } });
    const a = start({ WORKERS: '4' });
    await until(() => readyWorkers(a).size === 4, 20_000, '4 workers ready');
    for (let i = 0; i < 5; i++) await evalAll(a, 'bool-flag', { key: 'shared-user' }); // 5 × 4 workers
    await evalAll(a, 'segment-flag', { key: 'beta-user' }); // 4
    await a.request({ cmd: 'track', key: 'clicked', context: { key: 'shared-user' } }); // 4 custom events
    await a.request({ cmd: 'flush' });

    const bulk = fake.events.posts.filter((p) => p.endpoint === 'bulk' && p.status === 202);
    expect(bulk.length).toBeGreaterThan(0);
    expect(new Set(bulk.map((p) => p.request.headers['x-launchdarkly-instance-id'])).size).toBe(1);
    const events = fake.events.analyticsEvents();
    const count = (key: string) =>
      events
        .filter((e) => e.kind === 'summary')
        .reduce((n, s) => n + ((s.features as Record<string, { counters: { count: number }[] }>)[key]?.counters.reduce((m, c) => m + c.count, 0) ?? 0), 0);
    expect(count('bool-flag')).toBe(20);
    expect(count('segment-flag')).toBe(4);
    const indexed = events.filter((e) => e.kind === 'index').map((e) => (e.context as { key: string }).key);
    expect(indexed.sort()).toEqual(['beta-user', 'shared-user']);
    expect(events.filter((e) => e.kind === 'custom')).toHaveLength(4);
    // One diagnostic-init for the host: workers send no diagnostic events.
    const inits = fake.events.diagnosticEvents().filter((e) => e.kind === 'diagnostic-init');
    expect(inits).toHaveLength(1);
  }, 40_000);

  it('a killed worker is replaced and the replacement gets a fresh replica, with no new stream', async () => {
    fake = await startFakeLaunchDarkly({ data: { flags, segments } });
    const a = start({ WORKERS: '2' });
    await until(() => readyWorkers(a).size === 2, 20_000, '2 workers ready');
    fake.stream.patch('flags', boolFlag('bool-flag', 5, { on: false }));
    await until(async () => (await evalAll(a, 'bool-flag', { key: 'alice' })).every((r) => r.value === false), 5000, 'patch');

    a.child.send({ cmd: 'kill', worker: 1 });
    await until(() => a.events.some((e) => e.event === 'exit' && e.worker === 1), 10_000, 'worker 1 exit');
    await until(() => readyWorkers(a).has(3), 20_000, 'replacement ready');
    const results = await evalAll(a, 'bool-flag', { key: 'alice' });
    expect(results.map((r) => [r.worker, r.value]).sort()).toEqual([
      [2, false],
      [3, false],
    ]);
    expect(fake.stream.connectionCount).toBe(1);
  }, 40_000);

  it('with a persistent store in the options, only the primary uses it; workers close the instance they were given', async () => {
    fake = await startFakeLaunchDarkly({ data: { flags, segments } });
    const a = start({ WORKERS: '2', STORE_INSTANCE: '1' });
    await until(() => readyWorkers(a).size === 2, 20_000, '2 workers ready');
    await until(() => a.events.filter((e) => e.event === 'store-closed').length === 2, 5000, 'both workers closed their store');
    expect((await evalAll(a, 'segment-flag', { key: 'beta-user' })).map((r) => r.value)).toEqual([true, true]);
    fake.stream.patch('flags', boolFlag('bool-flag', 2, { on: false }));
    await until(async () => (await evalAll(a, 'bool-flag', { key: 'alice' })).every((r) => r.value === false), 5000, 'patch through the store');
  }, 40_000);

  it("while the flag service is unreachable, workers get what the primary's persistent store holds", async () => {
    fake = await startFakeLaunchDarkly({ data: { flags, segments } });
    fake.stream.nextConnections(...Array.from({ length: 1000 }, () => ({ kind: 'status' as const, status: 503 })));
    const a = start({ WORKERS: '2', STORE_INSTANCE: '1', PREFILL_STORE: '1' });
    await until(() => readyWorkers(a).size === 2, 20_000, '2 workers ready from the store');
    const fromStore = await evalAll(a, 'bool-flag', { key: 'alice' });
    expect(fromStore.map((r) => [r.value, r.initialized])).toEqual([
      [false, true],
      [false, true],
    ]);
    // The service comes back: its data replaces the store's everywhere.
    fake.stream.clearPlans();
    await until(async () => (await evalAll(a, 'bool-flag', { key: 'alice' })).every((r) => r.value === true && r.state === 'VALID'), 15_000, 'service data in every worker');
  }, 40_000);

  it("when the primary re-creates its client, workers keep serving meanwhile and move to the new one", async () => {
    fake = await startFakeLaunchDarkly({ data: { flags, segments } });
    const a = start({ WORKERS: '2' });
    await until(() => readyWorkers(a).size === 2, 20_000, '2 workers ready');
    await a.request({ cmd: 'close-client' });
    await until(async () => (await evalAll(a, 'bool-flag', { key: 'alice' })).every((r) => r.state === 'INTERRUPTED'), 5000, 'INTERRUPTED');
    expect((await evalAll(a, 'bool-flag', { key: 'alice' })).map((r) => r.value)).toEqual([true, true]);
    // A flush with no client in the primary is answered at once (the request returns; nothing hangs).
    const flushed = a.request({ cmd: 'flush' });
    await until(() => a.events.some((e) => e.reply === 'flush'), 5000, 'flush answered without a primary client');
    expect((await flushed).results).toHaveLength(2);

    fake.data.set('flags', boolFlag('bool-flag', 7, { on: false }));
    await a.request({ cmd: 'new-client' });
    await until(async () => (await evalAll(a, 'bool-flag', { key: 'alice' })).every((r) => r.value === false && r.state === 'VALID'), 10_000, 'data of the new client');
    expect(fake.stream.connectionCount).toBe(2);
  }, 40_000);

  it('workers started before the primary creates its client wait for it, then initialize', async () => {
    fake = await startFakeLaunchDarkly({ data: { flags, segments } });
    const a = start({ WORKERS: '2', PRIMARY_CLIENT_DELAY_MS: '1500' });
    await until(() => readyWorkers(a).size === 2, 20_000, '2 workers ready');
    expect((await evalAll(a, 'bool-flag', { key: 'alice' })).map((r) => r.value)).toEqual([true, true]);
    expect(fake.stream.connectionCount).toBe(1);
  }, 40_000);

  it('a worker with another SDK key is refused by the primary and fails initialization with a clear error', async () => {
    fake = await startFakeLaunchDarkly({ data: { flags, segments } });
    const a = start({ WORKERS: '1', WORKER_SDK_KEY: 'sdk-other-environment' });
    await until(() => a.events.some((e) => e.event === 'failed'), 20_000, 'failed');
    expect(a.events.find((e) => e.event === 'failed')!.message).toMatch(/refused this worker: .*same SDK key/);
    expect(a.stderr()).not.toContain('sdk-other-environment');
    expect(a.stderr()).not.toContain(SDK_KEY);
  }, 40_000);

  it('graceful stop: workers hand over their last events, the primary delivers them and everything exits 0', async () => {
    fake = await startFakeLaunchDarkly({ data: { flags, segments } });
    const a = start({ WORKERS: '3' });
    await until(() => readyWorkers(a).size === 3, 20_000, '3 workers ready');
    for (let i = 0; i < 3; i++) await evalAll(a, 'rule-flag', { key: `last-${i}` }); // 9, not yet forwarded
    a.child.send({ cmd: 'stop' });
    expect(await a.exited).toBe(0);
    const summaries = fake.events.analyticsEvents().filter((e) => e.kind === 'summary');
    const counted = summaries.reduce(
      (n, s) => n + ((s.features as Record<string, { counters: { count: number }[] }>)['rule-flag']?.counters.reduce((m, c) => m + c.count, 0) ?? 0),
      0,
    );
    expect(counted).toBe(9);
    const pids = a.events.filter((e) => e.event === 'ready').map((e) => e.pid!);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    await until(() => fake!.stream.openCount === 0, 5000, 'stream closed');
  }, 40_000);
});
