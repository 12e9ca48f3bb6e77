/**
 * Delivery of the event processor's payloads to its {@link EventSender}: one attempt and one retry with
 * the same payload id, the analytics payloads in flight (bounded by the processor), diagnostic posts,
 * delivery counters, the server's clock, and the decision to disable events when the service rejects
 * the SDK key. Never rejects.
 */
import { ClosedError } from '../errors/index.js';
import type { LDLogger } from '../logging/index.js';
import type { EventPayloadKind, EventSender } from './sender.js';

// A retry delay must keep the process alive like the request it replaces would (an application that
// awaits `flush()` before exiting must not exit in the middle of it), so it uses a plain timer here rather
// than the unref'd ones in platform/.
declare const globalThis: { setTimeout(fn: () => void, ms: number): unknown };

/** Statuses after which the same payload may succeed on a retry (LaunchDarkly's rule: any non-4xx, and 400, 408, 429). */
function isRecoverable(status: number): boolean {
  return status < 400 || status >= 500 || status === 400 || status === 408 || status === 429;
}

export class EventDelivery {
  /** Analytics payloads being delivered. */
  readonly inFlight = new Set<Promise<void>>();
  readonly diagnosticsInFlight = new Set<Promise<void>>();
  /** The service's clock from its last answer (epoch ms): debug events end by it too. */
  lastKnownPastTime = 0;
  payloadsDelivered = 0;
  payloadsDropped = 0;
  private _failing = false;
  private _disabled = false;

  /** `onRejectedKey` runs once, when the service rejects the SDK key (401, 403, other unrecoverable 4xx). */
  constructor(
    private readonly _sender: EventSender,
    private readonly _logger: LDLogger,
    private readonly _retryDelayMs: number,
    private readonly _onRejectedKey: (status: number) => void,
  ) {}

  /** Starts delivering an analytics payload; it stays in {@link EventDelivery.inFlight} until it settles. */
  sendAnalytics(body: string, payloadId: string, eventCount: number): void {
    const delivery: Promise<void> = this._deliver('analytics', body, payloadId, eventCount).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  postDiagnostic(event: object): Promise<void> {
    let body: string;
    try {
      body = JSON.stringify(event);
    } catch {
      return Promise.resolve();
    }
    const delivery: Promise<void> = this._deliver('diagnostic', body, undefined, 0).finally(() => this.diagnosticsInFlight.delete(delivery));
    this.diagnosticsInFlight.add(delivery);
    return delivery;
  }

  /** One payload: one attempt, and one retry with the same payload id. Never rejects. */
  private async _deliver(kind: EventPayloadKind, body: string, payloadId: string | undefined, eventCount: number): Promise<void> {
    let problem = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      if (attempt > 0) {
        await new Promise<void>((resolve) => globalThis.setTimeout(resolve, this._retryDelayMs));
        if (this._disabled) break;
      }
      let status: number;
      try {
        const result = await this._sender.send(kind, body, payloadId);
        status = result.status;
        const serverTime = result.serverTime;
        if (typeof serverTime === 'number' && Number.isFinite(serverTime)) this.lastKnownPastTime = serverTime;
      } catch (err) {
        problem = (err as Error)?.message ?? String(err);
        // A closed transport (its owner gave up waiting for close()) will never deliver, and the retry's
        // timer would keep the process alive after the owner closed.
        if (ClosedError.isInstance(err)) break;
        continue;
      }
      if (status >= 200 && status < 300) {
        if (kind === 'analytics') this.payloadsDelivered++;
        if (this._failing) this._logger.info('[switchyard/core] event delivery works again');
        this._failing = false;
        return;
      }
      if (status === 401 || status === 403 || (kind === 'analytics' && !isRecoverable(status) && status !== 413)) {
        this._disable(status);
        if (kind === 'analytics') this.payloadsDropped++;
        return;
      }
      if (!isRecoverable(status)) {
        // 413 (or another unrecoverable status on the diagnostic endpoint): this payload can never succeed,
        // the next one may.
        if (kind === 'analytics') this.payloadsDropped++;
        this._logger.warn(`[switchyard/core] the events service refused a ${kind} payload (HTTP ${status}); ${eventCount} events were dropped`);
        return;
      }
      problem = `HTTP ${status}`;
    }
    if (kind === 'analytics') this.payloadsDropped++;
    if (this._disabled) return;
    // Logged once per outage: an unreachable service must not write a warning every flush interval.
    const message = `[switchyard/core] could not deliver ${kind === 'analytics' ? `${eventCount} events` : 'a diagnostic event'} after a retry (${problem}); they were dropped`;
    if (this._failing) this._logger.debug(message);
    else this._logger.warn(message);
    this._failing = true;
  }

  private _disable(status: number): void {
    if (this._disabled) return;
    this._disabled = true;
    this._onRejectedKey(status);
  }
}
