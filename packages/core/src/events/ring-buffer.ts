/**
 * A fixed-capacity FIFO queue over a preallocated array. `push` is O(1), never allocates and refuses when
 * full (the caller decides to drop and count); `takeAll` hands out every item in order and empties it.
 * Slots are cleared as items leave, so nothing drained is kept alive by the buffer.
 */
export class RingBuffer<T> {
  private readonly _slots: (T | undefined)[];
  private _head = 0;
  private _size = 0;

  constructor(readonly capacity: number) {
    this._slots = new Array<T | undefined>(Math.max(0, capacity));
  }

  /** Items held. */
  get size(): number {
    return this._size;
  }

  /** Appends `item`; false (and nothing stored) when full. */
  push(item: T): boolean {
    if (this._size >= this.capacity) return false;
    let tail = this._head + this._size;
    if (tail >= this.capacity) tail -= this.capacity;
    this._slots[tail] = item;
    this._size++;
    return true;
  }

  /** Removes and returns every item, oldest first. */
  takeAll(): T[] {
    const slots = this._slots;
    const n = this._size;
    const items = new Array<T>(n);
    let i = this._head;
    for (let k = 0; k < n; k++) {
      items[k] = slots[i] as T;
      slots[i] = undefined;
      if (++i >= this.capacity) i = 0;
    }
    this._head = 0;
    this._size = 0;
    return items;
  }

  /** Drops every item. */
  clear(): void {
    this._slots.fill(undefined);
    this._head = 0;
    this._size = 0;
  }
}
