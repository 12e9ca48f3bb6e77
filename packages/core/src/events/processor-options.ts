/**
 * The contract of `DefaultEventProcessor`: its options (each with its default) and its counters.
 * The processor itself is `processor.ts`.
 */
import type { AttributeReference } from '../context/attribute-reference.js';
import type { LDLogger } from '../logging/index.js';
import type { DiagnosticsManager } from './diagnostics.js';
import type { EventSender } from './sender.js';

/** Options of `DefaultEventProcessor`. Times are milliseconds. */
export interface DefaultEventProcessorOptions {
  /** Delivers payloads (node-server's HTTP sender, or a test double). */
  sender: EventSender;
  /** Where warnings (queue overflow, delivery failures) and the one "disabled" error go. Default: none. */
  logger?: LDLogger;
  /**
   * Events held between flushes (index, feature, debug, custom and identify events). When full, new
   * events are dropped and counted. Summaries are counted separately and are not limited by it: every
   * evaluation of a flag that exists is counted, whatever the capacity. Default 10000.
   */
  capacity?: number;
  /**
   * Distinct flag keys that were not found (`recordUnknownFlag`) counted in one summary window. Unknown
   * keys come from callers, not from flag data, so they have their own bound: an evaluation of a new
   * unknown key beyond it is left out of the summary and counted as a dropped event (known flags and
   * unknown keys already counted are never limited). Not tied to `capacity`. Default 1000.
   */
  maxUnknownFlagKeys?: number;
  /** How often queued events are sent. Default 5000. */
  flushIntervalMs?: number;
  /** Redact every context attribute except `key`, `kind` and `anonymous` in events. Default false. */
  allAttributesPrivate?: boolean;
  /** Attributes (names or `/a/b` references) to redact in every context. Default none. */
  privateAttributes?: readonly (string | AttributeReference)[];
  /**
   * Contexts remembered as already seen (an LRU of canonical keys, as LaunchDarkly's deduplication: a
   * context is seen from its first event on, even if its index event was dropped); 0 disables
   * deduplication. Default 1000.
   */
  contextKeysCapacity?: number;
  /** How often the remembered contexts are forgotten, so changed attributes get re-indexed. Default 300000. */
  contextKeysFlushIntervalMs?: number;
  /** Diagnostic events are sent only when given (`diagnosticOptOut` leaves it out). Default: none. */
  diagnostics?: DiagnosticsManager;
  /** How often the periodic diagnostic event is sent. Default 900000. */
  diagnosticRecordingIntervalMs?: number;
  /** Analytics payloads being delivered at once; a timed flush is skipped while all are busy. Default 5. */
  maxConcurrentDeliveries?: number;
  /** Wait before the single retry of a failed delivery. Default 1000. */
  retryDelayMs?: number;
  /** The clock for debug-event cut-off, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Random numbers in [0, 1) for `samplingRatio`. Default `Math.random`. */
  random?: () => number;
}

/** Counters of a `DefaultEventProcessor` since it started, for monitoring and tests. */
export interface EventProcessorStats {
  /** Events waiting for the next flush (never more than `capacity`). */
  readonly queuedEvents: number;
  /** Analytics payloads being delivered now. */
  readonly deliveriesInFlight: number;
  /** Events dropped because the queue was full, since start. */
  readonly droppedEvents: number;
  /** Events whose context was already indexed, since start. */
  readonly deduplicatedContexts: number;
  /** Analytics payloads delivered (2xx), since start. */
  readonly payloadsDelivered: number;
  /** Analytics payloads given up (after the retry, on 413, or when disabled), since start. */
  readonly payloadsDropped: number;
  /** True after the events service rejected the SDK key: nothing is recorded or sent any more. */
  readonly disabled: boolean;
}
