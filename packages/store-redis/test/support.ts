import { type RedisServer, RespError, type RespValue, freePort } from '@switchyard/test-services';
import { expect } from 'vitest';

import { RedisKeys } from '../src/keys.js';
import { RedisPersistentStore } from '../src/redis-store.js';

/** Deletes every key of `prefix` on each server (for a cluster: each master holds its own keys). */
export async function clearPrefix(servers: readonly RedisServer[], prefix: string | undefined, hashTag = false): Promise<void> {
  const pattern = new RedisKeys(prefix ?? 'launchdarkly', hashTag).scanPattern;
  const script = "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) n = n + 1 end return n";
  for (const server of servers) ok(await server.command('EVAL', script, 0, pattern));
}

/** Fails the test on a RESP error reply; returns the reply otherwise. */
export function ok(reply: RespValue): RespValue {
  if (reply instanceof RespError) throw new Error(`redis replied with an error: ${reply.message}`);
  return reply;
}

/** A store pointed at a loopback port where nothing listens: every operation must fail with a StoreError. */
export async function unreachableStore(): Promise<RedisPersistentStore> {
  const port = await freePort();
  return new RedisPersistentStore({ url: `redis://127.0.0.1:${port}`, pool: { connectTimeoutMs: 1_000, reconnectMaxDelayMs: 200 } });
}

/** Names of the connections `CLIENT LIST` shows with `name=<name>`, from the server's side. */
export async function namedConnections(server: RedisServer, name: string): Promise<number> {
  const list = ok(await server.command('CLIENT', 'LIST', 'TYPE', 'normal'));
  expect(typeof list).toBe('string');
  return String(list)
    .split('\n')
    .filter((line) => line.includes(` name=${name} `)).length;
}
