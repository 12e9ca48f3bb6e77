import type { EventProcessor, EventProcessorStats, LDLogger } from '@switchyard/core';

import type { StreamInitInfo } from '../data-sources/streaming.js';
import type { HttpClient } from '../http/http-client.js';
import type { Configuration } from '../options.js';

/** What an event processor factory is given by the client. */
export interface EventProcessorContext {
  /** For the `Authorization` header only; never log it. */
  readonly sdkKey: string;
  /** The validated options (durations in ms): `eventsUri`, `capacity`, `flushIntervalMs`, privacy settings… */
  readonly config: Configuration;
  readonly logger: LDLogger;
  /** The client's HTTP transport (keep-alive agents, TLS, proxy); closed by the client after the processor. */
  readonly http: HttpClient;
  /** The headers of every request (Authorization, User-Agent, instance id, wrapper, tags). */
  readonly headers: Readonly<Record<string, string>>;
  /** The data store's `description`, for diagnostic events. */
  readonly storeDescription: string;
}

/**
 * An event processor as the client uses it. `recordStreamInit`, when present, is called for each stream
 * connection attempt (diagnostic events' `streamInits`); `recordForwarded` takes cluster workers' events.
 */
export type ClientEventProcessor = EventProcessor & {
  recordStreamInit?(info: StreamInitInfo): void;
  /** A cluster primary's: merges a worker's forwarded payload (core's `DefaultEventProcessor` has it). */
  recordForwarded?(events: readonly unknown[]): void;
  /** Counters for monitoring (core's `DefaultEventProcessor` has them); see `LDClient.getEventProcessorStats`. */
  stats?(): EventProcessorStats;
};

/**
 * Creates the client's event processor. Only called when events are on (`sendEvents` and not offline).
 * The client uses `eventProcessorFactory` (`./factory.ts`) unless another is injected.
 */
export type EventProcessorFactory = (context: EventProcessorContext) => ClientEventProcessor;
