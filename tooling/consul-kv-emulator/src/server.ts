import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { type ApiContext, type ApiRequest, type ApiResponse, text } from './api.js';
import type { Faults } from './faults.js';
import { isKvPath, kvEndpoint } from './kv-endpoint.js';
import type { KvStore } from './kv-store.js';
import type { ResolvedOptions } from './options.js';
import type { ConnectionStats } from './stats.js';
import { txnEndpoint } from './txn-endpoint.js';

/** How long a graceful stop waits for in-flight requests before destroying their connections. */
const STOP_GRACE_MS = 2_000;

/** The name a request is counted under in the stats: `/v1/kv`, `/v1/txn`, or its path. */
function routeOf(rawPath: string): string {
  if (isKvPath(rawPath)) return '/v1/kv';
  return rawPath;
}

/** Routes a request to its endpoint; unknown paths get Consul's 404 texts. */
export async function routeApi(request: ApiRequest, context: ApiContext): Promise<ApiResponse> {
  if (isKvPath(request.rawPath)) return kvEndpoint(request, context);
  if (request.rawPath === '/v1/txn') return txnEndpoint(request, context);
  if (request.rawPath.includes('/v1/')) return text(404, 'Invalid URL path: not a recognized HTTP API endpoint\n');
  return text(404, "Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'\n");
}

/**
 * One listening lifetime of the emulator's HTTP server. The data, faults and stats outlive it, so a
 * restart is a new `HttpLifetime` on the same port.
 */
export class HttpLifetime {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Aborted when this lifetime ends: blocking queries answer, latency sleeps end. */
  private readonly ended = new AbortController();
  private closing = false;
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly store: KvStore,
    private readonly options: ResolvedOptions,
    private readonly faults: Faults,
    private readonly stats: ConnectionStats,
  ) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      this.stats.track(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /**
   * Starts listening.
   *
   * @returns the lifetime and the port it listens on
   */
  static async listen(
    store: KvStore,
    options: ResolvedOptions,
    faults: Faults,
    stats: ConnectionStats,
    port: number,
  ): Promise<{ lifetime: HttpLifetime; port: number }> {
    const lifetime = new HttpLifetime(store, options, faults, stats);
    const server = lifetime.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: Error) => reject(new Error(`consul-kv-emulator: cannot listen on ${options.host}:${port}: ${err.message}`)));
      server.listen(port, options.host, () => resolve());
    });
    const address = server.address();
    return { lifetime, port: typeof address === 'object' && address ? address.port : port };
  }

  /** Stops accepting connections, lets in-flight requests answer (blocking queries at once), closes the rest. */
  stop(): Promise<void> {
    if (this.closed) return this.closed;
    this.closing = true;
    this.ended.abort();
    this.closed = new Promise<void>((resolve) => {
      const force = setTimeout(() => this.destroySockets(), STOP_GRACE_MS);
      this.server.close(() => {
        clearTimeout(force);
        resolve();
      });
      this.server.closeIdleConnections();
    });
    return this.closed;
  }

  /** Stops abruptly: every connection is destroyed, in-flight requests get no answer. */
  kill(): Promise<void> {
    this.destroySockets();
    return this.stop();
  }

  private destroySockets(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [rawPath = '/', search = ''] = (req.url ?? '/').split(/\?(.*)/s);
    const method = req.method ?? 'GET';
    const route = `${method} ${routeOf(rawPath)}`;
    this.stats.countRequest(method, routeOf(rawPath));
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const signal = AbortSignal.any([gone.signal, this.ended.signal]);
    try {
      if (this.faults.latencyMs > 0) await sleep(this.faults.latencyMs, undefined, { signal }).catch(() => undefined);
      if (res.destroyed) return;
      const fault = this.faults.take(route);
      if (fault.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'fail') {
        this.send(res, text(fault.status, fault.body));
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const request: ApiRequest = { method, rawPath, query: new URLSearchParams(search), headers: req.headers, body: Buffer.concat(chunks) };
      this.send(res, await routeApi(request, { store: this.store, options: this.options, signal }));
    } catch (err) {
      this.send(res, text(500, `consul-kv-emulator: ${(err as Error).message}`));
    }
  }

  private send(res: ServerResponse, response: ApiResponse): void {
    if (res.destroyed || res.headersSent) return;
    const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
    const headers: Record<string, string> = { ...response.headers, 'Content-Length': String(body.length) };
    if (this.closing) headers.Connection = 'close';
    res.writeHead(response.status, headers).end(body);
  }
}
