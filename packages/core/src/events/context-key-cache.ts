/**
 * The contexts already sent in an `index` event: an LRU set of canonical keys with a fixed capacity
 * (LaunchDarkly's `contextKeysCapacity`), cleared every `contextKeysFlushInterval` so that changed
 * attributes reach the service eventually.
 *
 * A `Map` keeps insertion order, so re-inserting a key on a hit makes it the most recent and the first key
 * is always the least recent. The last key looked up is remembered: evaluating many flags for one context
 * (the common request pattern) then costs one string comparison instead of two map operations.
 */
export class ContextKeyCache {
  private readonly _keys = new Map<string, true>();
  private _last: string | undefined;

  /** @param capacity keys kept; 0 or less disables deduplication (every context is new). */
  constructor(readonly capacity: number) {}

  /** True if `key` was seen (and not evicted or cleared) since; marks it most recently used. */
  has(key: string): boolean {
    if (this.capacity <= 0) return false;
    if (key === this._last) return true;
    const keys = this._keys;
    if (!keys.has(key)) return false;
    keys.delete(key);
    keys.set(key, true);
    this._last = key;
    return true;
  }

  /** Remembers `key`, evicting the least recently used key when full. */
  add(key: string): void {
    if (this.capacity <= 0) return;
    const keys = this._keys;
    keys.delete(key);
    keys.set(key, true);
    if (keys.size > this.capacity) {
      const oldest = keys.keys().next().value as string;
      keys.delete(oldest);
      if (oldest === this._last) this._last = undefined;
    }
    this._last = key;
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
