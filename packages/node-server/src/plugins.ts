import type { Hook } from './hooks.js';

/** What a plugin learns about the SDK and environment it is registered in. */
export interface EnvironmentMetadata {
  readonly sdk: { readonly name: string; readonly version: string; readonly wrapperName?: string; readonly wrapperVersion?: string };
  readonly application?: { readonly id?: string; readonly version?: string; readonly name?: string; readonly versionName?: string };
  readonly sdkKey: string;
}

/** A plugin's name, for logs. */
export interface PluginMetadata {
  readonly name: string;
  readonly version?: string;
}

/**
 * A plugin (LaunchDarkly's `LDPlugin`): contributes hooks and is handed the client once it exists.
 * A throwing plugin is logged and skipped.
 */
export interface Plugin {
  getMetadata(): PluginMetadata;
  register(client: unknown, environmentMetadata: EnvironmentMetadata): void;
  getHooks?(environmentMetadata: EnvironmentMetadata): Hook[];
}
