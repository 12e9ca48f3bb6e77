import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';

import { DataKinds, type LDLogger, PersistentStoreWrapper, type PersistentDataStore, type DataKind } from '@switchyard/core';
import { type DataSourceStatus, type LDClient, basicLogger, init } from '@switchyard/node-server';
import { DynamoDbPersistentStore } from '@switchyard/store-dynamodb';
import { RedisPersistentStore } from '@switchyard/store-redis';

import type { RelayConfig, RelayTuning, StoreConfig } from './config.js';
import { RelayStore, type RelayUpdate } from './relay-store.js';

/** Where the relay serves SDKs from, as `/status` and the logs say. */
export type ServingState = 'waiting-for-data' | 'upstream' | 'store-only' | 'stopped';

/** The `/status` document (shaped like Relay's, one environment). */
export interface RelayStatus {
  readonly status: 'healthy' | 'degraded';
  readonly environments: Record<
    string,
    {
      readonly sdkKey: string;
      readonly status: 'connected' | 'disconnected';
      readonly serving: ServingState;
      readonly connectionStatus: { readonly state: string; readonly stateSince: string; readonly lastError?: { kind: string; statusCode?: number; time: string } };
      readonly dataStoreStatus: { readonly state: 'VALID' | 'INTERRUPTED'; readonly available: boolean; readonly database: string; readonly cacheTtlMs: number | 'forever' };
      readonly lastUpdate: string | null;
      readonly connectedStreams: number;
    }
  >;
}

/** A running relay. */
export interface Relay {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The upstream client (its data source and store status providers, `getMetrics()`, `onOperation`). */
  readonly client: LDClient;
  readonly store: RelayStore;
  status(): RelayStatus;
  /** Stops accepting, closes SDK streams, flushes forwarded events, closes the client and the store. */
  close(): Promise<void>;
}

export interface StartRelayOptions extends RelayTuning {
  /** Where the relay logs. Default: `basicLogger({ level: 'info' })` on the console. */
  readonly logger?: LDLogger;
}

const LOG = '[relay]';
const KINDS: readonly [DataKind, 'flags' | 'segments'][] = [
  [DataKinds.features, 'flags'],
  [DataKinds.segments, 'segments'],
];

function createPersistentStore(store: StoreConfig, logger: LDLogger, maxItemBytes: number | undefined): PersistentDataStore {
  const size = maxItemBytes === undefined ? {} : { maxItemBytes };
  if (store.type === 'redis') {
    const auth = { ...(store.password ? { password: store.password } : {}), ...(store.username ? { username: store.username } : {}) };
    return new RedisPersistentStore(
      {
        ...(store.clusterNodes ? { clusterNodes: [...store.clusterNodes], clusterOptions: { redisOptions: auth } } : { url: store.url, redisOptions: auth }),
        ...(store.prefix ? { prefix: store.prefix } : {}),
        ...size,
      },
      logger,
    );
  }
  const clientOptions: Record<string, unknown> = { ...store.clientOptions };
  if (store.endpoint) clientOptions.endpoint ??= store.endpoint;
  if (store.endpoint && !process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION) clientOptions.region ??= 'us-east-1';
  return new DynamoDbPersistentStore({ tableName: store.tableName, clientOptions, ...(store.prefix ? { prefix: store.prefix } : {}), ...size }, logger);
}

function maskKey(key: string): string {
  return key.length > 8 ? `********${key.slice(-4)}` : '********';
}

function sse(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}

/** An SDK's key from its `Authorization` header (raw, or `api_key <key>`). */
function credential(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.replace(/^api_key\s+/i, '').trim();
}

const FORWARDED_HEADERS = ['authorization', 'content-type', 'content-encoding', 'user-agent'];

/**
 * Starts the relay: one upstream stream (a node-server client whose `featureStore` is the persistent
 * store), and an HTTP server for SDKs in proxy mode (`/all`, `/sdk/latest-all`, `/bulk`, `/diagnostic`)
 * plus `/status`.
 */
export async function startRelay(config: RelayConfig, options: StartRelayOptions = {}): Promise<Relay> {
  const logger = options.logger ?? basicLogger({ level: 'info' });
  const persistent = createPersistentStore(config.store, logger, options.maxItemBytes);
  const wrapper = new PersistentStoreWrapper(persistent, {
    cacheTtlMs: config.cacheTtlMs,
    logger,
    ...(options.storePollIntervalMs ? { statusPollIntervalMs: options.storePollIntervalMs, healthCheckIntervalMs: Math.max(options.storePollIntervalMs, 1000) } : {}),
  });
  const store = new RelayStore(wrapper, persistent);
  const client = init(config.sdkKey, {
    streamUri: config.streamUri,
    baseUri: config.baseUri,
    eventsUri: config.eventsUri,
    featureStore: store,
    sendEvents: false,
    diagnosticOptOut: true,
    streamInitialReconnectDelay: (options.upstreamReconnectDelayMs ?? 1000) / 1000,
    logger,
  });

  // --- state ---------------------------------------------------------------------------------
  let serving: ServingState = 'waiting-for-data';
  let storeNeedsRewrite = false;
  let rewriteDeadline = 0;
  const setServing = (next: ServingState, why: string) => {
    if (serving === next) return;
    serving = next;
    logger.info(`${LOG} state ${next}: ${why}`);
  };
  logger.info(`${LOG} state waiting-for-data: connecting to ${config.streamUri} (SDK connections get 503 until data arrives or initTimeout ${config.initTimeoutMs} ms passes)`);
  client.dataSourceStatusProvider.on('change', (s: DataSourceStatus) => {
    if (s.state === 'VALID') setServing('upstream', 'upstream stream connected; serving fresh data from memory and writing it to the store');
    else if (s.state === 'INTERRUPTED') {
      const error = s.lastError ? ` (${s.lastError.kind}${s.lastError.statusCode ? ` ${s.lastError.statusCode}` : ''})` : '';
      logger.warn(`${LOG} upstream stream interrupted${error}; reconnecting with backoff, SDKs keep being served from memory/store`);
    } else if (s.state === 'OFF' && serving !== 'stopped') logger.error(`${LOG} upstream data source stopped for good (check the SDK key); serving what the store holds`);
  });
  store.status.on('change', (s) => {
    if (!s.available) {
      storeNeedsRewrite = true;
      logger.warn(`${LOG} persistent store (${store.description}) unavailable: new SDK connections are served from memory while the cache TTL lasts, then get 503`);
    } else if (s.refreshNeeded) {
      rewriteDeadline = Date.now() + config.initTimeoutMs;
      logger.info(
        `${LOG} persistent store (${store.description}) available again; refreshing from upstream and rewriting the store (new SDK connections get 503 until then, for at most initTimeout)`,
      );
    } else {
      storeNeedsRewrite = false;
      logger.info(`${LOG} persistent store (${store.description}) available again; the cached data was written back`);
    }
  });

  // --- SDK streams ---------------------------------------------------------------------------
  interface Stream {
    res: ServerResponse;
    queue: string[] | undefined; // buffered while the initial put is being built
  }
  const streams = new Set<Stream>();

  /**
   * The full data set as a `put`/poll body. `fromMemory`: from the cache alone (no store read), failing
   * when the cache has expired.
   */
  async function payload(fromMemory = false): Promise<string> {
    const parts: string[] = [];
    for (const [kind, wire] of KINDS) {
      const items = fromMemory ? store.allSync(kind) : await store.all(kind);
      if (!items) throw new Error('the cache has expired and the store has not been rewritten since its outage');
      parts.push(`${JSON.stringify(wire)}:{${Object.entries(items).map(([key, item]) => `${JSON.stringify(key)}:${kind.serialize(item)}`).join(',')}}`);
    }
    return `{${parts.join(',')}}`;
  }

  /**
   * During a store outage, and after it until upstream's fresh data set has been written (for at most
   * initTimeout), SDKs are served from memory only: a store that is coming back may answer reads before
   * the relay sees it available, and answer them empty (restarted without persistence).
   */
  function memoryOnly(): boolean {
    return storeNeedsRewrite && (!store.status.getStatus().available || Date.now() < rewriteDeadline);
  }

  const send = (text: string) => {
    for (const s of streams) {
      if (s.queue) s.queue.push(text);
      else s.res.write(text);
    }
  };
  let putsPending = Promise.resolve();
  store.onUpdate((update: RelayUpdate) => {
    if (update.type === 'put') {
      storeNeedsRewrite = false;
      putsPending = putsPending.then(async () => {
        try {
          send(sse('put', `{"path":"/","data":${await payload()}}`));
        } catch (err) {
          logger.warn(`${LOG} could not send new data to SDK streams: ${(err as Error).message}`);
        }
      });
      return;
    }
    const wire = update.kind.namespace === 'features' ? 'flags' : 'segments';
    if (update.type === 'patch') send(sse('patch', `{"path":"/${wire}/${update.item.key}","data":${update.kind.serialize(update.item)}}`));
    else send(sse('delete', JSON.stringify({ path: `/${wire}/${update.key}`, version: update.version })));
  });
  const heartbeat = setInterval(() => send(':\n\n'), options.heartbeatMs ?? 180_000);
  heartbeat.unref();

  /** The SDK may be answered: data arrived, or initTimeout passed with an initialized store. */
  function unavailableReason(): string | undefined {
    if (serving === 'waiting-for-data') return 'the relay has no data yet';
    if (serving === 'stopped') return 'the relay is shutting down';
    return undefined;
  }

  /** Refusals are logged once until the next successful answer, not once per SDK retry. */
  let refusing = false;
  function refuse(res: ServerResponse, what: string, err: unknown): void {
    const message = `${LOG} ${what} refused with 503: no data to serve (${(err as Error).message})`;
    if (refusing) logger.debug(message);
    else logger.warn(`${message}; SDKs get 503 until it can be read (further refusals are logged at debug level)`);
    refusing = true;
    res.writeHead(503, { 'Content-Type': 'text/plain' }).end('store unavailable\n');
  }
  function served(): void {
    if (refusing) logger.info(`${LOG} the store can be read again; SDK connections are being served`);
    refusing = false;
  }

  async function serveStream(res: ServerResponse): Promise<void> {
    const stream: Stream = { res, queue: [] };
    streams.add(stream);
    res.on('close', () => streams.delete(stream));
    let body: string;
    try {
      body = await payload(memoryOnly());
    } catch (err) {
      streams.delete(stream);
      refuse(res, 'SDK stream', err);
      return;
    }
    served();
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(sse('put', `{"path":"/","data":${body}}`));
    for (const text of stream.queue!) res.write(text);
    stream.queue = undefined;
  }

  // --- events --------------------------------------------------------------------------------
  const forwards = new Set<Promise<void>>();
  function forwardEvents(req: IncomingMessage, path: string, body: Buffer): void {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && (FORWARDED_HEADERS.includes(name) || name.startsWith('x-launchdarkly'))) headers[name] = value;
    }
    const forward = fetch(`${config.eventsUri}${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) })
      .then(async (r) => {
        await r.arrayBuffer();
        if (r.status >= 300) logger.warn(`${LOG} upstream events endpoint answered ${r.status} to a forwarded ${path} post`);
      })
      .catch((err: unknown) => logger.warn(`${LOG} forwarding ${path} events failed: ${(err as Error).message}`));
    forwards.add(forward);
    void forward.finally(() => forwards.delete(forward));
  }

  // --- HTTP ----------------------------------------------------------------------------------
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      logger.error(`${LOG} request ${req.method} ${req.url?.split('?')[0]} failed: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://relay').pathname;
    if (req.method === 'GET' && path === '/status') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(status()));
      return;
    }
    const isStream = req.method === 'GET' && path === '/all';
    const isPoll = req.method === 'GET' && path === '/sdk/latest-all';
    const isEvents = req.method === 'POST' && (path === '/bulk' || path === '/diagnostic');
    if (!isStream && !isPoll && !isEvents) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    if (credential(req) !== config.sdkKey) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('unknown SDK key\n');
      return;
    }
    if (isEvents) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      forwardEvents(req, path, Buffer.concat(chunks));
      res.writeHead(202).end();
      return;
    }
    const reason = unavailableReason();
    if (reason) {
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end(`${reason}\n`);
      return;
    }
    if (isStream) return serveStream(res);
    let body: string;
    try {
      body = await payload(memoryOnly());
    } catch (err) {
      refuse(res, 'SDK poll', err);
      return;
    }
    served();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
  }

  function status(): RelayStatus {
    const ds = client.dataSourceStatusProvider.getStatus();
    const st = store.status.getStatus();
    const connected = ds.state === 'VALID';
    const err = ds.lastError;
    return {
      status: connected && st.available && serving !== 'waiting-for-data' ? 'healthy' : 'degraded',
      environments: {
        [config.envName]: {
          sdkKey: maskKey(config.sdkKey),
          status: connected ? 'connected' : 'disconnected',
          serving,
          connectionStatus: {
            state: ds.state,
            stateSince: new Date(ds.stateSince).toISOString(),
            ...(err ? { lastError: { kind: err.kind, ...(err.statusCode ? { statusCode: err.statusCode } : {}), time: new Date(err.time).toISOString() } } : {}),
          },
          dataStoreStatus: {
            state: st.available ? 'VALID' : 'INTERRUPTED',
            available: st.available,
            database: store.description,
            cacheTtlMs: config.cacheTtlMs < 0 ? 'forever' : config.cacheTtlMs,
          },
          lastUpdate: store.lastUpdate === undefined ? null : new Date(store.lastUpdate).toISOString(),
          connectedStreams: streams.size,
        },
      },
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(`${LOG} listening on ${config.host}:${port} for environment "${config.envName}" (store: ${store.description}, cache TTL ${config.cacheTtlMs < 0 ? 'forever' : `${config.cacheTtlMs} ms`})`);

  // --- initialization: upstream data, or the store after initTimeout ---------------------------
  client.waitForInitialization({ timeout: Math.max(config.initTimeoutMs, 1) / 1000 }).then(
    () => setServing('upstream', 'upstream stream connected; serving fresh data from memory and writing it to the store'),
    async () => {
      if (serving !== 'waiting-for-data') return;
      if (await store.initialized()) {
        setServing('store-only', `no upstream data within initTimeout (${config.initTimeoutMs} ms); serving what the persistent store holds while reconnecting`);
      } else {
        logger.error(`${LOG} no upstream data within initTimeout and the persistent store is not initialized; SDKs get 503 until upstream data arrives`);
      }
    },
  );

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    client,
    store,
    status,
    close() {
      closing ??= (async () => {
        setServing('stopped', 'shutting down');
        clearInterval(heartbeat);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const s of streams) s.res.end();
        streams.clear();
        server.closeIdleConnections();
        await Promise.race([Promise.allSettled([...forwards]), new Promise((r) => setTimeout(r, 5000))]);
        server.closeAllConnections();
        await closed;
        await client.close();
        logger.info(`${LOG} stopped`);
      })();
      return closing;
    },
  };
}
