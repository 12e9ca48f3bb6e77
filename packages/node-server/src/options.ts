import type { Agent } from 'node:http';

import {
  type BigSegmentStore,
  type DataStore,
  type LDLogger,
  type PersistentDataStore,
} from '@switchyard/core';

import type { DataSource } from './data-sources/data-source.js';
import type { DataSourceUpdates } from './data-sources/data-source-updates.js';
import type { Hook } from './hooks.js';
import type { Plugin } from './plugins.js';

/** TLS settings for connections to LaunchDarkly (passed to Node's `https.Agent`). */
export interface LDTLSOptions {
  ca?: string | string[] | Buffer | Buffer[];
  cert?: string | string[] | Buffer | Buffer[];
  checkServerIdentity?: (servername: string, cert: unknown) => Error | undefined;
  ciphers?: string;
  pfx?: string | string[] | Buffer | Buffer[] | object[];
  key?: string | string[] | Buffer | Buffer[] | object[];
  passphrase?: string;
  rejectUnauthorized?: boolean;
  secureProtocol?: string;
  servername?: string;
}

/** An HTTP(S) proxy for every connection to LaunchDarkly (tunnelled with `CONNECT`). */
export interface LDProxyOptions {
  host?: string;
  port?: number;
  /** `'http'` (default) or `'https'`: how the SDK talks to the proxy itself. */
  scheme?: string;
  /** `user:password`, sent as `Proxy-Authorization: Basic …`. */
  auth?: string;
}

/** Application metadata, sent as the `X-LaunchDarkly-Tags` header. Each value: `[\w.-]`, at most 64 characters. */
export interface LDApplicationInfo {
  id?: string;
  version?: string;
  name?: string;
  versionName?: string;
}

/** Big-segment settings (LaunchDarkly's `LDBigSegmentsOptions`); durations in **seconds**. */
export interface LDBigSegmentsOptions {
  /** The big-segment store (from a store package), or a factory for it. Required. */
  store: BigSegmentStore | ((context: ClientContext) => BigSegmentStore);
  /** Contexts whose membership is cached. Default 1000. */
  userCacheSize?: number;
  /** How long a membership stays cached, in seconds. Default 5. */
  userCacheTime?: number;
  /** How often the store's status is polled, in seconds. Default 5. */
  statusPollInterval?: number;
  /** After how many seconds without a store update the data counts as stale. Default 120. */
  staleAfter?: number;
}

/**
 * Cluster mode (`cluster: true` or these options): in a node:cluster **primary** the client runs the data
 * source and event delivery for the whole host; in each **worker** the client evaluates on a replica the
 * primary pushes over IPC and forwards its analytics events to the primary. Create the client with the
 * same SDK key in both. Times in milliseconds.
 */
export interface LDClusterOptions {
  /** How often a worker forwards its queued analytics events to the primary. Default 1000, minimum 100. */
  eventForwardIntervalMs?: number;
  /**
   * How long a worker waits for flag data from the primary before logging that none came (it keeps
   * asking at this interval). Default 5000, minimum 100.
   */
  primaryTimeoutMs?: number;
}

/** {@link LDClusterOptions} with defaults filled in. */
export interface ResolvedClusterOptions {
  readonly eventForwardIntervalMs: number;
  readonly primaryTimeoutMs: number;
}

/** What factories passed in options (`featureStore`, `updateProcessor`, `bigSegments.store`) receive. */
export interface ClientContext {
  readonly sdkKey: string;
  readonly logger: LDLogger;
  readonly offline: boolean;
  /** The validated configuration, durations in milliseconds. */
  readonly config: Configuration;
}

/**
 * Creates a data source (LaunchDarkly's `updateProcessor` factory signature): `updates` is where the
 * data goes, `initSuccess` reports the first full data set, `errorHandler` a permanent failure.
 */
export type DataSourceFactory = (
  context: ClientContext,
  updates: DataSourceUpdates,
  initSuccess: () => void,
  errorHandler: (error: Error) => void,
) => DataSource;

/**
 * The client options: LaunchDarkly's `LDOptions` names, types and defaults. Durations keep
 * LaunchDarkly's unit, **seconds** (fractions allowed), for compatibility. An unknown option or a value
 * of the wrong type logs a warning naming the option and the default used instead.
 */
export interface LDOptions {
  /** Polling base URI. Default `https://sdk.launchdarkly.com`. */
  baseUri?: string;
  /** Streaming base URI. Default `https://stream.launchdarkly.com`. */
  streamUri?: string;
  /** Events base URI. Default `https://events.launchdarkly.com`. */
  eventsUri?: string;
  /** Stream (true) or poll (false) for flag data. Default true. */
  stream?: boolean;
  /** First stream reconnect delay, in seconds; doubles per failure up to 30 s, with jitter. Default 1. */
  streamInitialReconnectDelay?: number;
  /**
   * HTTP request timeout for polling and event posts, and for each phase of setting up a proxy tunnel
   * (connecting to the proxy, its answer to `CONNECT`, the TLS handshake), in seconds. Default 10,
   * minimum 1.
   */
  timeout?: number;
  /** Capacity of the analytics event queue. Default 10000. */
  capacity?: number;
  /** How often analytics events are flushed, in seconds. Default 5. */
  flushInterval?: number;
  /** Polling interval, in seconds (polling mode only). Default 30, minimum 30. */
  pollInterval?: number;
  /** No network at all: evaluations return defaults (`CLIENT_NOT_READY`), no events. Default false. */
  offline?: boolean;
  /** Daemon mode: no data source; flags are read from `featureStore`, written by another process. Default false. */
  useLdd?: boolean;
  /** Send analytics events. Default true. */
  sendEvents?: boolean;
  /** Redact every context attribute from events. Default false. */
  allAttributesPrivate?: boolean;
  /** Attributes redacted from events (names or `/a/b` references). Default `[]`. */
  privateAttributes?: string[];
  /** Contexts remembered for event deduplication. Default 1000. */
  contextKeysCapacity?: number;
  /** How often the deduplication memory is cleared, in seconds. Default 300. */
  contextKeysFlushInterval?: number;
  /** Send no diagnostic events. Default false. */
  diagnosticOptOut?: boolean;
  /** How often diagnostic events are sent, in seconds. Default 900, minimum 60. */
  diagnosticRecordingInterval?: number;
  /**
   * Where flags are kept: a `DataStore` (e.g. a store package's store, or `InMemoryDataStore`), a
   * `PersistentDataStore` (wrapped in core's caching `PersistentStoreWrapper` with its defaults), or a
   * factory of either. Default: an in-memory store.
   */
  featureStore?: DataStore | PersistentDataStore | ((context: ClientContext) => DataStore | PersistentDataStore);
  /** Big segments (Redis, DynamoDB). Default: none. */
  bigSegments?: LDBigSegmentsOptions;
  /** Evaluation hooks. Default none. */
  hooks?: Hook[];
  /** Plugins (each may contribute hooks and is registered with the client). Default none. */
  plugins?: Plugin[];
  /** Sent as `X-LaunchDarkly-Tags`. */
  application?: LDApplicationInfo;
  /** Sent as `X-LaunchDarkly-Wrapper` (with `wrapperVersion`). */
  wrapperName?: string;
  wrapperVersion?: string;
  /** TLS settings for connections to LaunchDarkly. */
  tlsParams?: LDTLSOptions;
  /** An HTTP proxy for connections to LaunchDarkly. */
  proxyOptions?: LDProxyOptions;
  /** Your own `http.Agent` for all SDK traffic; overrides `tlsParams` and `proxyOptions`. */
  proxyAgent?: Agent;
  /** Where to log. Default: `basicLogger({ level: 'info' })` to stderr. A throwing logger never breaks the SDK. */
  logger?: LDLogger;
  /**
   * A custom data source instead of streaming/polling: `integrations.TestData`'s or
   * `integrations.FileDataSourceFactory`'s `getFactory()`, or your own factory.
   */
  updateProcessor?: DataSourceFactory | { getFactory(): DataSourceFactory };
  /** Payload filter: adds `?filter=<key>` to stream and poll requests. Must match `^[a-zA-Z0-9][\w.-]*$`. */
  payloadFilterKey?: string;
  /** Gzip event payloads. Default false. */
  enableEventCompression?: boolean;
  /**
   * Cluster mode for node:cluster servers (Switchyard only): one upstream connection and one event
   * sender per host, shared by every worker. See {@link LDClusterOptions}. Default false. Cannot be
   * combined with `useLdd`.
   */
  cluster?: boolean | LDClusterOptions;
}

/** The validated options with every default filled in; durations converted to **milliseconds**. */
export interface Configuration {
  readonly baseUri: string;
  readonly streamUri: string;
  readonly eventsUri: string;
  readonly stream: boolean;
  readonly streamInitialReconnectDelayMs: number;
  readonly timeoutMs: number;
  readonly capacity: number;
  readonly flushIntervalMs: number;
  readonly pollIntervalMs: number;
  readonly offline: boolean;
  readonly useLdd: boolean;
  readonly sendEvents: boolean;
  readonly allAttributesPrivate: boolean;
  readonly privateAttributes: readonly string[];
  readonly contextKeysCapacity: number;
  readonly contextKeysFlushIntervalMs: number;
  readonly diagnosticOptOut: boolean;
  readonly diagnosticRecordingIntervalMs: number;
  readonly featureStore: LDOptions['featureStore'];
  readonly bigSegments: LDBigSegmentsOptions | undefined;
  readonly hooks: readonly Hook[];
  readonly plugins: readonly Plugin[];
  readonly application: LDApplicationInfo | undefined;
  /** The `X-LaunchDarkly-Tags` value, if any tag is valid. */
  readonly tags: string | undefined;
  readonly wrapperName: string | undefined;
  readonly wrapperVersion: string | undefined;
  readonly tlsParams: LDTLSOptions | undefined;
  readonly proxyOptions: LDProxyOptions | undefined;
  readonly proxyAgent: Agent | undefined;
  readonly updateProcessor: DataSourceFactory | undefined;
  readonly payloadFilterKey: string | undefined;
  readonly enableEventCompression: boolean;
  /** Cluster mode's settings, or undefined when it is off. */
  readonly cluster: ResolvedClusterOptions | undefined;
  readonly logger: LDLogger;
}
