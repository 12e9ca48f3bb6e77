/**
 * Thrown when a service cannot be started: the binary is missing, the process exited, or it never
 * became healthy. Tests let it propagate, so a missing service fails the run instead of skipping it.
 */
export class ServiceStartError extends Error {
  override readonly name = 'ServiceStartError';
  constructor(
    /** The service that failed, e.g. `redis-server`. */
    readonly service: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`[switchyard/test-services] ${service}: ${message}`, options);
  }
}

/** How to install each external binary we depend on, shown when it is missing. */
export const INSTALL_HINTS: Readonly<Record<string, string>> = {
  'redis-server':
    'install it with `apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis` (macOS), ' +
    'or point REDIS_SERVER_BIN at the binary',
  'redis-sentinel':
    'install it with `apt-get install -y redis-sentinel` (Debian/Ubuntu; macOS: it comes with `brew install redis`), ' +
    'or point REDIS_SENTINEL_BIN at the binary',
  openssl: 'install it with `apt-get install -y openssl` (Debian/Ubuntu), or point OPENSSL_BIN at the binary',
};
