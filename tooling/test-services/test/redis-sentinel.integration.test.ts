import { connect } from 'node:tls';

import { afterAll, describe, expect, it } from 'vitest';

import { createTestCertificate, redisCommand, ServiceStartError, startRedis, startRedisSentinel, type RedisSentinelSetup } from '../src/index.js';

describe('startRedisSentinel', () => {
  let setup: RedisSentinelSetup | undefined;
  afterAll(async () => {
    await setup?.stop();
  });

  it('starts a master, a replica and a real redis-sentinel that knows both, and fails over on demand', async () => {
    setup = await startRedisSentinel({ masterName: 'main' });
    expect(setup.sentinels).toHaveLength(1);
    expect(await setup.currentMaster()).toEqual({ host: '127.0.0.1', port: setup.master.port });
    expect(await setup.sentinelCommand('PING')).toBe('PONG');
    await setup.master.command('SET', 'k', 'v');

    const promoted = await setup.failover();
    expect(promoted.port).toBe(setup.replicas[0]!.port);
    expect(await redisCommand(promoted.port, ['GET', 'k'])).toBe('v');
    expect(await redisCommand(promoted.port, ['SET', 'k2', 'v2'])).toBe('OK');
  });

  it('fails with an error naming the missing binary and how to install it', async () => {
    const attempt = startRedisSentinel({ binary: 'redis-sentinel-that-does-not-exist' });
    await expect(attempt).rejects.toBeInstanceOf(ServiceStartError);
    await expect(attempt).rejects.toThrow(/not found on PATH.*apt-get install -y redis-sentinel/);
  });
});

describe('startRedis with TLS', () => {
  it('listens for TLS with a certificate made by createTestCertificate, and plain on the admin port', async () => {
    const cert = await createTestCertificate();
    const redis = await startRedis({ tls: cert });
    try {
      expect(redis.tls?.url).toBe(`rediss://127.0.0.1:${redis.tls?.port}`);
      expect(await redis.command('PING')).toBe('PONG');
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: redis.tls!.port, ca: cert.certPem, servername: 'localhost' }, () => {
          socket.write('PING\r\n');
        });
        socket.once('data', (data) => {
          resolve(data.toString('utf8'));
          socket.end();
        });
        socket.once('error', reject);
      });
      expect(reply).toBe('+PONG\r\n');
      // A client that does not trust the certificate is refused.
      await expect(
        new Promise((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port: redis.tls!.port, servername: 'localhost' }, () => resolve(socket.end()));
          socket.once('error', reject);
        }),
      ).rejects.toThrow(/self.signed/i);
    } finally {
      await redis.stop();
      cert.remove();
    }
  });
});
