// One worker of the cluster: an HTTP server with ONE Switchyard client for the whole process.
//
// index.js forks this file with node:cluster. In cluster mode (the default) the worker's client opens no
// connection: it evaluates on a replica of the flags that the primary's client pushes over the cluster's
// IPC channel, and forwards its analytics events to the primary. With CLUSTER_MODE=off every worker has
// an independent client (its own stream, flag copy and event queue), for comparison.
import cluster from 'node:cluster';
import { createServer } from 'node:http';

import { sharedClient } from '@switchyard/node-server';

import { CLUSTER_MODE, FLAG_SERVICE_URL, SDK_KEY, clientOptions } from './options.js';

const PORT = Number(process.env.PORT ?? 3000);
/** How long to wait for the first flag data before serving (with default values) anyway, in seconds. */
const INIT_TIMEOUT_S = 10;
/** How long a request still running at shutdown may take before its connection is cut, in ms. */
const DRAIN_TIMEOUT_MS = 5000;

const workerId = cluster.worker?.id ?? 0; // 0 when run on its own, outside a cluster
const name = `worker ${workerId} (pid ${process.pid})`;

// sharedClient: the process's one client for this SDK key. Any module of the worker that calls
// sharedClient(SDK_KEY) gets this same client instead of creating a second one.
const client = sharedClient(SDK_KEY, clientOptions(name));

/**
 * The context of a request: `?user=<key>` is the key; other query parameters (`email`, `country`,
 * `name`, …) become string attributes that flag rules can match.
 *
 * @param {URLSearchParams} query
 * @returns {import('@switchyard/node-server').LDContext | undefined} undefined without `user`
 */
function contextOf(query) {
  const key = query.get('user');
  if (!key) return undefined;
  /** @type {Record<string, string>} */
  const attributes = {};
  for (const [attribute, value] of query) {
    if (!['user', 'key', 'kind', 'anonymous', '_meta'].includes(attribute)) attributes[attribute] = value;
  }
  return { ...attributes, kind: 'user', key };
}

/**
 * The flags this service uses, each with the value to use when the flag service cannot answer.
 * Each call counts in the analytics summary (allFlagsState would not: it sends no events).
 *
 * @param {import('@switchyard/node-server').LDContext} context
 */
async function flagsFor(context) {
  const [newCheckout, bannerText, maxUploadMb] = await Promise.all([
    client.boolVariation('new-checkout', context, false),
    client.stringVariation('banner-text', context, ''),
    client.numberVariation('max-upload-mb', context, 10),
  ]);
  return { 'new-checkout': newCheckout, 'banner-text': bannerText, 'max-upload-mb': maxUploadMb };
}

/** Set once shutdown has begun. @type {Promise<void> | undefined} */
let stopping;

const server = createServer((req, res) => {
  // While shutting down, answer the requests already here but let no connection stay open.
  if (stopping) res.setHeader('Connection', 'close');
  const url = new URL(req.url ?? '/', 'http://localhost');
  /** @param {number} status @param {unknown} body */
  const send = (status, body) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
  if (req.method !== 'GET' || url.pathname !== '/') return send(404, { error: 'try GET /?user=<key>' });
  const context = contextOf(url.searchParams);
  if (!context) return send(400, { error: 'missing ?user=<key>' });
  flagsFor(context).then(
    (flags) => send(200, { pid: process.pid, worker: workerId, flags }),
    (err) => send(500, { error: String(err) }), // evaluation never rejects; kept for completeness
  );
});

/** Stops accepting connections and waits for the requests in progress (at most DRAIN_TIMEOUT_MS). */
function closeServer() {
  return new Promise((resolve) => {
    if (!server.listening) return resolve(undefined);
    const force = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS);
    server.close(() => {
      clearTimeout(force);
      resolve(undefined);
    });
    server.closeIdleConnections(); // keep-alive connections with no request in progress
  });
}

/**
 * Graceful shutdown: no new connections, finish the requests in progress, deliver the pending
 * analytics events, close the client (stream, timers, sockets), exit 0. Safe to call more than once.
 *
 * @param {string} reason
 */
function shutdown(reason) {
  stopping ??= (async () => {
    console.log(`${name} shutting down (${reason})`);
    await closeServer();
    // In cluster mode close() hands the pending events to the primary, which delivers them once every
    // worker has stopped (waiting here for that delivery would only slow the shutdown down). Otherwise
    // flush() then close(): Switchyard's close() also delivers pending events, LaunchDarkly's Node SDK
    // drops them, so the explicit flush keeps this code correct with either SDK.
    if (!CLUSTER_MODE) await client.flush();
    await client.close();
    console.log(`${name} flushed its events and closed its client`);
    process.exit(0);
  })();
  return stopping;
}

// The primary (index.js) sends 'shutdown', as pm2 does with `shutdown_with_message`. A signal sent to the
// worker itself (pm2 sends SIGINT, Ctrl-C in a terminal reaches every process of the group, a
// container runtime sends SIGTERM) gets the same graceful path instead of the default instant death.
process.on('message', (message) => {
  if (message === 'shutdown') void shutdown('asked by the primary');
});
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// No graceful path when the primary itself is killed (SIGKILL, a crash): node:cluster then exits its
// workers at once, and the events they recorded since their last flush are lost.

server.on('error', (err) => {
  console.error(`${name} cannot serve on port ${PORT}: ${err.message}`);
  void client.close().finally(() => process.exit(1));
});

try {
  await client.waitForInitialization({ timeout: INIT_TIMEOUT_S });
} catch (err) {
  // Serve anyway: evaluations return the defaults above while the client keeps connecting.
  console.error(`${name} has no flags yet (${err instanceof Error ? err.message : String(err)}); serving default values until they arrive`);
}

if (!stopping) {
  // In a cluster worker, listen() shares the primary's socket: every worker "listens" on PORT and the
  // primary hands each new connection to one of them (round robin, except on Windows).
  server.listen(PORT, () => {
    console.log(`${name} ready: flags from ${CLUSTER_MODE ? 'the primary (cluster mode)' : FLAG_SERVICE_URL}, serving on port ${PORT}`);
    // The primary counts these; pm2 waits for the same message with `wait_ready: true`.
    process.send?.('ready');
  });
}
