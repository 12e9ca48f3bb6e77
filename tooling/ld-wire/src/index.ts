/**
 * LaunchDarkly's server-side wire protocol, served: one HTTP server ({@link WireServer}) with the
 * streaming (`GET /all`), polling (`GET /sdk/latest-all`) and event (`POST /bulk`, `/diagnostic`)
 * endpoints over shared flag data ({@link FlagData}).
 *
 * The one implementation of the service side of the protocol in this repo. Two users build on it:
 * - `apps/flag-service`, the local flag service, which adds SDK-key checks, a data file and a page;
 * - `@switchyard/fake-launchdarkly`, the test fake, which adds `startFakeLaunchDarkly` and a CLI and
 *   scripts faults through each endpoint's plans.
 *
 * Each endpoint family lives in its own module and registers its routes on the server.
 */
export { WireServer, type WireServerOptions, type RecordedRequest, type Route } from './server.js';
export { FlagData, type WireItem, type WireKind, type WirePayload } from './flag-data.js';
export { StreamEndpoint, sseEvent, type SseLineEnding, type StreamConnection, type StreamPlan } from './stream.js';
export { PollingEndpoint, type PollPlan } from './polling.js';
export { EventsEndpoint, type EventEndpoint, type EventPlan, type EventPost } from './events.js';
