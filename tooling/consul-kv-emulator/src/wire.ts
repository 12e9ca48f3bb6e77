import type { KvEntry } from './kv-state.js';

/** A KV entry as Consul's JSON shows it (`[{ LockIndex, Key, Flags, Value, CreateIndex, ModifyIndex }]`). */
export interface WireEntry {
  readonly LockIndex: number;
  readonly Key: string;
  readonly Flags: bigint;
  /** Base64, or `null` for an empty value (and for transaction results of verbs other than get). */
  readonly Value: string | null;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
}

/** The wire form of an entry; `withValue: false` blanks the value as transaction results do for writes. */
export function wireEntry(entry: KvEntry, withValue = true): WireEntry {
  return {
    LockIndex: entry.lockIndex,
    Key: entry.key,
    Flags: entry.flags,
    Value: withValue && entry.value.length > 0 ? entry.value.toString('base64') : null,
    CreateIndex: entry.createIndex,
    ModifyIndex: entry.modifyIndex,
  };
}

const HTML_UNSAFE = /[<>&\u2028\u2029]/g;

function quote(text: string): string {
  // Go's encoding/json escapes these by default; parsers read them back identically.
  return JSON.stringify(text).replace(HTML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function write(value: unknown, indent: string, step: string): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return quote(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const nl = step ? '\n' : '';
  const inner = indent + step;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${nl}${value.map((v) => inner + write(v, inner, step)).join(`,${nl}`)}${nl}${indent}]`;
  }
  const fields = Object.entries(value).filter(([, v]) => v !== undefined);
  if (fields.length === 0) return '{}';
  const colon = step ? ': ' : ':';
  return `{${nl}${fields.map(([k, v]) => inner + quote(k) + colon + write(v, inner, step)).join(`,${nl}`)}${nl}${indent}}`;
}

/**
 * JSON as Consul's Go server writes it: compact (or indented by 4 spaces with a trailing newline for
 * `?pretty`), `bigint` written as a plain number (flags are uint64), `<`, `>` and `&` escaped.
 */
export function toJson(value: unknown, pretty = false): string {
  return pretty ? `${write(value, '', '    ')}\n` : write(value, '', '');
}
