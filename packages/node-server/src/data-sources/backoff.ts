/** Reconnect delays as LaunchDarkly's SDKs compute them. Times in milliseconds. */
export interface BackoffOptions {
  /** The first delay (`streamInitialReconnectDelay`). At least 1 ms, so a zero cannot make a reconnect storm. */
  readonly initialMs: number;
  /** The cap. Default 30 000. */
  readonly maxMs?: number;
  /** A connection that stayed up this long resets the delay to the first one. Default 60 000. */
  readonly resetAfterMs?: number;
  /** Source of randomness in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/**
 * Exponential backoff with jitter: `initial × 2^attempt`, capped, minus a random share of up to half
 * (so a delay lands in [d/2, d]); the attempt count restarts after a connection that stayed healthy for
 * `resetAfterMs`. The jitter spreads reconnects of many processes after a shared outage.
 */
export class Backoff {
  private base: number;
  private readonly max: number;
  private readonly resetAfter: number;
  private readonly random: () => number;
  private attempt = 0;
  private goodSince: number | undefined;

  constructor(options: BackoffOptions) {
    this.base = Math.max(1, options.initialMs);
    this.max = options.maxMs ?? 30_000;
    this.resetAfter = options.resetAfterMs ?? 60_000;
    this.random = options.random ?? Math.random;
  }

  /** A connection was established at `now`. */
  connected(now: number): void {
    this.goodSince = now;
  }

  /** The server's SSE `retry:` field: the new base delay; the count restarts. */
  setBase(ms: number): void {
    this.base = Math.max(1, ms);
    this.attempt = 0;
  }

  /** The delay before the next attempt, after a failure at `now`. */
  next(now: number): number {
    if (this.goodSince !== undefined && now - this.goodSince >= this.resetAfter) this.attempt = 0;
    this.goodSince = undefined;
    const delay = Math.min(this.base * 2 ** Math.min(this.attempt, 30), this.max);
    this.attempt++;
    return Math.round(delay - this.random() * 0.5 * delay);
  }
}
