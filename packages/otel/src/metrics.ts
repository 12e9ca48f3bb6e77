import {
  type Attributes,
  type BatchObservableResult,
  type Counter,
  diag,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
  type ObservableCounter,
  type ObservableGauge,
} from '@opentelemetry/api';
import type {
  DataStoreOperationInfo,
  EvaluationSeriesContext,
  EvaluationSeriesData,
  Hook,
  HookMetadata,
  LDClient,
  LDEvaluationDetail,
} from '@switchyard/node-server';

import { FeatureFlagAttributes as FF, SwitchyardAttributes as SY } from './attributes.js';
import { ConfigError } from '@switchyard/node-server';

import { attributesOption, booleanOption, type MetricsOptions, optionsObject, PREFIX, providerOption } from './options.js';
import { otelErrorType, otelReason } from './reasons.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/**
 * The metrics this package records, by name. Units follow OpenTelemetry's conventions: durations in
 * seconds (`s`), counts as `{thing}` annotations. Exported Prometheus names replace the dots with
 * underscores and add the unit and `_total` as the exporter does (e.g. `switchyard_flag_evaluations_total`).
 */
export const SwitchyardMetricNames = Object.freeze({
  /** Counter `{evaluation}`: evaluations, by `feature_flag.key`, `feature_flag.result.reason`, `feature_flag.result.variant` and `error.type`. */
  evaluations: 'switchyard.flag.evaluations',
  /** Counter `{operation}`: calls to the persistent store, by `switchyard.store.operation`, `switchyard.store.outcome` and `error.type`. */
  storeOperations: 'switchyard.store.operations',
  /** Histogram `s`: how long each call to the persistent store took, by operation and outcome. */
  storeOperationDuration: 'switchyard.store.operation.duration',
  /** Observable counter `{lookup}`: reads the store's cache answered (`switchyard.store.cache.result: hit`) or not (`miss`). */
  cacheLookups: 'switchyard.store.cache.lookups',
  /** Observable gauge `1`: 1 while the persistent store is available, 0 during an outage. */
  storeAvailable: 'switchyard.store.available',
  /** Observable counter `{outage}`: times the store went from available to unavailable. */
  storeOutages: 'switchyard.store.outages',
  /** Observable counter `{item}`: items not written because they were larger than the store's `maxItemBytes`. */
  storeOversizedItems: 'switchyard.store.oversized_items',
  /** Observable gauge `{event}`: analytics events waiting for the next flush. */
  eventsQueued: 'switchyard.events.queued',
  /** Observable counter `{event}`: analytics events dropped because the queue was full (`capacity`). */
  eventsDropped: 'switchyard.events.dropped',
  /** Observable counter `{payload}`: analytics payloads delivered or given up, by `switchyard.events.payload.outcome`. */
  eventPayloads: 'switchyard.events.payloads',
} as const);

/** Upper bounds (seconds) of the store-latency histogram's buckets: 0.5 ms to 10 s. */
const DURATION_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What {@link registerMetrics} returns: stops recording for that client. */
export interface MetricsRegistration {
  /**
   * Stops recording: removes the observable callbacks and the store-operation listener, and makes the
   * evaluation hook record nothing more (Switchyard has no way to remove a hook). Idempotent. Call it
   * when you close the client if the meter provider outlives it.
   */
  shutdown(): void;
}

/** The part of the client the metrics read. @internal */
export type MetricsClient = Pick<LDClient, 'dataStoreStatusProvider'> & Partial<Pick<LDClient, 'getEventProcessorStats'>>;

/** Instruments of one meter, shared by every client registered through the same options. @internal */
export class SwitchyardInstruments {
  readonly attributes: Attributes;
  readonly evaluations: Counter;
  readonly storeOperations: Counter;
  readonly storeOperationDuration: Histogram;
  readonly cacheLookups: ObservableCounter;
  readonly storeAvailable: ObservableGauge;
  readonly storeOutages: ObservableCounter;
  readonly storeOversizedItems: ObservableCounter;
  readonly eventsQueued: ObservableGauge;
  readonly eventsDropped: ObservableCounter;
  readonly eventPayloads: ObservableCounter;
  readonly countEvaluations: boolean;
  private readonly meter: Meter;
  private failed = false;

  constructor(options: MetricsOptions | undefined) {
    const o = optionsObject(options);
    const provider = providerOption<MeterProvider>('meterProvider', o.meterProvider, 'getMeter') ?? metrics.getMeterProvider();
    this.attributes = attributesOption(o.metricAttributes);
    this.countEvaluations = booleanOption('evaluations', o.evaluations, true);
    const meter = provider.getMeter(PACKAGE_NAME, PACKAGE_VERSION);
    this.meter = meter;
    const n = SwitchyardMetricNames;
    this.evaluations = meter.createCounter(n.evaluations, { unit: '{evaluation}', description: 'Feature flag evaluations, by flag, reason and variant.' });
    this.storeOperations = meter.createCounter(n.storeOperations, {
      unit: '{operation}',
      description: 'Calls to the persistent feature store, by operation and outcome.',
    });
    this.storeOperationDuration = meter.createHistogram(n.storeOperationDuration, {
      unit: 's',
      description: 'Duration of calls to the persistent feature store.',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
    });
    this.cacheLookups = meter.createObservableCounter(n.cacheLookups, {
      unit: '{lookup}',
      description: "Reads the persistent store's cache answered (hit) or could not answer (miss).",
    });
    this.storeAvailable = meter.createObservableGauge(n.storeAvailable, { unit: '1', description: '1 while the persistent feature store is available, 0 during an outage.' });
    this.storeOutages = meter.createObservableCounter(n.storeOutages, { unit: '{outage}', description: 'Times the persistent feature store became unavailable.' });
    this.storeOversizedItems = meter.createObservableCounter(n.storeOversizedItems, {
      unit: '{item}',
      description: "Flags and segments not written because they exceeded the store's maxItemBytes.",
    });
    this.eventsQueued = meter.createObservableGauge(n.eventsQueued, { unit: '{event}', description: 'Analytics events waiting for the next flush.' });
    this.eventsDropped = meter.createObservableCounter(n.eventsDropped, { unit: '{event}', description: 'Analytics events dropped because the event queue was full.' });
    this.eventPayloads = meter.createObservableCounter(n.eventPayloads, { unit: '{payload}', description: 'Analytics payloads delivered or given up.' });
  }

  /** Counts one evaluation. Never throws. */
  recordEvaluation(hookContext: EvaluationSeriesContext, detail: LDEvaluationDetail): void {
    try {
      const reason = detail.reason;
      const attributes: Attributes = { ...this.attributes, [FF.key]: hookContext.flagKey, [FF.reason]: otelReason(reason) };
      if (typeof detail.variationIndex === 'number') attributes[FF.variant] = String(detail.variationIndex);
      if (reason?.kind === 'ERROR') attributes[FF.errorType] = otelErrorType(reason.errorKind);
      this.evaluations.add(1, attributes);
    } catch (err) {
      this.report('counting an evaluation', err);
    }
  }

  /** Records one call to the persistent store. Never throws. */
  recordOperation(op: DataStoreOperationInfo): void {
    try {
      const attributes: Attributes = {
        ...this.attributes,
        [SY.storeOperation]: op.operation,
        [SY.storeOutcome]: op.error === undefined ? 'success' : 'error',
      };
      if (op.error !== undefined) attributes[FF.errorType] = storeErrorType(op.error);
      this.storeOperations.add(1, attributes);
      if (Number.isFinite(op.durationMs) && op.durationMs >= 0) this.storeOperationDuration.record(op.durationMs / 1000, attributes);
    } catch (err) {
      this.report('recording a store operation', err);
    }
  }

  /**
   * Starts observing a client: its store's operations and, at each collection, its store status and
   * counters and its event processor's. The meter keeps only a weak reference to the client, so a
   * client the application dropped can be garbage-collected; its callback then removes itself.
   */
  observe(client: MetricsClient): () => void {
    const ref = new WeakRef(client);
    const observables = [
      this.cacheLookups,
      this.storeAvailable,
      this.storeOutages,
      this.storeOversizedItems,
      this.eventsQueued,
      this.eventsDropped,
      this.eventPayloads,
    ];
    let stopped = false;
    let unsubscribe: (() => void) | undefined;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      try {
        this.meter.removeBatchObservableCallback(callback, observables);
      } catch (err) {
        this.report('removing the observable callback', err);
      }
      try {
        unsubscribe?.();
      } catch (err) {
        this.report('removing the store operation listener', err);
      }
      unsubscribe = undefined;
    };
    const callback = (result: BatchObservableResult): void => {
      const current = ref.deref();
      if (current === undefined) {
        // Removing a callback while the SDK iterates them could skip another one: do it afterwards.
        queueMicrotask(stop);
        return;
      }
      try {
        this.observeClient(current, result);
      } catch (err) {
        this.report('observing the client', err);
      }
    };
    this.meter.addBatchObservableCallback(callback, observables);
    // The listener closes over the instruments only, never the client.
    const onOperation = client.dataStoreStatusProvider.onOperation?.bind(client.dataStoreStatusProvider);
    if (onOperation) {
      unsubscribe = onOperation((op) => this.recordOperation(op));
    } else if (client.dataStoreStatusProvider.isStatusMonitoringEnabled()) {
      diag.warn(`${PREFIX} this Switchyard version does not report store operations (dataStoreStatusProvider.onOperation); ${SwitchyardMetricNames.storeOperations} and ${SwitchyardMetricNames.storeOperationDuration} stay empty`);
    }
    return stop;
  }

  private observeClient(client: MetricsClient, result: BatchObservableResult): void {
    const base = this.attributes;
    const store = client.dataStoreStatusProvider;
    // The in-memory store has no status or cache worth reporting: its numbers are always 0 and "available".
    if (store.isStatusMonitoringEnabled()) {
      const status = store.getStatus();
      const counters = store.getMetrics();
      result.observe(this.storeAvailable, status.available ? 1 : 0, base);
      result.observe(this.storeOutages, counters.outages, base);
      result.observe(this.storeOversizedItems, counters.oversizedItemsDropped, base);
      if (typeof counters.cacheHits === 'number') result.observe(this.cacheLookups, counters.cacheHits, { ...base, [SY.cacheResult]: 'hit' });
      if (typeof counters.cacheMisses === 'number') result.observe(this.cacheLookups, counters.cacheMisses, { ...base, [SY.cacheResult]: 'miss' });
    }
    const events = client.getEventProcessorStats?.();
    if (events !== undefined) {
      result.observe(this.eventsQueued, events.queuedEvents, base);
      result.observe(this.eventsDropped, events.droppedEvents, base);
      result.observe(this.eventPayloads, events.payloadsDelivered, { ...base, [SY.payloadOutcome]: 'delivered' });
      result.observe(this.eventPayloads, events.payloadsDropped, { ...base, [SY.payloadOutcome]: 'dropped' });
    }
  }

  private report(what: string, err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    diag.error(`${PREFIX} metrics failed while ${what}; the client is unaffected (reported once): ${String(err)}`);
  }
}

/**
 * `error.type` of a failed store operation: a store's own failure kind when it has one (the Consul store's
 * `failure`, e.g. `forbidden`), else the code of the error's cause (`timeout` for core's `TimeoutError`,
 * `closed`, or a Node.js code such as `econnrefused`), else `_OTHER`, OpenTelemetry's fallback. Lowercase
 * and low-cardinality, never the message.
 */
export function storeErrorType(error: unknown): string {
  const failure = (error as { failure?: unknown } | undefined)?.failure;
  if (typeof failure === 'string' && failure !== '') return failure.toLowerCase();
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code !== '') return code.toLowerCase();
  return '_OTHER';
}

/** The hook that counts evaluations for {@link SwitchyardInstruments}. @internal */
export class EvaluationMetricsHook implements Hook {
  /** Set by `shutdown()`: the hook stays on the client but records nothing more. */
  stopped = false;

  constructor(private readonly instruments: SwitchyardInstruments) {}

  getMetadata(): HookMetadata {
    return { name: '@switchyard/otel metrics hook' };
  }

  afterEvaluation(hookContext: EvaluationSeriesContext, data: EvaluationSeriesData, detail: LDEvaluationDetail): EvaluationSeriesData {
    if (!this.stopped) this.instruments.recordEvaluation(hookContext, detail);
    return data;
  }
}

/**
 * Records a client's metrics through the OpenTelemetry metrics API (see {@link SwitchyardMetricNames}
 * and the README's table): evaluations (through a hook it adds with `client.addHook`), calls to the
 * persistent store and their latency, cache hits and misses, store availability and outages, and the
 * analytics event queue (depth, dropped events, payloads). Store metrics are reported only for a
 * persistent store; event metrics only while events are on.
 *
 * ```ts
 * const client = init(sdkKey, { featureStore: redisStore({ url }) });
 * const registration = registerMetrics(client, { meterProvider });
 * // …
 * registration.shutdown();
 * await client.close();
 * ```
 *
 * @param client a Switchyard client (`init`'s result).
 * @param options see {@link MetricsOptions}; checked at once, a mistake throws a `ConfigError`.
 * @returns a handle whose `shutdown()` stops recording.
 */
export function registerMetrics(client: LDClient, options?: MetricsOptions): MetricsRegistration {
  if (typeof client !== 'object' || client === null || typeof client.dataStoreStatusProvider !== 'object' || typeof client.addHook !== 'function') {
    throw new ConfigError(`${PREFIX} registerMetrics needs a Switchyard client (what init() returns)`);
  }
  const instruments = new SwitchyardInstruments(options);
  const hook = instruments.countEvaluations ? new EvaluationMetricsHook(instruments) : undefined;
  if (hook) client.addHook(hook);
  const stop = instruments.observe(client);
  return {
    shutdown(): void {
      if (hook) hook.stopped = true;
      stop();
    },
  };
}
