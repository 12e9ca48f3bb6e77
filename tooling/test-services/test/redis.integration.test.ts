import { afterAll, describe, expect, it } from 'vitest';

import { RespError, ServiceStartError, startRedis, startRedisCluster, startRedisServers, type RedisServer } from '../src/index.js';

describe('startRedis', () => {
  const started: RedisServer[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it('starts a real redis-server on a free loopback port that answers commands', async () => {
    const redis = await startRedis();
    started.push(redis);
    expect(redis.host).toBe('127.0.0.1');
    expect(redis.port).toBeGreaterThan(0);
    expect(redis.port).not.toBe(6379);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await redis.command('SET', 'k', 'v')).toBe('OK');
    expect(await redis.command('GET', 'k')).toBe('v');
    expect(await redis.command('CONFIG', 'GET', 'save')).toEqual(['save', '']);
  });

  it('kills the server abruptly and restarts it empty on the same port', async () => {
    const redis = await startRedis();
    started.push(redis);
    await redis.command('SET', 'k', 'v');
    const pid = redis.pid;
    await redis.kill();
    expect(redis.running).toBe(false);
    await expect(redis.command('PING')).rejects.toThrow(/ECONNREFUSED/);
    await redis.restart();
    expect(redis.running).toBe(true);
    expect(redis.pid).not.toBe(pid);
    expect(await redis.command('GET', 'k')).toBeNull();
  });

  it('starts several independent servers at once', async () => {
    const servers = await startRedisServers(3);
    started.push(...servers);
    expect(new Set(servers.map((s) => s.port)).size).toBe(3);
    await servers[0]!.command('SET', 'only-here', '1');
    expect(await servers[1]!.command('EXISTS', 'only-here')).toBe(0);
  });

  it('passes extra arguments to redis-server', async () => {
    const redis = await startRedis({ args: ['--maxclients', '7'] });
    started.push(redis);
    expect(await redis.command('CONFIG', 'GET', 'maxclients')).toEqual(['maxclients', '7']);
  });

  it('fails with an error naming the missing binary and how to install it', async () => {
    const attempt = startRedis({ binary: 'redis-server-that-does-not-exist' });
    await expect(attempt).rejects.toBeInstanceOf(ServiceStartError);
    await expect(attempt).rejects.toThrow(/redis-server-that-does-not-exist.*not found on PATH.*apt-get install -y redis-server/);
  });

  it('fails, naming the cause, when redis-server refuses its arguments', async () => {
    await expect(startRedis({ args: ['--no-such-directive', 'x'], startTimeoutMs: 3000 })).rejects.toThrow(
      /process exited[\s\S]*no-such-directive/,
    );
  });
});

describe('startRedisCluster', () => {
  it('starts a healthy cluster of 3 masters that covers every slot', async () => {
    const cluster = await startRedisCluster();
    try {
      expect(cluster.masters).toHaveLength(3);
      expect(cluster.startupNodes).toHaveLength(3);
      for (const node of cluster.nodes) {
        const info = String(await node.command('CLUSTER', 'INFO'));
        expect(info).toMatch(/cluster_state:ok/);
        expect(info).toMatch(/cluster_slots_assigned:16384/);
        expect(info).toMatch(/cluster_known_nodes:3/);
      }
      // A key lives on exactly one master; the others redirect.
      const replies = await Promise.all(cluster.masters.map((m) => m.command('SET', 'switchyard:features', 'x')));
      expect(replies.filter((r) => r === 'OK')).toHaveLength(1);
      expect(replies.filter((r) => r instanceof RespError && /^MOVED /.test(r.message))).toHaveLength(2);
    } finally {
      await cluster.stop();
    }
  });

  it('adds replicas when asked', async () => {
    const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    try {
      expect(cluster.nodes).toHaveLength(6);
      const info = String(await cluster.nodes[0]!.command('CLUSTER', 'INFO'));
      expect(info).toMatch(/cluster_known_nodes:6/);
      const nodes = String(await cluster.nodes[0]!.command('CLUSTER', 'NODES'));
      expect(nodes.match(/slave/g)).toHaveLength(3);
    } finally {
      await cluster.stop();
    }
  });

  it('refuses fewer than 3 masters', async () => {
    await expect(startRedisCluster({ masters: 2 })).rejects.toThrow(/at least 3 masters/);
  });
});
