/** A flag or segment as LaunchDarkly's service sends it (plain JSON with at least `key` and `version`). */
export interface WireItem {
  key: string;
  version: number;
  [field: string]: unknown;
}

/** The two kinds the service serves, by their wire names. */
export type WireKind = 'flags' | 'segments';

/** The full payload of a `put` event or a poll: `{ flags: {...}, segments: {...} }`. */
export interface WirePayload {
  flags: Record<string, WireItem>;
  segments: Record<string, WireItem>;
}

/**
 * The flag data a service holds, shared by its streaming and polling endpoints so both serve the same
 * environment. Items are stored as given (copied); nothing is validated here (the flag service validates
 * before it stores; the test fake serves malformed flags on purpose).
 */
export class FlagData {
  private readonly items: Record<WireKind, Map<string, WireItem>> = { flags: new Map(), segments: new Map() };

  constructor(initial?: Partial<WirePayload>) {
    if (initial) this.replace(initial);
  }

  /** Replaces everything (what a `put` then sends). */
  replace(payload: Partial<WirePayload>): void {
    this.items.flags = new Map(Object.entries(structuredClone(payload.flags ?? {})));
    this.items.segments = new Map(Object.entries(structuredClone(payload.segments ?? {})));
  }

  /** Adds or replaces one item. */
  set(kind: WireKind, item: WireItem): void {
    this.items[kind].set(item.key, structuredClone(item));
  }

  /** Removes one item (a delete; the stream sends the tombstone version separately). */
  remove(kind: WireKind, key: string): void {
    this.items[kind].delete(key);
  }

  /** One item, if present. */
  get(kind: WireKind, key: string): WireItem | undefined {
    return this.items[kind].get(key);
  }

  /** A copy of the whole payload. */
  payload(): WirePayload {
    return {
      flags: Object.fromEntries(this.items.flags),
      segments: Object.fromEntries(this.items.segments),
    };
  }
}
