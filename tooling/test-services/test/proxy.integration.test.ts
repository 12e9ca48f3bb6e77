import { connect, type Socket } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { redisCommand, startFaultProxy, waitUntil, startRedis, type FaultProxy, type RedisServer } from '../src/index.js';

describe('startFaultProxy', () => {
  let redis: RedisServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    redis = await startRedis();
    proxy = await startFaultProxy({ target: { port: redis.port } });
  });
  afterAll(async () => {
    await proxy.stop();
    await redis.stop();
  });

  it('forwards traffic to the real service', async () => {
    expect(await redisCommand(proxy.port, ['SET', 'through-proxy', '1'])).toBe('OK');
    expect(await redis.command('GET', 'through-proxy')).toBe('1');
  });

  it('refuses connections while the service keeps its data, then forwards again', async () => {
    proxy.setMode('refuse');
    await expect(redisCommand(proxy.port, ['PING'])).rejects.toThrow(/ECONNRESET|socket hang up|EPIPE/);
    proxy.setMode('forward');
    expect(await redisCommand(proxy.port, ['GET', 'through-proxy'])).toBe('1');
  });

  it('swallows traffic in blackhole mode so clients time out', async () => {
    proxy.setMode('blackhole');
    await expect(redisCommand(proxy.port, ['PING'], { timeoutMs: 300 })).rejects.toThrow(/did not answer PING within 300 ms/);
    proxy.setMode('forward');
  });

  it('counts the connections a client holds open, and the most open at once', async () => {
    // Earlier tests' connections close asynchronously.
    await waitUntil(async () => proxy.openConnections === 0, { timeoutMs: 2_000, what: 'earlier connections to close' });
    const before = proxy.totalConnections;
    proxy.resetPeak();
    expect(proxy.peakConnections).toBe(0);
    const sockets = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<Socket>((resolve) => {
            const s = connect({ host: proxy.host, port: proxy.port }, () => resolve(s));
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(proxy.openConnections).toBe(3);
    expect(proxy.totalConnections - before).toBe(3);
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(proxy.openConnections).toBe(0);
    expect(proxy.peakConnections).toBe(3);
    proxy.resetPeak();
    expect(proxy.peakConnections).toBe(0);
  });
});
