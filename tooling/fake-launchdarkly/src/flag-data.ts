/** A flag or segment as LaunchDarkly's service sends it (plain JSON with at least `key` and `version`). */
export interface FakeItem {
  key: string;
  version: number;
  [field: string]: unknown;
}

/** The two kinds the service serves, by their wire names. */
export type FakeKind = 'flags' | 'segments';

/** The full payload of a `put` event or a poll: `{ flags: {...}, segments: {...} }`. */
export interface FakePayload {
  flags: Record<string, FakeItem>;
  segments: Record<string, FakeItem>;
}

/**
 * The flag data the fake service holds, shared by its streaming and polling endpoints so both serve the
 * same environment. Items are stored as given (copied); nothing is validated, so tests can serve
 * malformed flags on purpose.
 */
export class FlagData {
  private readonly items: Record<FakeKind, Map<string, FakeItem>> = { flags: new Map(), segments: new Map() };

  constructor(initial?: Partial<FakePayload>) {
    if (initial) this.replace(initial);
  }

  /** Replaces everything (what a `put` then sends). */
  replace(payload: Partial<FakePayload>): void {
    this.items.flags = new Map(Object.entries(structuredClone(payload.flags ?? {})));
    this.items.segments = new Map(Object.entries(structuredClone(payload.segments ?? {})));
  }

  /** Adds or replaces one item. */
  set(kind: FakeKind, item: FakeItem): void {
    this.items[kind].set(item.key, structuredClone(item));
  }

  /** Removes one item (a delete; the stream sends the tombstone version separately). */
  remove(kind: FakeKind, key: string): void {
    this.items[kind].delete(key);
  }

  /** One item, if present. */
  get(kind: FakeKind, key: string): FakeItem | undefined {
    return this.items[kind].get(key);
  }

  /** A copy of the whole payload. */
  payload(): FakePayload {
    return {
      flags: Object.fromEntries(this.items.flags),
      segments: Object.fromEntries(this.items.segments),
    };
  }
}
