/**
 * How core hands payloads to the network. Core never does I/O itself: a platform package (node-server's
 * HTTP sender, or a test double) implements this.
 */

/** `analytics` goes to `{eventsUri}/bulk` (a JSON array), `diagnostic` to `{eventsUri}/diagnostic` (one object). */
export type EventPayloadKind = 'analytics' | 'diagnostic';

/** What the events service answered. */
export interface EventDeliveryResult {
  /** The HTTP status. 2xx is success; see {@link EventSender.send} for the rest. */
  readonly status: number;
  /**
   * The server's clock (the response's `Date` header, epoch ms) when present. Debug events stop once the
   * flag's `debugEventsUntilDate` has passed on this clock, even if the local clock is behind.
   */
  readonly serverTime?: number;
}

/**
 * Posts one payload, once. The processor owns the policy: it retries once after about a second on a
 * rejection or a recoverable status (400, 408, 429, 5xx) with the same `payloadId`, drops the payload on
 * 413, and disables itself on any other 4xx (401 and 403: the SDK key is not valid).
 */
export interface EventSender {
  /**
   * Posts `body` (JSON text). For analytics payloads `payloadId` is a UUID to send as
   * `X-LaunchDarkly-Payload-ID` (with `X-LaunchDarkly-Event-Schema: 4`), the same on a retry, so the
   * service can drop a duplicate; diagnostic payloads have none. Resolves with any HTTP answer; rejects
   * only when there was none (connection refused or reset, timeout); a rejection with a `ClosedError`
   * (the transport was closed) is not retried. Must settle within a bounded time (a request timeout):
   * `flush()` and `close()` wait for it. Must not log the SDK key.
   */
  send(kind: EventPayloadKind, body: string, payloadId: string | undefined): Promise<EventDeliveryResult>;
  /** Releases connections (called once, by the processor's `close()`, after its last delivery). */
  close?(): void;
}
