import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';

import { DataKinds, type DataKind, type DataStore, type LDLogger, type VersionedItem } from '@switchyard/core';

import type { AppliedChange } from '../data-sources/data-source-updates.js';
import type { DataSourceStatus, DataSourceStatusProvider } from '../data-sources/status.js';
import { isClusterMessage, type ClusterMessage, type WireData } from './protocol.js';

const PREFIX = '[switchyard/node-server] cluster:';
/** How long the primary waits to gather workers' flush requests into one delivery. */
const FLUSH_COALESCE_MS = 25;

/** What the hub needs from the primary's client. */
export interface HubHost {
  readonly env: string;
  readonly logger: LDLogger;
  readonly store: DataStore;
  readonly status: DataSourceStatusProvider;
  /** Merges a worker's analytics payload (JSON text) into the primary's next payload. */
  forwardEvents(body: string): void;
  /** Delivers everything queued (the primary's `flush()`). */
  flush(): Promise<void>;
}

/** The item as LaunchDarkly's JSON (what a worker parses). */
function wireItem(item: VersionedItem & { readonly json?: unknown; readonly deleted?: boolean }): unknown {
  if (item.deleted) return { key: item.key, version: item.version, deleted: true };
  return item.json;
}

type Items = Map<string, unknown>;

/**
 * The primary's side of cluster mode for one client: it keeps the flag data as the workers should see
 * it (the JSON of every item the primary's data source stored, shared with the store's items, not
 * copied), answers each worker's `hello` with the full data set and its data source status, broadcasts
 * every later write and status change, merges the workers' event payloads into the primary's, and
 * answers their flush requests.
 *
 * Before the primary's data source has delivered anything, a worker waits; if the primary's store
 * already holds data (a persistent store, the flag service unreachable), that is sent meanwhile, as the
 * primary itself serves it.
 */
export class ClusterHub {
  readonly id = randomUUID();
  private seq = 0;
  private readonly items: Record<'features' | 'segments', Items> = { features: new Map(), segments: new Map() };
  private haveData = false;
  private failure: string | undefined;
  /** Workers that said hello and got (or are waiting for) data, by worker id. */
  private readonly workers = new Map<number, Worker>();
  private readonly waiting = new Set<number>();
  private storeLoad: Promise<void> | undefined;
  private flushSoon: Promise<void> | undefined;
  private readonly offStatus: () => void;
  private closed = false;

  constructor(private readonly host: HubHost) {
    this.offStatus = host.status.on('change', (status) => this.statusChanged(status));
    register(host.env, this, host.logger);
  }

  /** A write the primary's data source made and the primary now serves. */
  applied(change: AppliedChange): void {
    if (this.closed) return;
    if (change.type === 'init') {
      for (const namespace of ['features', 'segments'] as const) {
        const items: Items = new Map();
        for (const [key, item] of Object.entries(change.data[namespace] ?? {})) items.set(key, wireItem(item));
        this.items[namespace] = items;
      }
      this.haveData = true;
      this.sendFullToAll();
      return;
    }
    const namespace = change.kind.namespace as 'features' | 'segments';
    const item = wireItem(change.item);
    this.items[namespace].set(change.item.key, item);
    if (!this.haveData) return;
    this.broadcast({ type: 'upsert', namespace, item });
  }

  /** The primary's client failed to initialize for good: waiting workers fail too, with the reason. */
  failed(message: string): void {
    if (this.haveData) return;
    this.failure = message;
    for (const id of this.waiting) {
      const worker = this.workers.get(id);
      if (worker) this.send(worker, { type: 'failed', message });
    }
    this.waiting.clear();
  }

  /** Stops serving workers (they keep their data; their status says the primary is gone). */
  close(): void {
    if (this.closed) return;
    this.broadcast({ type: 'closed' });
    this.closed = true;
    this.offStatus();
    unregister(this);
    this.workers.clear();
    this.waiting.clear();
  }

  /** A message from `worker` for this hub's environment. */
  handle(worker: Worker, message: ClusterMessage): void {
    if (this.closed) return;
    switch (message.type) {
      case 'hello':
        this.hello(worker);
        return;
      case 'events':
        if (typeof message.body === 'string') this.host.forwardEvents(message.body);
        return;
      case 'flush':
        void this.requestFlush()
          .catch(() => undefined) // flush() never rejects; a worker is answered whatever happens
          .then(() => this.send(worker, { type: 'flushed', id: message.id }));
        return;
      default:
        return;
    }
  }

  /**
   * A flush for the workers that asked: requests arriving within {@link FLUSH_COALESCE_MS} share one
   * (at shutdown every worker asks at once, and one payload is what the events service should get).
   * A request made while a flush is running gets the next one: its events may not be in the running one.
   */
  private requestFlush(): Promise<void> {
    this.flushSoon ??= new Promise<void>((resolve) => setTimeout(resolve, FLUSH_COALESCE_MS)).then(() => {
      this.flushSoon = undefined;
      return this.host.flush();
    });
    return this.flushSoon;
  }

  /** A worker exited: forget it. */
  forget(worker: Worker): void {
    this.workers.delete(worker.id);
    this.waiting.delete(worker.id);
  }

  private hello(worker: Worker): void {
    this.workers.set(worker.id, worker);
    if (this.haveData) {
      this.sendFull(worker);
      return;
    }
    if (this.failure !== undefined) {
      this.send(worker, { type: 'failed', message: this.failure });
      return;
    }
    this.waiting.add(worker.id);
    this.storeLoad ??= this.loadFromStore();
  }

  /** Before the data source delivered: the store's data, if it has any (a persistent store). */
  private async loadFromStore(): Promise<void> {
    try {
      if (!(await this.host.store.initialized()) || this.haveData || this.closed) return;
      const read = async (kind: DataKind): Promise<Items> => {
        const all = this.host.store.allSync(kind) ?? (await this.host.store.all(kind));
        return new Map(Object.entries(all).map(([key, item]) => [key, wireItem(item)]));
      };
      const [features, segments] = [await read(DataKinds.features), await read(DataKinds.segments)];
      if (this.haveData || this.closed) return; // the data source was faster
      this.items.features = features;
      this.items.segments = segments;
      this.haveData = true;
      this.host.logger.info(`${PREFIX} sending workers the flag data from the data store until the data source delivers`);
      this.sendFullToAll();
    } catch (err) {
      this.host.logger.warn(`${PREFIX} could not read the data store for the workers: ${(err as Error)?.message ?? String(err)}`);
    } finally {
      this.storeLoad = undefined;
    }
  }

  private sendFullToAll(): void {
    for (const worker of this.workers.values()) this.sendFull(worker);
    this.waiting.clear();
  }

  private sendFull(worker: Worker): void {
    const data: WireData = { features: Object.fromEntries(this.items.features), segments: Object.fromEntries(this.items.segments) };
    this.send(worker, { type: 'full', data });
    const status = this.host.status.getStatus();
    this.send(worker, statusBody(status));
  }

  private statusChanged(status: DataSourceStatus): void {
    if (!this.haveData) return;
    this.broadcast(statusBody(status));
  }

  private broadcast(body: BroadcastBody): void {
    for (const [id, worker] of this.workers) if (!this.waiting.has(id)) this.send(worker, body);
  }

  private send(worker: Worker, body: BroadcastBody): void {
    if (!worker.isConnected()) return;
    const message = { switchyard: 1, env: this.host.env, hub: this.id, seq: ++this.seq, ...body } as ClusterMessage;
    try {
      worker.send(message, undefined, (err: Error | null) => {
        if (err) this.host.logger.debug(`${PREFIX} could not send to worker ${worker.id}: ${err.message}`);
      });
    } catch (err) {
      this.host.logger.debug(`${PREFIX} could not send to worker ${worker.id}: ${(err as Error).message}`);
    }
  }
}

function statusBody(status: DataSourceStatus): BroadcastBody {
  const error = status.lastError;
  return {
    type: 'status',
    state: status.state,
    ...(error ? { error: { kind: error.kind, message: error.message, ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }) } } : {}),
  };
}

type BroadcastBody =
  | { type: 'full'; data: WireData }
  | { type: 'upsert'; namespace: 'features' | 'segments'; item: unknown }
  | { type: 'status'; state: DataSourceStatus['state']; error?: Omit<NonNullable<DataSourceStatus['lastError']>, 'time'> }
  | { type: 'failed'; message: string }
  | { type: 'flushed'; id: number }
  | { type: 'closed' };

// --- one node:cluster listener per process, dispatching to the hub of each environment ----------------

const hubs = new Map<string, ClusterHub>();

function onMessage(worker: Worker, message: unknown): void {
  if (!isClusterMessage(message)) return;
  const hub = hubs.get(message.env);
  if (hub) {
    hub.handle(worker, message);
    return;
  }
  if (!worker.isConnected()) return;
  if (message.type === 'hello' && hubs.size > 0) {
    worker.send({
      switchyard: 1,
      env: message.env,
      type: 'refused',
      message: 'the primary has no client with { cluster: true } for this SDK key (the worker and the primary must use the same SDK key)',
    } satisfies ClusterMessage);
  } else if (message.type === 'flush') {
    // No client to deliver with (it was closed): nothing to wait for.
    worker.send({ switchyard: 1, env: message.env, hub: '', seq: 0, type: 'flushed', id: message.id } satisfies ClusterMessage);
  }
}

function onExit(worker: Worker): void {
  for (const hub of hubs.values()) hub.forget(worker);
}

let listening = false;

function register(env: string, hub: ClusterHub, logger: LDLogger): void {
  if (hubs.has(env)) {
    // A second cluster-mode client for one SDK key in the primary (the first is still open): workers stay
    // with the first, which already knows them.
    logger.warn(`${PREFIX} another client with cluster mode is already open for this SDK key in the primary; workers are served by that one`);
    return;
  }
  // Installed once and kept (listeners on the cluster module keep nothing alive): after a client closes,
  // its workers' flush requests are still answered at once.
  if (!listening) {
    listening = true;
    cluster.on('message', onMessage);
    cluster.on('exit', onExit);
  }
  hubs.set(env, hub);
}

function unregister(hub: ClusterHub): void {
  for (const [env, h] of hubs) if (h === hub) hubs.delete(env);
}
