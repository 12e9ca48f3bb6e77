import type { LDSingleKindContext } from '@switchyard/core';

import type { LogLevel } from './logging.js';
import type { EnvironmentMetadata, PluginMetadata } from './plugins.js';

// LaunchDarkly's names for types Switchyard has under its own names, so code typed against
// `@launchdarkly/node-server-sdk` compiles unchanged.

/** A flag value of any type (LaunchDarkly's `LDFlagValue`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- LaunchDarkly's type is `any`; `unknown` would break code written against it
export type LDFlagValue = any;

/** Flag keys to values (LaunchDarkly's `LDFlagSet`). */
export interface LDFlagSet {
  [key: string]: LDFlagValue;
}

/** A log level of `basicLogger` (LaunchDarkly's `LDLogLevel`). */
export type LDLogLevel = LogLevel;

/** `_meta` of a context (LaunchDarkly's `LDContextMeta`). */
export interface LDContextMeta {
  /** Attribute references redacted from events for this context. */
  privateAttributes?: string[];
}

/** The attributes every single-kind context has (LaunchDarkly's `LDContextCommon`). */
export type LDContextCommon = Omit<LDSingleKindContext, 'kind'>;

/** LaunchDarkly's `LDPluginMetadata`. */
export type LDPluginMetadata = PluginMetadata;
/** LaunchDarkly's `LDPluginEnvironmentMetadata`. */
export type LDPluginEnvironmentMetadata = EnvironmentMetadata;
/** LaunchDarkly's `LDPluginSdkMetadata`. */
export type LDPluginSdkMetadata = EnvironmentMetadata['sdk'];
/** LaunchDarkly's `LDPluginApplicationMetadata`. */
export type LDPluginApplicationMetadata = NonNullable<EnvironmentMetadata['application']>;

/** The shape of a plugin for a client type and a hook type (LaunchDarkly's `LDPluginBase`). */
export interface LDPluginBase<TClient, THook> {
  getMetadata(): LDPluginMetadata;
  register(client: TClient, environmentMetadata: LDPluginEnvironmentMetadata): void;
  getHooks?(environmentMetadata: LDPluginEnvironmentMetadata): THook[];
}
