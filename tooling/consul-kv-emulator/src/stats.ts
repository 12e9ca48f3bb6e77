import type { Socket } from 'node:net';

/**
 * TCP connection and request counters, kept from the server's `connection` events and each socket's
 * `close`. Requests are counted by method and route, e.g. `GET /v1/kv`, `PUT /v1/txn`.
 */
export class ConnectionStats {
  private open = 0;
  private peak = 0;
  private total = 0;
  private byRoute: Record<string, number> = {};

  /** TCP connections open right now. */
  get openConnections(): number {
    return this.open;
  }

  /** The most connections open at the same time since the start or the last {@link reset}. */
  get peakConnections(): number {
    return this.peak;
  }

  /** Connections accepted since the start or the last {@link reset}. */
  get totalConnections(): number {
    return this.total;
  }

  /** Requests received since the start or the last {@link reset}, by `"<METHOD> <route>"`. */
  get requests(): Readonly<Record<string, number>> {
    return { ...this.byRoute };
  }

  /** Starts counting again: peak becomes the connections open now, totals and requests 0. */
  reset(): void {
    this.peak = this.open;
    this.total = 0;
    this.byRoute = {};
  }

  /** Counts a new connection until its socket closes (used by the server). */
  track(socket: Socket): void {
    this.open++;
    this.total++;
    this.peak = Math.max(this.peak, this.open);
    socket.once('close', () => {
      this.open--;
    });
  }

  /** Counts one request (used by the server). */
  countRequest(method: string, route: string): void {
    const name = `${method} ${route}`;
    this.byRoute[name] = (this.byRoute[name] ?? 0) + 1;
  }
}
