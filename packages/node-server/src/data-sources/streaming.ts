import type { IncomingMessage } from 'node:http';

import { EventSource, type FetchLike } from 'eventsource';

import { MalformedDataError, type LDLogger } from '@switchyard/core';

import type { HttpClient } from '../http/http-client.js';
import { describeStatus, isHttpRecoverable } from '../http/headers.js';
import { Backoff } from './backoff.js';
import { DataSourceError, type DataSource } from './data-source.js';
import type { DataSourceUpdates } from './data-source-updates.js';
import { parseStreamMessage } from './payload.js';

/** One stream connection attempt, for diagnostic events. */
export interface StreamInitInfo {
  /** When the attempt started, epoch milliseconds. */
  readonly timestamp: number;
  /** True when it did not reach an open stream. */
  readonly failed: boolean;
  readonly durationMillis: number;
}

/** Options of {@link StreamingDataSource}. Times in milliseconds. */
export interface StreamingOptions {
  /** The full stream URL (`{streamUri}/all`, plus `?filter=` when set). */
  readonly url: string;
  readonly http: HttpClient;
  readonly headers: Readonly<Record<string, string>>;
  readonly logger: LDLogger;
  readonly initialReconnectDelayMs: number;
  /** Default 30 000. */
  readonly maxReconnectDelayMs?: number;
  /** Default 60 000. */
  readonly retryResetIntervalMs?: number;
  /** No byte (data or heartbeat) for this long counts as a dead connection. Default 300 000. */
  readonly readTimeoutMs?: number;
  readonly random?: () => number;
  readonly now?: () => number;
  /** Reports each connection attempt (for diagnostic events). */
  readonly onStreamInit?: (info: StreamInitInfo) => void;
  /** Reports the `X-LD-EnvId` response header (for hooks). */
  readonly onEnvironmentId?: (id: string) => void;
}

const KNOWN_EVENTS = new Set(['put', 'patch', 'delete', 'message']);

/**
 * LaunchDarkly's streaming data source (`GET {streamUri}/all`, server-sent events), with reconnects
 * driven here rather than by the SSE client: exponential backoff with jitter (base
 * `streamInitialReconnectDelay`, cap 30 s, reset after 60 s healthy), SSE `retry:` honored, a read
 * timeout, and `Last-Event-ID` on reconnect.
 *
 * - `put` replaces all data (kinds missing from it become empty) and, the first time, initializes the
 *   client; `patch`/`delete` upsert by version (older or equal versions change nothing).
 * - Malformed data (bad JSON, missing `data`/`path`/`version`, an item without key or version) logs an
 *   error, reports `INTERRUPTED`/`INVALID_DATA` and restarts the stream (updates may have been missed);
 *   the data already stored keeps being served.
 * - Unknown event names and patches of unknown paths are ignored.
 * - HTTP 401, 403, 404 and every other 4xx except 400/408/429 stop the stream for good (`OFF`, the
 *   client emits `failed`); 400, 408, 429, 5xx and network errors are retried (`INTERRUPTED`).
 * - A store failure is reported as `STORE_ERROR` without restarting: the persistent store wrapper asks
 *   for a refresh when it recovers, and that restarts the stream.
 */
export class StreamingDataSource implements DataSource {
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private readonly readTimeoutMs: number;
  private eventSource: EventSource | undefined;
  /** The current response: destroyed on disconnect, because the SSE client leaves non-200 bodies unread. */
  private response: IncomingMessage | undefined;
  /** Bumped per connection: events of an abandoned connection are ignored. */
  private generation = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private attemptStartedAt: number | undefined;
  private lastEventId: string | undefined;
  private initialized = false;
  private closed = false;
  private readonly unsubscribeRefresh: () => void;
  private readonly unknownEventsLogged = new Set<string>();

  constructor(
    private readonly options: StreamingOptions,
    private readonly updates: DataSourceUpdates,
    private readonly initSuccess: () => void,
    private readonly errorHandler: (error: Error) => void,
  ) {
    this.now = options.now ?? Date.now;
    this.readTimeoutMs = options.readTimeoutMs ?? 300_000;
    this.backoff = new Backoff({
      initialMs: options.initialReconnectDelayMs,
      maxMs: options.maxReconnectDelayMs,
      resetAfterMs: options.retryResetIntervalMs,
      random: options.random,
    });
    this.unsubscribeRefresh = updates.onRefreshNeeded(() => {
      if (this.closed) return;
      this.options.logger.warn('[switchyard/node-server] the data store asked for a refresh; restarting the stream');
      this.disconnect();
      this.connect();
    });
  }

  start(): void {
    if (this.closed || this.eventSource) return;
    this.connect();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribeRefresh();
    this.disconnect();
    this.options.logger.info('[switchyard/node-server] closed the LaunchDarkly stream connection');
  }

  private connect(): void {
    if (this.closed) return;
    const generation = ++this.generation;
    this.attemptStartedAt = this.now();
    const { http, headers, url, logger } = this.options;
    const scanner = new SseFieldScanner((field, value) => this.onField(generation, field, value));
    const fetch: FetchLike = (input, init) =>
      http.openStream(String(input), {
        headers: { ...headers, ...(this.lastEventId ? { 'last-event-id': this.lastEventId } : {}), accept: 'text/event-stream' },
        signal: init.signal as AbortSignal | undefined,
        readTimeoutMs: this.readTimeoutMs,
        onChunk: (chunk) => scanner.feed(chunk),
        onResponse: (res) => {
          if (generation !== this.generation) {
            res.destroy();
            return;
          }
          this.response = res;
          const envId = res.headers['x-ld-envid'];
          if (typeof envId === 'string' && res.statusCode === 200) this.options.onEnvironmentId?.(envId);
        },
      }) as ReturnType<FetchLike>;
    logger.debug(`[switchyard/node-server] connecting to the stream at ${url}`);
    const source = new EventSource(url, { fetch });
    this.eventSource = source;
    source.addEventListener('open', () => {
      if (generation !== this.generation) return;
      this.backoff.connected(this.now());
      this.recordAttempt(false);
      logger.info('[switchyard/node-server] opened the LaunchDarkly stream connection');
    });
    source.addEventListener('error', (event) => {
      if (generation !== this.generation) return;
      const { code, message } = event as unknown as { code?: number; message?: string };
      this.onConnectionError(code, message);
    });
    for (const name of ['put', 'patch', 'delete'] as const) {
      source.addEventListener(name, (event: MessageEvent) => {
        if (generation !== this.generation) return;
        if (event.lastEventId) this.lastEventId = event.lastEventId;
        this.onMessage(name, typeof event.data === 'string' ? event.data : '');
      });
    }
  }

  /** Closes the current connection (if any) and cancels a pending reconnect. */
  private disconnect(): void {
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.eventSource?.close();
    this.eventSource = undefined;
    this.response?.destroy();
    this.response = undefined;
  }

  private recordAttempt(failed: boolean): void {
    if (this.attemptStartedAt === undefined) return;
    const timestamp = this.attemptStartedAt;
    this.attemptStartedAt = undefined;
    try {
      this.options.onStreamInit?.({ timestamp, failed, durationMillis: this.now() - timestamp });
    } catch {
      // Diagnostics must never break the stream.
    }
  }

  private onField(generation: number, field: 'event' | 'retry', value: string): void {
    if (generation !== this.generation) return;
    if (field === 'retry') {
      const ms = Number(value);
      if (Number.isInteger(ms) && ms >= 0) this.backoff.setBase(ms);
      return;
    }
    if (!KNOWN_EVENTS.has(value) && !this.unknownEventsLogged.has(value) && this.unknownEventsLogged.size < 100) {
      this.unknownEventsLogged.add(value);
      this.options.logger.info(`[switchyard/node-server] unexpected event "${value}" found in the stream; ignored`);
    }
  }

  private onMessage(event: 'put' | 'patch' | 'delete', data: string): void {
    let message;
    try {
      message = parseStreamMessage(event, data);
    } catch (err) {
      this.onMalformed(event, err);
      return;
    }
    const generation = this.generation;
    if (message.type === 'ignored') {
      this.options.logger.debug(`[switchyard/node-server] ignoring a stream "${event}" for unknown path ${message.path}`);
      return;
    }
    if (message.type === 'put') {
      void this.updates.init(message.data).then((ok) => {
        if (!ok || this.closed || generation !== this.generation) return;
        this.updates.updateStatus('VALID');
        if (!this.initialized) {
          this.initialized = true;
          this.initSuccess();
        }
      });
      return;
    }
    void this.updates.upsert(message.kind, message.item).then(() => {
      // A successful write after a store failure means the stream is healthy again.
      if (this.initialized && !this.closed && generation === this.generation && this.updates.status.getStatus().lastError?.kind === 'STORE_ERROR') {
        this.updates.updateStatus('VALID');
      }
    });
  }

  private onMalformed(event: string, err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err);
    const message = `received a stream "${event}" event with malformed data (${reason}); will restart the stream`;
    this.options.logger.error(`[switchyard/node-server] ${message}`);
    this.updates.reportError(new MalformedDataError(`[switchyard/node-server] ${message}`, { cause: err }));
    this.updates.updateStatus('INTERRUPTED', { kind: 'INVALID_DATA', message });
    this.scheduleReconnect();
  }

  private onConnectionError(status: number | undefined, detail: string | undefined): void {
    this.disconnect();
    this.recordAttempt(true);
    const { logger } = this.options;
    if (status !== undefined && status !== 200) {
      if (!isHttpRecoverable(status)) {
        const message = `received ${describeStatus(status)} for the streaming request - giving up permanently`;
        logger.error(`[switchyard/node-server] ${message}`);
        this.updates.updateStatus('OFF', { kind: 'ERROR_RESPONSE', statusCode: status, message });
        this.closed = true;
        this.unsubscribeRefresh();
        this.errorHandler(
          new DataSourceError(
            status === 401
              ? '[switchyard/node-server] Authentication failed. Double check your SDK key. (HTTP 401 from the stream; giving up permanently)'
              : `[switchyard/node-server] ${message}`,
            status,
          ),
        );
        return;
      }
      const message = `received ${describeStatus(status)} for the streaming request - will retry`;
      logger.warn(`[switchyard/node-server] ${message}`);
      this.updates.updateStatus('INTERRUPTED', { kind: 'ERROR_RESPONSE', statusCode: status, message });
    } else {
      const message = `error in the stream connection (will retry): ${detail || 'the connection was closed'}`;
      logger.warn(`[switchyard/node-server] ${message}`);
      this.updates.updateStatus('INTERRUPTED', { kind: 'NETWORK_ERROR', message });
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.disconnect();
    if (this.closed) return;
    const delay = this.backoff.next(this.now());
    this.options.logger.info(`[switchyard/node-server] will retry the stream connection in ${delay} milliseconds`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }
}

/**
 * Watches the raw SSE bytes for the two fields the SSE client does not expose: `event:` names (to log
 * unknown ones) and `retry:` (the server's reconnect delay). Works on bytes and only ever looks at the
 * first few characters of a line, so a 50 MB `data:` line costs one native `indexOf` per chunk.
 */
class SseFieldScanner {
  private atLineStart = true;
  private prefix = '';
  private lastWasCR = false;

  constructor(private readonly onField: (field: 'event' | 'retry', value: string) => void) {}

  feed(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.atLineStart) {
        const b = chunk[i]!;
        if (b === 10 && this.lastWasCR) {
          this.lastWasCR = false;
          i++;
          continue;
        }
        this.lastWasCR = false;
        if (b === 10 || b === 13) {
          this.endLine();
          this.lastWasCR = b === 13;
          i++;
          continue;
        }
        if (this.prefix.length < 64) {
          this.prefix += String.fromCharCode(b);
          i++;
          continue;
        }
        this.atLineStart = false;
      }
      const lf = chunk.indexOf(10, i);
      const cr = chunk.indexOf(13, i);
      const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      if (end < 0) return;
      i = end;
      this.atLineStart = true;
    }
  }

  private endLine(): void {
    const line = this.prefix;
    this.prefix = '';
    this.atLineStart = true;
    if (line.startsWith('event:')) this.onField('event', line.slice(6).trim());
    else if (line.startsWith('retry:')) this.onField('retry', line.slice(6).trim());
  }
}
