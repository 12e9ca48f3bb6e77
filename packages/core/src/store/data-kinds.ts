import { MalformedDataError } from '../errors/index.js';

/** Anything stored: a flag, a segment, or a tombstone left by a delete. */
export interface VersionedItem {
  readonly key: string;
  readonly version: number;
  /** True for a tombstone: the item was deleted at `version`. */
  readonly deleted?: boolean;
}

/**
 * One kind of stored data. Its `namespace` is part of the wire and storage formats (Redis
 * `<prefix>:features`, DynamoDB `namespace = features`, Consul `<prefix>/features/<key>`), so it never
 * changes.
 */
export interface DataKind<T extends VersionedItem = VersionedItem> {
  readonly namespace: 'features' | 'segments';
  /**
   * Write order for a full data set: lower first. Segments (0) are written before flags (1) so a
   * reader of a half-written store never sees a flag whose segments are missing.
   */
  readonly priority: number;
  /**
   * Parses an item from a plain JSON value (network or store). The result is immutable. Throws
   * {@link MalformedDataError} only when the value cannot be stored at all (not an object, or no string
   * `key` / finite numeric `version`); anything else that is wrong with a flag is kept and reported when
   * the flag is evaluated (`MALFORMED_FLAG`).
   */
  fromJSON(value: unknown): T;
  /** {@link DataKind.fromJSON} for JSON text. Throws {@link MalformedDataError} for invalid JSON. */
  deserialize(json: string): T;
  /** The JSON text to store for `item`: what was received, unknown fields included. */
  serialize(item: T): string;
  /** The tombstone for a delete of `key` at `version`. */
  tombstone(key: string, version: number): T;
}

const RAW = Symbol('switchyard.raw');

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The generic kind used until the flag and segment model parsers take over: checks the envelope (key,
 * version), copies and freezes the value, and keeps it for serialization.
 */
function envelopeKind(namespace: 'features' | 'segments', priority: number): DataKind {
  const what = namespace === 'features' ? 'flag' : 'segment';
  const kind: DataKind = {
    namespace,
    priority,
    fromJSON(value) {
      if (!isRecord(value)) throw new MalformedDataError(`${what} must be a JSON object, got ${value === null ? 'null' : typeof value}`);
      const { key, version } = value;
      if (typeof key !== 'string') throw new MalformedDataError(`${what} has no string "key"`);
      if (typeof version !== 'number' || !Number.isFinite(version)) {
        throw new MalformedDataError(`${what} "${key}" has no numeric "version"`);
      }
      const copy = deepFreeze(JSON.parse(JSON.stringify(value)) as VersionedItem);
      return Object.defineProperty({ ...copy }, RAW, { value: copy }) as VersionedItem;
    },
    deserialize(json) {
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch (err) {
        throw new MalformedDataError(`${what} is not valid JSON: ${(err as Error).message}`, { cause: err });
      }
      return kind.fromJSON(value);
    },
    serialize(item) {
      return JSON.stringify((item as { [RAW]?: unknown })[RAW] ?? item);
    },
    tombstone(key, version) {
      return kind.fromJSON({ key, version, deleted: true });
    },
  };
  return Object.freeze(kind);
}

/** The two kinds of data the SDK stores. */
export const DataKinds: { readonly features: DataKind; readonly segments: DataKind } = Object.freeze({
  features: envelopeKind('features', 1),
  segments: envelopeKind('segments', 0),
});
