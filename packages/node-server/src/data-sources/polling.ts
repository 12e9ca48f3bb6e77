import { MalformedDataError, type LDLogger } from '@switchyard/core';

import type { HttpClient } from '../http/http-client.js';
import { describeStatus, isHttpRecoverable } from '../http/headers.js';
import type { DataSource } from './data-source.js';
import { LDPollingError } from '../errors.js';
import type { DataSourceUpdates } from './data-source-updates.js';
import { parsePollBody } from './payload.js';

/** Options of {@link PollingDataSource}. Times in milliseconds. */
export interface PollingOptions {
  /** The full polling URL (`{baseUri}/sdk/latest-all`, plus `?filter=` when set). */
  readonly url: string;
  readonly http: HttpClient;
  readonly headers: Readonly<Record<string, string>>;
  readonly logger: LDLogger;
  readonly intervalMs: number;
  /** Per-request timeout (`timeout`). */
  readonly timeoutMs: number;
  readonly now?: () => number;
  readonly onEnvironmentId?: (id: string) => void;
  /**
   * Keep each item's JSON (`json`) for writing to a persistent store. Default true; the client passes
   * false when its store is the in-memory one, which then holds a fraction of the memory.
   */
  readonly keepJson?: boolean;
}

/**
 * LaunchDarkly's polling data source: `GET {baseUri}/sdk/latest-all` every `pollInterval`, with the last
 * `ETag` sent back as `If-None-Match` (a 304 writes nothing). The next poll is due `pollInterval` after
 * the previous one started. Malformed JSON and recoverable HTTP errors (400, 408, 429, 5xx, network)
 * report `INTERRUPTED` and wait for the next poll; any other 4xx stops polling for good (`OFF`, the
 * client emits `failed`). When the store asks for a refresh, the ETag is dropped and a poll runs at once.
 */
export class PollingDataSource implements DataSource {
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private etag: string | undefined;
  private initialized = false;
  private closed = false;
  private polling = false;
  private pollAgain = false;
  private readonly unsubscribeRefresh: () => void;

  constructor(
    private readonly options: PollingOptions,
    private readonly updates: DataSourceUpdates,
    private readonly initSuccess: () => void,
    private readonly errorHandler: (error: Error) => void,
  ) {
    this.now = options.now ?? Date.now;
    this.unsubscribeRefresh = updates.onRefreshNeeded(() => {
      this.etag = undefined;
      this.pollNow();
    });
  }

  start(): void {
    this.pollNow();
  }

  close(): void {
    this.closed = true;
    this.unsubscribeRefresh();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pollNow(): void {
    if (this.closed) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void this.poll();
  }

  /**
   * One poll, then the next one is scheduled, whatever happened: an exception out of the poll (a
   * throwing `ready` listener reached through `initSuccess`, say) is logged and reported as
   * `INTERRUPTED`, never allowed to end polling. A request cannot hang it either: the HTTP client
   * bounds every request (proxy tunnel included) by `timeoutMs`.
   */
  private async poll(): Promise<void> {
    this.polling = true;
    const started = this.now();
    try {
      await this.pollOnce();
    } catch (err) {
      this.pollFailed(err);
    } finally {
      this.polling = false;
    }
    if (this.closed) return;
    if (this.pollAgain) {
      this.pollAgain = false;
      void this.poll();
      return;
    }
    const delay = Math.max(this.options.intervalMs - (this.now() - started), 0);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, delay);
  }

  private pollFailed(err: unknown): void {
    if (this.closed) return;
    const message = `unexpected error in a poll (will retry at the next poll): ${err instanceof Error ? err.message : String(err)}`;
    try {
      this.options.logger.error(`[switchyard/node-server] ${message}`);
      this.updates.updateStatus('INTERRUPTED', { kind: 'UNKNOWN', message });
    } catch {
      // Reporting must not stop polling either.
    }
  }

  private async pollOnce(): Promise<void> {
    const { http, url, headers, logger, timeoutMs } = this.options;
    logger.debug('[switchyard/node-server] polling LaunchDarkly for flag updates');
    let res;
    try {
      res = await http.request(url, { headers: this.etag ? { ...headers, 'if-none-match': this.etag } : headers, timeoutMs });
    } catch (err) {
      if (this.closed) return;
      const message = `error in the polling request (will retry): ${(err as Error).message}`;
      logger.warn(`[switchyard/node-server] ${message}`);
      this.updates.updateStatus('INTERRUPTED', { kind: 'NETWORK_ERROR', message });
      return;
    }
    if (this.closed) return;
    const envId = res.headers['x-ld-envid'];
    if (typeof envId === 'string') this.options.onEnvironmentId?.(envId);
    if (res.status === 304) {
      this.updates.updateStatus('VALID');
      return;
    }
    if (res.status !== 200) {
      if (!isHttpRecoverable(res.status)) {
        const message = `received ${describeStatus(res.status)} for the polling request - giving up permanently`;
        logger.error(`[switchyard/node-server] ${message}`);
        this.updates.updateStatus('OFF', { kind: 'ERROR_RESPONSE', statusCode: res.status, message });
        this.close();
        this.errorHandler(
          new LDPollingError(
            'ERROR_RESPONSE',
            res.status === 401
              ? '[switchyard/node-server] Authentication failed. Double check your SDK key. (HTTP 401 from polling; giving up permanently)'
              : `[switchyard/node-server] ${message}`,
            res.status,
            false,
          ),
        );
        return;
      }
      const message = `received ${describeStatus(res.status)} for the polling request - will retry`;
      logger.warn(`[switchyard/node-server] ${message}`);
      this.updates.updateStatus('INTERRUPTED', { kind: 'ERROR_RESPONSE', statusCode: res.status, message });
      return;
    }
    let data;
    try {
      data = parsePollBody(res.body, this.options.keepJson !== false);
    } catch (err) {
      const message = `polling received malformed data (${(err as Error).message}); will retry at the next poll`;
      logger.error(`[switchyard/node-server] ${message}`);
      this.updates.reportError(new MalformedDataError(`[switchyard/node-server] ${message}`, { cause: err }));
      this.updates.updateStatus('INTERRUPTED', { kind: 'INVALID_DATA', message });
      return;
    }
    const ok = await this.updates.init(data);
    if (!ok || this.closed) return;
    const etag = res.headers.etag;
    // Remember the ETag only once the data is stored: a failed write must be retried with a full body.
    this.etag = typeof etag === 'string' ? etag : undefined;
    this.updates.updateStatus('VALID');
    if (!this.initialized) {
      this.initialized = true;
      this.initSuccess();
    }
  }
}
