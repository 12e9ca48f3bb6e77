import {
  EventsEndpoint as FakeEvents,
  FlagData,
  PollingEndpoint as FakePolling,
  StreamEndpoint as FakeStream,
  WireServer as FakeServer,
  type WirePayload as FakePayload,
} from '@switchyard/ld-wire';

/** Options of {@link startFakeLaunchDarkly}. */
export interface StartFakeLaunchDarklyOptions {
  /** The port to listen on. Default 0 (a free port). */
  readonly port?: number;
  /** The flags and segments served at start. Default: none. */
  readonly data?: Partial<FakePayload>;
  /**
   * Called with the server before it listens, to register more routes (e.g. the events endpoints).
   * Routes registered here are tried after streaming, polling and events.
   */
  readonly setup?: (server: FakeServer) => void;
}

/** A running fake LaunchDarkly: point `baseUri`, `streamUri` and `eventsUri` at `url`. */
export interface FakeLaunchDarkly {
  readonly server: FakeServer;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The flags and segments served by both the stream and polling. */
  readonly data: FlagData;
  readonly stream: FakeStream;
  readonly polling: FakePolling;
  /** The event endpoints (`POST /bulk`, `/diagnostic`). */
  readonly events: FakeEvents;
  /** Closes every connection and stops the server. */
  close(): Promise<void>;
}

/**
 * Starts the fake LaunchDarkly service with its streaming (`GET /all`), polling (`GET /sdk/latest-all`)
 * and event (`POST /bulk`, `/diagnostic`) endpoints on one server.
 */
export async function startFakeLaunchDarkly(options: StartFakeLaunchDarklyOptions = {}): Promise<FakeLaunchDarkly> {
  const server = new FakeServer();
  const data = new FlagData(options.data);
  const stream = new FakeStream(server, data);
  const polling = new FakePolling(server, data);
  const events = new FakeEvents(server);
  options.setup?.(server);
  await server.listen(options.port ?? 0);
  return { server, url: server.url, data, stream, polling, events, close: () => server.close() };
}
