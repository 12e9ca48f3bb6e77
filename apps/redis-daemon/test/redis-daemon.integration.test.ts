import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { type FakeItem, type FakeLaunchDarkly, startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { type RedisServer, startRedis } from '@switchyard/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const app = fileURLToPath(new URL('../index.js', import.meta.url));
const SDK_KEY = 'sdk-redis-daemon-test';
const READERS = 2;
const CACHE_TTL_MS = 200;
const TIMEOUT_MS = 30_000;

// A small environment in LaunchDarkly's JSON shape: a boolean flag with an individual target, a string
// flag with a rule, and a flag that is off.
const newCheckout: FakeItem = {
  key: 'new-checkout',
  version: 3,
  on: true,
  variations: [false, true],
  fallthrough: { variation: 0 },
  offVariation: 0,
  targets: [{ values: ['alice'], variation: 1 }],
  contextTargets: [],
  rules: [],
  prerequisites: [],
  salt: 'new-checkout-salt',
  trackEvents: false,
  clientSide: false,
};
const checkoutTheme: FakeItem = {
  key: 'checkout-theme',
  version: 7,
  on: true,
  variations: ['light', 'dark', 'high-contrast'],
  fallthrough: { variation: 0 },
  offVariation: 0,
  targets: [],
  contextTargets: [],
  rules: [
    {
      id: 'beta-testers',
      clauses: [{ attribute: 'key', op: 'in', values: ['bob', 'carol'], contextKind: 'user', negate: false }],
      variation: 1,
      trackEvents: false,
    },
  ],
  prerequisites: [],
  salt: 'checkout-theme-salt',
  trackEvents: false,
  clientSide: false,
};
const maxCartItems: FakeItem = {
  key: 'max-cart-items',
  version: 1,
  on: false,
  variations: [20, 50],
  fallthrough: { variation: 1 },
  offVariation: 0,
  targets: [],
  contextTargets: [],
  rules: [],
  prerequisites: [],
  salt: 'max-cart-items-salt',
  trackEvents: false,
  clientSide: false,
};

interface ReaderInfo {
  index: number;
  pid: number;
  url: string;
}
interface ReaderAnswer {
  reader: number;
  pid: number;
  flags: Record<string, unknown>;
}

let redis: RedisServer;
let fake: FakeLaunchDarkly;
let launcher: ChildProcess;
let launcherExit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
let stdout = '';
let stderr = '';
let readers: ReaderInfo[] = [];
let writerPid: number;

function output(): string {
  return `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
}

async function ask(reader: ReaderInfo, user: string): Promise<ReaderAnswer> {
  const res = await fetch(`${reader.url}?user=${encodeURIComponent(user)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ReaderAnswer;
}

/** Connections per client name, from Redis's own `CLIENT LIST`. */
async function connectionsByName(): Promise<Map<string, number>> {
  const list = String(await redis.command('CLIENT', 'LIST'));
  const counts = new Map<string, number>();
  for (const line of list.split('\n')) {
    const name = /(?:^| )name=(\S*)/.exec(line)?.[1];
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  redis = await startRedis(); // a missing redis-server fails the run (ServiceStartError), nothing is skipped
  fake = await startFakeLaunchDarkly({
    data: { flags: { 'new-checkout': newCheckout, 'checkout-theme': checkoutTheme, 'max-cart-items': maxCartItems }, segments: {} },
  });

  launcher = spawn(process.execPath, [app], {
    env: {
      ...process.env,
      SDK_KEY,
      FLAG_SERVICE_URL: fake.url,
      REDIS_URL: redis.url,
      READERS: String(READERS),
      PORT: '0', // every reader on a free port, printed by the launcher
      CACHE_TTL_MS: String(CACHE_TTL_MS),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  launcher.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  launcher.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  launcherExit = new Promise((resolve) => launcher.once('exit', (code, signal) => resolve({ code, signal })));
  let exited = false;
  void launcherExit.then(() => (exited = true));

  await eventually('the launcher to print that it is ready', () => {
    if (exited) throw new Error(`the launcher exited before it was ready\n${output()}`);
    return stdout.includes('[launcher] ready');
  }, TIMEOUT_MS);

  readers = [...stdout.matchAll(/reader (\d+) \(pid (\d+)\): (http:\/\/127\.0\.0\.1:\d+\/)\?user=alice/g)].map((m) => ({
    index: Number(m[1]),
    pid: Number(m[2]),
    url: m[3]!,
  }));
  writerPid = Number(/\[writer\] pid (\d+):/.exec(stdout)?.[1]);
}, TIMEOUT_MS);

afterAll(async () => {
  // Only if a test failed before the shutdown test: never leave processes behind.
  if (launcher && launcher.exitCode === null && launcher.signalCode === null) launcher.kill('SIGKILL');
  for (const pid of [writerPid, ...readers.map((r) => r.pid)]) {
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  await fake?.close();
  await redis?.stop();
}, TIMEOUT_MS);

describe('redis-daemon: one writer, readers in daemon mode', () => {
  it('prints every reader URL and the Redis connections each process holds', () => {
    expect(readers.map((r) => r.index), output()).toEqual([1, 2]);
    expect(new Set([writerPid, launcher.pid, ...readers.map((r) => r.pid)]).size).toBe(READERS + 2);
    // minIdle is 1 everywhere: one connection each at start; a reader may have opened its second already.
    expect(stdout).not.toContain('changed: written to Redis'); // the first data set is not logged flag by flag
    expect(stdout).toMatch(/Redis connections: writer 1, readers (2 × [12]|[12] \+ [12]) = [234] \(limit per process: writer 1, reader 2; at most 1 \+ 2 × 2 = 5 in total\)/);
  });

  it('each reader answers from Redis: the target, the rule, the fallthrough and an off flag', async () => {
    for (const reader of readers) {
      const alice = await ask(reader, 'alice');
      expect(alice).toEqual({
        reader: reader.index,
        pid: reader.pid,
        flags: { 'new-checkout': true, 'checkout-theme': 'light', 'max-cart-items': 20 },
      });
      const bob = await ask(reader, 'bob');
      expect(bob.flags).toEqual({ 'new-checkout': false, 'checkout-theme': 'dark', 'max-cart-items': 20 });
    }
    const missingUser = await fetch(readers[0]!.url);
    expect(missingUser.status).toBe(400);
  });

  it('only the writer talks to the flag service for flags: one stream, no polling', async () => {
    expect(fake.stream.connections).toHaveLength(1);
    expect(fake.stream.openCount).toBe(1);
    expect(fake.stream.connections[0]!.request.headers.authorization).toBe(SDK_KEY);
    const gets = fake.server.requests.filter((r) => r.method === 'GET');
    expect(gets.map((r) => r.path)).toEqual(['/all']);
    // Readers still send their diagnostic (and analytics) events to the service, saying they use daemon mode;
    // the writer sends none.
    await fake.events.waitFor((e) => e.diagnosticEvents().filter((d) => d.kind === 'diagnostic-init').length >= READERS, 10_000);
    const inits = fake.events.diagnosticEvents().filter((d) => d.kind === 'diagnostic-init');
    expect(inits).toHaveLength(READERS);
    for (const init of inits) expect(init.configuration).toMatchObject({ usingRelayDaemon: true });
  });

  it('Redis CLIENT LIST: writer 1 connection, each reader 1 or 2 (its maxConnections), also under load', async () => {
    const expectWithinLimits = (counts: Map<string, number>) => {
      expect(counts.get('redis-daemon-writer')).toBe(1);
      for (const { index } of readers) {
        const n = counts.get(`redis-daemon-reader-${index}`) ?? 0;
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(2);
      }
      // No connection with the store's default name: every pool connection belongs to one of our processes.
      expect(counts.get('switchyard-store-redis')).toBeUndefined();
    };
    expectWithinLimits(await connectionsByName());

    // 40 concurrent requests per reader, repeated across cache expiries, while Redis is watched.
    let loading = true;
    const load = (async () => {
      const until = Date.now() + 3 * CACHE_TTL_MS;
      while (Date.now() < until) {
        await Promise.all(readers.flatMap((r) => Array.from({ length: 40 }, (_, i) => ask(r, `user-${i}`))));
      }
    })().finally(() => (loading = false));
    let samples = 0;
    while (loading) {
      expectWithinLimits(await connectionsByName());
      samples++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await load;
    expect(samples).toBeGreaterThan(0);
    expectWithinLimits(await connectionsByName());
  });

  it('a flag change sent on the stream reaches Redis through the writer, then every reader after the cache TTL', async () => {
    fake.stream.patch('flags', { ...checkoutTheme, version: checkoutTheme.version + 1, fallthrough: { variation: 2 } });
    fake.stream.patch('flags', { ...newCheckout, version: newCheckout.version + 1, on: false });

    await eventually('the writer to store checkout-theme version 8 in Redis', async () => {
      const json = await redis.command('HGET', 'launchdarkly:features', 'checkout-theme');
      return typeof json === 'string' && (JSON.parse(json) as { version: number }).version === 8;
    });
    await eventually('the writer to log both changes', () =>
      ['checkout-theme', 'new-checkout'].every((key) => stdout.includes(`[writer] flag "${key}" changed: written to Redis`)),
    );
    for (const reader of readers) {
      await eventually(`reader ${reader.index} to serve the changed flags`, async () => {
        const { flags } = await ask(reader, 'alice');
        return flags['checkout-theme'] === 'high-contrast' && flags['new-checkout'] === false;
      });
      // The rule still wins over the new fallthrough.
      expect((await ask(reader, 'bob')).flags).toEqual({ 'new-checkout': false, 'checkout-theme': 'dark', 'max-cart-items': 20 });
    }
    // Still the one stream: the change came over it, not over new connections.
    expect(fake.stream.connections).toHaveLength(1);
  });

  it('SIGTERM to the launcher stops every process cleanly: exit code 0, no child left, no connection left', async () => {
    const pids = [writerPid, ...readers.map((r) => r.pid)];
    expect(pids.every(isAlive)).toBe(true);

    launcher.kill('SIGTERM');
    const exit = await launcherExit;
    expect(exit, output()).toEqual({ code: 0, signal: null });
    expect(stdout).toContain(`[launcher] stopped ${READERS + 1} processes`);
    expect(pids.filter(isAlive)).toEqual([]);

    // Each process closed its client: its Redis connections and the writer's stream are gone.
    await eventually('every redis-daemon connection to close', async () => {
      const names = [...(await connectionsByName()).keys()];
      return !names.some((n) => n.startsWith('redis-daemon-'));
    }, 5000);
    await eventually('the stream to close', () => fake.stream.openCount === 0, 5000);
    expect(stderr).not.toMatch(/error/i);
  });
});
