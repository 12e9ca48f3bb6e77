import { DataKinds, MalformedDataError, type DataKind, type FullDataSet, type VersionedItem } from '@switchyard/core';

import { isRecord } from '../is-record.js';

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new MalformedDataError(`${what} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

function parseItems(kind: DataKind, items: unknown, what: string, keepJson: boolean): Record<string, VersionedItem> {
  if (items === undefined || items === null) return {};
  if (!isRecord(items)) throw new MalformedDataError(`${what}: "${kind.namespace === 'features' ? 'flags' : 'segments'}" must be an object`);
  const out: Record<string, VersionedItem> = {};
  for (const [key, value] of Object.entries(items)) {
    const item = isRecord(value) && value.key === undefined ? { ...value, key } : value;
    // Fresh from JSON.parse and held by nothing else: frozen in place rather than copied.
    out[key] = kind.fromJSON(item, true, keepJson);
  }
  return out;
}

/**
 * Parses `{ flags, segments }` (a poll response, or a put's `data`) into a full data set of parsed
 * items. Both kinds are always present (a missing one is empty, so every store ends up identical);
 * other top-level properties are ignored. Throws {@link MalformedDataError} when the shape is wrong or
 * an item has no key or version. `keepJson`: see `DataKind.fromJSON` (false when nothing will write the
 * items to a persistent store).
 */
export function parseAllData(data: unknown, what: string, keepJson = true): FullDataSet {
  if (!isRecord(data)) throw new MalformedDataError(`${what}: expected an object with "flags" and "segments"`);
  return {
    features: parseItems(DataKinds.features, data.flags, what, keepJson),
    segments: parseItems(DataKinds.segments, data.segments, what, keepJson),
  };
}

/** The kind and key a stream path names (`/flags/<key>`, `/segments/<key>`), or undefined for any other path. */
export function kindAndKey(path: string): { kind: DataKind; key: string } | undefined {
  if (path.startsWith('/flags/')) return { kind: DataKinds.features, key: path.slice('/flags/'.length) };
  if (path.startsWith('/segments/')) return { kind: DataKinds.segments, key: path.slice('/segments/'.length) };
  return undefined;
}

/** A parsed stream event, ready to apply; `ignored` for a patch or delete of an unknown path. */
export type StreamMessage =
  | { readonly type: 'put'; readonly data: FullDataSet }
  | { readonly type: 'upsert'; readonly kind: DataKind; readonly item: VersionedItem }
  | { readonly type: 'ignored'; readonly path: string };

/** Parses a `put`, `patch` or `delete` event's data. Throws {@link MalformedDataError} for bad JSON or missing fields. */
export function parseStreamMessage(event: 'put' | 'patch' | 'delete', text: string, keepJson = true): StreamMessage {
  const what = `stream "${event}" event`;
  const message = parseJson(text, what);
  if (!isRecord(message)) throw new MalformedDataError(`${what} must be a JSON object`);
  if (event === 'put') {
    if (message.data === undefined) throw new MalformedDataError(`${what} has no "data"`);
    return { type: 'put', data: parseAllData(message.data, what, keepJson) };
  }
  const { path } = message;
  if (typeof path !== 'string') throw new MalformedDataError(`${what} has no "path"`);
  const target = kindAndKey(path);
  if (event === 'patch') {
    if (!isRecord(message.data)) throw new MalformedDataError(`${what} has no "data" object`);
    if (!target) return { type: 'ignored', path };
    const data = message.data.key === undefined ? { ...message.data, key: target.key } : message.data;
    return { type: 'upsert', kind: target.kind, item: target.kind.fromJSON(data, true, keepJson) };
  }
  const { version } = message;
  if (typeof version !== 'number' || !Number.isFinite(version)) throw new MalformedDataError(`${what} has no numeric "version"`);
  if (!target) return { type: 'ignored', path };
  return { type: 'upsert', kind: target.kind, item: target.kind.tombstone(target.key, version) };
}

/** Parses a poll response body. */
export function parsePollBody(text: string, keepJson = true): FullDataSet {
  return parseAllData(parseJson(text, 'polling response'), 'polling response', keepJson);
}
