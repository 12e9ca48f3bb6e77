import { ClosedError, type LDLogger, StoreError, type StoreOperation, TimeoutError } from '@switchyard/core';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

import { PREFIX, STORE, storeError } from './errors.js';
import { type ResolvedRedisOptions, redactUrl } from './options.js';

/** A connection of the pool: one ioredis `Redis` (one TCP connection) or `Cluster` (one per node). */
export type RedisClient = Redis | Cluster;

/** What the pool is doing, for dashboards and tests. */
export interface RedisPoolStats {
  /** Clients open (each one TCP connection; a `Cluster` client one per node). */
  readonly connections: number;
  /** Of those, how many are connected and ready. */
  readonly ready: number;
  /** Operations running (reads pipelined, transactions). */
  readonly inFlight: number;
  /** Connections owned by a transaction right now. */
  readonly transactions: number;
  /** Transactions waiting for a connection. */
  readonly waiting: number;
}

interface Connection {
  readonly client: RedisClient;
  readonly owned: boolean;
  inFlight: number;
  /** True while a transaction owns it (WATCH … EXEC). */
  busy: boolean;
  everReady: boolean;
  /** The error that stopped its first connection attempt, if it never became ready. */
  firstError: Error | undefined;
  /** Settles on the first connect (or its failure); shared by the commands waiting for it. */
  firstConnect: Promise<void> | undefined;
  idleSince: number;
}

interface Waiter {
  readonly resolve: (connection: Connection) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * The connection pool behind the Redis stores: at most `pool.maxConnections` clients, reads pipelined on
 * the least loaded one, each transaction owning one connection until it ends. It also keeps Redis's
 * failure modes bounded: no offline queue (a command while disconnected fails at once), a per-command
 * timeout, reconnects with capped exponential backoff, and one warning per outage instead of one per
 * attempt. Reference-counted: the stores sharing it each {@link retain} it, and it closes when the last
 * one {@link release}s it.
 */
export class RedisPool {
  private readonly _connections: Connection[] = [];
  private readonly _waiters: Waiter[] = [];
  private readonly _max: number;
  private _closed = false;
  private _closing: Promise<void> | undefined;
  private _refs = 0;
  private _down = false;
  private readonly _sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly _options: ResolvedRedisOptions,
    private readonly _logger: LDLogger,
  ) {
    if (_options.client) {
      this._max = 1;
      this._connections.push(this._track(_options.client, false));
      this._sweeper = undefined;
    } else {
      this._max = _options.pool.maxConnections;
      for (let i = 0; i < _options.pool.minIdle; i++) this._open();
      const every = Math.max(1_000, Math.floor(_options.pool.idleTimeoutMs / 2));
      this._sweeper = setInterval(() => this._closeIdle(), every);
      this._sweeper.unref?.();
    }
  }

  /** True when the pool runs on Redis Cluster clients. */
  get isCluster(): boolean {
    const client = this._options.client;
    if (client) return (client as { isCluster?: boolean }).isCluster === true;
    return this._options.clusterNodes !== undefined;
  }

  /** True once closed (its last store was closed, or {@link close} was called). */
  get closed(): boolean {
    return this._closed;
  }

  /** Registers one more user of the pool (a store built on it). */
  retain(): void {
    this._refs++;
  }

  /** Drops one user; the last one closes the pool. */
  release(): Promise<void> {
    this._refs = Math.max(0, this._refs - 1);
    return this._refs === 0 ? this.close() : Promise.resolve();
  }

  /** Current counts; see {@link RedisPoolStats}. */
  stats(): RedisPoolStats {
    let ready = 0;
    let inFlight = 0;
    let transactions = 0;
    for (const c of this._connections) {
      if (c.client.status === 'ready') ready++;
      inFlight += c.inFlight;
      if (c.busy) transactions++;
    }
    return { connections: this._connections.length, ready, inFlight, transactions, waiting: this._waiters.length };
  }

  /**
   * Runs a read on a connection shared with other reads (ioredis pipelines them). Opens another
   * connection when every open one is busy and the pool is not full; never waits for one.
   */
  async read<T>(operation: StoreOperation, fn: (client: RedisClient) => Promise<T>): Promise<T> {
    const connection = this._pickForRead(operation);
    return this._run(operation, connection, fn);
  }

  /**
   * Runs `fn` on a connection no other transaction uses until `fn` settles (WATCH is per connection).
   * Waits up to `pool.acquireTimeoutMs` when every connection is owned and the pool is full.
   */
  async transaction<T>(operation: StoreOperation, fn: (client: RedisClient) => Promise<T>): Promise<T> {
    const connection = await this._acquire(operation);
    try {
      return await this._run(operation, connection, fn);
    } finally {
      connection.busy = false;
      connection.idleSince = Date.now();
      this._dispatch();
    }
  }

  /** Closes every connection the pool opened (never a borrowed client) and fails waiting transactions. Idempotent. */
  close(): Promise<void> {
    if (this._closing) return this._closing;
    this._closed = true;
    if (this._sweeper) clearInterval(this._sweeper);
    for (const waiter of this._waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(this._closedError('close'));
    }
    const owned = this._connections.splice(0).filter((c) => c.owned);
    this._closing = Promise.all(owned.map((c) => quit(c.client))).then(() => undefined);
    return this._closing;
  }

  private _closedError(operation: StoreOperation): StoreError {
    return new StoreError(STORE, operation, 'the store is closed', { cause: new ClosedError(`${PREFIX} the store is closed`) });
  }

  private _pickForRead(operation: StoreOperation): Connection {
    if (this._closed) throw this._closedError(operation);
    let best: Connection | undefined;
    for (const c of this._connections) {
      if (!best || score(c) < score(best)) best = c;
    }
    // Another connection only helps when the open ones are up and loaded; during an outage opening more
    // would just add reconnect attempts.
    if (!best || ((best.inFlight > 0 || best.busy) && this._canOpen() && this._allReady())) return this._open();
    return best;
  }

  private _acquire(operation: StoreOperation): Promise<Connection> {
    if (this._closed) return Promise.reject(this._closedError(operation));
    const free = this._freeConnection();
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    if (this._canOpen()) {
      const opened = this._open();
      opened.busy = true;
      return Promise.resolve(opened);
    }
    const timeoutMs = this._options.pool.acquireTimeoutMs;
    return new Promise<Connection>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const index = this._waiters.indexOf(waiter);
          if (index >= 0) this._waiters.splice(index, 1);
          const message =
            `no Redis connection became free within ${timeoutMs} ms (pool.acquireTimeoutMs): all ` +
            `${this._max} (pool.maxConnections) are running transactions`;
          reject(new StoreError(STORE, operation, message, { cause: new TimeoutError(`${PREFIX} ${message}`, timeoutMs) }));
        }, timeoutMs),
      };
      this._waiters.push(waiter);
    });
  }

  private _freeConnection(): Connection | undefined {
    let best: Connection | undefined;
    for (const c of this._connections) {
      if (!c.busy && (!best || c.inFlight < best.inFlight)) best = c;
    }
    return best;
  }

  private _dispatch(): void {
    while (this._waiters.length > 0) {
      const free = this._freeConnection() ?? (this._canOpen() ? this._open() : undefined);
      if (!free) return;
      const waiter = this._waiters.shift()!;
      clearTimeout(waiter.timer);
      free.busy = true;
      waiter.resolve(free);
    }
  }

  private async _run<T>(operation: StoreOperation, connection: Connection, fn: (client: RedisClient) => Promise<T>): Promise<T> {
    connection.inFlight++;
    try {
      await this._usable(operation, connection);
      return await fn(connection.client);
    } catch (err) {
      throw storeError(operation, err);
    } finally {
      connection.inFlight--;
      connection.idleSince = Date.now();
    }
  }

  /**
   * Waits for a new connection's first connect (bounded by `connectTimeoutMs`); fails at once when a
   * connection that was up is reconnecting, so no command queues behind an outage.
   */
  private async _usable(operation: StoreOperation, connection: Connection): Promise<void> {
    const { client } = connection;
    if (this._closed) throw this._closedError(operation);
    if (client.status === 'ready' || !connection.owned) return;
    if (connection.everReady || connection.firstError) {
      const why = connection.firstError ? `: ${connection.firstError.message}` : '';
      throw new StoreError(STORE, operation, `not connected to Redis ${this._target()} (${client.status})${why}; commands fail fast until it is back`);
    }
    connection.firstConnect ??= this._firstConnect(connection);
    try {
      await connection.firstConnect;
    } catch (err) {
      const cause = err as Error;
      throw new StoreError(STORE, operation, cause.message.replace(`${PREFIX} `, ''), { cause });
    }
  }

  /**
   * One promise per new connection for its first connect, shared by every command waiting on it (so a
   * burst of reads adds one set of listeners, not one per read). Bounded by `connectTimeoutMs`.
   */
  private _firstConnect(connection: Connection): Promise<void> {
    const { client } = connection;
    const timeoutMs = this._options.pool.connectTimeoutMs;
    const first = new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('error', onError);
        client.off('end', onEnd);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const onError = (error: Error) => done(new Error(`cannot connect to Redis ${this._target()}: ${error.message}`, { cause: error }));
      const onEnd = () => done(new ClosedError(`${PREFIX} the store is closed`));
      const timer = setTimeout(() => {
        const message = `connecting to Redis ${this._target()} took longer than ${timeoutMs} ms (pool.connectTimeoutMs)`;
        // The next command waits afresh: the connection may still come up.
        connection.firstConnect = undefined;
        done(new TimeoutError(`${PREFIX} ${message}`, timeoutMs));
      }, timeoutMs);
      client.on('ready', onReady);
      client.on('error', onError);
      client.on('end', onEnd);
    });
    // Waiters get the rejection; this keeps an unobserved one from being reported as unhandled.
    first.catch(() => undefined);
    return first;
  }

  private _canOpen(): boolean {
    return !this._closed && this._options.client === undefined && this._connections.length < this._max;
  }

  private _allReady(): boolean {
    return this._connections.every((c) => c.client.status === 'ready');
  }

  private _open(): Connection {
    const connection = this._track(createClient(this._options), true);
    this._connections.push(connection);
    connection.client.connect().catch(() => {
      // The 'error' listener reports it; commands see it through _usable.
    });
    return connection;
  }

  private _track(client: RedisClient, owned: boolean): Connection {
    const connection: Connection = {
      client,
      owned,
      inFlight: 0,
      busy: false,
      everReady: client.status === 'ready',
      firstError: undefined,
      firstConnect: undefined,
      idleSince: Date.now(),
    };
    client.on('ready', () => {
      connection.everReady = true;
      connection.firstError = undefined;
      if (this._down) {
        this._down = false;
        this._logger.info(`${PREFIX} reconnected to Redis ${this._target()}`);
      }
    });
    // Without a listener ioredis would raise every connection error as an uncaught 'error' event.
    client.on('error', (error: Error) => {
      if (!connection.everReady) connection.firstError ??= error;
      if (!this._down && !this._closed) {
        this._down = true;
        this._logger.warn(`${PREFIX} Redis ${this._target()} is unreachable (${error.message}); reconnecting with backoff`);
      }
    });
    client.on('end', () => {
      const index = this._connections.indexOf(connection);
      if (index >= 0 && owned) this._connections.splice(index, 1);
    });
    return connection;
  }

  private _closeIdle(): void {
    const now = Date.now();
    const { minIdle, idleTimeoutMs } = this._options.pool;
    for (const c of [...this._connections]) {
      if (this._connections.length <= minIdle) return;
      if (c.owned && !c.busy && c.inFlight === 0 && now - c.idleSince >= idleTimeoutMs) {
        this._connections.splice(this._connections.indexOf(c), 1);
        void quit(c.client);
      }
    }
  }

  private _target(): string {
    const o = this._options;
    if (o.url) return redactUrl(o.url);
    if (o.sentinels) return `master "${o.name}" via ${o.sentinels.length} sentinel(s)`;
    if (o.clusterNodes) return `cluster (${o.clusterNodes.length} startup node(s))`;
    const r = o.redisOptions;
    if (o.client) return 'through the given client';
    return `${r.host ?? '127.0.0.1'}:${r.port ?? 6379}`;
  }
}

function score(c: Connection): number {
  // Reads may share a connection a transaction owns, but prefer one that has no transaction on it.
  return c.inFlight + (c.busy ? 1_000 : 0) + (c.client.status === 'ready' ? 0 : 1_000_000);
}

/** Closes a client: QUIT when it is up (lets pending replies arrive), then disconnect so it never reconnects. */
async function quit(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      client.quit().catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 1_000);
        timer.unref?.();
      }),
    ]);
    clearTimeout(timer);
  }
  client.disconnect();
}

const borrowedPools = new WeakMap<RedisClient, RedisPool>();

/**
 * The pool for a store's options. Stores given the same borrowed `client` share one pool, so their
 * transactions take turns on that one connection (WATCH is per connection) and its limit is theirs together.
 */
export function poolFor(options: ResolvedRedisOptions, logger: LDLogger): RedisPool {
  const { client } = options;
  if (!client) return new RedisPool(options, logger);
  const existing = borrowedPools.get(client);
  if (existing && !existing.closed) return existing;
  const pool = new RedisPool(options, logger);
  borrowedPools.set(client, pool);
  return pool;
}

/** Backoff for reconnects: doubling from the minimum to the maximum, with jitter (50–100 % of the step). */
function backoff(minMs: number, maxMs: number): (times: number) => number {
  return (times) => {
    const step = Math.min(maxMs, minMs * 2 ** Math.min(20, Math.max(0, times - 1)));
    return Math.round(step / 2 + (Math.random() * step) / 2);
  };
}

/** The ioredis settings that keep the store bounded, applied over the user's own. */
function boundedOptions(options: ResolvedRedisOptions): RedisOptions {
  const { pool } = options;
  return {
    connectionName: pool.connectionName,
    connectTimeout: pool.connectTimeoutMs,
    commandTimeout: pool.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
    retryStrategy: backoff(pool.reconnectMinDelayMs, pool.reconnectMaxDelayMs),
  };
}

/** Opens one pooled client from the options: a URL, host/port options, Sentinel, or a cluster. */
function createClient(options: ResolvedRedisOptions): RedisClient {
  const bounded = boundedOptions(options);
  if (options.clusterNodes) {
    const { retryStrategy: _ignored, enableOfflineQueue: _offline, ...nodeOptions } = bounded;
    const clusterOptions: ClusterOptions = {
      ...options.clusterOptions,
      redisOptions: { ...options.clusterOptions.redisOptions, ...nodeOptions },
      enableOfflineQueue: false,
      lazyConnect: true,
      clusterRetryStrategy: backoff(options.pool.reconnectMinDelayMs, options.pool.reconnectMaxDelayMs),
    };
    return new Cluster([...options.clusterNodes], clusterOptions);
  }
  const merged: RedisOptions = { ...options.redisOptions, ...bounded };
  if (options.sentinels) {
    return new Redis({ ...merged, sentinels: [...options.sentinels], name: options.name! });
  }
  const url = options.url ?? (options.redisOptions.host || options.redisOptions.port || options.redisOptions.path ? undefined : 'redis://127.0.0.1:6379');
  return url === undefined ? new Redis(merged) : new Redis(url, merged);
}

/** For tests: the options a pooled client is created with (after the store's overrides). */
export function clientOptionsFor(options: ResolvedRedisOptions): RedisOptions {
  const client = createClient(options);
  const resolved = { ...(client as Redis).options };
  client.disconnect();
  return resolved;
}
