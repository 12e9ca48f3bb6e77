/** Options of {@link startConsulEmulator}. */
export interface ConsulEmulatorOptions {
  /** The port to listen on. Default 0: a free port, kept across {@link ConsulEmulator.restart}. */
  readonly port?: number;
  /** The address to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /**
   * Enables ACLs with a default-deny policy: this token may do everything, requests without a token act
   * as the anonymous token (no permission), any other token is unknown (403 `ACL not found`).
   * Default: ACLs disabled (tokens ignored).
   */
  readonly aclToken?: string;
  /** The largest value, in bytes (Consul's `kv_max_value_size`). Default 524288 (512 KiB). */
  readonly maxValueBytes?: number;
  /** The most operations in one transaction. Default 64. */
  readonly maxTxnOps?: number;
  /** The largest transaction body, in bytes (Consul's `txn_max_req_len`). Default 524288 (512 KiB). */
  readonly maxTxnBytes?: number;
  /** The datacenter's name; a `?dc=` naming another one gets 500 `No path to datacenter`. Default `dc1`. */
  readonly datacenter?: string;
}

/** {@link ConsulEmulatorOptions} with every default applied. */
export interface ResolvedOptions {
  readonly port: number;
  readonly host: string;
  readonly aclToken: string | undefined;
  readonly maxValueBytes: number;
  readonly maxTxnOps: number;
  readonly maxTxnBytes: number;
  readonly datacenter: string;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`consul-kv-emulator: ${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Applies the defaults and checks the values.
 *
 * @throws RangeError naming the bad option
 */
export function resolveOptions(options: ConsulEmulatorOptions = {}): ResolvedOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`consul-kv-emulator: port must be an integer from 0 to 65535, got ${port}`);
  if (options.aclToken === '') throw new RangeError('consul-kv-emulator: aclToken must not be empty (omit it to disable ACLs)');
  if (options.datacenter === '') throw new RangeError('consul-kv-emulator: datacenter must not be empty');
  return {
    port,
    host: options.host ?? '127.0.0.1',
    aclToken: options.aclToken,
    maxValueBytes: positiveInteger('maxValueBytes', options.maxValueBytes, 512 * 1024),
    maxTxnOps: positiveInteger('maxTxnOps', options.maxTxnOps, 64),
    maxTxnBytes: positiveInteger('maxTxnBytes', options.maxTxnBytes, 512 * 1024),
    datacenter: options.datacenter ?? 'dc1',
  };
}
