import { goQuote } from './go-format.js';
import type { KvState } from './kv-state.js';
import { type WireEntry, wireEntry } from './wire.js';

/** One KV operation of a `PUT /v1/txn` body, decoded (`Value` from base64). */
export interface TxnKvOp {
  readonly verb: string;
  readonly key: string;
  readonly value: Buffer;
  readonly flags: bigint;
  readonly index: number;
  readonly session: string;
}

/** The limits `PUT /v1/txn` enforces before running anything. */
export interface TxnLimits {
  /** Most operations per transaction (Consul: 64). */
  readonly maxOps: number;
  /** Largest value of one operation, in bytes (Consul's `kv_max_value_size`). */
  readonly maxValueBytes: number;
  /** Largest request body, in bytes (Consul's `txn_max_req_len`; the larger of it and `maxValueBytes` applies). */
  readonly maxRequestBytes: number;
}

/** A rejected transaction body: the HTTP status and Consul's plain-text message. */
export interface TxnRejection {
  readonly status: 400 | 413;
  readonly message: string;
}

/** One entry of `Results` (`{ KV: {...} }`). */
export interface TxnResult {
  readonly KV: WireEntry;
}

/** One entry of `Errors` (`{ OpIndex, What }`). */
export interface TxnError {
  readonly OpIndex: number;
  readonly What: string;
}

/** Verbs that change data: a transaction with any of them goes through raft (takes a raft index). */
const WRITE_VERBS: ReadonlySet<string> = new Set(['set', 'cas', 'lock', 'unlock', 'delete', 'delete-tree', 'delete-cas']);

/** Whether a transaction writes (otherwise Consul serves it as a read, without a raft index). */
export function hasWrites(ops: readonly TxnKvOp[]): boolean {
  return ops.some((op) => WRITE_VERBS.has(op.verb));
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_UINT64 = 2 ** 64;

class BodyError extends Error {}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return value === null ? 'null' : typeof value === 'object' ? 'object' : typeof value;
}

function mismatch(value: unknown, field: string, goType: string): never {
  throw new BodyError(`json: cannot unmarshal ${jsonKind(value)} into Go struct field KVTxnOp.KV.${field} of type ${goType}`);
}

/** A field looked up case-insensitively, as Go's encoding/json matches field names. */
function field(object: Record<string, unknown>, name: string): unknown {
  let found: unknown;
  for (const [k, v] of Object.entries(object)) if (k.toLowerCase() === name.toLowerCase()) found = v;
  return found;
}

function stringField(kv: Record<string, unknown>, name: string): string {
  const v = field(kv, name);
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : mismatch(v, name, 'string');
}

function uintField(kv: Record<string, unknown>, name: string): number {
  const v = field(kv, name);
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= MAX_UINT64) return mismatch(v, name, 'uint64');
  return v;
}

function decodeKv(kv: unknown): TxnKvOp {
  if (typeof kv !== 'object' || kv === null || Array.isArray(kv)) mismatch(kv, '', 'api.KVTxnOp');
  const record = kv as Record<string, unknown>;
  const rawValue = field(record, 'Value');
  let value = Buffer.alloc(0);
  if (rawValue !== undefined && rawValue !== null) {
    if (typeof rawValue !== 'string') mismatch(rawValue, 'Value', '[]uint8');
    if (!BASE64.test(rawValue)) throw new BodyError('illegal base64 data in KV Value');
    value = Buffer.from(rawValue, 'base64');
  }
  return {
    verb: stringField(record, 'Verb'),
    key: stringField(record, 'Key'),
    value,
    flags: BigInt(uintField(record, 'Flags')),
    index: uintField(record, 'Index'),
    session: stringField(record, 'Session'),
  };
}

/**
 * Decodes and validates a transaction body in Consul's order: body size (413), JSON (400), number of
 * operations (413), each value's size (413). Operations that are not KV operations are refused (the
 * emulator has no catalog); an element with no operation at all is skipped, as Consul does.
 */
export function parseTxn(body: Buffer, limits: TxnLimits): { readonly ops: TxnKvOp[] } | TxnRejection {
  const maxLen = Math.max(limits.maxRequestBytes, limits.maxValueBytes);
  if (body.length > maxLen) return { status: 413, message: `Request body too large, max size: ${maxLen} bytes` };
  let elements: unknown[];
  const ops: TxnKvOp[] = [];
  try {
    const text = body.toString('utf8');
    if (text.trim() === '') throw new BodyError('EOF');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new BodyError(`invalid JSON: ${(err as Error).message}`);
    }
    if (parsed !== null && !Array.isArray(parsed)) throw new BodyError(`json: cannot unmarshal ${jsonKind(parsed)} into Go value of type api.TxnOps`);
    elements = parsed ?? [];
    for (const element of elements) {
      if (element === null) continue;
      if (typeof element !== 'object' || Array.isArray(element)) {
        throw new BodyError(`json: cannot unmarshal ${jsonKind(element)} into Go value of type api.TxnOp`);
      }
      const kv = field(element as Record<string, unknown>, 'KV');
      if (kv !== undefined && kv !== null) ops.push(decodeKv(kv));
      else if (Object.keys(element).length > 0) throw new BodyError('consul-kv-emulator emulates only KV operations (no Node, Service, Check or Session ops)');
    }
  } catch (err) {
    if (!(err instanceof BodyError)) throw err;
    return { status: 400, message: `Failed to parse body: ${err.message}` };
  }
  if (elements.length > limits.maxOps) {
    return { status: 413, message: `Transaction contains too many operations (${elements.length} > ${limits.maxOps})` };
  }
  for (const op of ops) {
    if (op.value.length > limits.maxValueBytes) {
      return { status: 413, message: `Value for key ${goQuote(op.key)} is too large (${op.value.length} > ${limits.maxValueBytes} bytes)` };
    }
  }
  return { ops };
}

/**
 * Consul's checks before a transaction runs: a key is required (except for delete-tree) and, for the
 * anonymous token, writes and index/session checks are denied. Reads are not denied here: their
 * results are filtered out afterwards. `denied(access, key)` returns the permission error, if any.
 */
export function preCheckTxn(ops: readonly TxnKvOp[], denied: (access: 'read' | 'write', key: string) => string | undefined): TxnError[] {
  const errors: TxnError[] = [];
  ops.forEach((op, i) => {
    let what: string | undefined;
    if (op.key === '' && op.verb !== 'delete-tree') what = 'Must provide key';
    else if (op.verb === 'get' || op.verb === 'get-tree' || op.verb === 'get-or-empty') what = undefined;
    else if (op.verb === 'check-index' || op.verb === 'check-session') what = denied('read', op.key);
    else what = denied('write', op.key);
    if (what !== undefined) errors.push({ OpIndex: i, What: what });
  });
  return errors;
}

function runOp(state: KvState, idx: number, op: TxnKvOp): TxnResult[] {
  const key = goQuote(op.key);
  const stripped = (entry: Parameters<typeof wireEntry>[0]): TxnResult[] => [{ KV: wireEntry(entry, false) }];
  switch (op.verb) {
    case 'set':
      return stripped(state.set(idx, op.key, op.value, op.flags));
    case 'cas': {
      const entry = state.cas(idx, op.key, op.value, op.flags, op.index);
      if (!entry) throw new Error(`failed to set key ${key}, index is stale`);
      return stripped(entry);
    }
    case 'get': {
      const entry = state.get(op.key);
      if (!entry) throw new Error(`key ${key} doesn't exist`);
      return [{ KV: wireEntry(entry) }];
    }
    case 'get-or-empty': {
      const entry = state.get(op.key);
      if (entry) return [{ KV: wireEntry(entry) }];
      const empty = { LockIndex: 0, Key: op.key, Flags: op.flags, Value: null, CreateIndex: 0, ModifyIndex: op.index };
      return [{ KV: empty }];
    }
    case 'get-tree':
      return state.list(op.key).result.map((entry) => ({ KV: wireEntry(entry) }));
    case 'check-index': {
      const entry = state.get(op.key);
      if (!entry) throw new Error(`failed to check index, key ${key} doesn't exist`);
      if (entry.modifyIndex !== op.index) {
        throw new Error(`failed index check for key ${key}, current modify index ${entry.modifyIndex} != ${op.index}`);
      }
      return stripped(entry);
    }
    case 'check-not-exists':
      if (state.get(op.key)) throw new Error(`key ${key} exists`);
      return [];
    case 'delete':
      state.delete(idx, op.key);
      return [];
    case 'delete-tree':
      state.deleteTree(idx, op.key);
      return [];
    case 'delete-cas':
      if (!state.deleteCas(idx, op.key, op.index)) throw new Error(`failed to delete key ${key}, index is stale`);
      return [];
    // No sessions exist in the emulator, so these fail (or pass) as they would against unknown sessions.
    case 'lock':
      throw new Error(op.session === '' ? 'missing session' : `invalid session ${goQuote(op.session)}`);
    case 'unlock':
      if (op.session === '') throw new Error('missing session');
      throw new Error(`failed to unlock key ${key}, lock isn't held, or is held by another session`);
    case 'check-session': {
      const entry = state.get(op.key);
      if (!entry) throw new Error(`failed to check session, key ${key} doesn't exist`);
      if (op.session !== '') throw new Error(`failed session check for key ${key}, current session "" != ${goQuote(op.session)}`);
      return stripped(entry);
    }
    default:
      throw new Error(`unknown KV verb ${goQuote(op.verb)}`);
  }
}

/**
 * Runs the operations in order on `state` (a draft: later operations see earlier writes), every write at
 * raft index `idx`. Every failing operation is reported, as Consul does; the caller commits the draft
 * only when `errors` is empty. Results of write verbs carry no value; deletes and check-not-exists
 * produce no result.
 */
export function runTxn(state: KvState, idx: number, ops: readonly TxnKvOp[]): { results: TxnResult[]; errors: TxnError[] } {
  const results: TxnResult[] = [];
  const errors: TxnError[] = [];
  ops.forEach((op, i) => {
    try {
      results.push(...runOp(state, idx, op));
    } catch (err) {
      errors.push({ OpIndex: i, What: (err as Error).message });
    }
  });
  return { results, errors };
}
