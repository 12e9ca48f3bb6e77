import type { IncomingHttpHeaders } from 'node:http';

import { ACL_NOT_FOUND, type Caller, requestToken, resolveCaller } from './acl.js';
import { parseGoDuration } from './go-format.js';
import type { KvStore } from './kv-store.js';
import type { ResolvedOptions } from './options.js';
import { toJson } from './wire.js';

/** A request as the emulated API sees it (the body already read). */
export interface ApiRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded, without the query. */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** An answer of the emulated API. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

/** What the endpoints share: the data, the options, and a signal aborted when the request goes away. */
export interface ApiContext {
  readonly store: KvStore;
  readonly options: ResolvedOptions;
  readonly signal: AbortSignal;
}

/** A plain-text answer, as Consul writes its errors. */
export function text(status: number, body: string, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: body === '' ? headers : { 'Content-Type': 'text/plain; charset=utf-8', ...headers }, body };
}

/** A JSON answer (`?pretty` indents it). */
export function json(request: ApiRequest, status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: toJson(value, request.query.has('pretty')) };
}

/** The headers of every read answer: `X-Consul-Index` (never 0), known leader, last contact. */
export function queryMeta(index: number, filteredByAcls = false): Record<string, string> {
  return {
    'X-Consul-Index': String(Math.max(index, 1)),
    'X-Consul-KnownLeader': 'true',
    'X-Consul-LastContact': '0',
    ...(filteredByAcls ? { 'X-Consul-Results-Filtered-By-ACLs': 'true' } : {}),
  };
}

/** 405 with the `Allow` header, or the empty 200 Consul answers to OPTIONS. */
export function methodNotAllowed(method: string, allowed: readonly string[]): ApiResponse {
  const allow = ['OPTIONS', ...allowed].join(',');
  if (method === 'OPTIONS') return text(200, '', { Allow: allow });
  return text(405, `method ${method} not allowed`, { Allow: allow });
}

/**
 * The checks Consul makes when the request reaches its RPC layer: the datacenter must be this one
 * (500 `No path to datacenter`), and a token that was sent must exist (403 `ACL not found`).
 * Returns the caller, or the error answer.
 */
export function rpcCaller(request: ApiRequest, options: ResolvedOptions): Caller | ApiResponse {
  const dc = request.query.get('dc');
  if (dc && dc !== options.datacenter) return text(500, 'No path to datacenter');
  const caller = resolveCaller(options.aclToken, requestToken(request.query, request.headers));
  return caller.kind === 'unknown-token' ? text(403, ACL_NOT_FOUND) : caller;
}

/** Whether a value is an answer (rather than a parsed value). */
export function isResponse(value: unknown): value is ApiResponse {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}

const DEFAULT_WAIT_MS = 5 * 60_000;
const MAX_WAIT_MS = 10 * 60_000;

/** A blocking query's parameters: answer once the index exceeds `minIndex`, or after `timeoutMs`. */
export interface BlockingParams {
  readonly minIndex: number;
  readonly timeoutMs: number;
}

/**
 * Parses `?wait=` (a Go duration, capped at 10 minutes, 5 minutes when absent, plus up to 1/16 of
 * jitter as Consul adds) and `?index=`. Returns the 400 Consul answers to bad values.
 */
export function parseBlocking(query: URLSearchParams): BlockingParams | ApiResponse {
  let wait = DEFAULT_WAIT_MS;
  const waitText = query.get('wait');
  if (waitText) {
    const parsed = parseGoDuration(waitText);
    if (parsed === undefined) return text(400, 'Invalid wait time');
    wait = parsed > MAX_WAIT_MS ? MAX_WAIT_MS : parsed <= 0 ? DEFAULT_WAIT_MS : parsed;
  }
  let minIndex = 0;
  const indexText = query.get('index');
  if (indexText) {
    if (!/^[0-9]+$/.test(indexText)) return text(400, 'Invalid index');
    minIndex = Number(indexText);
  }
  return { minIndex, timeoutMs: wait + Math.random() * (wait / 16) };
}

/**
 * Runs a read, and when `?index=` asks for something newer than what it finds, runs it again after
 * each change until the index moves past `minIndex`, the wait times out, or the request goes away.
 */
export async function blockingRead<T extends { readonly index: number }>(context: ApiContext, params: BlockingParams, read: () => T): Promise<T> {
  const deadline = Date.now() + params.timeoutMs;
  for (;;) {
    const result = read();
    const left = deadline - Date.now();
    if (params.minIndex === 0 || Math.max(result.index, 1) > params.minIndex || left <= 0 || context.signal.aborted) return result;
    await context.store.waitForChange(left, context.signal);
  }
}
