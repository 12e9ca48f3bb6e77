import { sha256Base64 } from '../crypto/sha256.js';
import { StoreError } from '../errors/index.js';
import { type LDLogger, safeLogger } from '../logging/index.js';
import { type TimerHandle, cancelTimer, startInterval } from '../platform/index.js';
import type { Unsubscribe } from './data-store.js';
import { ListenerSet } from './listeners.js';

/** What a big-segment store knows about its own data (written by LaunchDarkly's Relay Proxy). */
export interface BigSegmentStoreMetadata {
  /**
   * When the data was last brought up to date with LaunchDarkly, in milliseconds since the epoch;
   * `undefined` when the store has never been synchronized.
   */
  readonly lastUpToDate?: number;
}

/**
 * One context's big-segment membership: for each segment reference (`"<segmentKey>.g<generation>"`),
 * `true` when the context is included, `false` when it is excluded, `null`/`undefined` when the store says
 * nothing (the segment's rules decide).
 */
export type BigSegmentStoreMembership = Readonly<Record<string, boolean | null | undefined>>;

/**
 * The contract a big-segment store implements (Redis, DynamoDB). The SDK only reads; LaunchDarkly's Relay
 * Proxy writes the data. Errors: reject with a `StoreError` naming the operation (`getMetadata`,
 * `getMembership`); never log-and-swallow.
 */
export interface BigSegmentStore {
  /** A short name for log and error messages, e.g. `'redis'`. */
  readonly description?: string;
  /** The store's metadata; `undefined` when there is none (the store was never synchronized). */
  getMetadata(): Promise<BigSegmentStoreMetadata | undefined>;
  /**
   * The membership of one context, looked up by `base64(sha256(contextKey))` (the key is never stored in
   * clear); `undefined` when the store has no data for it.
   */
  getMembership(contextHash: string): Promise<BigSegmentStoreMembership | undefined>;
  /** Releases connections. Idempotent. */
  close(): void | Promise<void>;
}

/** LaunchDarkly's `BigSegmentStoreStatus`. Status objects are frozen. */
export interface BigSegmentStoreStatus {
  /** False when the last metadata query failed. */
  readonly available: boolean;
  /** True when the data has not been synchronized for `staleAfter` (or never was). */
  readonly stale: boolean;
}

/**
 * Status of the big-segment store: what node-server exposes as `bigSegmentStoreStatusProvider`.
 * Listeners are called once per change, synchronously; a throwing listener affects nothing else.
 */
export interface BigSegmentStoreStatusProvider {
  /** The last known status; `undefined` before the store was first queried. */
  getStatus(): BigSegmentStoreStatus | undefined;
  /** The status, querying the store first if it was never queried. */
  requireStatus(): Promise<BigSegmentStoreStatus>;
  /** Calls `listener` with each new status; returns a function that removes it. */
  on(event: 'change', listener: (status: BigSegmentStoreStatus) => void): Unsubscribe;
  /** Removes a listener added with {@link BigSegmentStoreStatusProvider.on}. */
  off(event: 'change', listener: (status: BigSegmentStoreStatus) => void): void;
}

/**
 * How trustworthy a membership answer is, as reported in an evaluation reason's `bigSegmentsStatus`
 * (`NOT_CONFIGURED` is the evaluator's, when there is no store).
 */
export type BigSegmentMembershipStatus = 'HEALTHY' | 'STALE' | 'STORE_ERROR';

/** The answer of {@link BigSegmentStoreWrapper.getMembership}. */
export interface BigSegmentMembershipResult {
  /** `undefined` when the store has no data for the context, or on `STORE_ERROR`. */
  readonly membership: BigSegmentStoreMembership | undefined;
  readonly status: BigSegmentMembershipStatus;
}

/**
 * Options of {@link BigSegmentStoreWrapper}: LaunchDarkly's `LDBigSegmentsOptions` names, whose durations
 * are in **seconds**, plus `…Ms` aliases in milliseconds (an alias wins when both are given).
 */
export interface BigSegmentStoreWrapperOptions {
  /**
   * Computes the lookup key of a context key: base64 of its SHA-256. Default: core's own platform-neutral
   * `sha256Base64`; a runtime with a native hash may pass it (node-server passes `node:crypto`'s).
   */
  readonly hashContextKey?: (contextKey: string) => string | Promise<string>;
  /** How many contexts' memberships are cached (least recently used evicted first). Default 1000. */
  readonly userCacheSize?: number;
  /** How long a membership stays cached, in **seconds** (LaunchDarkly's unit). Default 5. */
  readonly userCacheTime?: number;
  /** {@link userCacheTime} in milliseconds. */
  readonly userCacheTimeMs?: number;
  /** How often the store's metadata is polled for the status, in **seconds**. Default 5; `<= 0` means the default. */
  readonly statusPollInterval?: number;
  /** {@link statusPollInterval} in milliseconds. */
  readonly statusPollIntervalMs?: number;
  /** How old `lastUpToDate` may be before the data counts as stale, in **seconds**. Default 120; `<= 0` means the default. */
  readonly staleAfter?: number;
  /** {@link staleAfter} in milliseconds. */
  readonly staleAfterMs?: number;
  /** Where to log. Default: nowhere. */
  readonly logger?: Partial<LDLogger>;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

interface CachedMembership {
  readonly membership: BigSegmentStoreMembership | undefined;
  readonly expiresAt: number;
}

const DEFAULT_USER_CACHE_SIZE = 1000;
const DEFAULT_USER_CACHE_TIME_MS = 5_000;
const DEFAULT_STATUS_POLL_INTERVAL_MS = 5_000;
const DEFAULT_STALE_AFTER_MS = 120_000;

/**
 * The SDK side of big segments (LaunchDarkly's big-segment store manager): caches memberships by context
 * key (LRU, `userCacheSize`, `userCacheTime`), coalesces concurrent lookups of one key, polls the store's
 * metadata every `statusPollInterval` for the status (`available`, `stale` after `staleAfter`), and
 * reports `HEALTHY` / `STALE` / `STORE_ERROR` with each answer. Polling starts with the wrapper (its timer
 * never keeps a process alive) and stops on `close`.
 */
export class BigSegmentStoreWrapper {
  /** The store's status, for `bigSegmentStoreStatusProvider`. */
  readonly status: BigSegmentStoreStatusProvider;
  private readonly hash: (contextKey: string) => string | Promise<string>;
  private readonly cacheSize: number;
  private readonly cacheTimeMs: number;
  private readonly pollIntervalMs: number;
  private readonly staleAfterMs: number;
  private readonly logger: LDLogger;
  private readonly now: () => number;
  private readonly description: string;
  private readonly listeners: ListenerSet<BigSegmentStoreStatus>;
  /** Insertion order is recency order: a hit is moved to the end, eviction takes the first. */
  private readonly cache = new Map<string, CachedMembership>();
  private readonly inflight = new Map<string, Promise<BigSegmentStoreMembership | undefined>>();
  private lastStatus: BigSegmentStoreStatus | undefined;
  private inflightPoll: Promise<BigSegmentStoreStatus> | undefined;
  private pollTimer: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly store: BigSegmentStore,
    options: BigSegmentStoreWrapperOptions,
  ) {
    this.logger = safeLogger(options.logger);
    this.description = store.description ?? 'big-segments';
    this.hash = options.hashContextKey ?? sha256Base64;
    this.now = options.now ?? Date.now;
    this.cacheSize = this.positive('userCacheSize', options.userCacheSize, 1, DEFAULT_USER_CACHE_SIZE);
    this.cacheTimeMs = this.duration('userCacheTime', options.userCacheTime, options.userCacheTimeMs, DEFAULT_USER_CACHE_TIME_MS);
    this.pollIntervalMs = this.duration('statusPollInterval', options.statusPollInterval, options.statusPollIntervalMs, DEFAULT_STATUS_POLL_INTERVAL_MS);
    this.staleAfterMs = this.duration('staleAfter', options.staleAfter, options.staleAfterMs, DEFAULT_STALE_AFTER_MS);
    this.listeners = new ListenerSet((err) => this.logger.error(`[switchyard/core] A big-segment status listener threw: ${String(err)}`));
    this.status = {
      getStatus: () => this.lastStatus,
      requireStatus: () => (this.lastStatus ? Promise.resolve(this.lastStatus) : this.pollStatus()),
      on: (_event, listener) => this.listeners.add(listener),
      off: (_event, listener) => this.listeners.delete(listener),
    };
    this.pollTimer = startInterval(() => void this.pollStatus(), this.pollIntervalMs);
  }

  /**
   * The membership of `contextKey` and how trustworthy it is. Never rejects: a store failure is reported
   * as `STORE_ERROR` (and logged).
   */
  async getMembership(contextKey: string): Promise<BigSegmentMembershipResult> {
    if (this.closed) return { membership: undefined, status: 'STORE_ERROR' };
    let membership: BigSegmentStoreMembership | undefined;
    const cached = this.cache.get(contextKey);
    if (cached && cached.expiresAt > this.now()) {
      this.cache.delete(contextKey);
      this.cache.set(contextKey, cached);
      membership = cached.membership;
    } else {
      try {
        membership = await this.query(contextKey);
      } catch (err) {
        this.logger.error(`[switchyard/core] Big segment store membership query returned error: ${err instanceof Error ? err.message : String(err)}`);
        return { membership: undefined, status: 'STORE_ERROR' };
      }
    }
    const status = this.lastStatus ?? (await this.pollStatus());
    return { membership, status: status.stale ? 'STALE' : 'HEALTHY' };
  }

  /**
   * The synchronous fast path of {@link BigSegmentStoreWrapper.getMembership}: the answer when the
   * membership is cached (and not expired) and the store status is known, `undefined` when it would need
   * I/O. Lets an evaluation that uses big segments stay synchronous for a context seen recently.
   */
  getMembershipSync(contextKey: string): BigSegmentMembershipResult | undefined {
    if (this.closed) return { membership: undefined, status: 'STORE_ERROR' };
    const cached = this.cache.get(contextKey);
    const status = this.lastStatus;
    if (!cached || cached.expiresAt <= this.now() || !status) return undefined;
    this.cache.delete(contextKey);
    this.cache.set(contextKey, cached);
    return { membership: cached.membership, status: status.stale ? 'STALE' : 'HEALTHY' };
  }

  /** Stops polling, drops listeners and closes the store. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    cancelTimer(this.pollTimer);
    this.listeners.clear();
    this.cache.clear();
    await this.store.close();
  }

  private query(contextKey: string): Promise<BigSegmentStoreMembership | undefined> {
    const pending = this.inflight.get(contextKey);
    if (pending) return pending;
    const read = (async () => {
      const membership = await this.store.getMembership(await this.hash(contextKey));
      if (!this.closed) {
        this.cache.delete(contextKey);
        this.cache.set(contextKey, { membership, expiresAt: this.now() + this.cacheTimeMs });
        while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
      }
      return membership;
    })();
    this.inflight.set(contextKey, read);
    const done = (): void => {
      this.inflight.delete(contextKey);
    };
    read.then(done, done);
    return read;
  }

  /** One metadata query (coalesced); updates the status and notifies listeners on a change. */
  private pollStatus(): Promise<BigSegmentStoreStatus> {
    if (this.inflightPoll) return this.inflightPoll;
    const poll = (async (): Promise<BigSegmentStoreStatus> => {
      let next: BigSegmentStoreStatus;
      try {
        const metadata = await this.store.getMetadata();
        const last = metadata?.lastUpToDate;
        next = { available: true, stale: last === undefined || this.now() - last >= this.staleAfterMs };
      } catch (err) {
        const error = StoreError.isInstance(err) ? err : new StoreError(this.description, 'getMetadata', String(err), { cause: err });
        this.logger.error(`[switchyard/core] Big segment store status query returned error: ${error.message}`);
        next = { available: false, stale: false };
      }
      if (this.closed) return next;
      const previous = this.lastStatus;
      if (!previous || previous.available !== next.available || previous.stale !== next.stale) {
        // The first status counts as a change too (from unknown), as in LaunchDarkly's SDKs.
        this.lastStatus = Object.freeze(next);
        this.listeners.emit(this.lastStatus);
      }
      return this.lastStatus ?? next;
    })();
    this.inflightPoll = poll;
    const done = (): void => {
      this.inflightPoll = undefined;
    };
    poll.then(done, done);
    return poll;
  }

  private positive(name: string, value: number | undefined, min: number, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value === 'number' && value >= min && value < Infinity) return Math.floor(value);
    this.logger.warn(`[switchyard/core] option ${name} is invalid (${String(value)}); using ${fallback}`);
    return fallback;
  }

  /** Reads a LaunchDarkly seconds option or its `…Ms` alias; non-positive or invalid means the default. */
  private duration(name: string, seconds: number | undefined, ms: number | undefined, fallbackMs: number): number {
    const [value, unit] = ms !== undefined ? [ms, 1] : seconds !== undefined ? [seconds, 1000] : [undefined, 1];
    if (value === undefined) return fallbackMs;
    if (typeof value === 'number' && value > 0 && value < Infinity) return value * unit;
    if (!(typeof value === 'number' && value <= 0)) {
      this.logger.warn(`[switchyard/core] option ${name}${unit === 1 ? 'Ms' : ''} is invalid (${String(value)}); using the default`);
    }
    return fallbackMs;
  }
}
