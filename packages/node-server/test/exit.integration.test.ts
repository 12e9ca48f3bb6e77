import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

import { afterEach, expect, it } from 'vitest';

import { boolFlag, harness, type Harness } from './support.js';

const app = fileURLToPath(new URL('./fixtures/exit-app.mjs', import.meta.url));

let h: Harness;
let silent: Server | undefined;
const accepted = new Set<Socket>();
afterEach(async () => {
  await h?.close();
  for (const socket of accepted) socket.destroy();
  accepted.clear();
  await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
  silent = undefined;
});

/** A TCP server that accepts connections and never answers (a stalled proxy); resolves with its port. */
async function startSilentServer(): Promise<number> {
  silent = createServer((socket) => {
    accepted.add(socket);
    socket.resume();
  });
  await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
  return (silent.address() as { port: number }).port;
}

interface Run {
  /** The exit code, or `hung` when the process was still running after 30 s. */
  readonly code: number | 'hung';
  readonly stdout: string;
  readonly stderr: string;
  /** From close() resolving to the process exiting, as the process measured it. */
  readonly exitDelayMs: number | undefined;
}

/**
 * Runs the app in `state`; once it says it is ready to close, `beforeClose` may check the state from the
 * service's side, then the app is told to close the client.
 */
function run(state: string, events: 'on' | 'off', beforeClose: () => Promise<void> = async () => {}, extraArgs: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [app, h.fake.url, state, events, ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let told = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!told && stdout.includes('ready-to-close')) {
        told = true;
        beforeClose().then(
          () => child.stdin.write('close\n'),
          (err: unknown) => {
            child.kill('SIGKILL');
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const delay = /exit-delay-ms: (\d+)/.exec(stdout)?.[1];
      resolve({ code: code ?? 'hung', stdout, stderr, exitDelayMs: delay === undefined ? undefined : Number(delay) });
    });
  });
}

function expectPromptExit(result: Run): void {
  expect(result.stdout, result.stderr).toContain('closed');
  expect(result.stdout).not.toContain('still running');
  expect(result.stdout).not.toContain('unhandled rejection');
  expect(result.code).toBe(0);
  expect(result.exitDelayMs).toBeLessThan(1000);
}

/** Analytics posts that were accepted: what a flush on close() delivered. */
const delivered = () => h.fake.events.analyticsPosts().filter((p) => p.status === 202);

const EVENTS = ['on', 'off'] as const;

it.each(EVENTS)('a process exits within 1 s after close() resolves while the stream is connected (events %s)', async (events) => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const result = await run('streaming', events);
  expect(result.stdout).toContain('value: true');
  expectPromptExit(result);
  expect(delivered().length > 0).toBe(events === 'on');
});

it.each(EVENTS)('a process exits within 1 s after close() resolves while backing off after a dropped stream (events %s)', async (events) => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const result = await run('stream-backoff', events, async () => {
    expect(h.fake.stream.openCount).toBe(1);
    h.fake.stream.drop();
  });
  expect(result.stdout).toContain('value: true');
  expect(result.stdout).toContain('interrupted: true');
  expectPromptExit(result);
  expect(h.fake.stream.connections).toHaveLength(1);
  expect(delivered().length > 0).toBe(events === 'on');
});

it.each(EVENTS)('a process exits within 1 s after close() resolves while the stream keeps failing and reconnecting (events %s)', async (events) => {
  h = await harness({ flags: { a: boolFlag('a') } });
  h.fake.stream.nextConnections(...Array.from({ length: 1000 }, () => ({ kind: 'status' as const, status: 503 })));
  const result = await run('stream-reconnecting', events);
  expect(result.stdout).toContain('init: LaunchDarklyTimeoutError');
  expectPromptExit(result);
  expect(delivered().length > 0).toBe(events === 'on');
});

it.each(EVENTS)('a process exits within 1 s after close() resolves in polling mode (events %s)', async (events) => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const result = await run('polling', events);
  expect(result.stdout).toContain('value: true');
  expectPromptExit(result);
  expect(delivered().length > 0).toBe(events === 'on');
});

it.each(EVENTS)('a process exits within 1 s after close() resolves while a poll is waiting for its answer (events %s)', async (events) => {
  h = await harness({ flags: { a: boolFlag('a') } });
  h.fake.polling.nextRequests({ kind: 'silent' });
  const result = await run('polling-mid-request', events, async () => {
    expect(h.fake.polling.requests.map((r) => r.status)).toEqual([undefined]);
  });
  expect(result.stdout).toContain('init: LaunchDarklyTimeoutError');
  expectPromptExit(result);
  expect(delivered().length > 0).toBe(events === 'on');
});

it.each(EVENTS)('a process exits within 1 s after close() resolves while the persistent store is down (events %s)', async (events) => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const result = await run('store-down', events);
  expectPromptExit(result);
  expect(delivered().length > 0).toBe(events === 'on');
});

it.each(EVENTS)('a process exits within 1 s after close() resolves while a poll waits for a proxy that never answers CONNECT (events %s)', async (events) => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const port = await startSilentServer();
  const result = await run('polling-silent-proxy', events, async () => expect(accepted.size).toBeGreaterThan(0), [String(port)]);
  expect(result.stdout).toContain('init: LaunchDarklyTimeoutError');
  expectPromptExit(result);
  // Events go through the same proxy: nothing reaches the service.
  expect(h.fake.server.requests).toHaveLength(0);
});

it('a process exits within 1 s after close() resolves when close() finds an event delivery waiting for its retry', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  h.fake.events.nextRequests({ kind: 'status', status: 503 });
  const result = await run('events-mid-retry', 'on', () => h.fake.events.waitFor((e) => e.analyticsPosts().some((p) => p.status === 503)));
  expectPromptExit(result);
  // close() waited for the retry, which delivered the payload.
  expect(h.fake.events.analyticsPosts().map((p) => p.status)).toEqual([503, 202]);
});

it('a process exits within 1 s after close() resolves when the events service never answers', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  h.fake.events.nextRequests(...Array.from({ length: 10 }, () => ({ kind: 'silent' as const })));
  const result = await run('events-blackholed', 'on');
  expectPromptExit(result);
  expect(h.fake.events.analyticsPosts().length).toBeGreaterThan(0);
  expect(delivered()).toHaveLength(0);
});
