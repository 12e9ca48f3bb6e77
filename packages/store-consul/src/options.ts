import { DEFAULT_MAX_ITEM_BYTES, type StoreOptionChecks, describeOptionValue, storeOptionChecks } from '@switchyard/core';

import { PREFIX } from './errors.js';

/** Consul's largest KV value (`kv_max_value_size`): 512 KiB. */
export const CONSUL_MAX_VALUE_BYTES = 512 * 1024;

/** Connection settings of the store's HTTP pool (undici's `Pool`: one origin, keep-alive). */
export interface ConsulPoolOptions {
  /** Most TCP connections to Consul at once; requests beyond it wait for a free one. Default 4. */
  readonly maxConnections?: number;
  /** How long to wait for a connection to open, in milliseconds. Default 3000. */
  readonly connectTimeoutMs?: number;
  /** How long one request may take from start to the end of its answer, in milliseconds. Default 5000. */
  readonly requestTimeoutMs?: number;
}

/** Options of {@link consulStore}. */
export interface ConsulStoreOptions {
  /** The Consul HTTP API, e.g. `http://127.0.0.1:8500` or `https://consul.internal:8501`. Default: from `host`/`port`/`secure`, else `http://127.0.0.1:8500`. */
  readonly url?: string;
  /** Host of the Consul agent, when `url` is not given. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port of the Consul agent, when `url` is not given. Default 8500 (8501 with `secure`). */
  readonly port?: number;
  /** HTTPS, when `url` is not given. Default `false`. */
  readonly secure?: boolean;
  /** ACL token, sent as `X-Consul-Token` on every request; never logged or put in an error message. */
  readonly token?: string;
  /** Datacenter to use (`?dc=`). Default: the agent's own. */
  readonly datacenter?: string;
  /** Key prefix: items live at `<prefix>/features/<key>`, `<prefix>/segments/<key>`, `<prefix>/$inited`. Default `launchdarkly`. */
  readonly prefix?: string;
  /**
   * How long the SDK caches what it read, in milliseconds: positive is a TTL, `0` no cache, negative
   * caches forever. Default 15000 (LaunchDarkly's Consul store's 15 seconds).
   */
  readonly cacheTtlMs?: number;
  /**
   * Largest item written, in UTF-8 bytes of its JSON (the value Consul stores). A bigger flag or segment
   * is not sent: it is logged and skipped, the rest is written, and an older copy stays. Default 409600
   * (400 KB); at most 524288, Consul's own value limit.
   */
  readonly maxItemBytes?: number;
  /** Connections and timeouts; see {@link ConsulPoolOptions}. */
  readonly pool?: ConsulPoolOptions;
  /** Check-and-set attempts of one `upsert` before it gives up with a `ConsulStoreError` (`'conflict'`). Default 10. */
  readonly maxUpsertAttempts?: number;
  /** Most operations in one `/v1/txn` request. Default 64 (Consul before 1.14; 1.14 and later accept 128). */
  readonly maxTxnOps?: number;
  /** Largest `/v1/txn` request body, in bytes. Default 524288 (Consul's `txn_max_req_len`). */
  readonly maxTxnBytes?: number;
}

/** Defaults of {@link ConsulStoreOptions}. */
export const consulStoreDefaults = Object.freeze({
  /** Key prefix, LaunchDarkly's. */
  prefix: 'launchdarkly',
  /** Consul agent address. */
  url: 'http://127.0.0.1:8500',
  /** Largest serialized item written, in UTF-8 bytes. */
  maxItemBytes: DEFAULT_MAX_ITEM_BYTES,
  cacheTtlMs: 15_000,
  maxUpsertAttempts: 10,
  maxTxnOps: 64,
  maxTxnBytes: 512 * 1024,
  pool: Object.freeze({ maxConnections: 4, connectTimeoutMs: 3_000, requestTimeoutMs: 5_000 }),
});

/** Options after validation, defaults filled in. @internal */
export interface ResolvedConsulOptions {
  /** `scheme://host:port`, no path. */
  readonly origin: string;
  readonly token: string | undefined;
  readonly datacenter: string | undefined;
  readonly prefix: string;
  readonly cacheTtlMs: number;
  readonly maxItemBytes: number;
  readonly maxUpsertAttempts: number;
  readonly maxTxnOps: number;
  readonly maxTxnBytes: number;
  readonly pool: Required<ConsulPoolOptions>;
}

const check = storeOptionChecks(PREFIX);
/** Explicitly typed, so TypeScript knows it never returns. */
const fail: StoreOptionChecks['fail'] = check.fail;

function origin(options: ConsulStoreOptions): string {
  if (options.url !== undefined) {
    if (options.host !== undefined || options.port !== undefined || options.secure !== undefined) {
      fail('url', 'cannot be combined with host, port or secure: give the address one way');
    }
    const url = URL.canParse(String(options.url)) ? new URL(String(options.url)) : undefined;
    if (!url || url.protocol !== 'http:' && url.protocol !== 'https:') fail('url', `must be an http:// or https:// URL (got ${describeOptionValue(options.url)})`);
    if (url.pathname !== '/' || url.search || url.username || url.password) {
      fail('url', 'must be the agent address only (scheme, host, port), without a path, query or credentials; use token for ACLs');
    }
    return url.origin;
  }
  const secure = check.boolean('secure', options.secure, false);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '' || /[/\s?#@]/.test(host)) fail('host', `must be a host name or address (got ${describeOptionValue(host)})`);
  const port = check.integer('port', options.port, secure ? 8501 : 8500, 1);
  if (port > 65_535) fail('port', `must be at most 65535 (got ${port})`);
  return new URL(`${secure ? 'https' : 'http'}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`).origin;
}

/** Validates options up front so a mistake is a `ConfigError` naming the option, never a failure later. @internal */
export function resolveConsulOptions(options: ConsulStoreOptions = {}): ResolvedConsulOptions {
  if (typeof options !== 'object' || options === null) fail('object', `must be an object (got ${describeOptionValue(options)})`);
  const d = consulStoreDefaults;
  const prefix = options.prefix ?? d.prefix;
  if (typeof prefix !== 'string' || prefix === '' || prefix.startsWith('/') || prefix.endsWith('/')) {
    fail('prefix', `must be a non-empty string that neither starts nor ends with "/" (got ${describeOptionValue(prefix)})`);
  }
  // Never echo a token back, even a malformed one.
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token === '' || /[\r\n]/.test(options.token))) {
    fail('token', 'must be a non-empty string without line breaks');
  }
  if (options.datacenter !== undefined && (typeof options.datacenter !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(options.datacenter))) {
    fail('datacenter', `must be a datacenter name (got ${describeOptionValue(options.datacenter)})`);
  }
  const pool = options.pool ?? {};
  return {
    origin: origin(options),
    token: options.token,
    datacenter: options.datacenter,
    prefix,
    cacheTtlMs: check.cacheTtlMs(options.cacheTtlMs, d.cacheTtlMs),
    maxItemBytes: check.maxItemBytes(options.maxItemBytes, d.maxItemBytes, CONSUL_MAX_VALUE_BYTES),
    maxUpsertAttempts: check.integer('maxUpsertAttempts', options.maxUpsertAttempts, d.maxUpsertAttempts, 1),
    maxTxnOps: check.integer('maxTxnOps', options.maxTxnOps, d.maxTxnOps, 2),
    maxTxnBytes: check.integer('maxTxnBytes', options.maxTxnBytes, d.maxTxnBytes, 1024),
    pool: {
      maxConnections: check.integer('pool.maxConnections', pool.maxConnections, d.pool.maxConnections, 1),
      connectTimeoutMs: check.durationMs('pool.connectTimeoutMs', pool.connectTimeoutMs, d.pool.connectTimeoutMs),
      requestTimeoutMs: check.durationMs('pool.requestTimeoutMs', pool.requestTimeoutMs, d.pool.requestTimeoutMs),
    },
  };
}
