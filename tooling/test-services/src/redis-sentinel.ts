import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ServiceStartError } from './errors.js';
import { freePort, LOOPBACK, waitUntil } from './ports.js';
import { requireBinary, spawnManaged, type ManagedProcess } from './process.js';
import { startRedis, startRedisServers, type RedisServer, waitForPong } from './redis.js';
import { redisCommand, RespError, type RespValue } from './resp.js';

const SERVICE = 'redis-sentinel';

/** Options for {@link startRedisSentinel}. */
export interface RedisSentinelOptions {
  /** The name the sentinels monitor the master under (ioredis' `name`). Default `'switchyard'`. */
  masterName?: string;
  /** Replicas of the master. Default 1 (a failover needs one). */
  replicas?: number;
  /** Sentinel processes. Default 1. */
  sentinels?: number;
  /** The sentinel binary. Default: `REDIS_SENTINEL_BIN` or `redis-sentinel` on PATH. */
  binary?: string;
  /** How long to wait for each step (start, discovery, failover), in milliseconds. Default 20000. */
  startTimeoutMs?: number;
}

/** A master, its replicas and the `redis-sentinel` processes watching them, all on loopback. */
export interface RedisSentinelSetup {
  readonly masterName: string;
  /** The master at start (after {@link failover} a replica holds that role). */
  readonly master: RedisServer;
  readonly replicas: readonly RedisServer[];
  /** `{ host, port }` of every sentinel: the shape ioredis' `sentinels` option takes. */
  readonly sentinels: readonly { host: string; port: number }[];
  /** Sends a command to the first sentinel, e.g. `('SENTINEL', 'MASTERS')`. */
  sentinelCommand(...args: (string | number)[]): Promise<RespValue>;
  /** The master's address as the sentinels report it now. */
  currentMaster(): Promise<{ host: string; port: number }>;
  /**
   * Forces a failover (`SENTINEL FAILOVER`) and waits until a replica is the master and the old master a
   * replica; returns the new master's address.
   */
  failover(): Promise<{ host: string; port: number }>;
  /** Stops the sentinels and every server. Safe to call twice. */
  stop(): Promise<void>;
}

function sentinelConfig(port: number, dir: string, masterName: string, masterPort: number): string {
  return [
    `port ${port}`,
    `bind ${LOOPBACK}`,
    'daemonize no',
    `dir ${dir}`,
    'logfile ""',
    `sentinel monitor ${masterName} ${LOOPBACK} ${masterPort} 1`,
    `sentinel down-after-milliseconds ${masterName} 1000`,
    `sentinel failover-timeout ${masterName} 5000`,
    `sentinel parallel-syncs ${masterName} 1`,
    '',
  ].join('\n');
}

async function launchSentinel(
  binary: string,
  masterName: string,
  masterPort: number,
  startTimeoutMs: number,
): Promise<{ port: number; proc: ManagedProcess; dir: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-sentinel-'));
    // Sentinel rewrites its config file, so each one gets its own writable copy.
    const config = join(dir, 'sentinel.conf');
    writeFileSync(config, sentinelConfig(port, dir, masterName, masterPort));
    const proc = spawnManaged(binary, [config], dir);
    try {
      await waitForPong(proc, port, SERVICE, startTimeoutMs);
      return { port, proc, dir };
    } catch (err) {
      await proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      const output = proc.output();
      if (/address already in use/i.test(output) && attempt < 5) continue;
      throw new ServiceStartError(SERVICE, `${(err as Error).message}\n--- redis-sentinel output ---\n${output}`, { cause: err });
    }
  }
}

/** A field of one entry of `SENTINEL REPLICAS` (a flat name/value list). */
function field(entry: RespValue, name: string): string | undefined {
  if (!Array.isArray(entry)) return undefined;
  const index = entry.indexOf(name);
  return index >= 0 && index % 2 === 0 ? String(entry[index + 1]) : undefined;
}

function address(reply: RespValue): { host: string; port: number } | undefined {
  if (!Array.isArray(reply) || reply.length !== 2) return undefined;
  return { host: String(reply[0]), port: Number(reply[1]) };
}

/**
 * Starts a master, `replicas` replicas (default 1) and `sentinels` `redis-sentinel` processes (default 1,
 * quorum 1) on free loopback ports, and waits until the sentinels know the master and every replica.
 * Throws {@link ServiceStartError} (naming the binary and how to install it) when one cannot start.
 */
export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinelSetup> {
  const binary = requireBinary(SERVICE, options.binary ?? process.env.REDIS_SENTINEL_BIN ?? 'redis-sentinel');
  const masterName = options.masterName ?? 'switchyard';
  const replicaCount = options.replicas ?? 1;
  const sentinelCount = options.sentinels ?? 1;
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;

  const master = await startRedis({ startTimeoutMs });
  const servers: RedisServer[] = [master];
  const sentinels: { port: number; proc: ManagedProcess; dir: string }[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(sentinels.map((s) => s.proc.kill('SIGTERM')));
    for (const s of sentinels) rmSync(s.dir, { recursive: true, force: true });
    await Promise.all(servers.map((s) => s.stop()));
  };

  const first = () => sentinels[0]!.port;
  const currentMaster = async () => {
    const found = address(await redisCommand(first(), ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName]));
    if (!found) throw new ServiceStartError(SERVICE, `the sentinels do not know a master named "${masterName}"`);
    return found;
  };

  try {
    const replicas =
      replicaCount > 0
        ? await startRedisServers(replicaCount, { startTimeoutMs, args: ['--replicaof', LOOPBACK, String(master.port)] })
        : [];
    servers.push(...replicas);
    await waitUntil(
      async () => {
        const info = await master.command('INFO', 'replication');
        return typeof info === 'string' && new RegExp(`connected_slaves:${replicaCount}\\b`).test(info);
      },
      { timeoutMs: startTimeoutMs, what: `${replicaCount} replica(s) to connect to the master` },
    );
    for (let i = 0; i < sentinelCount; i++) sentinels.push(await launchSentinel(binary, masterName, master.port, startTimeoutMs));
    await waitUntil(
      async () => {
        for (const s of sentinels) {
          const known = address(await redisCommand(s.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName]));
          const seen = await redisCommand(s.port, ['SENTINEL', 'REPLICAS', masterName]);
          if (known?.port !== master.port || !Array.isArray(seen) || seen.length !== replicaCount) return false;
          // A failover needs a replica the sentinel has heard from, with its link to the master up.
          if (!seen.every((r) => field(r, 'flags') === 'slave' && field(r, 'master-link-status') === 'ok')) return false;
        }
        return true;
      },
      { timeoutMs: startTimeoutMs, what: `the sentinels to know master "${masterName}" and its ${replicaCount} replica(s)` },
    );

    return {
      masterName,
      master,
      replicas,
      sentinels: sentinels.map((s) => ({ host: LOOPBACK, port: s.port })),
      sentinelCommand: (...args) => redisCommand(first(), args),
      currentMaster,
      async failover() {
        const before = await currentMaster();
        const reply = await redisCommand(first(), ['SENTINEL', 'FAILOVER', masterName]);
        if (reply instanceof RespError) throw new ServiceStartError(SERVICE, `SENTINEL FAILOVER failed: ${reply.message}`);
        let after = before;
        await waitUntil(
          async () => {
            after = await currentMaster();
            if (after.port === before.port) return false;
            const role = await redisCommand(after.port, ['ROLE']);
            // Done when the old master is demoted too: until then it still takes writes (which are lost).
            const oldRole = await redisCommand(before.port, ['ROLE']);
            return Array.isArray(role) && role[0] === 'master' && Array.isArray(oldRole) && oldRole[0] === 'slave';
          },
          { timeoutMs: startTimeoutMs, what: `a replica to take over from the master on port ${before.port}, and that one to become a replica` },
        );
        return after;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err instanceof ServiceStartError ? err : new ServiceStartError(SERVICE, (err as Error).message, { cause: err });
  }
}
