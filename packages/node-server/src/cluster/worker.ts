import { ClosedError, DataKinds, DefaultEventProcessor, type EventSender, type FullDataSet, type LDLogger, type VersionedItem } from '@switchyard/core';

import { DataSourceError, type DataSource } from '../data-sources/data-source.js';
import type { DataSourceUpdates } from '../data-sources/data-source-updates.js';
import type { ClientEventProcessor } from '../events/event-processor.js';
import type { Configuration, ResolvedClusterOptions } from '../options.js';
import { isClusterMessage, type ClusterMessage, type PrimaryEnvelope, type WireData } from './protocol.js';

const PREFIX = '[switchyard/node-server] cluster:';

/** A worker's side of the IPC channel to the primary (the process's own in production; a fake in unit tests). */
export interface WorkerChannel {
  /** Sends a message; resolves once it is written, rejects when the channel is closed. */
  send(message: ClusterMessage): Promise<void>;
  /** Listens for messages; returns a function that stops listening. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** Listens for the channel closing (the primary is gone); returns a function that stops listening. */
  onDisconnect(listener: () => void): () => void;
  readonly connected: boolean;
}

/** The IPC channel of this process (a node:cluster worker's channel to its primary). */
export function processChannel(): WorkerChannel {
  return {
    send: (message) =>
      new Promise((resolve, reject) => {
        if (typeof process.send !== 'function' || !process.connected) {
          reject(new ClosedError(`${PREFIX} the IPC channel to the primary is closed`));
          return;
        }
        process.send(message, undefined, {}, (err) => (err ? reject(new ClosedError(`${PREFIX} ${err.message}`)) : resolve()));
      }),
    onMessage: (listener) => {
      process.on('message', listener);
      return () => process.off('message', listener);
    },
    onDisconnect: (listener) => {
      process.on('disconnect', listener);
      return () => process.off('disconnect', listener);
    },
    get connected() {
      return typeof process.send === 'function' && process.connected;
    },
  };
}

/** Parses the items of a full data set or patch without keeping their JSON (a worker never writes it anywhere). */
function parseData(data: WireData): FullDataSet {
  const out: Record<string, Record<string, VersionedItem>> = { features: {}, segments: {} };
  for (const kind of [DataKinds.features, DataKinds.segments]) {
    const items = (data as unknown as Record<string, Record<string, unknown> | undefined>)[kind.namespace] ?? {};
    for (const [key, item] of Object.entries(items)) out[kind.namespace]![key] = kind.fromJSON(item, true, false);
  }
  return out as unknown as FullDataSet;
}

/**
 * A worker's data source in cluster mode: the primary's replica. It says `hello` to the primary, applies
 * the full data set the primary answers with (then `initSuccess`), every patch after it, and the
 * primary's data source status. It never opens a connection of its own.
 *
 * Ordering: messages of one primary client (`hub`) are applied only in increasing `seq`; a new `hub` (the
 * primary's client was re-created) is accepted from its first full data set. When the primary's client
 * closes, the worker keeps its data, reports `INTERRUPTED` and says hello again until a new client
 * answers. When the channel closes (the primary is gone), the data stays as it is and the status becomes
 * `INTERRUPTED`.
 */
export class ClusterReplicaSource implements DataSource {
  private hub: string | undefined;
  private lastSeq = 0;
  private initialized = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private warned = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly channel: WorkerChannel,
    private readonly env: string,
    private readonly options: ResolvedClusterOptions,
    private readonly updates: DataSourceUpdates,
    private readonly initSuccess: () => void,
    private readonly errorHandler: (error: Error) => void,
    private readonly logger: LDLogger,
  ) {}

  start(): void {
    this.unsubscribe.push(this.channel.onMessage((message) => this.handle(message)));
    this.unsubscribe.push(this.channel.onDisconnect(() => this.primaryGone()));
    this.askForData();
  }

  /**
   * Says hello, and again every `primaryTimeoutMs` until a full data set arrives: the primary may create
   * its client after forking, or re-create it. The timer does not keep the process alive.
   */
  private askForData(): void {
    clearInterval(this.timer);
    this.hello();
    this.timer = setInterval(() => {
      if (!this.warned) {
        this.warned = true;
        this.logger.warn(
          `${PREFIX} no flag data from the cluster primary after ${this.options.primaryTimeoutMs} ms; is a client with { cluster: true } and the same SDK key created in the primary process? Still waiting.`,
        );
      }
      this.hello();
    }, this.options.primaryTimeoutMs);
    this.timer.unref?.();
  }

  close(): void {
    clearInterval(this.timer);
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private hello(): void {
    this.channel.send({ switchyard: 1, env: this.env, type: 'hello' }).catch(() => this.primaryGone());
  }

  private handle(raw: unknown): void {
    if (!isClusterMessage(raw) || raw.env !== this.env) return;
    const message = raw;
    switch (message.type) {
      case 'full':
        if (message.hub !== this.hub) {
          this.hub = message.hub;
          this.lastSeq = 0;
        }
        if (!this.accept(message)) return;
        this.applyFull(message.data);
        return;
      case 'upsert':
        if (!this.accept(message)) return;
        this.applyUpsert(message.namespace, message.item);
        return;
      case 'status': {
        if (!this.accept(message)) return;
        // After the writes received before it: VALID must not be reported before the data is stored.
        const { state, error } = message;
        void this.updates.settled().then(() => this.updates.updateStatus(state, error));
        return;
      }
      case 'closed':
        if (!this.accept(message)) return;
        // The primary's client closed: keep serving what we have, and ask until a new one answers.
        this.hub = undefined;
        this.updates.updateStatus('INTERRUPTED', { kind: 'UNKNOWN', message: "the cluster primary's client closed; serving the last flag data received" });
        this.askForData();
        return;
      case 'failed':
        this.errorHandler(new DataSourceError(`${PREFIX} the cluster primary's client could not initialize: ${message.message}`));
        return;
      case 'refused':
        this.errorHandler(new DataSourceError(`${PREFIX} the cluster primary refused this worker: ${message.message}`));
        return;
      default:
        return;
    }
  }

  /** True for a message of the current hub newer than the last one applied (and records it). */
  private accept(message: PrimaryEnvelope): boolean {
    if (message.hub !== this.hub || typeof message.seq !== 'number' || message.seq <= this.lastSeq) return false;
    this.lastSeq = message.seq;
    return true;
  }

  private applyFull(data: WireData): void {
    let parsed: FullDataSet;
    try {
      parsed = parseData(data);
    } catch (err) {
      this.updates.reportError(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    clearInterval(this.timer);
    void this.updates.init(parsed).then((stored) => {
      if (stored && !this.initialized) {
        this.initialized = true;
        this.initSuccess();
      }
    });
  }

  private applyUpsert(namespace: 'features' | 'segments', raw: unknown): void {
    const kind = namespace === 'features' ? DataKinds.features : namespace === 'segments' ? DataKinds.segments : undefined;
    if (!kind) return;
    let item: VersionedItem;
    try {
      item = kind.fromJSON(raw, true, false);
    } catch (err) {
      this.updates.reportError(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    void this.updates.upsert(kind, item);
  }

  private primaryGone(): void {
    if (this.unsubscribe.length === 0) return; // closed
    this.logger.warn(`${PREFIX} the IPC channel to the cluster primary closed; serving the last flag data received`);
    this.updates.updateStatus('INTERRUPTED', { kind: 'NETWORK_ERROR', message: 'the cluster primary is gone (IPC channel closed); serving the last flag data received' });
    for (const off of this.unsubscribe.splice(0)) off();
    clearInterval(this.timer);
  }
}

/** Sends each analytics payload to the primary over IPC instead of posting it. */
class IpcEventSender implements EventSender {
  constructor(
    private readonly channel: WorkerChannel,
    private readonly env: string,
  ) {}

  async send(kind: 'analytics' | 'diagnostic', body: string): Promise<{ status: number }> {
    // Workers send no diagnostic events (the processor is built without diagnostics); the primary does.
    if (kind !== 'analytics') return { status: 202 };
    await this.channel.send({ switchyard: 1, env: this.env, type: 'events', body });
    return { status: 202 };
  }
}

/**
 * A worker's event processor in cluster mode: core's processor (summaries, deduplication, privacy as
 * configured in the worker) whose payloads go to the primary every `eventForwardIntervalMs` over IPC; the
 * primary merges them into its own payloads and delivers them. `flush()` forwards what is queued, then
 * asks the primary to flush and waits for it (bounded).
 */
export class ForwardingEventProcessor implements ClientEventProcessor {
  private readonly inner: DefaultEventProcessor;
  /** How long `flush()` waits for the primary's delivery: its own post and one retry, with room. */
  private readonly flushTimeoutMs: number;
  private nextFlushId = 1;
  private readonly flushes = new Map<number, () => void>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly channel: WorkerChannel,
    private readonly env: string,
    config: Configuration,
    options: ResolvedClusterOptions,
    logger: LDLogger,
  ) {
    this.inner = new DefaultEventProcessor({
      sender: new IpcEventSender(channel, env),
      logger,
      capacity: config.capacity,
      flushIntervalMs: options.eventForwardIntervalMs,
      allAttributesPrivate: config.allAttributesPrivate,
      privateAttributes: config.privateAttributes,
      contextKeysCapacity: config.contextKeysCapacity,
      contextKeysFlushIntervalMs: config.contextKeysFlushIntervalMs,
    });
    this.flushTimeoutMs = config.timeoutMs * 2 + 2000;
    this.unsubscribe = channel.onMessage((message) => {
      if (isClusterMessage(message) && message.env === env && message.type === 'flushed') this.flushes.get(message.id)?.();
    });
  }

  recordEvaluation: ClientEventProcessor['recordEvaluation'] = (event) => this.inner.recordEvaluation(event);
  recordUnknownFlag: ClientEventProcessor['recordUnknownFlag'] = (event) => this.inner.recordUnknownFlag(event);
  recordCustom: ClientEventProcessor['recordCustom'] = (event) => this.inner.recordCustom(event);
  recordIdentify: ClientEventProcessor['recordIdentify'] = (event) => this.inner.recordIdentify(event);
  recordMigrationOp: NonNullable<ClientEventProcessor['recordMigrationOp']> = (event) => this.inner.recordMigrationOp(event);

  /** Forwards what is queued, then waits (bounded) for the primary to deliver it. Never rejects. */
  async flush(): Promise<void> {
    await this.inner.flush();
    if (!this.channel.connected) return;
    const id = this.nextFlushId++;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.flushTimeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.flushes.set(id, done);
      this.channel.send({ switchyard: 1, env: this.env, type: 'flush', id }).catch(done);
    });
    this.flushes.delete(id);
  }

  /** Forwards what is queued and stops (the primary delivers it with its next payload). Never rejects. */
  async close(): Promise<void> {
    await this.inner.close();
    this.unsubscribe();
    for (const done of this.flushes.values()) done();
  }
}
