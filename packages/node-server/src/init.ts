import type { LDClient } from './client/api.js';
import { SwitchyardClient } from './client/client.js';
import { setShared, sharedFor } from './client/registry.js';
import type { LDOptions } from './options.js';

/**
 * Creates a client (LaunchDarkly's `init`). It starts connecting at once; wait with
 * `waitForInitialization({ timeout })` or the `'ready'` event. Create one client per process and keep it
 * for the life of the process: a second client for the same SDK key logs a warning (see
 * {@link sharedClient}). Throws only when `sdkKey` is empty and `offline` is not set.
 */
export function init(sdkKey: string, options: LDOptions = {}): LDClient {
  return new SwitchyardClient(sdkKey, options);
}

/**
 * The process's one client for `sdkKey`: created with `options` on the first call, returned as is by
 * later calls (their options are ignored) until it is closed. Use it where several modules, or a
 * framework's hot reload, would otherwise each call `init` and open a connection of their own. In a
 * multi-process server (node:cluster, pm2) each process still has its own client: use daemon mode
 * (`useLdd` with a shared persistent store) to keep the connections to LaunchDarkly down to one writer.
 */
export function sharedClient(sdkKey: string, options: LDOptions = {}): LDClient {
  const existing = sharedFor(sdkKey) as LDClient | undefined;
  if (existing) return existing;
  const client = init(sdkKey, options);
  setShared(sdkKey, client);
  return client;
}
