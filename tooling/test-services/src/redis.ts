import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ServiceStartError } from './errors.js';
import { freePort, LOOPBACK, waitUntil } from './ports.js';
import { spawnManaged, requireBinary, type ManagedProcess } from './process.js';
import { redisCommand, RespError, type RespValue } from './resp.js';

const SERVICE = 'redis-server';

/** Options for {@link startRedis}. */
export interface RedisServerOptions {
  /** Port to listen on. Default: a free loopback port. */
  port?: number;
  /** Extra `redis-server` arguments, e.g. `['--maxclients', '10']`. */
  args?: readonly string[];
  /** The binary. Default: `REDIS_SERVER_BIN` or `redis-server` on PATH. */
  binary?: string;
  /** How long to wait for the first PONG, in milliseconds. Default 10000. */
  startTimeoutMs?: number;
  /**
   * Also listen for TLS on a second free port, with these PEM files (see {@link createTestCertificate}).
   * Clients are not asked for a certificate. The plain port stays open for admin commands.
   */
  tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
}

/** A running `redis-server` on loopback that the tests own. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** With the `tls` option: the TLS port and `rediss://127.0.0.1:<tlsPort>`. */
  readonly tls: { readonly port: number; readonly url: string } | undefined;
  /** The process id while running. */
  readonly pid: number | undefined;
  /** True between a successful start and kill/stop. */
  readonly running: boolean;
  /** Sends an admin command (fault injection, `CLIENT LIST`, …) on a fresh connection. */
  command(...args: (string | number)[]): Promise<RespValue>;
  /** Kills the process with SIGKILL: an abrupt outage. Data is lost (nothing is persisted). */
  kill(): Promise<void>;
  /** Starts the server again on the same port (empty), after `kill` or `stop`. */
  restart(): Promise<void>;
  /** Stops the server gracefully and removes its files. Safe to call twice. */
  stop(): Promise<void>;
}

function redisBinary(options: { binary?: string | undefined }): string {
  return requireBinary(SERVICE, options.binary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server');
}

/**
 * Waits until the process answers PING on `port` (redis-server and redis-sentinel alike); fails early,
 * saying how, when the process exits first.
 */
export async function waitForPong(proc: ManagedProcess, port: number, what: string, timeoutMs: number): Promise<void> {
  let exited: string | undefined;
  void proc.exited.then((how) => {
    exited = how;
  });
  await waitUntil(
    async () => {
      if (exited) throw new Error(`process exited (${exited})`);
      return (await redisCommand(port, ['PING'], { timeoutMs: 500 })) === 'PONG';
    },
    { timeoutMs, what: `${what} on port ${port} to answer PING` },
  );
}

async function launch(
  binary: string,
  port: number,
  args: readonly string[],
  dir: string,
  startTimeoutMs: number,
): Promise<ManagedProcess> {
  const proc = spawnManaged(
    binary,
    [
      '--port', String(port),
      '--bind', LOOPBACK,
      '--save', '',
      '--appendonly', 'no',
      '--daemonize', 'no',
      '--dir', dir,
      '--logfile', '',
      ...args,
    ],
    dir,
  );
  try {
    await waitForPong(proc, port, SERVICE, startTimeoutMs);
  } catch (err) {
    await proc.kill('SIGKILL');
    const output = proc.output();
    const inUse = /address already in use/i.test(output);
    throw new ServiceStartError(
      SERVICE,
      `${(err as Error).message}${inUse ? ' [address in use]' : ''}\n--- redis-server output ---\n${output}`,
      { cause: err },
    );
  }
  return proc;
}

/**
 * Starts a `redis-server` on a free loopback port with persistence off, waits for PING, and returns
 * a handle. Throws {@link ServiceStartError} (naming the binary and how to install it) when it cannot.
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = redisBinary(options);
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const args = options.args ?? [];
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-'));

  let port = options.port ?? (await freePort());
  let tlsPort = options.tls ? await freePort() : 0;
  const withTls = (): readonly string[] => {
    const { tls } = options;
    if (!tls) return args;
    return [
      '--tls-port', String(tlsPort),
      '--tls-cert-file', tls.certFile,
      '--tls-key-file', tls.keyFile,
      '--tls-ca-cert-file', tls.caFile,
      '--tls-auth-clients', 'no',
      ...args,
    ];
  };
  let proc: ManagedProcess;
  for (let attempt = 1; ; attempt++) {
    try {
      proc = await launch(binary, port, withTls(), dir, startTimeoutMs);
      break;
    } catch (err) {
      // Another process can grab a free port between our probe and redis binding it.
      const raced = options.port === undefined && /address in use/.test((err as Error).message);
      if (!raced || attempt >= 5) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
      port = await freePort();
      if (options.tls) tlsPort = await freePort();
    }
  }

  let current: ManagedProcess | undefined = proc;
  let stopped = false;
  const handle: RedisServer = {
    host: LOOPBACK,
    port,
    url: `redis://${LOOPBACK}:${port}`,
    tls: options.tls ? { port: tlsPort, url: `rediss://${LOOPBACK}:${tlsPort}` } : undefined,
    get pid() {
      return current?.child.pid;
    },
    get running() {
      return current !== undefined;
    },
    command: (...cmd) => redisCommand(port, cmd),
    async kill() {
      const p = current;
      current = undefined;
      await p?.kill('SIGKILL');
    },
    async restart() {
      if (stopped) throw new ServiceStartError(SERVICE, 'restart() after stop()');
      await handle.kill();
      current = await launch(binary, port, withTls(), dir, startTimeoutMs);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const p = current;
      current = undefined;
      await p?.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** Starts `count` independent servers in parallel. If one fails, the others are stopped. */
export function startRedisServers(count: number, options: Omit<RedisServerOptions, 'port'> = {}): Promise<RedisServer[]> {
  return startEach(Array.from({ length: count }, () => options));
}

async function startEach(optionsList: readonly RedisServerOptions[]): Promise<RedisServer[]> {
  const results = await Promise.allSettled(optionsList.map((o) => startRedis(o)));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => s.stop()));
    throw failed.reason;
  }
  return started;
}

/** Options for {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** Number of masters; at least 3 (Redis Cluster's own minimum). Default 3. */
  masters?: number;
  /** Replicas per master. Default 0. */
  replicasPerMaster?: number;
  /** The binary. Default: `REDIS_SERVER_BIN` or `redis-server` on PATH. */
  binary?: string;
  /** How long to wait for `cluster_state:ok`, in milliseconds. Default 20000. */
  startTimeoutMs?: number;
}

/** A running Redis Cluster on loopback. */
export interface RedisCluster {
  /** Every node, masters first. */
  readonly nodes: readonly RedisServer[];
  readonly masters: readonly RedisServer[];
  /** `{ host, port }` of every master, the shape ioredis' `Cluster` takes. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** Stops every node. */
  stop(): Promise<void>;
}

function infoField(info: RespValue, field: string): string | undefined {
  if (typeof info !== 'string') return undefined;
  const match = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return match?.[1]?.trim();
}

async function expectOk(node: RedisServer, ...args: (string | number)[]): Promise<RespValue> {
  const reply = await node.command(...args);
  if (reply instanceof RespError) {
    throw new ServiceStartError(SERVICE, `cluster setup: ${args.join(' ')} on port ${node.port} failed: ${reply.message}`);
  }
  return reply;
}

/**
 * Starts a Redis Cluster of `masters` masters (default 3) and optional replicas on free loopback ports,
 * assigns the 16384 slots evenly, joins the nodes and waits for `cluster_state:ok` on every node.
 * Needs Redis 7+ (uses `cluster-port` and `CLUSTER ADDSLOTSRANGE`); no redis-cli needed.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 0;
  if (masters < 3) throw new ServiceStartError(SERVICE, `a Redis Cluster needs at least 3 masters (got ${masters})`);
  const total = masters * (1 + replicas);
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;

  // The cluster bus needs its own port per node; reserve it explicitly instead of relying on port+10000.
  const busPorts = await Promise.all(Array.from({ length: total }, () => freePort()));
  const nodes = await startEach(
    busPorts.map((busPort) => ({
      ...(options.binary === undefined ? {} : { binary: options.binary }),
      startTimeoutMs,
      args: [
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-port', String(busPort),
        '--cluster-node-timeout', '2000',
      ],
    })),
  );

  const stopAll = () => Promise.all(nodes.map((n) => n.stop())).then(() => undefined);
  try {
    const masterNodes = nodes.slice(0, masters);
    await Promise.all(
      masterNodes.map(async (node, i) => {
        const first = Math.floor((16384 * i) / masters);
        const last = Math.floor((16384 * (i + 1)) / masters) - 1;
        await expectOk(node, 'CLUSTER', 'SET-CONFIG-EPOCH', i + 1);
        await expectOk(node, 'CLUSTER', 'ADDSLOTSRANGE', first, last);
      }),
    );
    const [seed] = nodes;
    for (let i = 1; i < nodes.length; i++) {
      await expectOk(seed!, 'CLUSTER', 'MEET', LOOPBACK, nodes[i]!.port, busPorts[i]!);
    }
    const knowsEveryone = async (node: RedisServer) =>
      infoField(await node.command('CLUSTER', 'INFO'), 'cluster_known_nodes') === String(total);
    await waitUntil(async () => (await Promise.all(nodes.map(knowsEveryone))).every(Boolean), {
      timeoutMs: startTimeoutMs,
      what: `all ${total} cluster nodes to know each other`,
    });
    for (let r = 0; r < replicas; r++) {
      for (let m = 0; m < masters; m++) {
        const replica = nodes[masters + r * masters + m]!;
        const masterId = await expectOk(masterNodes[m]!, 'CLUSTER', 'MYID');
        await expectOk(replica, 'CLUSTER', 'REPLICATE', String(masterId));
      }
    }
    const expectedReplicas = masters * replicas;
    const isOk = async (node: RedisServer) =>
      infoField(await node.command('CLUSTER', 'INFO'), 'cluster_state') === 'ok' &&
      (String(await node.command('CLUSTER', 'NODES')).match(/\bslave\b/g) ?? []).length === expectedReplicas;
    await waitUntil(async () => (await Promise.all(nodes.map(isOk))).every(Boolean), {
      timeoutMs: startTimeoutMs,
      what: `cluster_state:ok and ${expectedReplicas} replicas seen by every node`,
    });
  } catch (err) {
    await stopAll();
    throw err instanceof ServiceStartError ? err : new ServiceStartError(SERVICE, (err as Error).message, { cause: err });
  }

  const masterNodes = nodes.slice(0, masters);
  return {
    nodes,
    masters: masterNodes,
    startupNodes: masterNodes.map((n) => ({ host: n.host, port: n.port })),
    stop: stopAll,
  };
}
