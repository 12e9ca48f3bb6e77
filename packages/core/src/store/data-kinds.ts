import { MalformedDataError } from '../errors/index.js';
import { isRecord } from '../value/json.js';
import { parseFlag, type Flag } from '../model/flag.js';
import { parseSegment, type Segment } from '../model/segment.js';

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
   *
   * `owned`: the caller hands over a value nobody else holds, fresh from `JSON.parse` (a stream or poll
   * payload): it is frozen in place instead of copied, which makes initialization faster and lighter.
   * Never pass `true` for a value the application or anything else still references.
   *
   * `keepJson` (default true): keep the JSON in the item (`json`) so that it can be written to a
   * persistent store as received. `false` drops it, which leaves a fraction of the memory (the SDK does
   * so when its store is the in-memory one); such an item cannot be serialized.
   */
  fromJSON(value: unknown, owned?: boolean, keepJson?: boolean): T;
  /** {@link DataKind.fromJSON} for JSON text. Throws {@link MalformedDataError} for invalid JSON. */
  deserialize(json: string): T;
  /** The JSON text to store for `item`: what was received, unknown fields included. */
  serialize(item: T): string;
  /** The tombstone for a delete of `key` at `version`. */
  tombstone(key: string, version: number): T;
  /**
   * Keys of items of the *same* kind that must be written before `item` when a full data set is
   * stored: a flag's prerequisites, a segment's `segmentMatch` references. Optional: without it,
   * {@link sortDataSet} reads LaunchDarkly's JSON shape (`prerequisites[].key`,
   * `rules[].clauses[]` with `op: "segmentMatch"`) from the item. Cross-kind order (segments before
   * flags) comes from {@link DataKind.priority}.
   */
  dependencyKeys?(item: T): Iterable<string>;
}

/** An item another item depends on. */
export interface ItemDependency {
  readonly namespace: 'features' | 'segments';
  readonly key: string;
}

/**
 * What an item depends on, read from LaunchDarkly's JSON shape (a parsed item's `json`, a raw item, or a
 * parsed item without its JSON, whose model has the same `prerequisites[].key` and `rules[].clauses[]`):
 * a flag's prerequisites (flags), and the segments named by `segmentMatch` clauses in the rules of a
 * flag or a segment. Anything unexpected is skipped, never thrown on: this feeds write ordering and
 * change notification, never evaluation. Tombstones depend on nothing.
 */
export function itemDependencies(namespace: string, item: unknown): ItemDependency[] {
  const json = isRecord(item) && isRecord(item.json) ? item.json : item;
  const out: ItemDependency[] = [];
  if (!isRecord(json) || json.deleted === true) return out;
  if (namespace === 'features' && Array.isArray(json.prerequisites)) {
    for (const p of json.prerequisites) if (isRecord(p) && typeof p.key === 'string') out.push({ namespace: 'features', key: p.key });
  }
  if (Array.isArray(json.rules)) {
    for (const rule of json.rules) {
      if (!isRecord(rule) || !Array.isArray(rule.clauses)) continue;
      for (const clause of rule.clauses) {
        if (!isRecord(clause) || clause.op !== 'segmentMatch' || !Array.isArray(clause.values)) continue;
        for (const v of clause.values) if (typeof v === 'string') out.push({ namespace: 'segments', key: v });
      }
    }
  }
  return out;
}

/**
 * Same-kind dependencies, for write ordering (cross-kind order comes from {@link DataKind.priority}):
 * a flag's prerequisites, a segment's nested segments.
 */
export function defaultDependencyKeys(namespace: string, item: VersionedItem): string[] {
  return itemDependencies(namespace, item)
    .filter((d) => d.namespace === namespace)
    .map((d) => d.key);
}


/**
 * A kind backed by a model parser: items are parsed (and deeply frozen) once, when they arrive from the
 * network or a store, and keep the JSON they came from for serialization (unknown fields included, so a
 * store shared with other SDKs never loses what they wrote).
 */
function modelKind<T extends VersionedItem & { readonly json: unknown }>(
  namespace: 'features' | 'segments',
  priority: number,
  parse: (value: unknown, fromParse?: boolean, keepJson?: boolean) => T,
): DataKind<T> {
  const what = namespace === 'features' ? 'flag' : 'segment';
  const kind: DataKind<T> = {
    namespace,
    priority,
    fromJSON: (value, owned, keepJson) => parse(value, owned === true, keepJson !== false),
    deserialize(json) {
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch (err) {
        throw new MalformedDataError(`${what} is not valid JSON: ${(err as Error).message}`, { cause: err });
      }
      // Nobody else holds the freshly parsed value, so it is frozen in place instead of copied.
      return parse(value, true);
    },
    // An item that did not come through this kind's parser (a plain JSON object handed to a store's
    // `init`) has no `json`: parse it, so it is validated and written as what it is, never as a tombstone.
    serialize(item) {
      if (!('json' in item)) return JSON.stringify(parse(item).json);
      if (item.json === undefined) throw new MalformedDataError(`${what} "${item.key}" was parsed without its JSON (keepJson false) and cannot be serialized`);
      return JSON.stringify(item.json);
    },
    tombstone: (key, version) => parse({ key, version, deleted: true }, true),
    dependencyKeys: (item) => defaultDependencyKeys(namespace, item),
  };
  return Object.freeze(kind);
}

/** The two kinds of data the SDK stores: flags (`features`) and segments, parsed into the evaluation model. */
export const DataKinds: { readonly features: DataKind<Flag>; readonly segments: DataKind<Segment> } = Object.freeze({
  features: modelKind('features', 1, parseFlag),
  segments: modelKind('segments', 0, parseSegment),
});
