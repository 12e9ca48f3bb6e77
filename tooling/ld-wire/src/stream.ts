import type { IncomingMessage, ServerResponse } from 'node:http';

import type { WireItem, WireKind, FlagData } from './flag-data.js';
import type { WireServer, RecordedRequest } from './server.js';

/**
 * What the streaming endpoint does with one incoming connection. Plans are queued with
 * {@link StreamEndpoint.nextConnections} and used one per connection, in order; when the queue is empty a
 * connection is served normally (`{ kind: 'serve' }`).
 */
export type StreamPlan =
  /** 200, then a `put` with the current data, then stays open for patches. */
  | { readonly kind: 'serve'; readonly delayMs?: number }
  /** Answers with this HTTP status and a short body, then closes. */
  | { readonly kind: 'status'; readonly status: number; readonly delayMs?: number }
  /** Accepts the TCP connection and never answers (not even headers). */
  | { readonly kind: 'silent' }
  /** 200 and the stream headers, then nothing: a stream that never sends data or heartbeats. */
  | { readonly kind: 'silent-after-headers' }
  /** 200, then this raw text (which may be malformed SSE or JSON), then stays open. */
  | { readonly kind: 'raw'; readonly text: string }
  /** 200, then the `put`, then closes the stream (EOF) right away. */
  | { readonly kind: 'put-then-close' };

/** A connection the streaming endpoint accepted. */
export interface StreamConnection {
  readonly request: RecordedRequest;
  readonly plan: StreamPlan;
  readonly openedAt: number;
  /** Set when the connection ended (either side). */
  closedAt: number | undefined;
}

/** The three line ends the SSE spec allows. */
export type SseLineEnding = '\n' | '\r' | '\r\n';

/**
 * Formats one SSE event (`data` spread over several `data:` lines when it contains newlines), each line
 * ended with `lineEnding` (default LF).
 */
export function sseEvent(event: string, data: string, lineEnding: SseLineEnding = '\n'): string {
  const lines = [`event: ${event}`, ...data.split('\n').map((line) => `data: ${line}`)];
  return `${lines.join(lineEnding)}${lineEnding}${lineEnding}`;
}

/**
 * The streaming endpoint, `GET /all` (LaunchDarkly's server-side stream): a `put` on connect, then
 * `patch` and `delete` events as the data changes. Connections can be scripted with plans (HTTP statuses,
 * delays, silent connections, malformed data, dropped and ended streams); with none queued each
 * connection is served normally.
 */
export class StreamEndpoint {
  /**
   * Every connection, oldest first; with {@link StreamEndpoint.recordConnections} false, only the open ones.
   */
  readonly connections: StreamConnection[] = [];
  /** Keep closed connections in `connections`. Default true (tests); a long-running service sets false. */
  recordConnections = true;
  private opened = 0;
  private readonly plans: StreamPlan[] = [];
  private readonly open = new Set<ServerResponse>();
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  /** Response headers added to every 200 (e.g. `{ 'X-LD-EnvId': 'env-1' }`). */
  readonly extraHeaders: Record<string, string> = {};
  /**
   * How the events this endpoint formats (`put`, `patch`, `delete`, {@link StreamEndpoint.send}) end their
   * lines: LF (default), CR alone or CRLF, all allowed by the SSE spec. `sendRaw` text is sent as given.
   */
  lineEnding: SseLineEnding = '\n';

  constructor(
    server: WireServer,
    private readonly data: FlagData,
  ) {
    server.use((req, res, request) => {
      if (request.method !== 'GET' || request.path !== '/all') return false;
      void this.handle(req, res, request);
      return true;
    });
  }

  /** Plans for the next connections, used one each, in order. */
  nextConnections(...plans: StreamPlan[]): void {
    this.plans.push(...plans);
  }

  /** Drops queued plans. */
  clearPlans(): void {
    this.plans.length = 0;
  }

  /** How many streams are open now. */
  get openCount(): number {
    return this.open.size;
  }

  /** How many connections have been made since the endpoint was created. */
  get connectionCount(): number {
    return this.opened;
  }

  /** Resolves once `count` connections in total have been made (rejects after `timeoutMs`). */
  waitForConnections(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.opened >= count) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ld-wire: ${this.opened} of ${count} stream connections after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Sends raw text to every open stream (anything: comments, partial lines, bad JSON). */
  sendRaw(text: string): void {
    for (const res of this.open) res.write(text);
  }

  /** Sends one SSE event to every open stream. */
  send(event: string, data: unknown): void {
    this.sendRaw(sseEvent(event, typeof data === 'string' ? data : JSON.stringify(data), this.lineEnding));
  }

  /** Sends a `put` with the current data to every open stream. */
  sendPut(): void {
    this.send('put', { path: '/', data: this.data.payload() });
  }

  /** Updates the data and sends a `patch` to every open stream. */
  patch(kind: WireKind, item: WireItem): void {
    this.data.set(kind, item);
    this.send('patch', { path: `/${kind}/${item.key}`, data: item });
  }

  /** Removes the item and sends a `delete` at `version` to every open stream. */
  delete(kind: WireKind, key: string, version: number): void {
    this.data.remove(kind, key);
    this.send('delete', { path: `/${kind}/${key}`, version });
  }

  /** Destroys every open stream's socket (a network failure as the client sees it). */
  drop(): void {
    for (const res of this.open) res.socket?.destroy();
  }

  /** Ends every open stream cleanly (EOF), as a server restart or load balancer would. */
  end(): void {
    for (const res of this.open) res.end();
  }

  private async handle(_req: IncomingMessage, res: ServerResponse, request: RecordedRequest): Promise<void> {
    const plan = this.plans.shift() ?? { kind: 'serve' };
    const connection: StreamConnection = { request, plan, openedAt: Date.now(), closedAt: undefined };
    this.connections.push(connection);
    this.opened++;
    for (const waiter of [...this.waiters]) {
      if (this.opened >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    res.on('close', () => {
      connection.closedAt = Date.now();
      this.open.delete(res);
      if (!this.recordConnections) this.connections.splice(this.connections.indexOf(connection), 1);
    });
    if ('delayMs' in plan && plan.delayMs) await new Promise((resolve) => setTimeout(resolve, plan.delayMs));
    if (res.destroyed || !res.socket || res.socket.destroyed) return;
    switch (plan.kind) {
      case 'status':
        res.writeHead(plan.status, { 'Content-Type': 'text/plain' }).end(`ld-wire: status ${plan.status}`);
        return;
      case 'silent':
        this.open.add(res);
        return;
      default:
        break;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', ...this.extraHeaders });
    res.flushHeaders();
    this.open.add(res);
    switch (plan.kind) {
      case 'serve':
        res.write(sseEvent('put', JSON.stringify({ path: '/', data: this.data.payload() }), this.lineEnding));
        break;
      case 'put-then-close':
        res.end(sseEvent('put', JSON.stringify({ path: '/', data: this.data.payload() }), this.lineEnding));
        break;
      case 'raw':
        res.write(plan.text);
        break;
      case 'silent-after-headers':
        break;
    }
  }
}
