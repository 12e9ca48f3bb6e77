import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A request as the server saw it, for routes and assertions (headers lower-cased). `body` is the text, inflated
 * first when the request was sent with `Content-Encoding: gzip`; `rawBody` is the bytes as received.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly rawBody: Buffer;
  readonly receivedAt: number;
}

/**
 * A route: answers the request and returns true, or returns false to let the next route try. Routes are
 * registered by the modules of this package (events, streaming, polling), each owning its paths.
 */
export type Route = (req: IncomingMessage, res: ServerResponse, request: RecordedRequest) => boolean | Promise<boolean>;

/** Options of {@link WireServer}. */
export interface WireServerOptions {
  /** Larger request bodies are refused with 413 before they are read to the end. Default: no limit. */
  readonly maxBodyBytes?: number;
  /** Keep every request in {@link WireServer.requests} (for assertions). Default true; a long-running service says false. */
  readonly recordRequests?: boolean;
}

/**
 * The HTTP core every endpoint registers its routes on: reads (and inflates) request bodies up to a
 * limit, records requests when asked, tries routes in order and answers 404 when none matches.
 */
export class WireServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private _port = 0;
  private _host = '127.0.0.1';

  constructor(private readonly options: WireServerOptions = {}) {}

  /** Adds a route; earlier routes are tried first. */
  use(route: Route): void {
    this.routes.push(route);
  }

  /** Adds a route tried before every other (a check such as authentication). */
  useFirst(route: Route): void {
    this.routes.unshift(route);
  }

  get port(): number {
    return this._port;
  }

  /** `http://<host>:<port>` (`http://127.0.0.1:<port>` unless listening elsewhere). */
  get url(): string {
    const host = this._host === '0.0.0.0' || this._host === '::' ? '127.0.0.1' : this._host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${this._port}`;
  }

  /** Listens on `host` (default 127.0.0.1: loopback only) and `port` (default 0: a free port). */
  async listen(port = 0, host = '127.0.0.1'): Promise<void> {
    this._host = host;
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    this._port = typeof address === 'object' && address ? address.port : port;
    this.server = server;
  }

  /** Drops every open connection (streams included) without stopping the server. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    this.dropConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    const limit = this.options.maxBodyBytes ?? Infinity;
    let size = Number(req.headers['content-length'] ?? 0);
    if (size <= limit) {
      size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > limit) break;
        chunks.push(chunk as Buffer);
      }
    }
    if (size > limit) {
      // Answered, then the connection is dropped: the rest of the body is never read.
      res.on('finish', () => req.destroy());
      res.writeHead(413, { 'Content-Type': 'application/json', Connection: 'close' }).end(JSON.stringify({ error: `request body over ${limit} bytes` }));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const rawBody = Buffer.concat(chunks);
    let body: string;
    try {
      body = (req.headers['content-encoding'] === 'gzip' && rawBody.length ? gunzipSync(rawBody) : rawBody).toString('utf8');
    } catch {
      body = ''; // not valid gzip: the route sees no body, the raw bytes stay available
    }
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: { ...req.headers },
      body,
      rawBody,
      receivedAt: Date.now(),
    };
    if (this.options.recordRequests !== false) this.requests.push(request);
    try {
      for (const route of this.routes) {
        if (await route(req, res, request)) return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`ld-wire: no route for ${request.method} ${request.path}`);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`ld-wire: ${(err as Error).message}`);
    }
  }
}
