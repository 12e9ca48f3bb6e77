/**
 * A local LaunchDarkly-compatible service for tests and sample apps. One HTTP server answers the
 * streaming (`GET /all`), polling (`GET /sdk/latest-all`) and event (`POST /bulk`, `/diagnostic`)
 * endpoints, so an SDK pointed at it with `baseUri`, `streamUri` and `eventsUri` all set to its `url`
 * works end to end, and tests can inject faults (drop streams, malformed data, 401/503, delays).
 *
 * Each endpoint family lives in its own module and registers its routes on the shared {@link FakeServer}.
 */
export { FakeServer, type FakeServerOptions, type RecordedRequest, type Route } from './server.js';
export { FlagData, type FakeItem, type FakeKind, type FakePayload } from './flag-data.js';
export { FakeStream, sseEvent, type SseLineEnding, type StreamConnection, type StreamPlan } from './stream.js';
export { FakePolling, type PollPlan } from './polling.js';
export { startFakeLaunchDarkly, type FakeLaunchDarkly, type StartFakeLaunchDarklyOptions } from './fake-launchdarkly.js';
export { FakeEvents, type EventEndpoint, type EventPlan, type EventPost } from './events.js';
