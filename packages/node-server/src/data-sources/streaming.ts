import type { IncomingMessage } from 'node:http';

import { EventSource, type FetchLike } from 'eventsource';

import { MalformedDataError, type LDLogger } from '@switchyard/core';

import type { HttpClient } from '../http/http-client.js';
import { describeStatus, isHttpRecoverable } from '../http/headers.js';
import { Backoff } from './backoff.js';
import type { DataSource } from './data-source.js';
import { LDStreamingError } from '../errors.js';
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
  /**
   * Keep each item's JSON (`json`) for writing to a persistent store. Default true; the client passes
   * false when its store is the in-memory one, which then holds a fraction of the memory.
   */
  readonly keepJson?: boolean;
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
 * - A store failure is reported (by {@link DataSourceUpdates}) as `STORE_ERROR` without restarting: the
 *   persistent store wrapper asks for a refresh when it recovers, and that restarts the stream.
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
    const source = this.eventSource;
    if (source) {
      source.close();
      // The SSE client (eventsource 4) arms its own reconnect timer (3 s, or the server's `retry:`) right
      // after dispatching an `error` event, so a close() from our error listener runs before the timer
      // exists and cannot cancel it; that timer would keep the process alive after close(). Closing again
      // once the dispatch is over cancels it.
      queueMicrotask(() => source.close());
    }
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
      message = parseStreamMessage(event, data, this.options.keepJson !== false);
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
        if (!ok || this.closed) return;
        // The data is stored even if the connection that brought it has ended meanwhile: initialize
        // anyway; only the status belongs to the current connection.
        if (generation === this.generation) this.updates.updateStatus('VALID');
        if (!this.initialized) {
          this.initialized = true;
          this.initSuccess();
        }
      });
      return;
    }
    // Store failures and recoveries are reported by `updates` itself.
    void this.updates.upsert(message.kind, message.item);
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
          new LDStreamingError(
            'ERROR_RESPONSE',
            status === 401
              ? '[switchyard/node-server] Authentication failed. Double check your SDK key. (HTTP 401 from the stream; giving up permanently)'
              : `[switchyard/node-server] ${message}`,
            status,
            false,
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

const LF = 10;
const BOM = [0xef, 0xbb, 0xbf];
const EVENT_FIELD = [...'event:'].map((c) => c.charCodeAt(0));
const RETRY_FIELD = [...'retry:'].map((c) => c.charCodeAt(0));
/** Longest `event:`/`retry:` line looked at; a longer one (no real event name is) is not reported. */
const MAX_FIELD_LINE = 1024;

/** Whether `line` (the start of a line) can still be an `event` or `retry` field line. */
function mayBeFieldOfInterest(line: readonly number[]): boolean {
  if (line.length > MAX_FIELD_LINE) return false;
  const matches = (field: readonly number[]) => {
    const n = Math.min(line.length, field.length);
    for (let i = 0; i < n; i++) if (line[i] !== field[i]) return false;
    return true;
  };
  return matches(EVENT_FIELD) || matches(RETRY_FIELD);
}

/**
 * Watches the SSE bytes of one connection for the two fields the SSE client does not expose: `event:`
 * names (to log unknown ones) and `retry:` (the server's reconnect delay), parsed as the SSE spec says.
 * Lines end at LF: the HTTP client has already turned the spec's CR and CRLF line ends into LF
 * (`SseLineEndings`, see `HttpClient.openStream`) before any `onChunk` sees the bytes. One leading UTF-8
 * BOM is ignored, a line starting with `:` is a comment, the value is what follows the first `:` less one
 * leading space (a line without `:` is a field with an empty value), an empty event name means
 * `message`, and `retry` counts only when its value is ASCII digits. Works on bytes and stops looking at
 * a line as soon as it cannot be one of those two fields, so a 50 MB `data:` line costs one native
 * `indexOf` per chunk.
 */
export class SseFieldScanner {
  /** The bytes of the current line, while it may be an `event` or `retry` field. */
  private readonly line: number[] = [];
  /** The current line is not one of those fields: ignored up to its end. */
  private skipping = false;
  /** Bytes of a leading BOM matched so far; -1 once past the start of the stream. */
  private bomMatched = 0;
  private readonly decoder = new TextDecoder();

  constructor(private readonly onField: (field: 'event' | 'retry', value: string) => void) {}

  feed(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      const b = chunk[i]!;
      if (this.bomMatched >= 0) {
        if (b === BOM[this.bomMatched]) {
          this.bomMatched = this.bomMatched === BOM.length - 1 ? -1 : this.bomMatched + 1;
          i++;
          continue;
        }
        // Part of a BOM and then something else: a line that cannot be a field of interest.
        if (this.bomMatched > 0) this.skipping = true;
        this.bomMatched = -1;
      }
      if (b === LF) {
        this.endLine();
        i++;
        continue;
      }
      if (this.skipping) {
        const end = chunk.indexOf(LF, i);
        if (end < 0) return;
        i = end;
        continue;
      }
      this.line.push(b);
      if (!mayBeFieldOfInterest(this.line)) {
        this.skipping = true;
        this.line.length = 0;
      }
      i++;
    }
  }

  private endLine(): void {
    const skipped = this.skipping;
    this.skipping = false;
    if (skipped || this.line.length === 0) return;
    const text = this.decoder.decode(Uint8Array.from(this.line));
    this.line.length = 0;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.onField('event', value || 'message');
    else if (field === 'retry' && /^[0-9]+$/.test(value)) this.onField('retry', value);
  }
}
