/**
 * A local LaunchDarkly-compatible service for tests and sample apps. One HTTP server answers the
 * streaming (`GET /all`), polling (`GET /sdk/latest-all`) and event (`POST /bulk`, `/diagnostic`)
 * endpoints, so an SDK pointed at it with `baseUri`, `streamUri` and `eventsUri` all set to its `url`
 * works end to end, and tests can inject faults (drop streams, malformed data, 401/503, delays).
 *
 * The endpoints are `@switchyard/ld-wire`'s, the same code the local flag service serves; this package
 * adds {@link startFakeLaunchDarkly}, the `fake-launchdarkly` CLI, and the `Fake*` names tests use.
 */
export {
  WireServer as FakeServer,
  type WireServerOptions as FakeServerOptions,
  type RecordedRequest,
  type Route,
  FlagData,
  type WireItem as FakeItem,
  type WireKind as FakeKind,
  type WirePayload as FakePayload,
  StreamEndpoint as FakeStream,
  sseEvent,
  type SseLineEnding,
  type StreamConnection,
  type StreamPlan,
  PollingEndpoint as FakePolling,
  type PollPlan,
  EventsEndpoint as FakeEvents,
  type EventEndpoint,
  type EventPlan,
  type EventPost,
} from '@switchyard/ld-wire';
export { startFakeLaunchDarkly, type FakeLaunchDarkly, type StartFakeLaunchDarklyOptions } from './fake-launchdarkly.js';
