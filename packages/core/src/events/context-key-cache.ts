/**
 * The contexts already seen by the event processor: an LRU set of canonical keys with a fixed capacity
 * (LaunchDarkly's `contextKeysCapacity`), cleared every `contextKeysFlushInterval` so that changed
 * attributes reach the service eventually.
 *
 * It behaves exactly like LaunchDarkly's `ContextDeduplicator` (an `LruCache` lookup, then an insert, for
 * every event): {@link ContextKeyCache.see} both answers whether the key was seen and makes it the most
 * recently used key, inserting it (and evicting the least recently used key when full) if it was not
 * there. A key is "seen" from the first event of its context on, whether or not that event's `index`
 * event fitted in the queue.
 *
 * A `Map` keeps insertion order, so re-inserting a key on a hit makes it the most recent and the first key
 * is always the least recent. The last key seen is remembered: evaluating many flags for one context
 * (the common request pattern) then costs one string comparison instead of two map operations.
 */
export class ContextKeyCache {
  private readonly _keys = new Map<string, true>();
  private _last: string | undefined;

  /**
   * @param capacity keys kept; 0 or less disables deduplication (nothing is remembered, every context is
   * new). LaunchDarkly's SDK instead remembers every key without limit at 0, contrary to its own option
   * documentation; see "Differences from LaunchDarkly" in node-server's README.
   */
  constructor(readonly capacity: number) {}

  /**
   * True if `key` was seen (and not evicted or cleared) since; either way `key` is the most recently used
   * key afterwards (LaunchDarkly's `processContext`).
   */
  see(key: string): boolean {
    if (this.capacity <= 0) return false;
    if (key === this._last) return true;
    const keys = this._keys;
    const seen = keys.delete(key);
    keys.set(key, true);
    if (!seen && keys.size > this.capacity) keys.delete(keys.keys().next().value as string);
    this._last = key;
    return seen;
  }

  /** Number of keys held. */
  get size(): number {
    return this._keys.size;
  }

  /** Forgets every key. */
  clear(): void {
    this._keys.clear();
    this._last = undefined;
  }
}
