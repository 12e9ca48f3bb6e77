import { Context } from '../context/context.js';
import { isExperiment } from '../evaluation/flags-state.js';
import { safeLogger, type LDLogger } from '../logging/index.js';
import { cancelTimer, startInterval, type TimerHandle } from '../platform/index.js';
import { toFrozenJson, type JsonValue } from '../value/json.js';
import type { CustomEvent, EvaluationEvent, EventProcessor, IdentifyEvent, UnknownFlagEvent } from './api.js';
import { ContextFormatter } from './context-formatter.js';
import { ContextKeyCache } from './context-key-cache.js';
import type { MigrationOpEvent } from './migration-op.js';
import type { DiagnosticsManager } from './diagnostics.js';
import { EventDelivery } from './delivery.js';
import { buildOutputEvents, type InboxRecord } from './inbox.js';
import type { DefaultEventProcessorOptions, EventProcessorStats } from './processor-options.js';
import type { OutputEvent, StreamInitRecord } from './output.js';
import { RingBuffer } from './ring-buffer.js';
import type { EventSender } from './sender.js';
import { EventSummarizer } from './summarizer.js';
import { randomUuid } from './uuid.js';

export type { DefaultEventProcessorOptions, EventProcessorStats } from './processor-options.js';

const OVERFLOW_WARNING = 'Exceeded event queue capacity. Increase capacity to avoid dropping events.';

/** A copy that can never change; `null` for a value that is not JSON (a cycle, a throwing getter). */
function frozenCopy(value: unknown): JsonValue {
  if (value === undefined) return null;
  try {
    return toFrozenJson(value);
  } catch {
    return null;
  }
}

function positiveInt(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

/**
 * LaunchDarkly-compatible analytics events: a bounded, non-blocking pipeline.
 *
 * Recording (`record*`) runs on the caller's evaluation path, so it does only O(1) work and returns:
 * - it counts the evaluation in the summary (by flag key, version and variation index, as LaunchDarkly's
 *   summary counters are keyed; no allocation once the counter exists), which is not limited by
 *   `capacity`, so a burst never loses summary counts (only distinct unknown flag keys are bounded, by
 *   `maxUnknownFlagKeys`);
 * - it looks the context's canonical key up in the deduplication LRU;
 * - only when a full event will be kept (a new context's `index` event, a tracked or experiment
 *   evaluation, a debug event, custom and identify events) does it snapshot the context and copy the
 *   default and data (`toFrozenJson`), so a caller's later mutation never changes what is sent, and
 *   append a small record to a fixed-capacity ring buffer. When the buffer is full the event is dropped
 *   and counted (one warning per overflow episode).
 *
 * Everything heavier (redaction, JSON, UUIDs, HTTP) happens in the background flush: every
 * `flushIntervalMs` (or on `flush()`), the buffer and the summary are turned into one schema-4 payload
 * and handed to the {@link EventSender}; at most `maxConcurrentDeliveries` payloads are in flight (a
 * timed flush is skipped while all are busy, so memory stays bounded if the service hangs). A failed
 * delivery is retried once after `retryDelayMs` with the same payload id; 413 drops that payload; 401,
 * 403 and other unrecoverable 4xx disable events for good with one error.
 */
export class DefaultEventProcessor implements EventProcessor {
  private readonly _sender: EventSender;
  private readonly _delivery: EventDelivery;
  private readonly _logger: LDLogger;
  private readonly _inbox: RingBuffer<InboxRecord>;
  private readonly _summarizer: EventSummarizer;
  private readonly _keys: ContextKeyCache;
  private readonly _formatter: ContextFormatter;
  private readonly _diagnostics: DiagnosticsManager | undefined;
  private readonly _maxInFlight: number;
  private readonly _now: () => number;
  private readonly _random: () => number;
  private readonly _timers: TimerHandle[] = [];

  /** Set by `close()`: nothing more is recorded. */
  private _closed = false;
  private _closing: Promise<void> | undefined;
  /** Set when the service rejected the key: nothing more is recorded or sent. */
  private _disabled = false;
  private _overflowing = false;
  /** Set when the summary refused a new unknown flag key in this window (one warning per window). */
  private _unknownKeysWarned = false;
  private _eventsInLastBatch = 0;
  /** Since the last diagnostic event. */
  private _droppedSinceDiagnostic = 0;
  private _deduplicatedSinceDiagnostic = 0;
  private _droppedTotal = 0;
  private _deduplicatedTotal = 0;

  constructor(options: DefaultEventProcessorOptions) {
    this._sender = options.sender;
    this._logger = safeLogger(options.logger);
    const capacity = positiveInt(options.capacity, 10_000);
    this._inbox = new RingBuffer(capacity);
    this._summarizer = new EventSummarizer({ maxUnknownFlagKeys: options.maxUnknownFlagKeys });
    const keysCapacity = options.contextKeysCapacity;
    this._keys = new ContextKeyCache(typeof keysCapacity === 'number' && Number.isFinite(keysCapacity) ? Math.floor(keysCapacity) : 1000);
    this._formatter = new ContextFormatter({
      allAttributesPrivate: options.allAttributesPrivate ?? false,
      privateAttributes: options.privateAttributes ?? [],
    });
    this._diagnostics = options.diagnostics;
    this._maxInFlight = positiveInt(options.maxConcurrentDeliveries, 5);
    this._delivery = new EventDelivery(this._sender, this._logger, Math.max(0, options.retryDelayMs ?? 1000), (status) => this._disable(status));
    this._now = options.now ?? Date.now;
    this._random = options.random ?? Math.random;

    this._timers.push(startInterval(() => this._onFlushTimer(), positiveInt(options.flushIntervalMs, 5000)));
    this._timers.push(startInterval(() => this._forgetContexts(), positiveInt(options.contextKeysFlushIntervalMs, 300_000)));
    if (this._diagnostics) {
      void this._delivery.postDiagnostic(this._diagnostics.createInitEvent());
      this._timers.push(startInterval(() => void this.sendDiagnosticStats(), positiveInt(options.diagnosticRecordingIntervalMs, 900_000)));
    }
  }

  // --- recording (the caller's path: O(1), never throws, never blocks) -----------------------------

  recordEvaluation(event: EvaluationEvent): void {
    if (this._closed || this._disabled) return;
    try {
      const { context, flag, creationDate } = event;
      if (!context.valid) return;
      const variation = event.variationIndex;
      let value: JsonValue | undefined;
      let defaultValue: JsonValue | undefined;
      if (!flag.excludeFromSummaries && !this._summarizer.incrementFlag(flag, variation, context.parts(), creationDate)) {
        defaultValue = frozenCopy(event.defaultValue);
        value = event.value === event.defaultValue ? defaultValue : frozenCopy(event.value);
        this._summarizer.addFlag(flag, variation, value, defaultValue, context.parts(), creationDate);
      }

      const experiment = isExperiment(flag, event.reason);
      const ratio = flag.samplingRatio ?? 1;
      const full = (flag.trackEvents || experiment) && this._sample(ratio);
      const until = flag.debugEventsUntilDate;
      const debug = until !== undefined && until > this._delivery.lastKnownPastTime && until > this._now() && this._sample(ratio);

      const snapshot = this._indexIfNew(context, creationDate, full || debug);
      if (!full && !debug) return;
      if (!snapshot) {
        if (full) this._drop();
        if (debug) this._drop();
        return;
      }
      if (defaultValue === undefined) {
        defaultValue = frozenCopy(event.defaultValue);
        value = event.value === event.defaultValue ? defaultValue : frozenCopy(event.value);
      }
      const record = {
        t: 'feature' as 'feature' | 'debug',
        date: creationDate,
        context: snapshot,
        key: flag.key,
        value: value!,
        default: defaultValue,
        variation,
        version: flag.version,
        reason: event.withReasons || experiment ? event.reason : undefined,
        prereqOf: event.prerequisiteOf,
        samplingRatio: ratio,
      };
      if (full) this._enqueue(record);
      if (debug) this._enqueue({ ...record, t: 'debug' });
    } catch (err) {
      this._recordFailed(err);
    }
  }

  recordUnknownFlag(event: UnknownFlagEvent): void {
    if (this._closed || this._disabled) return;
    try {
      const { context, key, creationDate } = event;
      if (!context.valid) return;
      if (!this._summarizer.incrementUnknown(key, context.parts(), creationDate)) {
        if (!this._summarizer.addUnknown(key, frozenCopy(event.defaultValue), context.parts(), creationDate)) this._dropUnknown();
      }
      this._indexIfNew(context, creationDate, false);
    } catch (err) {
      this._recordFailed(err);
    }
  }

  recordCustom(event: CustomEvent): void {
    if (this._closed || this._disabled) return;
    try {
      const { context, creationDate } = event;
      if (!context.valid) return;
      const snapshot = this._indexIfNew(context, creationDate, true);
      if (!snapshot) {
        this._drop();
        return;
      }
      const metricValue = event.metricValue;
      this._enqueue({
        t: 'custom',
        date: creationDate,
        context: snapshot,
        key: event.key,
        // null is "no data", as LaunchDarkly's SDK sends it.
        data: event.data === undefined || event.data === null ? undefined : frozenCopy(event.data),
        metricValue: typeof metricValue === 'number' ? metricValue : undefined,
      });
    } catch (err) {
      this._recordFailed(err);
    }
  }

  /**
   * Queues a migration operation event when its `samplingRatio` samples it (LaunchDarkly's rule). It makes
   * no index event and is not summarized; its context is redacted at flush as a custom event's.
   */
  recordMigrationOp(event: MigrationOpEvent): void {
    if (this._closed || this._disabled) return;
    try {
      if (!this._sample(event.samplingRatio)) return;
      this._enqueue({ t: 'migration_op', event, context: event.context?.snapshot() });
    } catch (err) {
      this._recordFailed(err);
    }
  }

  recordIdentify(event: IdentifyEvent): void {
    if (this._closed || this._disabled) return;
    try {
      const { context } = event;
      if (!context.valid) return;
      // An identify event carries the context itself, so it stands in for the index event: the key is
      // remembered (even when the queue is full, as LaunchDarkly does) but not counted as deduplicated.
      this._see(context);
      if (this._inbox.size >= this._inbox.capacity) {
        this._drop();
        return;
      }
      this._enqueue({ t: 'identify', date: event.creationDate, context: context.snapshot() });
    } catch (err) {
      this._recordFailed(err);
    }
  }

  /**
   * Adds the analytics events of a payload another processor built (what a cluster worker forwards to the
   * primary instead of posting it), so they leave in this processor's next payload:
   * - a `summary` is merged into this processor's summary (one summary per payload, whatever the number
   *   of workers; see {@link EventSummarizer.merge});
   * - an `index` event is kept only for a context this processor has not seen in its deduplication
   *   window (the worker deduplicated against its own contexts; this removes duplicates across workers);
   * - every other event (feature, debug, custom, identify) is queued as is, counted against `capacity`;
   *   when a payload would not fit, what is queued is sent first (while a delivery slot is free), and
   *   only then are events dropped and counted.
   * Contexts arrive already formatted (private attributes redacted by the worker). Anything that is not a
   * known event object is skipped. Never throws.
   */
  recordForwarded(events: readonly unknown[]): void {
    if (this._closed || this._disabled || !Array.isArray(events)) return;
    // Several workers fill one queue: rather than drop what does not fit, send what is queued now (an
    // early payload) while a delivery slot is free. Memory stays bounded by capacity × deliveries.
    if (this._inbox.size + events.length > this._inbox.capacity && this._inbox.size > 0 && this._delivery.inFlight.size < this._maxInFlight) {
      this._startDelivery();
    }
    for (const event of events) {
      try {
        this._recordForwarded(event);
      } catch (err) {
        this._recordFailed(err);
      }
    }
  }

  private _recordForwarded(event: unknown): void {
    if (typeof event !== 'object' || event === null) return;
    const output = event as OutputEvent;
    switch (output.kind) {
      case 'summary':
        if (typeof output.features !== 'object' || output.features === null) return;
        for (let n = this._summarizer.merge(output); n > 0; n--) this._dropUnknown();
        return;
      case 'index': {
        const context = Context.from(output.context);
        if (!context.valid) return;
        if (this._keys.see(context.canonicalKey)) {
          this._deduplicatedSinceDiagnostic++;
          this._deduplicatedTotal++;
          return;
        }
        this._enqueue({ t: 'output', event: output });
        return;
      }
      case 'migration_op':
        this._enqueue({ t: 'output', event: output });
        return;
      case 'feature':
      case 'debug':
      case 'custom':
      case 'identify':
        if (typeof output.context !== 'object' || output.context === null) return;
        if (output.kind === 'identify') this._keys.see(Context.from(output.context).canonicalKey);
        this._enqueue({ t: 'output', event: output });
        return;
      default:
        return;
    }
  }

  /** Records a stream connection attempt for the next diagnostic event (called by the streaming data source). */
  recordStreamInit(init: StreamInitRecord): void {
    this._diagnostics?.recordStreamInit(init);
  }

  /**
   * Queues an `index` event for a context not seen in the deduplication window (or counts it as
   * deduplicated), and returns the context's snapshot when one was taken or `keep` asks for it. While
   * the inbox is full nothing is snapshotted (it would be dropped anyway): overload must not make
   * recording more expensive.
   *
   * As in LaunchDarkly's SDK, the context is remembered as seen whether or not its index event fits in
   * the queue: under overload the index event is dropped (and counted) once, not on every later event of
   * that context, and which contexts get index events afterwards is the same as LaunchDarkly's.
   */
  private _indexIfNew(context: Context, date: number, keep: boolean): Context | undefined {
    const full = this._inbox.size >= this._inbox.capacity;
    if (this._see(context)) {
      this._deduplicatedSinceDiagnostic++;
      this._deduplicatedTotal++;
      return keep && !full ? context.snapshot() : undefined;
    }
    if (full) {
      this._drop();
      return undefined;
    }
    const snapshot = context.snapshot();
    this._enqueue({ t: 'index', date, context: snapshot });
    return snapshot;
  }

  /**
   * LaunchDarkly's `processContext`: true when the context was seen in the deduplication window; either
   * way it is the most recently used context afterwards.
   */
  private _see(context: Context): boolean {
    return this._keys.seeContext(context);
  }

  private _forgetContexts(): void {
    this._keys.clear();
  }

  private _sample(ratio: number): boolean {
    const n = Math.trunc(ratio);
    if (n === 1) return true;
    if (n <= 0 || Number.isNaN(n)) return false;
    return Math.floor(this._random() * n) === 0;
  }

  private _enqueue(record: InboxRecord): boolean {
    if (this._inbox.push(record)) {
      this._overflowing = false;
      return true;
    }
    this._drop();
    return false;
  }

  private _drop(): void {
    this._droppedSinceDiagnostic++;
    this._droppedTotal++;
    if (!this._overflowing) {
      this._overflowing = true;
      this._logger.warn(`[switchyard/core] ${OVERFLOW_WARNING}`);
    }
  }

  /** An unknown flag key beyond `maxUnknownFlagKeys`: counted as dropped, one warning per window. */
  private _dropUnknown(): void {
    this._droppedSinceDiagnostic++;
    this._droppedTotal++;
    if (!this._unknownKeysWarned) {
      this._unknownKeysWarned = true;
      this._logger.warn(
        `[switchyard/core] more distinct unknown flag keys were evaluated than maxUnknownFlagKeys between two flushes; evaluations of further unknown keys are left out of the summary until the next flush`,
      );
    }
  }

  private _recordFailed(err: unknown): void {
    // Recording must never break an evaluation; a bug here costs one event, not the caller.
    this._logger.debug(`[switchyard/core] could not record an event: ${(err as Error)?.message ?? String(err)}`);
  }

  // --- flushing and delivery (background) ---------------------------------------------------------

  /**
   * Sends what was recorded so far. Resolves once everything recorded before the call (and every payload
   * already being delivered) has been delivered or given up. Never rejects; resolves at once after
   * `close()` or once events are disabled.
   */
  async flush(): Promise<void> {
    if (this._disabled) return;
    // Waiting for a free delivery slot keeps at most `maxConcurrentDeliveries` payloads alive.
    while (this._delivery.inFlight.size >= this._maxInFlight && !this._disabled) await Promise.race(this._delivery.inFlight);
    this._startDelivery();
    // Every delivery in flight now either was in flight at the call or holds events recorded before it.
    await Promise.all(this._delivery.inFlight);
  }

  /**
   * Stops recording and the timers, delivers what was recorded (as {@link DefaultEventProcessor.flush}),
   * waits for deliveries in flight, and releases the sender's connections. Afterwards nothing keeps the
   * process alive. Never rejects; calling it again returns the same promise.
   */
  close(): Promise<void> {
    this._closing ??= (async () => {
      this._closed = true;
      for (const timer of this._timers) cancelTimer(timer);
      this._timers.length = 0;
      await this.flush();
      await Promise.all([...this._delivery.inFlight, ...this._delivery.diagnosticsInFlight]);
      this._inbox.clear();
      this._summarizer.clear();
      try {
        this._sender.close?.();
      } catch (err) {
        this._logger.debug(`[switchyard/core] closing the sender failed: ${(err as Error)?.message ?? String(err)}`);
      }
    })();
    return this._closing;
  }

  /**
   * Sends the periodic diagnostic event now (the timer does this every `diagnosticRecordingIntervalMs`)
   * and starts a new counting window. Resolves when it was delivered or given up; does nothing without
   * diagnostics, once events are disabled, or after `close()`.
   */
  async sendDiagnosticStats(): Promise<void> {
    if (!this._diagnostics || this._disabled || this._closed) return;
    const event = this._diagnostics.createStatsEventAndReset(this._droppedSinceDiagnostic, this._deduplicatedSinceDiagnostic, this._eventsInLastBatch);
    this._droppedSinceDiagnostic = 0;
    this._deduplicatedSinceDiagnostic = 0;
    await this._delivery.postDiagnostic(event);
  }

  /** Counters since start; see {@link EventProcessorStats}. */
  stats(): EventProcessorStats {
    return {
      queuedEvents: this._inbox.size,
      deliveriesInFlight: this._delivery.inFlight.size,
      droppedEvents: this._droppedTotal,
      deduplicatedContexts: this._deduplicatedTotal,
      payloadsDelivered: this._delivery.payloadsDelivered,
      payloadsDropped: this._delivery.payloadsDropped,
      disabled: this._disabled,
    };
  }

  private _onFlushTimer(): void {
    if (this._disabled) return;
    if (this._delivery.inFlight.size >= this._maxInFlight) {
      // Events stay queued (bounded by capacity) until a delivery finishes.
      this._logger.debug('[switchyard/core] all event deliveries are busy; this flush is skipped');
      return;
    }
    this._startDelivery();
  }

  /** Turns the inbox and the summary into one payload and starts delivering it (if there is anything). */
  private _startDelivery(): void {
    if (this._disabled) return;
    const records = this._inbox.takeAll();
    const summary = this._summarizer.takeSummary();
    this._unknownKeysWarned = false;
    if (records.length === 0 && !summary) return;
    let body: string;
    try {
      const events = buildOutputEvents(records, this._formatter);
      if (summary) events.push(summary);
      this._eventsInLastBatch = events.length;
      body = JSON.stringify(events);
    } catch (err) {
      this._delivery.payloadsDropped++;
      this._logger.error(`[switchyard/core] could not serialize ${records.length} events; they were dropped: ${(err as Error)?.message ?? String(err)}`);
      return;
    }
    this._delivery.sendAnalytics(body, randomUuid(), this._eventsInLastBatch);
  }

  /** The service rejected the SDK key (see {@link EventDelivery}): stop recording and sending for good. */
  private _disable(status: number): void {
    if (this._disabled) return;
    this._disabled = true;
    for (const timer of this._timers) cancelTimer(timer);
    this._timers.length = 0;
    this._inbox.clear();
    this._summarizer.clear();
    this._logger.error(
      `[switchyard/core] the events service rejected the SDK key (HTTP ${status}); analytics events are disabled until the SDK is restarted. Check the SDK key.`,
    );
  }
}
