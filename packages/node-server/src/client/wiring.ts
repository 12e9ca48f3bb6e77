/**
 * Builds a client's parts from its options: logger, validated configuration, cluster role, HTTP client,
 * store, big segments, data-source status and updates, event processor, hooks, the evaluator and its
 * data access, then (in {@link connectDataSource}) the data source and the cluster hub. Nothing here
 * starts anything or keeps state of its own; the client holds the parts.
 */
import cluster from 'node:cluster';
import { createHash, randomUUID } from 'node:crypto';

import { ConfigError, DataKinds, InMemoryDataStore, safeLogger, type DataStore, type LDLogger } from '@switchyard/core';
import {
  BigSegmentStoreWrapper,
  Evaluator,
  PENDING,
  nullEventProcessor,
  type AsyncEvaluationData,
  type EvaluationData,
} from '@switchyard/core/internal';

import { ClusterHub } from '../cluster/primary.js';
import { envFingerprint } from '../cluster/protocol.js';
import { ClusterReplicaSource, ForwardingEventProcessor, processChannel } from '../cluster/worker.js';
import type { DataSource } from '../data-sources/data-source.js';
import { DataSourceUpdates, type UpdateListener } from '../data-sources/data-source-updates.js';
import { PollingDataSource } from '../data-sources/polling.js';
import { DataSourceStatusManager } from '../data-sources/status.js';
import { StreamingDataSource, type StreamInitInfo } from '../data-sources/streaming.js';
import type { ClientEventProcessor, EventProcessorFactory } from '../events/event-processor.js';
import { eventProcessorFactory as defaultEventProcessorFactory } from '../events/factory.js';
import { HookRunner, type Hook } from '../hooks.js';
import { HttpClient } from '../http/http-client.js';
import { SDK_VERSION, defaultHeaders } from '../http/headers.js';
import { basicLogger, redactingLogger } from '../logging.js';
import type { ClientContext, Configuration, LDOptions } from '../options.js';
import { validateOptions } from '../validate-options.js';
import type { EnvironmentMetadata } from '../plugins.js';
import { resolveFeatureStore } from './feature-store.js';
import { PREFIX, messageOf } from './messages.js';

/** Settings tests and integrators inject; not part of LaunchDarkly's options. Times in milliseconds. */
export interface ClientInternalOptions {
  /** Replaces the default event processor factory. */
  readonly eventProcessorFactory?: EventProcessorFactory;
  /** Stream reconnect cap (default 30 000). */
  readonly streamMaxReconnectDelayMs?: number;
  /** Healthy time after which the stream backoff resets (default 60 000). */
  readonly streamRetryResetIntervalMs?: number;
  /** Stream read timeout (default 300 000). */
  readonly streamReadTimeoutMs?: number;
  /** Polling interval, bypassing the 30 s minimum (tests only). */
  readonly pollIntervalMs?: number;
  /** Randomness for jitter. */
  readonly random?: () => number;
  /** Also told about each stream connection attempt. */
  readonly onStreamInit?: (info: StreamInitInfo) => void;
  /** How long `close()` waits for each component. Default 5000. */
  readonly closeTimeoutMs?: number;
}

/** Cluster mode: this process's part (`none` when cluster mode is off, offline, or misconfigured). */
export type ClusterRole = 'none' | 'primary' | 'worker';

/** What {@link assembleClient} built: everything a client holds except its data source and cluster hub. */
export interface ClientParts {
  readonly sdkKey: string;
  readonly config: Configuration;
  readonly logger: LDLogger;
  readonly offline: boolean;
  readonly clusterRole: ClusterRole;
  /** What factories (`featureStore`, `updateProcessor`, big segments) are called with. */
  readonly context: ClientContext;
  readonly http: HttpClient;
  readonly headers: Readonly<Record<string, string>>;
  readonly store: DataStore;
  readonly bigSegments: BigSegmentStoreWrapper | undefined;
  readonly status: DataSourceStatusManager;
  readonly updates: DataSourceUpdates;
  readonly processor: ClientEventProcessor;
  /** Whether events are recorded: `sendEvents`, not offline, and a processor could be created. */
  readonly eventsOn: boolean;
  readonly environment: EnvironmentMetadata;
  readonly hooks: HookRunner;
  /** The evaluator's synchronous data access (`PENDING` when not in memory) and its asynchronous fallback. */
  readonly sync: EvaluationData;
  readonly async: AsyncEvaluationData;
  readonly evaluator: Evaluator;
  /** A configuration error that makes initialization fail (an unusable `featureStore`, cluster with `useLdd`). */
  readonly configError: ConfigError | undefined;
}

/**
 * Validates `options` and builds the client's parts, in the order the original single constructor did
 * (logs and factory calls happen in that order). Throws only when `sdkKey` is empty and `offline` is
 * not set. `listener` is told about data-source writes (update events, errors, cluster replication).
 */
export function assembleClient(sdkKey: string, options: LDOptions, internal: ClientInternalOptions, listener: UpdateListener): ClientParts {
  const baseLogger = options?.logger ? safeLogger(options.logger) : basicLogger({ level: 'info' });
  const logger = redactingLogger(baseLogger, typeof sdkKey === 'string' ? sdkKey : '');
  const config = validateOptions(options, logger);
  if (!sdkKey && !config.offline) throw new ConfigError(`${PREFIX} You must configure the client with an SDK key`);
  const key = sdkKey ?? '';

  const context: ClientContext = { sdkKey: key, logger, offline: config.offline, config };
  const role = chooseClusterRole(config);
  const http = new HttpClient(config);
  const headers = defaultHeaders(key, config, randomUUID());
  const { store, error: storeError } = resolveFeatureStore(config.featureStore, role.role === 'worker', context, logger);
  const bigSegments = createBigSegments(config, context, logger);
  const status = new DataSourceStatusManager(logger);
  const updates = new DataSourceUpdates(store, status, listener, logger);
  const processor = createEventProcessor(key, config, role.role, internal, logger, http, headers, store);
  const environment: EnvironmentMetadata = {
    sdk: { name: '@switchyard/node-server', version: SDK_VERSION, wrapperName: config.wrapperName, wrapperVersion: config.wrapperVersion },
    ...(config.application ? { application: config.application } : {}),
    sdkKey: key,
  };
  const hooks = createHooks(config, environment, logger);
  const sync = syncData(store, bigSegments);
  return {
    sdkKey: key,
    config,
    logger,
    offline: config.offline,
    clusterRole: role.role,
    context,
    http,
    headers,
    store,
    bigSegments,
    status,
    updates,
    processor,
    eventsOn: processor !== nullEventProcessor,
    environment,
    hooks,
    sync,
    async: asyncData(store, bigSegments),
    evaluator: new Evaluator(sync),
    // The store's problem is the one reported when there are two.
    configError: storeError ?? role.error,
  };
}

/**
 * This process's part in cluster mode: a node:cluster worker evaluates on the primary's replica, any
 * other process (the primary, or a process not started by node:cluster) is the primary. Cluster mode
 * with daemon mode is a configuration error (each would read flags differently).
 */
function chooseClusterRole(config: Configuration): { role: ClusterRole; error?: ConfigError } {
  if (!config.cluster || config.offline) return { role: 'none' };
  if (config.useLdd) {
    const error = new ConfigError(
      `${PREFIX} cluster and useLdd cannot be combined: in daemon mode every process reads the data store itself, in cluster mode the primary replicates to its workers. Choose one.`,
    );
    return { role: 'none', error };
  }
  return { role: cluster.isWorker ? 'worker' : 'primary' };
}

function createBigSegments(config: Configuration, context: ClientContext, logger: LDLogger): BigSegmentStoreWrapper | undefined {
  const options = config.bigSegments;
  if (!options?.store) return undefined;
  try {
    const store = typeof options.store === 'function' ? options.store(context) : options.store;
    return new BigSegmentStoreWrapper(store, {
      hashContextKey: (key) => createHash('sha256').update(key).digest('base64'),
      userCacheSize: options.userCacheSize,
      userCacheTime: options.userCacheTime,
      statusPollInterval: options.statusPollInterval,
      staleAfter: options.staleAfter,
      logger,
    });
  } catch (err) {
    logger.error(`${PREFIX} the big segment store could not be created: ${messageOf(err)}`);
    return undefined;
  }
}

/** The event processor; `nullEventProcessor` when events are off or the processor could not be created. */
function createEventProcessor(
  sdkKey: string,
  config: Configuration,
  role: ClusterRole,
  internal: ClientInternalOptions,
  logger: LDLogger,
  http: HttpClient,
  headers: Readonly<Record<string, string>>,
  store: DataStore,
): ClientEventProcessor {
  if (!config.sendEvents || config.offline) return nullEventProcessor;
  if (role === 'worker') return new ForwardingEventProcessor(processChannel(), envFingerprint(sdkKey), config, config.cluster!, logger);
  try {
    return (internal.eventProcessorFactory ?? defaultEventProcessorFactory)({ sdkKey, config, logger, http, headers, storeDescription: store.description });
  } catch (err) {
    logger.error(`${PREFIX} the event processor could not be created; analytics events are off: ${messageOf(err)}`);
    return nullEventProcessor;
  }
}

/** The configured hooks followed by each plugin's; a plugin that throws is logged and skipped. */
function createHooks(config: Configuration, environment: EnvironmentMetadata, logger: LDLogger): HookRunner {
  const hooks: Hook[] = [...config.hooks];
  for (const plugin of config.plugins) {
    try {
      hooks.push(...(plugin.getHooks?.(environment) ?? []));
    } catch (err) {
      logger.error(`${PREFIX} a plugin failed to provide hooks: ${messageOf(err)}`);
    }
  }
  return new HookRunner(logger, hooks);
}

function syncData(store: DataStore, bigSegments: BigSegmentStoreWrapper | undefined): EvaluationData {
  return {
    flag: (key) => {
      const item = store.getSync(DataKinds.features, key);
      return item === undefined ? PENDING : (item ?? undefined);
    },
    segment: (key) => {
      const item = store.getSync(DataKinds.segments, key);
      return item === undefined ? PENDING : (item ?? undefined);
    },
    // A membership cached by the big-segment wrapper answers at once; otherwise the async path fetches it.
    ...(bigSegments ? { bigSegments: (contextKey: string) => bigSegments.getMembershipSync(contextKey) ?? PENDING } : {}),
  };
}

function asyncData(store: DataStore, bigSegments: BigSegmentStoreWrapper | undefined): AsyncEvaluationData {
  return {
    flag: async (key) => (await store.get(DataKinds.features, key)) ?? undefined,
    segment: async (key) => (await store.get(DataKinds.segments, key)) ?? undefined,
    ...(bigSegments
      ? {
          bigSegments: async (contextKey: string) => {
            const r = await bigSegments.getMembership(contextKey);
            return { membership: r.membership, status: r.status };
          },
        }
      : {}),
  };
}

/** What a data source reports back to the client. */
export interface DataSourceCallbacks {
  /** The first full data set arrived. */
  initSuccess(): void;
  /** The data source stopped for good (or its factory threw). */
  failed(err: Error): void;
  /** The environment id LaunchDarkly sent in a response header. */
  environmentId(id: string): void;
}

/**
 * The data source (none offline, in daemon mode, or after a configuration error) and, for a cluster
 * primary, the hub that replicates to workers. Built after the client's lifecycle exists, because a
 * data source may report back as soon as it is created.
 */
export function connectDataSource(
  parts: ClientParts,
  internal: ClientInternalOptions,
  callbacks: DataSourceCallbacks,
): { dataSource: DataSource | undefined; hub: ClusterHub | undefined } {
  if (parts.configError) return { dataSource: undefined, hub: undefined };
  const dataSource = createDataSource(parts, internal, callbacks);
  return { dataSource, hub: parts.clusterRole === 'primary' ? createHub(parts) : undefined };
}

function createDataSource(parts: ClientParts, internal: ClientInternalOptions, callbacks: DataSourceCallbacks): DataSource | undefined {
  const { config, logger, updates, http, headers } = parts;
  if (config.offline || config.useLdd) return undefined;
  const initSuccess = () => callbacks.initSuccess();
  const errorHandler = (err: Error) => callbacks.failed(err);
  if (parts.clusterRole === 'worker') {
    return new ClusterReplicaSource(processChannel(), envFingerprint(parts.sdkKey), config.cluster!, updates, initSuccess, errorHandler, logger);
  }
  if (config.updateProcessor) {
    try {
      return config.updateProcessor(parts.context, updates, initSuccess, errorHandler);
    } catch (err) {
      logger.error(`${PREFIX} the updateProcessor factory threw: ${messageOf(err)}`);
      setTimeout(() => errorHandler(err instanceof Error ? err : new Error(String(err))), 0);
      return undefined;
    }
  }
  const filter = config.payloadFilterKey ? `?filter=${encodeURIComponent(config.payloadFilterKey)}` : '';
  const onEnvironmentId = (id: string) => callbacks.environmentId(id);
  // Items keep their JSON only for a store that may write it somewhere (the in-memory store never does)
  // or for a cluster primary, which sends it to its workers.
  const keepJson = !(parts.store instanceof InMemoryDataStore) || parts.clusterRole === 'primary';
  if (config.stream) {
    return new StreamingDataSource(
      {
        url: `${config.streamUri}/all${filter}`,
        http,
        headers,
        logger,
        initialReconnectDelayMs: config.streamInitialReconnectDelayMs,
        maxReconnectDelayMs: internal.streamMaxReconnectDelayMs,
        retryResetIntervalMs: internal.streamRetryResetIntervalMs,
        readTimeoutMs: internal.streamReadTimeoutMs,
        random: internal.random,
        onStreamInit: (info) => {
          internal.onStreamInit?.(info);
          parts.processor.recordStreamInit?.(info);
        },
        onEnvironmentId,
        keepJson,
      },
      updates,
      initSuccess,
      errorHandler,
    );
  }
  return new PollingDataSource(
    {
      url: `${config.baseUri}/sdk/latest-all${filter}`,
      http,
      headers,
      logger,
      intervalMs: internal.pollIntervalMs ?? config.pollIntervalMs,
      timeoutMs: config.timeoutMs,
      onEnvironmentId,
      keepJson,
    },
    updates,
    initSuccess,
    errorHandler,
  );
}

/** The primary's side of cluster mode: replicates data to workers, merges their events. */
function createHub(parts: ClientParts): ClusterHub {
  const { processor, logger } = parts;
  return new ClusterHub({
    env: envFingerprint(parts.sdkKey),
    logger,
    store: parts.store,
    status: parts.status,
    forwardEvents: (body) => {
      if (!parts.eventsOn || typeof processor.recordForwarded !== 'function') return;
      try {
        processor.recordForwarded(JSON.parse(body) as unknown[]);
      } catch (err) {
        logger.warn(`${PREFIX} dropped a cluster worker's events that were not valid JSON: ${messageOf(err)}`);
      }
    },
    flush: () => processor.flush(),
  });
}
