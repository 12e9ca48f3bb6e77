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

type Check =
  | { readonly type: 'string' }
  | { readonly type: 'boolean' }
  | { readonly type: 'number'; readonly min?: number }
  | { readonly type: 'object' }
  | { readonly type: 'objectOrFactory' }
  | { readonly type: 'stringArray' }
  | { readonly type: 'array' }
  | { readonly type: 'booleanOrObject' }
  | { readonly type: 'pattern'; readonly pattern: RegExp };

const CHECKS: Readonly<Record<string, Check>> = {
  baseUri: { type: 'string' },
  streamUri: { type: 'string' },
  eventsUri: { type: 'string' },
  stream: { type: 'boolean' },
  streamInitialReconnectDelay: { type: 'number', min: 0 },
  timeout: { type: 'number', min: 1 },
  capacity: { type: 'number', min: 1 },
  flushInterval: { type: 'number', min: 0.1 },
  pollInterval: { type: 'number', min: 30 },
  offline: { type: 'boolean' },
  useLdd: { type: 'boolean' },
  sendEvents: { type: 'boolean' },
  allAttributesPrivate: { type: 'boolean' },
  privateAttributes: { type: 'stringArray' },
  contextKeysCapacity: { type: 'number', min: 0 },
  contextKeysFlushInterval: { type: 'number', min: 1 },
  diagnosticOptOut: { type: 'boolean' },
  diagnosticRecordingInterval: { type: 'number', min: 60 },
  featureStore: { type: 'objectOrFactory' },
  bigSegments: { type: 'object' },
  hooks: { type: 'array' },
  plugins: { type: 'array' },
  application: { type: 'object' },
  wrapperName: { type: 'string' },
  wrapperVersion: { type: 'string' },
  tlsParams: { type: 'object' },
  proxyOptions: { type: 'object' },
  proxyAgent: { type: 'object' },
  logger: { type: 'object' },
  updateProcessor: { type: 'objectOrFactory' },
  payloadFilterKey: { type: 'pattern', pattern: /^[a-zA-Z0-9][\w.-]*$/ },
  enableEventCompression: { type: 'boolean' },
  cluster: { type: 'booleanOrObject' },
};

/** LaunchDarkly option names that exist but that this SDK does not implement (accepted, with a warning). */
const UNSUPPORTED = new Set(['dataSystem']);

/** LaunchDarkly's defaults, in LaunchDarkly's units (seconds). */
export const defaultOptions = Object.freeze({
  baseUri: 'https://sdk.launchdarkly.com',
  streamUri: 'https://stream.launchdarkly.com',
  eventsUri: 'https://events.launchdarkly.com',
  stream: true,
  streamInitialReconnectDelay: 1,
  timeout: 10,
  capacity: 10000,
  flushInterval: 5,
  pollInterval: 30,
  offline: false,
  useLdd: false,
  sendEvents: true,
  allAttributesPrivate: false,
  privateAttributes: [] as readonly string[],
  contextKeysCapacity: 1000,
  contextKeysFlushInterval: 300,
  diagnosticOptOut: false,
  diagnosticRecordingInterval: 900,
  enableEventCompression: false,
});

const PREFIX = '[switchyard/node-server]';
const TAG_PATTERN = /^[\w.-]+$/;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return '[]';
  return String(value);
}

/** Edit distance, for suggesting the option a misspelt name meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const temp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = temp;
    }
  }
  return row[b.length]!;
}

/** The known option closest to `name` (case-insensitively, at most 2 edits away), if any. */
function closestOption(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of Object.keys(CHECKS)) {
    const d = distance(name.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Validates options the way LaunchDarkly's SDK does (unknown names and wrong types warn and fall back to
 * the default; numbers below a minimum are raised to it, with a warning) and converts durations to
 * milliseconds. Never throws: a configuration problem must not stop an application from starting.
 */
export function validateOptions(options: LDOptions | undefined, logger: LDLogger): Configuration {
  const given = (options ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...defaultOptions };
  for (const name of Object.keys(given)) {
    const value = given[name];
    const check = CHECKS[name];
    if (UNSUPPORTED.has(name)) {
      logger.warn(`${PREFIX} option "${name}" is not supported by Switchyard and is ignored`);
      continue;
    }
    if (!check) {
      const near = closestOption(name);
      logger.warn(`${PREFIX} unknown option "${name}" is ignored${near ? ` (did you mean "${near}"?)` : ''}`);
      continue;
    }
    if (value === undefined || value === null) continue;
    const fallback = (defaultOptions as Record<string, unknown>)[name];
    const usingDefault = fallback === undefined ? 'it is ignored' : `using the default ${show(fallback)}`;
    switch (check.type) {
      case 'boolean':
        if (typeof value !== 'boolean') {
          logger.warn(`${PREFIX} option "${name}" should be a boolean, got ${typeName(value)}; using ${String(!!value)}`);
          out[name] = !!value;
          continue;
        }
        break;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          logger.warn(`${PREFIX} option "${name}" should be a number, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        if (check.min !== undefined && value < check.min) {
          logger.warn(`${PREFIX} option "${name}" is ${value}, below its minimum ${check.min}; using ${check.min}`);
          out[name] = check.min;
          continue;
        }
        break;
      case 'string':
        if (typeof value !== 'string') {
          logger.warn(`${PREFIX} option "${name}" should be a string, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        break;
      case 'pattern':
        if (typeof value !== 'string' || !check.pattern.test(value)) {
          logger.warn(`${PREFIX} option "${name}" should be a string matching ${String(check.pattern)}; ${usingDefault}`);
          continue;
        }
        break;
      case 'stringArray':
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
          logger.warn(`${PREFIX} option "${name}" should be an array of strings, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        break;
      case 'array':
        if (!Array.isArray(value)) {
          logger.warn(`${PREFIX} option "${name}" should be an array, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        break;
      case 'object':
        if (typeof value !== 'object' || Array.isArray(value)) {
          logger.warn(`${PREFIX} option "${name}" should be an object, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        break;
      case 'booleanOrObject':
        if (typeof value !== 'boolean' && (typeof value !== 'object' || Array.isArray(value))) {
          logger.warn(`${PREFIX} option "${name}" should be a boolean or an object, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        break;
      case 'objectOrFactory':
        // An unusable store is not replaced by a default: the client fails initialization with a
        // ConfigError instead (running without the persistence asked for would lose data on restart).
        if (name === 'featureStore') break;
        if ((typeof value !== 'object' && typeof value !== 'function') || Array.isArray(value)) {
          logger.warn(`${PREFIX} option "${name}" should be an object or a factory function, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        break;
    }
    out[name] = value;
  }
  warnPartialEndpoints(given, out, logger);

  const trim = (uri: unknown) => String(uri).replace(/\/+$/, '');
  const updateProcessor = out.updateProcessor as LDOptions['updateProcessor'];
  return Object.freeze({
    baseUri: trim(out.baseUri),
    streamUri: trim(out.streamUri),
    eventsUri: trim(out.eventsUri),
    stream: out.stream as boolean,
    streamInitialReconnectDelayMs: Math.max(0, (out.streamInitialReconnectDelay as number) * 1000),
    timeoutMs: (out.timeout as number) * 1000,
    capacity: out.capacity as number,
    flushIntervalMs: (out.flushInterval as number) * 1000,
    pollIntervalMs: (out.pollInterval as number) * 1000,
    offline: out.offline as boolean,
    useLdd: out.useLdd as boolean,
    sendEvents: out.sendEvents as boolean,
    allAttributesPrivate: out.allAttributesPrivate as boolean,
    privateAttributes: Object.freeze([...(out.privateAttributes as string[])]),
    contextKeysCapacity: out.contextKeysCapacity as number,
    contextKeysFlushIntervalMs: (out.contextKeysFlushInterval as number) * 1000,
    diagnosticOptOut: out.diagnosticOptOut as boolean,
    diagnosticRecordingIntervalMs: (out.diagnosticRecordingInterval as number) * 1000,
    featureStore: out.featureStore as LDOptions['featureStore'],
    bigSegments: out.bigSegments as LDBigSegmentsOptions | undefined,
    hooks: Object.freeze([...((out.hooks as Hook[] | undefined) ?? [])]),
    plugins: Object.freeze([...((out.plugins as Plugin[] | undefined) ?? [])]),
    application: out.application as LDApplicationInfo | undefined,
    tags: applicationTags(out.application as LDApplicationInfo | undefined, logger),
    wrapperName: out.wrapperName as string | undefined,
    wrapperVersion: out.wrapperVersion as string | undefined,
    tlsParams: out.tlsParams as LDTLSOptions | undefined,
    proxyOptions: out.proxyOptions as LDProxyOptions | undefined,
    proxyAgent: out.proxyAgent as Agent | undefined,
    updateProcessor:
      updateProcessor === undefined
        ? undefined
        : typeof updateProcessor === 'function'
          ? updateProcessor
          : typeof updateProcessor.getFactory === 'function'
            ? updateProcessor.getFactory()
            : undefined,
    payloadFilterKey: out.payloadFilterKey as string | undefined,
    enableEventCompression: out.enableEventCompression as boolean,
    cluster: clusterOptions(out.cluster as LDOptions['cluster'], logger),
    logger,
  });
}

function clusterOptions(value: LDOptions['cluster'], logger: LDLogger): ResolvedClusterOptions | undefined {
  if (!value) return undefined;
  const given = typeof value === 'object' ? value : {};
  const ms = (name: keyof LDClusterOptions, fallback: number): number => {
    const v = given[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      logger.warn(`${PREFIX} option "cluster.${name}" should be a number of milliseconds, got ${typeName(v)}; using the default ${fallback}`);
      return fallback;
    }
    if (v < 100) {
      logger.warn(`${PREFIX} option "cluster.${name}" is ${v}, below its minimum 100; using 100`);
      return 100;
    }
    return v;
  };
  for (const name of Object.keys(given)) {
    if (name !== 'eventForwardIntervalMs' && name !== 'primaryTimeoutMs') logger.warn(`${PREFIX} unknown option "cluster.${name}" is ignored`);
  }
  return Object.freeze({ eventForwardIntervalMs: ms('eventForwardIntervalMs', 1000), primaryTimeoutMs: ms('primaryTimeoutMs', 5000) });
}

/** As LaunchDarkly's SDK: setting only some of the three URIs is usually a mistake (traffic split between services). */
function warnPartialEndpoints(given: Record<string, unknown>, out: Record<string, unknown>, logger: LDLogger): void {
  const set = (name: string) => given[name] !== undefined && given[name] !== null;
  const stream = set('streamUri');
  const base = set('baseUri');
  const events = set('eventsUri');
  if (stream === base && base === events) return;
  const warn = (name: string) =>
    logger.warn(`${PREFIX} you have set custom URIs without specifying "${name}"; it will use the default LaunchDarkly URI, which may not be what you want`);
  if (!stream && out.stream) warn('streamUri');
  if (!base) warn('baseUri');
  if (!events && out.sendEvents) warn('eventsUri');
}

/** `application-id/<id> application-name/<n> …`, keys sorted; invalid values are dropped with a warning. */
export function applicationTags(application: LDApplicationInfo | undefined, logger: LDLogger): string | undefined {
  if (!application) return undefined;
  const tags: [string, unknown][] = [
    ['application-id', application.id],
    ['application-name', application.name],
    ['application-version', application.version],
    ['application-version-name', application.versionName],
  ];
  const parts: string[] = [];
  for (const [tag, value] of tags) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !TAG_PATTERN.test(value) || value.length > 64) {
      logger.warn(`${PREFIX} application tag "${tag}" (${show(value)}) is not valid (letters, digits, ".", "_", "-", at most 64 characters); it is not sent`);
      continue;
    }
    parts.push(`${tag}/${value}`);
  }
  parts.sort();
  return parts.length ? parts.join(' ') : undefined;
}
