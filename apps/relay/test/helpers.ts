// Shared pieces of the relay's integration tests: flags, a relay on a free port with a log that can be
// searched, SDK clients pointed at it, and raw HTTP probes.
import { get } from 'node:http';

import type { LDLogger } from '@switchyard/core';
import { type LDClient, init } from '@switchyard/node-server';

import { type RelayConfig, type StoreConfig, startRelay, type Relay, type StartRelayOptions } from '../src/index.js';

export const SDK_KEY = 'sdk-relay-test-0123456789';
export const USER = { kind: 'user', key: 'u1' } as const;

/** A boolean-ish flag serving `value` to everyone. */
export function flag(key: string, value: unknown, version = 1, extra: Record<string, unknown> = {}) {
  return { key, version, on: true, variations: [value, null], fallthrough: { variation: 0 }, offVariation: 1, targets: [], rules: [], prerequisites: [], salt: key, ...extra };
}

/** What a relay logged, for assertions (and printed with RELAY_TEST_LOG=1). */
export class LogLines implements LDLogger {
  readonly lines: string[] = [];
  private add(level: string, args: unknown[]): void {
    const line = `${level}: ${args.map(String).join(' ')}`;
    this.lines.push(line);
    if (process.env.RELAY_TEST_LOG) console.log(line);
  }
  debug(...args: unknown[]): void {
    this.add('debug', args);
  }
  info(...args: unknown[]): void {
    this.add('info', args);
  }
  warn(...args: unknown[]): void {
    this.add('warn', args);
  }
  error(...args: unknown[]): void {
    this.add('error', args);
  }
  has(pattern: RegExp): boolean {
    return this.lines.some((l) => pattern.test(l));
  }
}

const closers: (() => Promise<unknown>)[] = [];
/** Registers something to close after the test (latest first). */
export function later<T>(value: T, close: (v: T) => Promise<unknown>): T {
  closers.push(() => close(value));
  return value;
}
export async function closeAll(): Promise<void> {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
}

export interface TestRelay {
  relay: Relay;
  log: LogLines;
}

export async function startTestRelay(
  upstreamUrl: string,
  store: StoreConfig,
  overrides: Partial<RelayConfig> = {},
  options: StartRelayOptions = {},
): Promise<TestRelay> {
  const log = new LogLines();
  const config: RelayConfig = {
    envName: 'test',
    sdkKey: SDK_KEY,
    port: 0,
    host: '127.0.0.1',
    streamUri: upstreamUrl,
    baseUri: upstreamUrl,
    eventsUri: upstreamUrl,
    initTimeoutMs: 2000,
    cacheTtlMs: 30_000,
    store,
    ...overrides,
  };
  const relay = later(await startRelay(config, { logger: log, upstreamReconnectDelayMs: 100, storePollIntervalMs: 100, ...options }), (r) => r.close());
  return { relay, log };
}

export const quiet: LDLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A Switchyard client in proxy mode against the relay. */
export function proxySdk(relay: Relay, extra: Parameters<typeof init>[1] = {}): LDClient {
  return later(
    init(SDK_KEY, { baseUri: relay.url, streamUri: relay.url, eventsUri: relay.url, streamInitialReconnectDelay: 0.05, logger: quiet, diagnosticOptOut: true, ...extra }),
    (c) => c.close(),
  );
}

/** Resolves once `predicate` holds; fails with `what` after `timeoutMs`. */
export async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The HTTP status the relay answers on `path`, on a fresh connection (closed once the headers arrived). */
export function status(url: string, path = '/all', key = SDK_KEY): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}${path}`, { headers: { authorization: key }, agent: false }, (res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    req.on('error', reject);
  });
}

export async function poll(relay: Relay): Promise<{ status: number; body: { flags: Record<string, { version: number }>; segments: Record<string, unknown> } | undefined }> {
  const res = await fetch(`${relay.url}/sdk/latest-all`, { headers: { authorization: SDK_KEY } });
  return { status: res.status, body: res.ok ? ((await res.json()) as never) : undefined };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
