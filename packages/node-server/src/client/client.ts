import cluster from 'node:cluster';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

import {
  BigSegmentStoreWrapper,
  ClosedError,
  ConfigError,
  Context,
  DataKinds,
  Evaluator,
  FlagsStateBuilder,
  InMemoryDataStore,
  PENDING,
  PersistentStoreWrapper,
  Reasons,
  TimeoutError,
  errorDetail,
  evaluateAsync,
  nullEventProcessor,
  recordEvaluationWithPrerequisites,
  safeLogger,
  toDetail,
  type AsyncEvaluationData,
  type BigSegmentStoreStatusProvider,
  type DataStore,
  type DataStoreStatusProvider,
  type EvaluationData,
  type EvaluationResult,
  type EventProcessorStats,
  type Flag,
  type LDContext,
  type LDEvaluationDetail,
  type LDFlagsState,
  type LDFlagsStateOptions,
  type LDLogger,
  type PersistentDataStore,
} from '@switchyard/core';

import { ClusterHub } from '../cluster/primary.js';
import { envFingerprint } from '../cluster/protocol.js';
import { ClusterReplicaSource, ForwardingEventProcessor, processChannel } from '../cluster/worker.js';
import type { DataSource } from '../data-sources/data-source.js';
import { DataSourceUpdates } from '../data-sources/data-source-updates.js';
import { PollingDataSource } from '../data-sources/polling.js';
import { DataSourceStatusManager, type DataSourceStatusProvider } from '../data-sources/status.js';
import { StreamingDataSource, type StreamInitInfo } from '../data-sources/streaming.js';
import type { ClientEventProcessor, EventProcessorFactory } from '../events/event-processor.js';
import { eventProcessorFactory as defaultEventProcessorFactory } from '../events/factory.js';
import { HookRunner, type EvaluationMetadataSink, type EvaluationSeriesContext, type Hook } from '../hooks.js';
import { HttpClient } from '../http/http-client.js';
import { SDK_VERSION, defaultHeaders } from '../http/headers.js';
import { basicLogger, redactingLogger } from '../logging.js';
import { migrationVariationResult, recordMigrationEvent } from '../migrations/client-support.js';
import type { LDMigrationOpEvent, LDMigrationStage, LDMigrationVariation } from '../migrations/types.js';
import { validateOptions, type ClientContext, type Configuration, type LDOptions } from '../options.js';
import type { EnvironmentMetadata } from '../plugins.js';
import type { LDClient, LDEvaluationDetailTyped, LDEvaluationDetailWithMetadata, LDVariationMetadataOptions, LDWaitForInitializationOptions } from './api.js';
import { registerClient, unregisterClient } from './registry.js';

const PREFIX = '[switchyard/node-server]';

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

type ValueType = 'boolean' | 'number' | 'string';
type InitState = 'initializing' | 'initialized' | 'failed';

const METHOD = {
  variation: 'LDClient.variation',
  variationDetail: 'LDClient.variationDetail',
  bool: 'LDClient.boolVariation',
  boolDetail: 'LDClient.boolVariationDetail',
  number: 'LDClient.numberVariation',
  numberDetail: 'LDClient.numberVariationDetail',
  string: 'LDClient.stringVariation',
  stringDetail: 'LDClient.stringVariationDetail',
  json: 'LDClient.jsonVariation',
  jsonDetail: 'LDClient.jsonVariationDetail',
  migration: 'LDClient.migrationVariation',
} as const;

const TYPED_DETAIL_METHOD: Readonly<Record<string, string>> = {
  boolean: METHOD.boolDetail,
  number: METHOD.numberDetail,
  string: METHOD.stringDetail,
};

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function describeContext(meta: EvaluationMetadataSink, context: Context): void {
  meta.contextKey = context.canonicalKey;
  meta.contextKinds = context.kinds;
}

const DATA_STORE_METHODS = ['getSync', 'get', 'allSync', 'all', 'init', 'upsert', 'initialized', 'onRefreshNeeded', 'close'] as const;
const PERSISTENT_STORE_METHODS = ['init', 'get', 'getAll', 'upsert', 'isInitialized', 'isStoreAvailable', 'close'] as const;

function missing(value: Record<string, unknown>, methods: readonly string[]): string[] {
  return methods.filter((m) => typeof value[m] !== 'function');
}

/**
 * Which store contract `value` implements: core's `DataStore` (used as is), `PersistentDataStore`
 * (wrapped), or neither, with a message naming what is missing. `what` starts the message.
 */
function storeShape(value: unknown, what: string): { kind: 'data' | 'persistent' } | { kind: 'invalid'; problem: string } {
  if (typeof value !== 'object' || value === null) {
    return { kind: 'invalid', problem: `${what} ${value === null ? 'null' : typeof value}, not a data store` };
  }
  const record = value as Record<string, unknown>;
  if (typeof record.then === 'function') {
    return { kind: 'invalid', problem: `${what} a Promise; pass the store itself (a factory must return it synchronously)` };
  }
  const asData = missing(record, DATA_STORE_METHODS);
  const status = record.status as Record<string, unknown> | undefined;
  if (asData.length === 0 && typeof status?.getStatus === 'function' && typeof status.on === 'function') return { kind: 'data' };
  const asPersistent = missing(record, PERSISTENT_STORE_METHODS);
  if (asPersistent.length === 0) return { kind: 'persistent' };
  if (typeof record.getDescription === 'function' && typeof record.delete === 'function') {
    return {
      kind: 'invalid',
      problem: `${what} a LaunchDarkly LDFeatureStore (callback API), which Switchyard does not accept; use a Switchyard store package (@switchyard/store-redis, -dynamodb, -consul) or implement PersistentDataStore`,
    };
  }
  // Name what is missing for the contract the object comes closest to.
  const [contract, absent] =
    typeof record.getSync === 'function' || asData.length < asPersistent.length
      ? (['a DataStore', asData.length > 0 ? asData : ['status (a DataStoreStatusProvider)']] as const)
      : (['a PersistentDataStore', asPersistent] as const);
  return { kind: 'invalid', problem: `${what} not ${contract}: missing ${absent.join(', ')}` };
}

/** A big-segment status provider for a client without big segments. */
const NO_BIG_SEGMENTS: BigSegmentStoreStatusProvider = Object.freeze({
  getStatus: () => undefined,
  requireStatus: () => Promise.resolve(Object.freeze({ available: false, stale: false })),
  on: () => () => undefined,
  off: () => undefined,
});

/**
 * The Switchyard client (what {@link init} returns). See {@link LDClient} for the API.
 *
 * The evaluation hot path: the context is read in place (`Context.borrow`), the flag comes from the
 * store's synchronous `getSync`, and evaluation is synchronous; a promise is made only for the returned
 * value, and the store is awaited only when it cannot answer from memory. Events, hooks and their
 * allocations happen only when configured.
 */
export class SwitchyardClient extends EventEmitter implements LDClient {
  private readonly _sdkKey: string;
  private readonly _config: Configuration;
  private readonly _logger: LDLogger;
  private readonly _store: DataStore;
  private readonly _bigSegments: BigSegmentStoreWrapper | undefined;
  private readonly _status: DataSourceStatusManager;
  private readonly _updates: DataSourceUpdates;
  private readonly _processor: ClientEventProcessor;
  private readonly _eventsOn: boolean;
  private readonly _hooks: HookRunner;
  private readonly _http: HttpClient;
  private readonly _dataSource: DataSource | undefined;
  private readonly _evaluator: Evaluator;
  private readonly _sync: EvaluationData;
  private readonly _async: AsyncEvaluationData;
  private readonly _internal: ClientInternalOptions;
  private readonly _offline: boolean;
  /** Cluster mode: this process's part (`none` when cluster mode is off, offline, or misconfigured). */
  private readonly _clusterRole: 'none' | 'primary' | 'worker';
  private _hub: ClusterHub | undefined;

  private _initState: InitState = 'initializing';
  private _initPromise: Promise<LDClient> | undefined;
  private _initResolve: ((client: LDClient) => void) | undefined;
  private _initReject: ((err: Error) => void) | undefined;
  private _initError: Error | undefined;
  /** Known (sticky) once the store said it holds a full data set: evaluations may use it before init. */
  private _storeInitialized = false;
  private _storeCheck: Promise<boolean> | undefined;
  private _environmentId: string | undefined;
  private _lastKnownWarned = false;
  private _allFlagsWarned = false;
  private _syncMissWarned = false;
  private _syncNoCacheWarned = false;
  /** A configuration error that makes initialization fail (an unusable `featureStore`). */
  private _configError: ConfigError | undefined;
  private _closed: Promise<void> | undefined;

  constructor(sdkKey: string, options: LDOptions = {}, internal: ClientInternalOptions = {}) {
    super();
    const baseLogger = options?.logger ? safeLogger(options.logger) : basicLogger({ level: 'info' });
    this._logger = redactingLogger(baseLogger, typeof sdkKey === 'string' ? sdkKey : '');
    const config = validateOptions(options, this._logger);
    this._config = config;
    this._internal = internal;
    this._offline = config.offline;
    if (!sdkKey && !config.offline) throw new Error(`${PREFIX} You must configure the client with an SDK key`);
    this._sdkKey = sdkKey ?? '';

    const context: ClientContext = { sdkKey: this._sdkKey, logger: this._logger, offline: config.offline, config };
    this._clusterRole = this._chooseClusterRole();
    this._http = new HttpClient(config);
    const headers = defaultHeaders(this._sdkKey, config, randomUUID());
    this._store = this._createStore(context);
    this._bigSegments = this._createBigSegments(context);
    this._status = new DataSourceStatusManager(this._logger);
    this._updates = new DataSourceUpdates(
      this._store,
      this._status,
      {
        hasListeners: () => this.eventNames().some((n) => n === 'update' || (typeof n === 'string' && n.startsWith('update:'))),
        onChange: (key) => {
          this.emit('update', { key });
          this.emit(`update:${key}`, { key });
        },
        onError: (err) => this._emitError(err),
        onApplied: (change) => this._hub?.applied(change),
      },
      this._logger,
    );

    this._eventsOn = config.sendEvents && !config.offline;
    let events: ClientEventProcessor = nullEventProcessor;
    if (this._eventsOn && this._clusterRole === 'worker') {
      events = new ForwardingEventProcessor(processChannel(), envFingerprint(this._sdkKey), config, config.cluster!, this._logger);
    } else if (this._eventsOn) {
      try {
        events = (internal.eventProcessorFactory ?? defaultEventProcessorFactory)({
          sdkKey: this._sdkKey,
          config,
          logger: this._logger,
          http: this._http,
          headers,
          storeDescription: this._store.description,
        });
      } catch (err) {
        this._logger.error(`${PREFIX} the event processor could not be created; analytics events are off: ${messageOf(err)}`);
      }
    }
    this._processor = events;
    this._eventsOn = events !== nullEventProcessor;

    const environment: EnvironmentMetadata = {
      sdk: { name: '@switchyard/node-server', version: SDK_VERSION, wrapperName: config.wrapperName, wrapperVersion: config.wrapperVersion },
      ...(config.application ? { application: config.application } : {}),
      sdkKey: this._sdkKey,
    };
    const hooks: Hook[] = [...config.hooks];
    for (const plugin of config.plugins) {
      try {
        hooks.push(...(plugin.getHooks?.(environment) ?? []));
      } catch (err) {
        this._logger.error(`${PREFIX} a plugin failed to provide hooks: ${messageOf(err)}`);
      }
    }
    this._hooks = new HookRunner(this._logger, hooks);

    const store = this._store;
    const bigSegments = this._bigSegments;
    this._sync = {
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
    this._async = {
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
    this._evaluator = new Evaluator(this._sync);

    this._dataSource = this._configError ? undefined : this._createDataSource(context, headers);
    if (this._clusterRole === 'primary' && !this._configError) this._hub = this._createHub();
    if (config.offline) this._status.update('OFF');
    const open = registerClient(this._sdkKey, this);
    if (open > 1 && !config.offline) {
      this._logger.warn(
        `${PREFIX} ${open} clients are open for the same SDK key in this process; each holds its own connection and memory. Create one client per process and share it (see sharedClient()).`,
      );
    }
    if (this._configError) {
      const err = this._configError;
      this._initState = 'failed';
      this._initError = err;
      this._status.update('OFF', { kind: 'UNKNOWN', message: err.message });
      this._logger.error(err.message);
      // After the caller had a chance to attach 'failed'/'error' listeners.
      setTimeout(() => {
        if (this.listenerCount('error') > 0) this.emit('error', err);
        this.emit('failed', err);
      }, 0);
    } else if (this._dataSource) {
      this._dataSource.start();
      void this._checkStoreInitialized();
    } else {
      if (config.useLdd) this._status.update('VALID');
      setTimeout(() => this._initSuccess(), 0);
    }
    for (const plugin of config.plugins) {
      try {
        plugin.register(this, environment);
      } catch (err) {
        this._logger.error(`${PREFIX} a plugin failed to register: ${messageOf(err)}`);
      }
    }
  }

  // --- construction ----------------------------------------------------------------------------

  /**
   * The configured store. A `featureStore` that cannot be used (a factory that throws or returns
   * something else, an object of the wrong shape) is a configuration error: the client fails
   * initialization with a {@link ConfigError} saying what was wrong, rather than run without the
   * persistence the application asked for. It then holds an empty in-memory store, so evaluations
   * return defaults (`CLIENT_NOT_READY`) instead of throwing.
   */
  private _createStore(context: ClientContext): DataStore {
    const option: unknown = this._config.featureStore;
    if (option === undefined || option === null) return new InMemoryDataStore();
    if (this._clusterRole === 'worker') {
      // The same options usually configure the primary and the workers: the store is the primary's. A
      // factory (what the store packages give) is never called here; a store instance created for this
      // worker is closed at once, so it holds no connections.
      this._logger.info(`${PREFIX} cluster worker: featureStore is used by the primary only; this worker evaluates on the primary's replica in memory`);
      const unused = option as { close?: () => unknown };
      if (typeof option === 'object' && typeof unused.close === 'function') {
        void Promise.resolve()
          .then(() => unused.close!())
          .catch((err: unknown) => this._logger.warn(`${PREFIX} closing the unused featureStore failed: ${messageOf(err)}`));
      }
      return new InMemoryDataStore();
    }
    let store: unknown;
    try {
      store = typeof option === 'function' ? (option as (c: ClientContext) => unknown)(context) : option;
    } catch (err) {
      return this._storeConfigError(`the featureStore factory threw: ${messageOf(err)}`, err);
    }
    const shape = storeShape(store, typeof option === 'function' ? 'the featureStore factory returned' : 'featureStore is');
    if (shape.kind === 'invalid') return this._storeConfigError(shape.problem);
    if (shape.kind === 'data') return store as DataStore;
    return new PersistentStoreWrapper(store as PersistentDataStore, { logger: this._logger });
  }

  private _storeConfigError(problem: string, cause?: unknown): DataStore {
    this._configError = new ConfigError(`${PREFIX} ${problem}. The client will not initialize: fix the featureStore option.`, { cause });
    return new InMemoryDataStore();
  }

  private _createBigSegments(context: ClientContext): BigSegmentStoreWrapper | undefined {
    const options = this._config.bigSegments;
    if (!options?.store) return undefined;
    try {
      const store = typeof options.store === 'function' ? options.store(context) : options.store;
      return new BigSegmentStoreWrapper(store, {
        hashContextKey: (key) => createHash('sha256').update(key).digest('base64'),
        userCacheSize: options.userCacheSize,
        userCacheTime: options.userCacheTime,
        statusPollInterval: options.statusPollInterval,
        staleAfter: options.staleAfter,
        logger: this._logger,
      });
    } catch (err) {
      this._logger.error(`${PREFIX} the big segment store could not be created: ${messageOf(err)}`);
      return undefined;
    }
  }

  private _createDataSource(context: ClientContext, headers: Readonly<Record<string, string>>): DataSource | undefined {
    const config = this._config;
    if (config.offline || config.useLdd) return undefined;
    const initSuccess = () => this._initSuccess();
    const errorHandler = (err: Error) => this._dataSourceFailed(err);
    if (this._clusterRole === 'worker') {
      return new ClusterReplicaSource(processChannel(), envFingerprint(this._sdkKey), config.cluster!, this._updates, initSuccess, errorHandler, this._logger);
    }
    if (config.updateProcessor) {
      try {
        return config.updateProcessor(context, this._updates, initSuccess, errorHandler);
      } catch (err) {
        this._logger.error(`${PREFIX} the updateProcessor factory threw: ${messageOf(err)}`);
        setTimeout(() => errorHandler(err instanceof Error ? err : new Error(String(err))), 0);
        return undefined;
      }
    }
    const filter = config.payloadFilterKey ? `?filter=${encodeURIComponent(config.payloadFilterKey)}` : '';
    const onEnvironmentId = (id: string) => {
      this._environmentId = id;
    };
    // Items keep their JSON only for a store that may write it somewhere (the in-memory store never does)
    // or for a cluster primary, which sends it to its workers.
    const keepJson = !(this._store instanceof InMemoryDataStore) || this._clusterRole === 'primary';
    if (config.stream) {
      return new StreamingDataSource(
        {
          url: `${config.streamUri}/all${filter}`,
          http: this._http,
          headers,
          logger: this._logger,
          initialReconnectDelayMs: config.streamInitialReconnectDelayMs,
          maxReconnectDelayMs: this._internal.streamMaxReconnectDelayMs,
          retryResetIntervalMs: this._internal.streamRetryResetIntervalMs,
          readTimeoutMs: this._internal.streamReadTimeoutMs,
          random: this._internal.random,
          onStreamInit: (info) => {
            this._internal.onStreamInit?.(info);
            this._processor.recordStreamInit?.(info);
          },
          onEnvironmentId,
          keepJson,
        },
        this._updates,
        initSuccess,
        errorHandler,
      );
    }
    return new PollingDataSource(
      {
        url: `${config.baseUri}/sdk/latest-all${filter}`,
        http: this._http,
        headers,
        logger: this._logger,
        intervalMs: this._internal.pollIntervalMs ?? config.pollIntervalMs,
        timeoutMs: config.timeoutMs,
        onEnvironmentId,
        keepJson,
      },
      this._updates,
      initSuccess,
      errorHandler,
    );
  }

  /**
   * This process's part in cluster mode: a node:cluster worker evaluates on the primary's replica, any
   * other process (the primary, or a process not started by node:cluster) is the primary. Cluster mode
   * with daemon mode is a configuration error (each would read flags differently).
   */
  private _chooseClusterRole(): 'none' | 'primary' | 'worker' {
    const config = this._config;
    if (!config.cluster || config.offline) return 'none';
    if (config.useLdd) {
      this._configError = new ConfigError(
        `${PREFIX} cluster and useLdd cannot be combined: in daemon mode every process reads the data store itself, in cluster mode the primary replicates to its workers. Choose one.`,
      );
      return 'none';
    }
    return cluster.isWorker ? 'worker' : 'primary';
  }

  /** The primary's side of cluster mode: replicates data to workers, merges their events. */
  private _createHub(): ClusterHub {
    const processor = this._processor;
    return new ClusterHub({
      env: envFingerprint(this._sdkKey),
      logger: this._logger,
      store: this._store,
      status: this._status,
      forwardEvents: (body) => {
        if (!this._eventsOn || typeof processor.recordForwarded !== 'function') return;
        try {
          processor.recordForwarded(JSON.parse(body) as unknown[]);
        } catch (err) {
          this._logger.warn(`${PREFIX} dropped a cluster worker's events that were not valid JSON: ${messageOf(err)}`);
        }
      },
      flush: () => this._processor.flush(),
    });
  }

  // --- lifecycle -----------------------------------------------------------------------------

  get logger(): LDLogger {
    return this._logger;
  }

  get dataSourceStatusProvider(): DataSourceStatusProvider {
    return this._status;
  }

  get dataStoreStatusProvider(): DataStoreStatusProvider {
    return this._store.status;
  }

  get bigSegmentStoreStatusProvider(): BigSegmentStoreStatusProvider {
    return this._bigSegments?.status ?? NO_BIG_SEGMENTS;
  }

  initialized(): boolean {
    return this._initState === 'initialized';
  }

  isOffline(): boolean {
    return this._offline;
  }

  addHook(hook: Hook): void {
    this._hooks.add(hook);
  }

  waitForInitialization(options?: LDWaitForInitializationOptions): Promise<LDClient> {
    const timeout = options?.timeout;
    const hasSource = this._dataSource !== undefined;
    if (timeout === undefined && hasSource) {
      this._logger.warn(
        `${PREFIX} waitForInitialization was called without a timeout; it will wait until the client initializes or fails. Pass { timeout } in seconds.`,
      );
    } else if (timeout !== undefined && timeout > 60 && hasSource) {
      this._logger.warn(`${PREFIX} waitForInitialization was called with a timeout over 60 seconds; we recommend less than 60 seconds.`);
    }
    // Created on first request only, so a failure nobody waits for never becomes an unhandled rejection.
    if (!this._initPromise) {
      if (this._initState === 'initialized') this._initPromise = Promise.resolve(this);
      else if (this._initState === 'failed') this._initPromise = Promise.reject(this._initError);
      else {
        this._initPromise = new Promise<LDClient>((resolve, reject) => {
          this._initResolve = resolve;
          this._initReject = reject;
        });
      }
    }
    if (!timeout || this._initState !== 'initializing') return this._initPromise;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const fromStore = this._storeInitialized ? '; the data store has data, so the client serves the last known flag values meanwhile' : '';
        const err = new TimeoutError(
          `${PREFIX} waitForInitialization timed out after ${timeout} seconds; the client keeps trying in the background${fromStore}`,
          timeout * 1000,
        );
        this._logger.error(err.message);
        reject(err);
      }, timeout * 1000);
    });
    return Promise.race([this._initPromise, timedOut]).finally(() => clearTimeout(timer));
  }

  private _initSuccess(): void {
    if (this._initState !== 'initializing' || this._closed) return;
    if (this._dataSource) this._updates.sourceInitialized();
    this._initState = 'initialized';
    this._storeInitialized = true;
    this._initResolve?.(this);
    try {
      this.emit('ready');
    } catch (err) {
      // A throwing listener is the application's bug; it must not break the data source that called us.
      this._logger.error(`${PREFIX} a 'ready' listener threw: ${messageOf(err)}`);
    }
  }

  private _dataSourceFailed(err: Error): void {
    this._hub?.failed(err.message);
    this._emitError(err);
    this.emit('failed', err);
    if (this._initState === 'initializing') {
      this._initState = 'failed';
      this._initError = err;
      this._initReject?.(err);
    }
  }

  /** `error` event when someone listens, else a log line: an `error` event with no listener would crash the process. */
  private _emitError(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else this._logger.error(err.message);
  }

  /** Asks the store whether it holds data (for evaluations before init); remembers a yes. */
  private _checkStoreInitialized(): Promise<boolean> {
    if (this._storeInitialized) return Promise.resolve(true);
    this._storeCheck ??= this._store
      .initialized()
      .catch(() => false)
      .then((yes) => {
        this._storeCheck = undefined;
        if (yes) this._storeInitialized = true;
        return yes;
      });
    return this._storeCheck;
  }

  close(): Promise<void> {
    this._closed ??= this._close();
    return this._closed;
  }

  private async _close(): Promise<void> {
    unregisterClient(this._sdkKey, this);
    const bound = this._internal.closeTimeoutMs ?? 5000;
    const step = async (what: string, fn: () => unknown): Promise<void> => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(fn),
          new Promise((resolve) => {
            timer = setTimeout(() => {
              this._logger.warn(`${PREFIX} closing the ${what} took longer than ${bound} ms; continuing`);
              resolve(undefined);
            }, bound);
          }),
        ]);
      } catch (err) {
        this._logger.warn(`${PREFIX} closing the ${what} failed: ${messageOf(err)}`);
      } finally {
        clearTimeout(timer);
      }
    };
    await step('data source', () => this._dataSource?.close());
    this._hub?.close();
    this._status.close();
    await step('event processor', () => this._processor.close());
    await step('data store', () => this._store.close());
    await step('big segment store', () => this._bigSegments?.close());
    this._http.close();
    if (this._initState === 'initializing' && this._initReject) {
      this._initReject(new ClosedError(`${PREFIX} the client was closed before it initialized`));
    }
  }

  // --- evaluation ----------------------------------------------------------------------------

  /**
   * Evaluates from memory. Returns the detail, or `PENDING` when something must be awaited (store data
   * not in memory, big segments, or whether an uninitialized client's store holds data).
   */
  private _evalSync(
    key: string,
    input: unknown,
    defaultValue: unknown,
    withReasons: boolean,
    type: ValueType | undefined,
    meta?: EvaluationMetadataSink,
  ): LDEvaluationDetail | typeof PENDING {
    if (this._offline) return this._offlineDetail(defaultValue);
    if (this._initState !== 'initialized') {
      if (!this._storeInitialized) return PENDING;
      this._warnLastKnown();
    }
    const context = Context.borrow(input);
    if (!context.valid) return this._invalidContext(context, defaultValue);
    const flag = this._store.getSync(DataKinds.features, key);
    if (flag === undefined) return PENDING;
    if (meta) describeContext(meta, context);
    if (flag === null) return this._unknownFlag(key, context, defaultValue, withReasons);
    // Prerequisite results are needed for events only.
    const result = this._evaluator.evaluate(flag, context, this._eventsOn);
    if (result === PENDING) return PENDING;
    if (meta) meta.flagVersion = flag.version;
    return this._finish(flag, context, result, defaultValue, withReasons, type);
  }

  /** The slow path: awaits the store where it must. Never rejects. */
  private async _evalAsync(
    key: string,
    input: unknown,
    defaultValue: unknown,
    withReasons: boolean,
    type: ValueType | undefined,
    meta?: EvaluationMetadataSink,
  ): Promise<LDEvaluationDetail> {
    if (this._offline) return this._offlineDetail(defaultValue);
    if (this._initState !== 'initialized') {
      if (!(await this._checkStoreInitialized())) {
        this._logger.warn(`${PREFIX} variation called before the client initialized (did you wait for the 'ready' event?); using the default value`);
        return errorDetail('CLIENT_NOT_READY', defaultValue);
      }
      this._warnLastKnown();
    }
    // A copy, not a borrow: the caller may change its object while we wait for the store.
    const context = Context.from(input);
    if (!context.valid) return this._invalidContext(context, defaultValue);
    if (meta) describeContext(meta, context);
    let flag: Flag | null | undefined;
    let result: EvaluationResult;
    try {
      flag = this._store.getSync(DataKinds.features, key);
      if (flag === undefined) flag = await this._store.get(DataKinds.features, key);
      if (flag === null) return this._unknownFlag(key, context, defaultValue, withReasons);
      result = await evaluateAsync(flag, context, this._sync, this._async, this._eventsOn);
      if (meta) meta.flagVersion = flag.version;
    } catch (err) {
      this._logger.error(`${PREFIX} could not evaluate flag "${key}" (the data store failed): ${messageOf(err)}; returning the default value`);
      return errorDetail('EXCEPTION', defaultValue);
    }
    return this._finish(flag, context, result, defaultValue, withReasons, type);
  }

  private _finish(
    flag: Flag,
    context: Context,
    result: EvaluationResult,
    defaultValue: unknown,
    withReasons: boolean,
    type: ValueType | undefined,
  ): LDEvaluationDetail {
    let detail = toDetail(result, defaultValue);
    if (type !== undefined && typeof detail.value !== type) {
      detail = { value: defaultValue, variationIndex: null, reason: Reasons.error('WRONG_TYPE') };
    }
    if (this._eventsOn) {
      recordEvaluationWithPrerequisites(
        this._processor,
        { context, flag, value: detail.value, variationIndex: detail.variationIndex, reason: detail.reason, defaultValue, withReasons, creationDate: Date.now() },
        result.prerequisiteEvaluations,
      );
    }
    return detail;
  }

  private _offlineDetail(defaultValue: unknown): LDEvaluationDetail {
    this._logger.info(`${PREFIX} variation called in offline mode; returning the default value`);
    return errorDetail('CLIENT_NOT_READY', defaultValue);
  }

  private _invalidContext(context: Context, defaultValue: unknown): LDEvaluationDetail {
    this._emitError(new Error(`${PREFIX} ${context.error ?? 'invalid context'}; returning the default value`));
    return errorDetail('USER_NOT_SPECIFIED', defaultValue);
  }

  private _unknownFlag(key: string, context: Context, defaultValue: unknown, withReasons: boolean): LDEvaluationDetail {
    this._emitError(new Error(`${PREFIX} unknown feature flag "${key}"; returning the default value`));
    const detail = errorDetail('FLAG_NOT_FOUND', defaultValue);
    if (this._eventsOn) {
      this._processor.recordUnknownFlag({ context, key, defaultValue, reason: detail.reason, withReasons, creationDate: Date.now() });
    }
    return detail;
  }

  private _warnLastKnown(): void {
    if (this._lastKnownWarned) return;
    this._lastKnownWarned = true;
    this._logger.warn(
      `${PREFIX} variation called before the client initialized; using the last known values from the data store. This message is logged once.`,
    );
  }

  /**
   * Evaluates with hooks (when any): the detail, synchronously when possible. `meta`, when given, is
   * filled in with what the evaluation used (hooks get their own).
   */
  private _detail(
    key: string,
    context: unknown,
    defaultValue: unknown,
    withReasons: boolean,
    type: ValueType | undefined,
    method: string,
    meta?: EvaluationMetadataSink,
  ): LDEvaluationDetail | Promise<LDEvaluationDetail> {
    if (this._hooks.size === 0) {
      const r = this._evalSync(key, context, defaultValue, withReasons, type, meta);
      return r === PENDING ? this._evalAsync(key, context, defaultValue, withReasons, type, meta) : r;
    }
    const hookContext = this._hookContext(key, context, defaultValue, method);
    const series = this._hooks.before(hookContext);
    const sink: EvaluationMetadataSink = meta ?? {};
    const r = this._evalSync(key, context, defaultValue, withReasons, type, sink);
    if (r !== PENDING) {
      this._hooks.after(series, hookContext, r, sink);
      return r;
    }
    return this._evalAsync(key, context, defaultValue, withReasons, type, sink).then((detail) => {
      this._hooks.after(series, hookContext, detail, sink);
      return detail;
    });
  }

  private _hookContext(key: string, context: unknown, defaultValue: unknown, method: string): EvaluationSeriesContext {
    return {
      flagKey: key,
      context: context as LDContext,
      defaultValue,
      method,
      ...(this._environmentId ? { environmentId: this._environmentId } : {}),
    };
  }

  /** The synchronous methods: never a promise; data not in memory gives the default (`CLIENT_NOT_READY`). */
  private _detailSync(key: string, context: unknown, defaultValue: unknown, withReasons: boolean, type: ValueType | undefined, method: string): LDEvaluationDetail {
    const hooked = this._hooks.size > 0;
    const hookContext = hooked ? this._hookContext(key, context, defaultValue, method) : undefined;
    const series = hooked ? this._hooks.before(hookContext!) : undefined;
    const meta: EvaluationMetadataSink | undefined = hooked ? {} : undefined;
    let detail = this._evalSync(key, context, defaultValue, withReasons, type, meta);
    if (detail === PENDING) {
      this._warnSyncMiss();
      this._warm(key, context);
      detail = errorDetail('CLIENT_NOT_READY', defaultValue);
      // What a pending evaluation had filled in was not used.
      if (meta) delete meta.flagVersion;
    }
    if (series) this._hooks.after(series, hookContext!, detail, meta!);
    return detail;
  }

  private _warnSyncMiss(): void {
    if (this._store.cacheMode === 'none') {
      if (this._syncNoCacheWarned) return;
      this._syncNoCacheWarned = true;
      this._logger.warn(
        `${PREFIX} a synchronous variation was called, but the data store has no cache (cacheTtlMs 0): every *Sync method returns the default value with CLIENT_NOT_READY, because nothing can be answered from memory. Use the async methods, or give the store a cache (cacheTtlMs > 0, or < 0 for forever). This message is logged once.`,
      );
      return;
    }
    if (this._syncMissWarned) return;
    this._syncMissWarned = true;
    this._logger.warn(
      `${PREFIX} a synchronous variation could not be answered from memory (the flag, a segment it uses or big-segment membership is not loaded yet, or the client is not initialized); returned the default value with CLIENT_NOT_READY and loading the data. This message is logged once.`,
    );
  }

  /**
   * Loads what a synchronous evaluation missed (the init check, the flag, the prerequisites and segments
   * it reaches, big-segment membership) into the store's and big segments' caches, so a later `*Sync`
   * call can answer from memory. Records no events and runs no hooks.
   */
  private _warm(key: string, input: unknown): void {
    if (this._offline || this._store.cacheMode === 'none') return;
    void this._checkStoreInitialized();
    const context = Context.from(input);
    void this._store
      .get(DataKinds.features, key)
      .then((flag) => (flag && context.valid ? evaluateAsync(flag, context, this._sync, this._async) : undefined))
      .catch(() => undefined);
  }

  variation(key: string, context: LDContext, defaultValue: unknown, callback?: (err: unknown, value: unknown) => void): Promise<unknown> {
    const detail = this._detail(key, context, defaultValue, false, undefined, METHOD.variation);
    if (!isPromise(detail)) {
      callback?.(null, detail.value);
      return Promise.resolve(detail.value);
    }
    return detail.then((d) => {
      callback?.(null, d.value);
      return d.value;
    });
  }

  variationDetailWithMetadata(
    key: string,
    context: LDContext,
    defaultValue: unknown,
    options?: LDVariationMetadataOptions,
  ): Promise<LDEvaluationDetailWithMetadata> {
    const type = options?.type;
    const method = type === undefined ? METHOD.variationDetail : TYPED_DETAIL_METHOD[type];
    if (method === undefined) {
      this._logger.warn(`${PREFIX} variationDetailWithMetadata: unknown type ${JSON.stringify(type)}; the value is not type-checked`);
    }
    const metadata: EvaluationMetadataSink = {};
    const detail = this._detail(key, context, defaultValue, true, method === undefined ? undefined : type, method ?? METHOD.variationDetail, metadata);
    const wrap = (d: LDEvaluationDetail): LDEvaluationDetailWithMetadata => Object.freeze({ detail: d, metadata: Object.freeze({ ...metadata }) });
    return isPromise(detail) ? detail.then(wrap) : Promise.resolve(wrap(detail));
  }

  getEventProcessorStats(): EventProcessorStats | undefined {
    return this._eventsOn ? this._processor.stats?.() : undefined;
  }

  variationDetail(
    key: string,
    context: LDContext,
    defaultValue: unknown,
    callback?: (err: unknown, detail: LDEvaluationDetail) => void,
  ): Promise<LDEvaluationDetail> {
    const detail = this._detail(key, context, defaultValue, true, undefined, METHOD.variationDetail);
    if (!isPromise(detail)) {
      callback?.(null, detail);
      return Promise.resolve(detail);
    }
    return detail.then((d) => {
      callback?.(null, d);
      return d;
    });
  }

  private _value<T>(key: string, context: unknown, defaultValue: T, type: ValueType | undefined, method: string): Promise<T> {
    const detail = this._detail(key, context, defaultValue, false, type, method);
    return isPromise(detail) ? detail.then((d) => d.value as T) : Promise.resolve(detail.value as T);
  }

  private _typedDetail<T>(key: string, context: unknown, defaultValue: T, type: ValueType | undefined, method: string): Promise<LDEvaluationDetailTyped<T>> {
    const detail = this._detail(key, context, defaultValue, true, type, method);
    return (isPromise(detail) ? detail : Promise.resolve(detail)) as Promise<LDEvaluationDetailTyped<T>>;
  }

  boolVariation(key: string, context: LDContext, defaultValue: boolean): Promise<boolean> {
    return this._value(key, context, defaultValue, 'boolean', METHOD.bool);
  }

  numberVariation(key: string, context: LDContext, defaultValue: number): Promise<number> {
    return this._value(key, context, defaultValue, 'number', METHOD.number);
  }

  stringVariation(key: string, context: LDContext, defaultValue: string): Promise<string> {
    return this._value(key, context, defaultValue, 'string', METHOD.string);
  }

  jsonVariation(key: string, context: LDContext, defaultValue: unknown): Promise<unknown> {
    return this._value(key, context, defaultValue, undefined, METHOD.json);
  }

  boolVariationDetail(key: string, context: LDContext, defaultValue: boolean): Promise<LDEvaluationDetailTyped<boolean>> {
    return this._typedDetail(key, context, defaultValue, 'boolean', METHOD.boolDetail);
  }

  numberVariationDetail(key: string, context: LDContext, defaultValue: number): Promise<LDEvaluationDetailTyped<number>> {
    return this._typedDetail(key, context, defaultValue, 'number', METHOD.numberDetail);
  }

  stringVariationDetail(key: string, context: LDContext, defaultValue: string): Promise<LDEvaluationDetailTyped<string>> {
    return this._typedDetail(key, context, defaultValue, 'string', METHOD.stringDetail);
  }

  jsonVariationDetail(key: string, context: LDContext, defaultValue: unknown): Promise<LDEvaluationDetailTyped<unknown>> {
    return this._typedDetail(key, context, defaultValue, undefined, METHOD.jsonDetail);
  }

  variationSync(key: string, context: LDContext, defaultValue: unknown): unknown {
    return this._detailSync(key, context, defaultValue, false, undefined, METHOD.variation).value;
  }

  variationDetailSync(key: string, context: LDContext, defaultValue: unknown): LDEvaluationDetail {
    return this._detailSync(key, context, defaultValue, true, undefined, METHOD.variationDetail);
  }

  boolVariationSync(key: string, context: LDContext, defaultValue: boolean): boolean {
    return this._detailSync(key, context, defaultValue, false, 'boolean', METHOD.bool).value as boolean;
  }

  numberVariationSync(key: string, context: LDContext, defaultValue: number): number {
    return this._detailSync(key, context, defaultValue, false, 'number', METHOD.number).value as number;
  }

  stringVariationSync(key: string, context: LDContext, defaultValue: string): string {
    return this._detailSync(key, context, defaultValue, false, 'string', METHOD.string).value as string;
  }

  jsonVariationSync(key: string, context: LDContext, defaultValue: unknown): unknown {
    return this._detailSync(key, context, defaultValue, false, undefined, METHOD.json).value;
  }

  boolVariationDetailSync(key: string, context: LDContext, defaultValue: boolean): LDEvaluationDetailTyped<boolean> {
    return this._detailSync(key, context, defaultValue, true, 'boolean', METHOD.boolDetail) as LDEvaluationDetailTyped<boolean>;
  }

  numberVariationDetailSync(key: string, context: LDContext, defaultValue: number): LDEvaluationDetailTyped<number> {
    return this._detailSync(key, context, defaultValue, true, 'number', METHOD.numberDetail) as LDEvaluationDetailTyped<number>;
  }

  stringVariationDetailSync(key: string, context: LDContext, defaultValue: string): LDEvaluationDetailTyped<string> {
    return this._detailSync(key, context, defaultValue, true, 'string', METHOD.stringDetail) as LDEvaluationDetailTyped<string>;
  }

  jsonVariationDetailSync(key: string, context: LDContext, defaultValue: unknown): LDEvaluationDetailTyped<unknown> {
    return this._detailSync(key, context, defaultValue, true, undefined, METHOD.jsonDetail);
  }

  // --- other API -----------------------------------------------------------------------------

  async allFlagsState(
    input: LDContext,
    options?: LDFlagsStateOptions,
    callback?: (err: Error | null, state: LDFlagsState) => void,
  ): Promise<LDFlagsState> {
    const done = (state: LDFlagsState) => {
      callback?.(null, state);
      return state;
    };
    if (this._offline) {
      this._logger.info(`${PREFIX} allFlagsState() called in offline mode; returning an empty state`);
      return done(new FlagsStateBuilder(false).build());
    }
    const context = Context.from(input);
    if (!context.valid) {
      this._logger.info(`${PREFIX} allFlagsState() called with an invalid context (${context.error}); returning an empty state`);
      return done(new FlagsStateBuilder(false).build());
    }
    let valid = true;
    if (this._initState !== 'initialized') {
      if (await this._checkStoreInitialized()) {
        if (!this._allFlagsWarned) {
          this._allFlagsWarned = true;
          this._logger.warn(`${PREFIX} allFlagsState() called before the client initialized; using the last known values from the data store. This message is logged once.`);
        }
      } else {
        this._logger.warn(`${PREFIX} allFlagsState() called before the client initialized and the data store has no data; returning an empty state`);
        valid = false;
      }
    }
    const builder = new FlagsStateBuilder(valid, options);
    let flags: Readonly<Record<string, Flag>>;
    try {
      flags = this._store.allSync(DataKinds.features) ?? (await this._store.all(DataKinds.features));
    } catch (err) {
      this._logger.error(`${PREFIX} allFlagsState() could not read the data store: ${messageOf(err)}; returning an empty state`);
      return done(new FlagsStateBuilder(false).build());
    }
    for (const flag of Object.values(flags)) {
      if (!builder.includes(flag)) continue;
      let result: EvaluationResult | typeof PENDING = this._evaluator.evaluate(flag, context);
      if (result === PENDING) {
        try {
          result = await evaluateAsync(flag, context, this._sync, this._async);
        } catch (err) {
          // As LaunchDarkly's SDK: every flag is in the state; one that could not be evaluated (the store
          // failed to give a segment or prerequisite) is there with a null value and an error reason,
          // so the state is complete and says which flag failed and why.
          this._logger.error(`${PREFIX} allFlagsState() could not evaluate "${flag.key}" (the data store failed): ${messageOf(err)}`);
          result = { value: null, variationIndex: null, reason: Reasons.error('EXCEPTION'), prerequisites: undefined, prerequisiteEvaluations: undefined };
        }
      }
      if (result.reason.kind === 'ERROR') {
        this._emitError(new Error(`${PREFIX} error for feature flag "${flag.key}" while evaluating all flags: ${result.reason.errorKind}`));
      }
      builder.add(flag, result);
    }
    return done(builder.build());
  }

  secureModeHash(input: LDContext): string {
    const context = Context.from(input);
    if (!context.valid) throw new Error(`${PREFIX} could not generate a secure mode hash for an invalid context: ${context.error}`);
    return createHmac('sha256', this._sdkKey).update(context.canonicalKey).digest('hex');
  }

  track(key: string, input: LDContext, data?: unknown, metricValue?: number): void {
    const context = Context.from(input);
    if (!context.valid) {
      this._logger.warn(`${PREFIX} track("${key}") called with an invalid context (${context.error}); no event is sent`);
      return;
    }
    if (metricValue !== undefined && typeof metricValue !== 'number') {
      this._logger.warn(`${PREFIX} track("${key}"): metricValue should be a number, got ${typeof metricValue}`);
    }
    if (!this._eventsOn) return;
    this._processor.recordCustom({
      context,
      key,
      ...(data !== undefined ? { data } : {}),
      ...(metricValue !== undefined ? { metricValue } : {}),
      creationDate: Date.now(),
    });
  }

  async migrationVariation(key: string, context: LDContext, defaultStage: LDMigrationStage): Promise<LDMigrationVariation> {
    // variationDetail's evaluation and events (the flag's value, unchecked, as LaunchDarkly records it);
    // the stage check, the tracker and what hooks see are the migrations module's.
    const hookContext = this._hooks.size > 0 ? this._hookContext(key, context, defaultStage, METHOD.migration) : undefined;
    const series = hookContext && this._hooks.before(hookContext);
    const meta: EvaluationMetadataSink = {};
    const sync = this._evalSync(key, context, defaultStage, true, undefined, meta);
    const raw = sync === PENDING ? await this._evalAsync(key, context, defaultStage, true, undefined, meta) : sync;
    let flag: Flag | null | undefined;
    if (meta.flagVersion !== undefined) flag = this._store.getSync(DataKinds.features, key) ?? (await this._store.get(DataKinds.features, key).catch(() => undefined));
    const { detail, variation } = migrationVariationResult({ key, context, defaultStage, detail: raw, flag: flag ?? undefined, logger: this._logger, onError: (err) => this._emitError(err) });
    if (series) this._hooks.after(series, hookContext!, detail, meta);
    return variation;
  }

  trackMigration(event: LDMigrationOpEvent): void {
    if (this._eventsOn) recordMigrationEvent(this._processor, this._logger, event);
  }

  identify(input: LDContext): void {
    const context = Context.from(input);
    if (!context.valid) {
      this._logger.warn(`${PREFIX} identify() called with an invalid context (${context.error}); no event is sent`);
      return;
    }
    if (this._eventsOn) this._processor.recordIdentify({ context, creationDate: Date.now() });
  }

  async flush(callback?: (err: Error | null, res: boolean) => void): Promise<void> {
    try {
      await this._processor.flush();
    } catch (err) {
      callback?.(err instanceof Error ? err : new Error(String(err)), false);
      return;
    }
    callback?.(null, true);
  }
}
