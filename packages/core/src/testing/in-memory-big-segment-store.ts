import { StoreError } from '../errors/index.js';
import { sleep } from '../platform/index.js';
import type { BigSegmentStoreMembership, BigSegmentStore, BigSegmentStoreMetadata } from '../store/big-segments.js';

/** The operations of a big-segment store, as counted and failed by {@link InMemoryBigSegmentStore}. */
export type BigSegmentStoreOperation = 'getMetadata' | 'getMembership';

/**
 * A controllable in-memory {@link BigSegmentStore}: set metadata and memberships directly (the way
 * LaunchDarkly's Relay Proxy would write them), inject failures and latency, count calls.
 */
export class InMemoryBigSegmentStore implements BigSegmentStore {
  readonly description = 'memory';
  private metadata: BigSegmentStoreMetadata | undefined;
  private readonly memberships = new Map<string, BigSegmentStoreMembership>();
  private readonly failures = new Map<BigSegmentStoreOperation | 'all', Error | undefined>();
  private readonly counts: Record<BigSegmentStoreOperation, number> = { getMetadata: 0, getMembership: 0 };
  private latencyMs = 0;
  /** True after `close()`. */
  closed = false;

  /** How many times each operation was called (failed calls included). */
  get calls(): Readonly<Record<BigSegmentStoreOperation, number>> {
    return { ...this.counts };
  }

  /** Sets (or, with `undefined`, removes) the metadata. */
  setMetadata(metadata: BigSegmentStoreMetadata | undefined): void {
    this.metadata = metadata;
  }

  /** Sets the membership stored for a context hash (`base64(sha256(contextKey))`). */
  setMembership(contextHash: string, membership: BigSegmentStoreMembership | undefined): void {
    if (membership) this.memberships.set(contextHash, { ...membership });
    else this.memberships.delete(contextHash);
  }

  /** Makes `operation` (or both) reject until {@link heal}. */
  fail(operation: BigSegmentStoreOperation | 'all', error?: Error): void {
    this.failures.set(operation, error);
  }

  /** Stops failing `operation`, or every operation when called without one. */
  heal(operation?: BigSegmentStoreOperation | 'all'): void {
    if (operation === undefined) this.failures.clear();
    else this.failures.delete(operation);
  }

  /** Delays every following operation by `ms`. */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  async getMetadata(): Promise<BigSegmentStoreMetadata | undefined> {
    await this.enter('getMetadata');
    return this.metadata && { ...this.metadata };
  }

  async getMembership(contextHash: string): Promise<BigSegmentStoreMembership | undefined> {
    await this.enter('getMembership');
    const membership = this.memberships.get(contextHash);
    return membership && { ...membership };
  }

  close(): void {
    this.closed = true;
  }

  private async enter(operation: BigSegmentStoreOperation): Promise<void> {
    this.counts[operation]++;
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (this.failures.has(operation) || this.failures.has('all')) {
      throw this.failures.get(operation) ?? this.failures.get('all') ?? new StoreError(this.description, operation, 'injected failure');
    }
  }
}
