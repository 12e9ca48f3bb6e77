/**
 * `@switchyard/store-consul`: a Consul KV persistent feature store over Consul's HTTP API (no client
 * library). The store itself arrives with its issue; this package already fixes the key layout it shares
 * with LaunchDarkly's SDKs.
 *
 * @packageDocumentation
 */

/** Defaults of the Consul store, matching LaunchDarkly's key layout `<prefix>/features/<key>`. */
export const consulStoreDefaults = Object.freeze({
  /** Key prefix. */
  prefix: 'launchdarkly',
  /** Consul agent address. */
  url: 'http://127.0.0.1:8500',
  /** Largest serialized item written, in UTF-8 bytes. */
  maxItemBytes: 400 * 1024,
});
