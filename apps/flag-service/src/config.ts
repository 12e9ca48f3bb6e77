import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Options of {@link startFlagService}. */
export interface FlagServiceOptions {
  /** Interface to listen on. Default `127.0.0.1`. Anything but loopback requires `adminToken`. */
  readonly host?: string;
  /** Port. Default 8765; 0 picks a free one. */
  readonly port?: number;
  /** The SDK key every SDK request must send (`Authorization`). Default `sdk-local-dev`. */
  readonly sdkKey?: string;
  /** The JSON file holding flags and segments; created from `samplePath` on first run. */
  readonly dataFile?: string;
  /** The file a new data file is copied from. Default: the sample shipped with the service. */
  readonly samplePath?: string;
  /** When set, every change (POST, PUT, DELETE under `/api`) needs `Authorization: Bearer <adminToken>`. */
  readonly adminToken?: string;
  /** Largest accepted request body, in bytes. Default 5 MiB (event payloads from busy SDKs included). */
  readonly maxBodyBytes?: number;
  /** Where to log one line per notable thing. Default `console.log`. */
  readonly log?: (line: string) => void;
}

/** A configuration the service refuses to start with; the message says what to change. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const DEFAULT_PORT = 8765;
export const DEFAULT_SDK_KEY = 'sdk-local-dev';
export const DEFAULT_SAMPLE = fileURLToPath(new URL('../sample-flags.json', import.meta.url));
export const DEFAULT_DATA_FILE = fileURLToPath(new URL('../data/flags.json', import.meta.url));

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** The options with defaults applied; throws {@link ConfigError} for an unsafe or invalid combination. */
export function resolveOptions(options: FlagServiceOptions): Required<Omit<FlagServiceOptions, 'adminToken'>> & { adminToken: string | undefined } {
  const host = options.host ?? '127.0.0.1';
  const adminToken = options.adminToken || undefined;
  if (!isLoopback(host) && !adminToken) {
    throw new ConfigError(
      `refusing to listen on ${host}: anyone who can reach it could change your flags. Set an admin token (FLAG_SERVICE_ADMIN_TOKEN) to listen beyond loopback; every change then needs it`,
    );
  }
  if (adminToken !== undefined && adminToken.length < 16) throw new ConfigError('the admin token must be at least 16 characters');
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`port must be an integer from 0 to 65535, got ${String(port)}`);
  const sdkKey = options.sdkKey ?? DEFAULT_SDK_KEY;
  if (!sdkKey) throw new ConfigError('the SDK key must not be empty');
  return {
    host,
    port,
    sdkKey,
    dataFile: options.dataFile ?? DEFAULT_DATA_FILE,
    samplePath: options.samplePath ?? DEFAULT_SAMPLE,
    adminToken,
    maxBodyBytes: options.maxBodyBytes ?? 5 * 2 ** 20,
    log: options.log ?? ((line) => console.log(line)),
  };
}
