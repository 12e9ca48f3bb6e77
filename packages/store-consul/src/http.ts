import type { StoreOperation } from '@switchyard/core';
import { Pool } from 'undici';

import { ConsulStoreError, failureOf } from './errors.js';
import type { ResolvedConsulOptions } from './options.js';

/** An answer from Consul. */
export interface ConsulResponse {
  readonly status: number;
  /** The body as text (UTF-8). */
  readonly text: string;
}

/** A request to the Consul HTTP API. */
export interface ConsulRequest {
  readonly method: 'GET' | 'PUT' | 'DELETE';
  /** `/v1/kv/<key>` (key unencoded; see {@link kvPath}) or `/v1/txn`. */
  readonly path: string;
  /** Query parameters; `true` for a flag such as `recurse`. */
  readonly query?: Readonly<Record<string, string | number | true | undefined>>;
  readonly body?: string;
  /** Statuses that are answers, not errors (e.g. 404 for a GET of a missing key, 409 for a txn). Default: 200 only. */
  readonly accept?: readonly number[];
}

/** `/v1/kv/` and the key, each `/`-separated part percent-encoded (keys may hold any Unicode). */
export function kvPath(key: string): string {
  return `/v1/kv/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * The store's connection to Consul: an undici `Pool` holding at most `pool.maxConnections` keep-alive
 * connections to one agent, with the token, the datacenter and the timeouts applied to every request,
 * and every failure turned into a {@link ConsulStoreError} with the token redacted.
 *
 * @internal
 */
export class ConsulHttp {
  private readonly _pool: Pool;
  private readonly _headers: Record<string, string>;

  constructor(private readonly _options: ResolvedConsulOptions) {
    const { maxConnections, connectTimeoutMs, requestTimeoutMs } = _options.pool;
    this._pool = new Pool(_options.origin, {
      connections: maxConnections,
      connect: { timeout: connectTimeoutMs },
      headersTimeout: requestTimeoutMs,
      bodyTimeout: requestTimeoutMs,
      keepAliveTimeout: 30_000,
    });
    this._headers = _options.token ? { 'x-consul-token': _options.token } : {};
  }

  /** Sends `request`; resolves with statuses it accepts, rejects with a `ConsulStoreError` otherwise. */
  async send(operation: StoreOperation, request: ConsulRequest): Promise<ConsulResponse> {
    const params = new URLSearchParams();
    if (this._options.datacenter) params.set('dc', this._options.datacenter);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) params.set(name, value === true ? '' : String(value));
    }
    // Consul's flags (`?recurse`, `?keys`) need no value; `recurse=` is read the same.
    const query = params.toString().replace(/=(?=&|$)/g, '');
    const path = query ? `${request.path}?${query}` : request.path;
    let status: number;
    let text: string;
    try {
      const response = await this._pool.request({
        method: request.method,
        path,
        headers: request.body === undefined ? this._headers : { ...this._headers, 'content-type': 'application/octet-stream' },
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: AbortSignal.timeout(this._options.pool.requestTimeoutMs),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (err) {
      throw this._networkError(operation, err);
    }
    if (status === 200 || request.accept?.includes(status)) return { status, text };
    const detail = text.trim().slice(0, 300);
    const hint = status === 403 ? ' (check the ACL token: it is missing, unknown, or lacks key permissions on the prefix)' : '';
    throw new ConsulStoreError(operation, failureOf(status), this.redact(`Consul answered ${status}${detail ? `: ${detail}` : ''}${hint}`), status);
  }

  /** Closes every connection once the requests in flight are answered. */
  close(): Promise<void> {
    return this._pool.close();
  }

  /** `text` with the token, should Consul ever echo it, replaced. */
  redact(text: string): string {
    const { token } = this._options;
    return token ? text.split(token).join('[redacted token]') : text;
  }

  private _networkError(operation: StoreOperation, err: unknown): ConsulStoreError {
    const code = (err as { code?: string } | null)?.code ?? '';
    const name = err instanceof Error ? err.name : '';
    const message = err instanceof Error ? err.message : String(err);
    const timedOut = name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
    if (timedOut) {
      return new ConsulStoreError(
        operation,
        'timeout',
        `no answer from ${this._options.origin} within ${this._options.pool.requestTimeoutMs} ms (pool.requestTimeoutMs) or no connection within ${this._options.pool.connectTimeoutMs} ms (pool.connectTimeoutMs)`,
        undefined,
        { cause: err },
      );
    }
    return new ConsulStoreError(operation, 'network', this.redact(`cannot reach ${this._options.origin}: ${code ? `${code} ` : ''}${message}`), undefined, { cause: err });
  }
}
