import { version } from '../../package.json';
import type { Configuration } from '../options.js';

/** This package's version, as sent in `User-Agent`. */
export const SDK_VERSION: string = version;

/** The `User-Agent` this SDK sends. */
export const USER_AGENT = `SwitchyardNodeServer/${SDK_VERSION}`;

/**
 * The headers of every request to LaunchDarkly: the SDK key as `Authorization` (no "Bearer"), the user
 * agent, the per-client instance id, and the wrapper and application tags when configured.
 */
export function defaultHeaders(
  sdkKey: string,
  config: Pick<Configuration, 'wrapperName' | 'wrapperVersion' | 'tags'>,
  instanceId: string,
): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {
    authorization: sdkKey,
    'user-agent': USER_AGENT,
    'x-launchdarkly-instance-id': instanceId,
  };
  if (config.wrapperName) {
    headers['x-launchdarkly-wrapper'] = config.wrapperVersion ? `${config.wrapperName}/${config.wrapperVersion}` : config.wrapperName;
  }
  if (config.tags) headers['x-launchdarkly-tags'] = config.tags;
  return Object.freeze(headers);
}

/** Whether an HTTP error status is worth retrying: every 4xx except 400, 408 and 429 is not. */
export function isHttpRecoverable(status: number): boolean {
  if (status >= 400 && status < 500) return status === 400 || status === 408 || status === 429;
  return true;
}

/** A description of an HTTP error status for logs: 401/403 name the likely cause. */
export function describeStatus(status: number): string {
  return status === 401 || status === 403 ? `error ${status} (invalid SDK key)` : `error ${status}`;
}
