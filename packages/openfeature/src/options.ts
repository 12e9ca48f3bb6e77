import { ConfigError, type LDLogger, type LDOptions } from '@switchyard/node-server';

import { PREFIX } from './version.js';

/** Options of {@link SwitchyardProvider}. */
export interface SwitchyardProviderOptions {
  /**
   * Options of the client the provider creates (`new SwitchyardProvider(sdkKey, { clientOptions })`),
   * passed to `init` as they are, with `wrapperName`/`wrapperVersion` added unless given. Not allowed
   * with a client you pass in: configure that client yourself.
   */
  readonly clientOptions?: LDOptions;
  /**
   * How long `initialize()` waits for the client's first data, in milliseconds. After that it rejects
   * (OpenFeature reports `ERROR`), the client keeps trying, and the provider emits `READY` when it
   * succeeds. Default 10000 (LaunchDarkly's provider waits 10 seconds).
   */
  readonly initTimeoutMs?: number;
  /**
   * Close the client in `onClose` (which delivers its pending analytics events). Default: `true` for a
   * client the provider created, `false` for one you passed in (it is flushed, and the provider's
   * listeners are removed, but it stays open for the rest of your application).
   */
  readonly closeClient?: boolean;
  /**
   * Report OpenFeature's standard reasons (`DISABLED`, `TARGETING_MATCH`, `SPLIT`, `DEFAULT`, `ERROR`)
   * instead of LaunchDarkly's reason kinds (`OFF`, `RULE_MATCH`, `FALLTHROUGH`…). The LaunchDarkly
   * reason is kept in the flag metadata either way (`ldReasonKind`, `ldRuleIndex`…). Default `false`,
   * as LaunchDarkly's provider, so dashboards built on its reasons keep working.
   */
  readonly standardReasons?: boolean;
  /**
   * Where the provider logs problems with evaluation contexts (each distinct message once). Default:
   * the client's logger.
   */
  readonly logger?: LDLogger;
}

/** Defaults of {@link SwitchyardProviderOptions}. */
export const switchyardProviderDefaults = Object.freeze({
  /** Milliseconds `initialize()` waits for the client. */
  initTimeoutMs: 10_000,
  /** LaunchDarkly's reason kinds, not OpenFeature's standard reasons. */
  standardReasons: false,
});

/** Options after validation. @internal */
export interface ResolvedProviderOptions {
  readonly clientOptions: LDOptions | undefined;
  readonly initTimeoutMs: number;
  readonly closeClient: boolean;
  readonly standardReasons: boolean;
  readonly logger: LDLogger | undefined;
}

function fail(option: string, problem: string): never {
  throw new ConfigError(`${PREFIX} option ${option} ${problem}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** Checks the options once, so a mistake is a `ConfigError` naming the option. @internal */
export function resolveProviderOptions(options: SwitchyardProviderOptions | undefined, createdClient: boolean): ResolvedProviderOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) fail('object', `must be an object (got ${describe(options)})`);
  const { clientOptions, initTimeoutMs = switchyardProviderDefaults.initTimeoutMs, closeClient = createdClient, standardReasons = false, logger } = options;
  if (clientOptions !== undefined) {
    if (!createdClient) fail('clientOptions', 'is for a client the provider creates from an SDK key; configure the client you passed in yourself');
    if (typeof clientOptions !== 'object' || clientOptions === null || Array.isArray(clientOptions)) fail('clientOptions', `must be an object (got ${describe(clientOptions)})`);
  }
  if (typeof initTimeoutMs !== 'number' || !Number.isFinite(initTimeoutMs) || initTimeoutMs <= 0) {
    fail('initTimeoutMs', `must be a positive number of milliseconds (got ${describe(initTimeoutMs)})`);
  }
  if (typeof closeClient !== 'boolean') fail('closeClient', `must be a boolean (got ${describe(closeClient)})`);
  if (typeof standardReasons !== 'boolean') fail('standardReasons', `must be a boolean (got ${describe(standardReasons)})`);
  if (logger !== undefined && (typeof logger !== 'object' || logger === null || typeof logger.warn !== 'function' || typeof logger.error !== 'function')) {
    fail('logger', 'must be a logger with error, warn, info and debug methods');
  }
  return { clientOptions, initTimeoutMs, closeClient, standardReasons, logger };
}
