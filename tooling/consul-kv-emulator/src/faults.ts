/** What happens to one request before the emulated API sees it. */
export type FaultAction =
  | { readonly kind: 'none' }
  /** Destroy the TCP connection without answering. */
  | { readonly kind: 'drop' }
  /** Answer with this status and plain-text body. */
  | { readonly kind: 'fail'; readonly status: number; readonly body: string };

/**
 * Fault injection, applied to every request in arrival order: first the latency, then a planned
 * connection drop, then a planned failure. Planned drops and failures are used up one per request.
 */
export class Faults {
  private latency = 0;
  private drops = 0;
  private readonly failures: { status: number; body: string; route: string | undefined }[] = [];

  /** The delay added before each request is handled, in milliseconds. */
  get latencyMs(): number {
    return this.latency;
  }

  /** Delays every following request by `ms` milliseconds (0 to stop). */
  setLatencyMs(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`consul-kv-emulator: latency must be a non-negative number of milliseconds, got ${ms}`);
    this.latency = ms;
  }

  /**
   * Answers the next `count` requests with `status` and `body` instead of serving them. The default
   * body of a 500 is `No cluster leader`, what a Consul agent answers while its cluster has no leader.
   * With `route` (`"<METHOD> <route>"` as {@link ConnectionStats.requests} names it, e.g. `'PUT /v1/txn'`)
   * only requests to that route are failed; others pass.
   */
  failNext(count: number, status = 500, body?: string, route?: string): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`consul-kv-emulator: failNext count must be a non-negative integer, got ${count}`);
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new RangeError(`consul-kv-emulator: failNext status must be an HTTP status, got ${status}`);
    const text = body ?? (status === 500 ? 'No cluster leader' : '');
    for (let i = 0; i < count; i++) this.failures.push({ status, body: text, route });
  }

  /** Destroys the connection of each of the next `count` requests without answering them. */
  dropConnections(count: number): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`consul-kv-emulator: dropConnections count must be a non-negative integer, got ${count}`);
    this.drops += count;
  }

  /** Removes the latency and every planned drop and failure. */
  clear(): void {
    this.latency = 0;
    this.drops = 0;
    this.failures.length = 0;
  }

  /** Takes the fault for the request that just arrived at `route` (used by the server). */
  take(route = ''): FaultAction {
    if (this.drops > 0) {
      this.drops--;
      return { kind: 'drop' };
    }
    const index = this.failures.findIndex((f) => f.route === undefined || f.route === route);
    if (index < 0) return { kind: 'none' };
    const [failure] = this.failures.splice(index, 1);
    return { kind: 'fail', status: failure!.status, body: failure!.body };
  }
}
