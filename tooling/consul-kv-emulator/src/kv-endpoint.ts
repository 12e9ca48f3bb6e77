import { allows, permissionDenied } from './acl.js';
import {
  type ApiContext,
  type ApiRequest,
  type ApiResponse,
  type BlockingParams,
  blockingRead,
  isResponse,
  json,
  methodNotAllowed,
  parseBlocking,
  queryMeta,
  rpcCaller,
  text,
} from './api.js';
import { parseUint64 } from './go-format.js';
import { wireEntry } from './wire.js';

const KV_PREFIX = '/v1/kv/';
const KV_LIMIT_DOC = 'https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size';

/** 400 `Conflicting flags: <sorted query>` when more than one of `flags` is present, as Consul checks. */
function conflictingFlags(query: URLSearchParams, flags: readonly string[]): ApiResponse | undefined {
  if (flags.filter((f) => query.has(f)).length < 2) return undefined;
  const sorted = new URLSearchParams(query);
  sorted.sort();
  return text(400, `Conflicting flags: ${sorted.toString()}\n`);
}

/** A uint64 query parameter; a malformed one is a plain error in Consul, hence a 500 with Go's text. */
function uintParam(query: URLSearchParams, name: string): bigint | ApiResponse | undefined {
  if (!query.has(name)) return undefined;
  try {
    return parseUint64(query.get(name) ?? '');
  } catch (err) {
    return text(500, (err as Error).message);
  }
}

async function get(request: ApiRequest, context: ApiContext, key: string, blocking: BlockingParams): Promise<ApiResponse> {
  const recurse = request.query.has('recurse');
  if (!recurse && key === '') return text(400, 'Missing key name');
  const caller = rpcCaller(request, context.options);
  if (isResponse(caller)) return caller;
  if (!recurse && !allows(caller)) return text(403, permissionDenied('read', key));
  const read = await blockingRead(context, blocking, () => {
    const state = context.store.state;
    if (!recurse) {
      const { index, result } = state.read(key);
      return { index, entries: result ? [result] : [], filtered: false };
    }
    const { index, result } = state.list(key);
    // Without a token, list results are filtered by ACLs (default deny): nothing is left.
    return allows(caller) ? { index, entries: result, filtered: false } : { index, entries: [], filtered: result.length > 0 };
  });
  const meta = queryMeta(read.index, read.filtered);
  if (read.entries.length === 0) return text(404, '', meta);
  if (request.query.has('raw') && !recurse) {
    const headers = { ...meta, 'Content-Type': 'text/plain', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': 'sandbox' };
    return { status: 200, headers, body: read.entries[0]!.value };
  }
  return json(request, 200, read.entries.map((e) => wireEntry(e)), meta);
}

async function getKeys(request: ApiRequest, context: ApiContext, prefix: string, blocking: BlockingParams): Promise<ApiResponse> {
  const query = request.query;
  // Consul accepts its historical misspelling too; the correct spelling wins when both are given.
  const separator = query.get('separator') ?? query.get('seperator') ?? '';
  const caller = rpcCaller(request, context.options);
  if (isResponse(caller)) return caller;
  const read = await blockingRead(context, blocking, () => {
    const { index, result } = context.store.state.listKeys(prefix, separator);
    return allows(caller) ? { index, keys: result, filtered: false } : { index, keys: [], filtered: result.length > 0 };
  });
  const meta = queryMeta(read.index, read.filtered);
  // An empty listing of the root is `[]`; of any other prefix, a 404.
  if (read.keys.length === 0 && prefix !== '') return text(404, '', meta);
  return json(request, 200, read.keys, meta);
}

function put(request: ApiRequest, context: ApiContext, key: string): ApiResponse {
  const { query, body } = request;
  if (key === '') return text(400, 'Missing key name');
  const conflict = conflictingFlags(query, ['cas', 'acquire', 'release']);
  if (conflict) return conflict;
  const flags = uintParam(query, 'flags');
  if (isResponse(flags)) return flags;
  const cas = uintParam(query, 'cas');
  if (isResponse(cas)) return cas;
  const { maxValueBytes } = context.options;
  if (body.length > maxValueBytes) {
    return text(413, `Request body(${body.length} bytes) too large, max size: ${maxValueBytes} bytes. See ${KV_LIMIT_DOC}.`);
  }
  const caller = rpcCaller(request, context.options);
  if (isResponse(caller)) return caller;
  if (!allows(caller)) return text(403, permissionDenied('write', key));
  if (query.has('acquire')) {
    // Sessions are not emulated, so every session is unknown: Consul's FSM rejects the lock.
    context.store.write(() => ({ commit: false, value: undefined }));
    const session = query.get('acquire') ?? '';
    return text(500, session === '' ? 'missing session' : `invalid session ${JSON.stringify(session)}`);
  }
  if (query.has('release')) {
    context.store.write(() => ({ commit: false, value: undefined }));
    return json(request, 200, false);
  }
  const ok = context.store.write((draft, idx) => {
    const stored = cas === undefined ? draft.set(idx, key, body, flags ?? 0n) : draft.cas(idx, key, body, flags ?? 0n, Number(cas));
    return { commit: true, value: stored !== undefined };
  });
  return json(request, 200, ok);
}

function remove(request: ApiRequest, context: ApiContext, key: string): ApiResponse {
  const query = request.query;
  const conflict = conflictingFlags(query, ['recurse', 'cas']);
  if (conflict) return conflict;
  const recurse = query.has('recurse');
  if (!recurse && key === '') return text(400, 'Missing key name');
  const cas = uintParam(query, 'cas');
  if (isResponse(cas)) return cas;
  const caller = rpcCaller(request, context.options);
  if (isResponse(caller)) return caller;
  if (!allows(caller)) return text(403, permissionDenied('write', key));
  const ok = context.store.write((draft, idx) => {
    if (cas !== undefined) return { commit: true, value: draft.deleteCas(idx, key, Number(cas)) };
    if (recurse) draft.deleteTree(idx, key);
    else draft.delete(idx, key);
    return { commit: true, value: true };
  });
  return json(request, 200, ok);
}

/** Whether a path belongs to the KV endpoint. */
export function isKvPath(rawPath: string): boolean {
  return rawPath.startsWith(KV_PREFIX);
}

/**
 * `/v1/kv/<key>`: GET (single key, `?recurse`, `?keys` with `?separator=`, `?raw`, blocking
 * `?index=&wait=`), PUT (`?flags=`, `?cas=`), DELETE (`?recurse`, `?cas=`).
 * https://developer.hashicorp.com/consul/api-docs/kv
 */
export async function kvEndpoint(request: ApiRequest, context: ApiContext): Promise<ApiResponse> {
  const { method } = request;
  if (method !== 'GET' && method !== 'PUT' && method !== 'DELETE') return methodNotAllowed(method, ['GET', 'PUT', 'DELETE']);
  const blocking = parseBlocking(request.query);
  if (isResponse(blocking)) return blocking;
  let key: string;
  try {
    key = decodeURIComponent(request.rawPath.slice(KV_PREFIX.length));
  } catch {
    return text(400, `invalid URL escape in ${JSON.stringify(request.rawPath)}`);
  }
  if (method === 'GET') return request.query.has('keys') ? getKeys(request, context, key, blocking) : get(request, context, key, blocking);
  return method === 'PUT' ? put(request, context, key) : remove(request, context, key);
}
