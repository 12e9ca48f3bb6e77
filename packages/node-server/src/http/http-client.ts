import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type AgentOptions } from 'node:https';
import { gunzip } from 'node:zlib';

import type { Configuration } from '../options.js';
import { TunnelAgent } from './proxy-agent.js';

/** A complete HTTP response (body decoded as UTF-8, gzip undone). */
export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Options of {@link HttpClient.request}. */
export interface HttpRequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Socket inactivity limit in ms (connect included). */
  readonly timeoutMs?: number;
}

/** The minimal `Response` the `eventsource` package reads (its `FetchLike` contract). */
export interface StreamResponse {
  readonly status: number;
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: { get(name: string): string | null };
  readonly body: { getReader(): BodyReader };
}

/** The reader half of a response body, as the `eventsource` package consumes it. */
export interface BodyReader {
  read(): Promise<{ done: false; value: Uint8Array } | { done: true; value?: undefined }>;
  cancel(): Promise<void>;
}

/** Options of {@link HttpClient.openStream}. */
export interface StreamRequestOptions {
  readonly headers: Readonly<Record<string, string>>;
  /** Aborts the request (what `EventSource.close()` does). */
  readonly signal?: AbortSignal;
  /** Socket inactivity limit in ms: no byte (data or heartbeat) for this long ends the connection. */
  readonly readTimeoutMs: number;
  /** Sees every body chunk before the SSE parser does. */
  readonly onChunk?: (chunk: Uint8Array) => void;
  /** Sees the response before its body is read. */
  readonly onResponse?: (res: IncomingMessage) => void;
}

function abortError(): Error {
  const err = new Error('the request was aborted');
  err.name = 'AbortError';
  return err;
}

/**
 * The SDK's HTTP transport over `node:http`/`node:https`: keep-alive agents (one per protocol, owned and
 * destroyed on {@link HttpClient.close}), `tlsParams`, `proxyOptions` (a `CONNECT` tunnel) or the user's
 * `proxyAgent` (never destroyed by us). Used for streaming, polling and event delivery alike.
 */
export class HttpClient {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpAgent;
  private readonly owned: HttpAgent[] = [];
  private closed = false;

  constructor(config: Pick<Configuration, 'tlsParams' | 'proxyOptions' | 'proxyAgent' | 'logger'>) {
    if (config.proxyAgent) {
      if (config.proxyOptions || config.tlsParams) {
        config.logger.warn('[switchyard/node-server] both proxyAgent and proxyOptions/tlsParams were given; using proxyAgent');
      }
      this.httpAgent = config.proxyAgent;
      this.httpsAgent = config.proxyAgent;
    } else if (config.proxyOptions) {
      this.httpAgent = new TunnelAgent('http:', config.proxyOptions, config.tlsParams);
      this.httpsAgent = new TunnelAgent('https:', config.proxyOptions, config.tlsParams);
      this.owned.push(this.httpAgent, this.httpsAgent);
    } else {
      this.httpAgent = new HttpAgent({ keepAlive: true });
      this.httpsAgent = new HttpsAgent({ keepAlive: true, ...(withoutUndefined(config.tlsParams) as AgentOptions) });
      this.owned.push(this.httpAgent, this.httpsAgent);
    }
  }

  private start(url: string, method: string, headers: Record<string, string>): ClientRequest {
    const secure = url.startsWith('https:');
    return (secure ? httpsRequest : httpRequest)(url, { method, headers, agent: secure ? this.httpsAgent : this.httpAgent });
  }

  /** One request with a complete response. Rejects on network errors and timeouts, not on HTTP statuses. */
  request(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
    if (this.closed) return Promise.reject(new Error('the HTTP client is closed'));
    const method = options.method ?? 'GET';
    const headers: Record<string, string> = { ...options.headers };
    if (method === 'GET') headers['accept-encoding'] = 'gzip';
    return new Promise<HttpResponse>((resolve, reject) => {
      const req = this.start(url, method, headers);
      if (options.timeoutMs) {
        req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no response within ${options.timeoutMs} ms`)));
      }
      req.once('error', reject);
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', reject);
        res.once('end', () => {
          const raw = Buffer.concat(chunks);
          const done = (body: Buffer) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString('utf8') });
          if (res.headers['content-encoding'] === 'gzip') {
            gunzip(raw, (err, out) => (err ? reject(err) : done(out)));
          } else {
            done(raw);
          }
        });
      });
      req.end(options.body);
    });
  }

  /**
   * Opens a long-lived streaming request and resolves with its response once headers arrive; the body
   * is read through a web-style reader. Implements the `fetch` the `eventsource` package calls, so
   * streaming uses the same agents, TLS and proxy settings as everything else, and a read timeout.
   */
  openStream(url: string, options: StreamRequestOptions): Promise<StreamResponse> {
    if (this.closed) return Promise.reject(new Error('the HTTP client is closed'));
    if (options.signal?.aborted) return Promise.reject(abortError());
    return new Promise<StreamResponse>((resolve, reject) => {
      const req = this.start(url, 'GET', { ...options.headers });
      const onAbort = () => req.destroy(abortError());
      options.signal?.addEventListener('abort', onAbort, { once: true });
      req.once('close', () => options.signal?.removeEventListener('abort', onAbort));
      req.setTimeout(options.readTimeoutMs, () =>
        req.destroy(new Error(`no data received for ${options.readTimeoutMs} ms (read timeout)`)),
      );
      req.once('error', reject);
      req.once('response', (res) => {
        options.onResponse?.(res);
        resolve({
          status: res.statusCode ?? 0,
          url,
          redirected: false,
          headers: {
            get(name: string) {
              const value = res.headers[name.toLowerCase()];
              return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
            },
          },
          body: { getReader: () => new NodeBodyReader(req, res, options.onChunk) },
        });
      });
      req.end();
    });
  }

  /** Destroys the agents this client created (closing idle keep-alive sockets). Idempotent. */
  close(): void {
    this.closed = true;
    for (const agent of this.owned) agent.destroy();
  }
}

function withoutUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Adapts a Node response stream to the pull-based reader the SSE client expects (with backpressure). */
class NodeBodyReader implements BodyReader {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private error: Error | undefined;
  private waiting: { resolve: (r: { done: false; value: Uint8Array } | { done: true }) => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly req: ClientRequest,
    private readonly res: IncomingMessage,
    onChunk: ((chunk: Uint8Array) => void) | undefined,
  ) {
    res.on('data', (chunk: Buffer) => {
      onChunk?.(chunk);
      const waiting = this.waiting;
      if (waiting) {
        this.waiting = undefined;
        waiting.resolve({ done: false, value: chunk });
      } else {
        this.chunks.push(chunk);
        res.pause();
      }
    });
    res.once('end', () => {
      this.ended = true;
      this.settle();
    });
    const fail = (err: Error) => {
      this.error ??= err;
      this.settle();
    };
    res.once('error', fail);
    req.once('error', fail);
    res.once('close', () => {
      if (!this.ended) fail(new Error('the stream connection was closed'));
    });
  }

  private settle(): void {
    const waiting = this.waiting;
    if (!waiting || this.chunks.length) return;
    this.waiting = undefined;
    if (this.error) waiting.reject(this.error);
    else if (this.ended) waiting.resolve({ done: true });
  }

  read(): Promise<{ done: false; value: Uint8Array } | { done: true; value?: undefined }> {
    const chunk = this.chunks.shift();
    if (chunk) {
      if (this.chunks.length === 0) this.res.resume();
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.error) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve({ done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  cancel(): Promise<void> {
    this.req.destroy(abortError());
    return Promise.resolve();
  }
}
