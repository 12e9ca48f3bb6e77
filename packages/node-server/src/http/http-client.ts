import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type AgentOptions } from 'node:https';
import { gunzip } from 'node:zlib';

import { ClosedError } from '@switchyard/core';

import type { Configuration } from '../options.js';
import { TunnelAgent } from './proxy-agent.js';
import { SseLineEndings } from './sse-line-endings.js';
import { NetworkError } from '../errors.js';

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
  /** Sees every body chunk (line ends already turned into LF) before the SSE parser does. */
  readonly onChunk?: (chunk: Uint8Array) => void;
  /** Sees the response before its body is read. */
  readonly onResponse?: (res: IncomingMessage) => void;
}

function abortError(): Error {
  const err = new NetworkError('the request was aborted');
  err.name = 'AbortError';
  return err;
}

/**
 * The SDK's HTTP transport over `node:http`/`node:https`: keep-alive agents (one per protocol, owned and
 * destroyed on {@link HttpClient.close}), `tlsParams`, `proxyOptions` (a `CONNECT` tunnel whose every
 * phase is bounded by `timeout`) or the user's `proxyAgent` (never destroyed by us). Used for streaming,
 * polling and event delivery alike.
 *
 * Every request settles: with a response, an error, its timeout, or {@link HttpClient.close}, which
 * fails the requests still in flight with a `ClosedError` and leaves no socket behind.
 */
export class HttpClient {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpAgent;
  private readonly owned: HttpAgent[] = [];
  /** Set for the user's `proxyAgent`, whose connection setup we cannot bound from inside. */
  private readonly borrowedAgentTimeoutMs: number | undefined;
  /** Fails each request in flight (until its `close`). */
  private readonly inFlight = new Set<(err: Error) => void>();
  private closed = false;

  constructor(config: Pick<Configuration, 'tlsParams' | 'proxyOptions' | 'proxyAgent' | 'logger' | 'timeoutMs'>) {
    if (config.proxyAgent) {
      if (config.proxyOptions || config.tlsParams) {
        config.logger.warn('[switchyard/node-server] both proxyAgent and proxyOptions/tlsParams were given; using proxyAgent');
      }
      this.httpAgent = config.proxyAgent;
      this.httpsAgent = config.proxyAgent;
      // A third-party proxy agent (https-proxy-agent, say) may wait for a silent proxy forever before it
      // hands the request a socket, and a request's own timeout starts only with the socket.
      this.borrowedAgentTimeoutMs = config.timeoutMs;
    } else if (config.proxyOptions) {
      this.httpAgent = new TunnelAgent('http:', config.proxyOptions, config.tlsParams, config.timeoutMs);
      this.httpsAgent = new TunnelAgent('https:', config.proxyOptions, config.tlsParams, config.timeoutMs);
      this.owned.push(this.httpAgent, this.httpsAgent);
    } else {
      this.httpAgent = new HttpAgent({ keepAlive: true });
      this.httpsAgent = new HttpsAgent({ keepAlive: true, ...(withoutUndefined(config.tlsParams) as AgentOptions) });
      this.owned.push(this.httpAgent, this.httpsAgent);
    }
  }

  /**
   * Starts a request and tracks it until it closes. `fail` settles the caller's promise: it is called on
   * the request's errors, its borrowed-agent connection deadline and {@link HttpClient.close}. It must be
   * idempotent. A request destroyed before it has a socket emits nothing until its agent answers, so
   * whoever destroys one here settles the promise first.
   */
  private start(url: string, method: string, headers: Record<string, string>, fail: (err: Error) => void): ClientRequest {
    const secure = url.startsWith('https:');
    const req = (secure ? httpsRequest : httpRequest)(url, { method, headers, agent: secure ? this.httpsAgent : this.httpAgent });
    const abort = (err: Error) => {
      // A request destroyed before its agent gave it a socket may never emit `close`.
      this.inFlight.delete(abort);
      fail(err);
      req.destroy(err);
    };
    this.inFlight.add(abort);
    req.once('close', () => this.inFlight.delete(abort));
    // `on`, not `once`: a second error with no listener would be thrown.
    req.on('error', fail);
    const ms = this.borrowedAgentTimeoutMs;
    if (ms !== undefined) {
      const deadline = setTimeout(() => abort(new NetworkError(`the proxyAgent gave the request no connection within ${ms} ms`)), ms);
      req.once('socket', () => clearTimeout(deadline));
      req.once('close', () => clearTimeout(deadline));
    }
    return req;
  }

  /** One request with a complete response. Rejects on network errors and timeouts, not on HTTP statuses. */
  request(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
    if (this.closed) return Promise.reject(closedError());
    const method = options.method ?? 'GET';
    const headers: Record<string, string> = { ...options.headers };
    if (method === 'GET') headers['accept-encoding'] = 'gzip';
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      const succeed = (response: HttpResponse) => {
        if (settled) return;
        settled = true;
        resolve(response);
      };
      const req = this.start(url, method, headers, fail);
      if (options.timeoutMs) {
        req.setTimeout(options.timeoutMs, () => req.destroy(new NetworkError(`no response within ${options.timeoutMs} ms`)));
      }
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.once('end', () => {
          const raw = Buffer.concat(chunks);
          const done = (body: Buffer) => succeed({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString('utf8') });
          if (res.headers['content-encoding'] === 'gzip') {
            gunzip(raw, (err, out) => (err ? fail(err) : done(out)));
          } else {
            done(raw);
          }
        });
      });
      req.end(options.body);
    });
  }

  /**
   * Opens a long-lived server-sent-events request and resolves with its response once headers arrive;
   * the body is read through a web-style reader. Implements the `fetch` the `eventsource` package calls,
   * so streaming uses the same agents, TLS and proxy settings as everything else, and a read timeout.
   *
   * The body's line ends (CR, LF or CRLF, all allowed by the SSE spec) reach the reader and `onChunk` as
   * LF: the `eventsource` package's parser (eventsource-parser 3) holds a CR that ends a chunk back until
   * the next byte arrives, to see whether an LF follows, so on a stream that ends its lines with CR alone
   * every event would wait for the next one, and the first `put` would never initialize the client.
   */
  openStream(url: string, options: StreamRequestOptions): Promise<StreamResponse> {
    if (this.closed) return Promise.reject(closedError());
    if (options.signal?.aborted) return Promise.reject(abortError());
    return new Promise<StreamResponse>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      const req = this.start(url, 'GET', { ...options.headers }, fail);
      const onAbort = () => {
        const err = abortError();
        fail(err);
        req.destroy(err);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      req.once('close', () => options.signal?.removeEventListener('abort', onAbort));
      req.setTimeout(options.readTimeoutMs, () =>
        req.destroy(new NetworkError(`no data received for ${options.readTimeoutMs} ms (read timeout)`)),
      );
      req.once('response', (res) => {
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
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

  /**
   * Fails every request still in flight with a `ClosedError` and destroys the agents this client created
   * (their sockets, idle or not, and proxy tunnels being set up); a borrowed `proxyAgent` is left alone.
   * Afterwards the client holds nothing that keeps the process alive. Idempotent.
   */
  close(): void {
    this.closed = true;
    const err = closedError();
    for (const abort of [...this.inFlight]) abort(err);
    this.inFlight.clear();
    for (const agent of this.owned) agent.destroy();
  }
}

function closedError(): ClosedError {
  return new ClosedError('the HTTP client is closed');
}

function withoutUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Adapts a Node response stream to the pull-based reader the SSE client expects (with backpressure),
 * with the line ends turned into LF.
 */
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
    const lineEndings = new SseLineEndings();
    res.on('data', (raw: Buffer) => {
      const chunk = lineEndings.push(raw);
      // Only the LF of a CRLF split across chunks: nothing to pass on.
      if (chunk.length === 0) return;
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
      if (!this.ended) fail(new NetworkError('the stream connection was closed'));
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
