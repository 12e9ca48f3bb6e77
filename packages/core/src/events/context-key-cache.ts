import type { Context, ContextPart } from '../context/context.js';

/** Slot links start this small and double up to the capacity, so a large `contextKeysCapacity` costs nothing until used. */
const INITIAL_SLOTS = 64;
const NONE = -1;

/**
 * What {@link ContextKeyCache.seeContext} remembers of a context other than a single `user` one: its kinds
 * and keys (in the order of its parts; the first two inline, as most contexts have one or two parts), the
 * canonical key they give, and the slot that key had in the LRU when last seen (a hint, checked before
 * use: the key may have been evicted since).
 */
class CanonicalMemo {
  slot = NONE;

  constructor(
    readonly length: number,
    readonly kind0: string,
    readonly key0: string,
    readonly kind1: string | undefined,
    readonly key1: string | undefined,
    /** `kind, key, …` of the parts after the first two. */
    readonly rest: readonly string[] | undefined,
    readonly canonical: string,
  ) {}

  static of(parts: readonly ContextPart[], canonical: string): CanonicalMemo {
    let rest: string[] | undefined;
    for (let i = 2; i < parts.length; i++) (rest ??= []).push(parts[i]!.kind, parts[i]!.key);
    const [p0, p1] = parts;
    return new CanonicalMemo(parts.length, p0!.kind, p0!.key, p1?.kind, p1?.key, rest, canonical);
  }

  /** True when `parts` have exactly these kinds and keys, in this order. */
  matches(parts: readonly ContextPart[]): boolean {
    const n = parts.length;
    if (n !== this.length) return false;
    const p0 = parts[0]!;
    if (p0.kind !== this.kind0 || p0.key !== this.key0) return false;
    if (n === 1) return true;
    const p1 = parts[1]!;
    if (p1.kind !== this.kind1 || p1.key !== this.key1) return false;
    const rest = this.rest;
    for (let i = 2; i < n; i++) {
      const part = parts[i]!;
      if (part.kind !== rest![2 * i - 4] || part.key !== rest![2 * i - 3]) return false;
    }
    return true;
  }
}

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
 * Built for the evaluation path (every evaluation with events on looks its context up here):
 * - the recency order is a doubly linked list over slot numbers in two `Int32Array`s, and the `Map` maps a
 *   key to its slot, so a hit is one `Map.get` and a few integer writes and allocates nothing (no `Map`
 *   delete and re-insert, which is what makes a `Map`-ordered LRU slow);
 * - {@link ContextKeyCache.seeContext} does not build the canonical key of a context it has met before:
 *   a `user` context's canonical key is its key; other contexts are remembered by their first part's key
 *   (checked against all their kinds and keys) with their canonical key and its slot, so a hit on them
 *   is one `Map.get` too.
 */
export class ContextKeyCache {
  /** Key → slot. */
  private readonly _slots = new Map<string, number>();
  /** Slot → key. */
  private _keys: (string | undefined)[] = [];
  /** Slot → the next more recently used slot (NONE for the most recent). */
  private _newer: Int32Array;
  /** Slot → the next less recently used slot (NONE for the least recent). */
  private _older: Int32Array;
  /** The most recently used slot, and its key (a hit on it, the common case of one context evaluating many flags, needs no lookup). */
  private _newest = NONE;
  private _newestKey: string | undefined;
  /** The least recently used slot: evicted next. */
  private _oldest = NONE;
  private _size = 0;
  /** Contexts other than single `user` ones, by their first part's key; at most `capacity` of them. */
  private _memo = new Map<string, CanonicalMemo>();

  /**
   * @param capacity keys kept; 0 or less disables deduplication (nothing is remembered, every context is
   * new). LaunchDarkly's SDK instead remembers every key without limit at 0, contrary to its own option
   * documentation; see "Differences from LaunchDarkly" in node-server's README.
   */
  constructor(readonly capacity: number) {
    const slots = Math.max(0, Math.min(capacity, INITIAL_SLOTS));
    this._newer = new Int32Array(slots);
    this._older = new Int32Array(slots);
  }

  /**
   * True if `key` was seen (and not evicted or cleared) since; either way `key` is the most recently used
   * key afterwards (LaunchDarkly's `processContext`).
   */
  see(key: string): boolean {
    if (this.capacity <= 0) return false;
    if (key === this._newestKey) return true;
    const slot = this._slots.get(key);
    if (slot !== undefined) {
      this._makeNewest(slot, key);
      return true;
    }
    this._insert(key);
    return false;
  }

  /** {@link ContextKeyCache.see} of the context's canonical key (LaunchDarkly's deduplication of a valid context). */
  seeContext(context: Context): boolean {
    if (this.capacity <= 0) return false;
    const parts = context.parts();
    const first = parts[0];
    if (first === undefined) return this.see(context.canonicalKey); // invalid: ''
    if (parts.length === 1 && first.kind === 'user') return this.see(first.key);
    const memo = this._memoOf(context, parts);
    const slot = memo.slot;
    if (slot !== NONE && this._keys[slot] === memo.canonical) {
      // Still where it was: a hit without looking the key up.
      if (slot !== this._newest) this._makeNewest(slot, memo.canonical);
      return true;
    }
    const seen = this.see(memo.canonical);
    memo.slot = this._newest;
    return seen;
  }

  /**
   * `context.canonicalKey`, without building it again for a context met recently: a single `user`
   * context's key as it is; for others the string made for the last context with the same first part's
   * key, when that context had the same kinds and keys in the same order.
   */
  canonicalKey(context: Context): string {
    const parts = context.parts();
    const first = parts[0];
    if (first === undefined) return context.canonicalKey; // invalid: ''
    if (parts.length === 1 && first.kind === 'user') return first.key;
    return this._memoOf(context, parts).canonical;
  }

  /** Number of keys held. */
  get size(): number {
    return this._size;
  }

  /** Forgets every key. */
  clear(): void {
    this._slots.clear();
    this._keys = [];
    this._newest = this._oldest = NONE;
    this._newestKey = undefined;
    this._size = 0;
    this._memo = new Map();
  }

  private _memoOf(context: Context, parts: readonly ContextPart[]): CanonicalMemo {
    const firstKey = parts[0]!.key;
    const memo = this._memo.get(firstKey);
    if (memo !== undefined && memo.matches(parts)) return memo;
    // All or nothing when full: contexts that come back are remembered again at once.
    if (memo === undefined && this._memo.size >= Math.max(this.capacity, 1)) this._memo = new Map();
    const made = CanonicalMemo.of(parts, context.canonicalKey);
    this._memo.set(firstKey, made);
    return made;
  }

  /** Moves `slot` (holding `key`) to the most recent end of the list. */
  private _makeNewest(slot: number, key: string): void {
    const newer = this._newer;
    const older = this._older;
    // Not the newest (that is checked first), so it has a newer neighbour.
    const n = newer[slot]!;
    const o = older[slot]!;
    older[n] = o;
    if (o === NONE) this._oldest = n;
    else newer[o] = n;
    older[slot] = this._newest;
    newer[slot] = NONE;
    newer[this._newest] = slot;
    this._newest = slot;
    this._newestKey = key;
  }

  /** Adds `key` (not held) as the most recent, evicting the least recent key when full. */
  private _insert(key: string): void {
    let slot: number;
    if (this._size < this.capacity) {
      slot = this._size++;
      if (slot >= this._newer.length) this._grow();
    } else {
      // Full: the least recently used slot is reused.
      slot = this._oldest;
      this._slots.delete(this._keys[slot]!);
      const o = this._newer[slot]!;
      this._oldest = o;
      if (o === NONE) this._newest = NONE;
      else this._older[o] = NONE;
    }
    this._keys[slot] = key;
    this._slots.set(key, slot);
    this._older[slot] = this._newest;
    this._newer[slot] = NONE;
    if (this._newest === NONE) this._oldest = slot;
    else this._newer[this._newest] = slot;
    this._newest = slot;
    this._newestKey = key;
  }

  private _grow(): void {
    const length = Math.min(this.capacity, this._newer.length * 2 || INITIAL_SLOTS);
    const newer = new Int32Array(length);
    const older = new Int32Array(length);
    newer.set(this._newer);
    older.set(this._older);
    this._newer = newer;
    this._older = older;
  }
}
