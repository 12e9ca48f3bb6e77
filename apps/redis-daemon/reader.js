// A reader: evaluates flags from Redis in daemon mode (`useLdd: true`). It never connects to the flag
// service for flags; the writer keeps Redis up to date, and this process's cache (CACHE_TTL_MS) decides
// how soon it sees a change. It answers `GET /?user=<key>` with every flag's value for that user.
// Started by index.js as `node reader.js <index>` (readers are numbered from 1).
import { createServer } from 'node:http';

import { basicLogger, init } from '@switchyard/node-server';
import { redisStore } from '@switchyard/store-redis';

import { READER_POOL, onStop, readConfig, readerConnectionName, tellLauncher } from './config.js';

const config = readConfig();
const index = Number(process.argv[2] ?? 1);
if (!Number.isInteger(index) || index < 1) throw new Error(`reader.js takes the reader's number (1, 2, …), got ${process.argv[2]}`);
const name = `reader ${index}`;

const client = init(config.sdkKey, {
  useLdd: true, // daemon mode: no stream, no polling; flags are read from the feature store
  // In daemon mode only analytics events still go to the service. The other two URIs are never used but
  // set alike, so that the SDK does not warn about a partial set of custom URIs.
  baseUri: config.flagServiceUrl,
  streamUri: config.flagServiceUrl,
  eventsUri: config.flagServiceUrl,
  sendEvents: config.sendEvents,
  logger: basicLogger({ level: config.logLevel, name }),
  featureStore: redisStore({
    url: config.redisUrl,
    prefix: config.prefix,
    cacheTtlMs: config.cacheTtlMs,
    pool: { ...READER_POOL, connectionName: readerConnectionName(index) },
  }),
});

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
function reply(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' || url.pathname !== '/') {
    reply(res, 404, { error: 'only GET /?user=<key> is served' });
    return;
  }
  const user = url.searchParams.get('user');
  if (!user) {
    reply(res, 400, { error: 'add ?user=<key>' });
    return;
  }
  client
    .allFlagsState({ kind: 'user', key: user })
    .then((state) => {
      if (state.valid) reply(res, 200, { reader: index, pid: process.pid, flags: state.allValues() });
      else reply(res, 503, { reader: index, pid: process.pid, error: 'flags could not be read from Redis (see the log)' });
    })
    .catch((/** @type {unknown} */ err) => reply(res, 500, { error: String(err) }));
});

const state = onStop(name, async () => {
  server.closeAllConnections(); // keep-alive connections would otherwise hold close() open
  await new Promise((resolve) => server.close(resolve));
  await client.close();
});

try {
  await client.waitForInitialization({ timeout: 10 });
  // One evaluation before saying ready: it opens the Redis connection and fills the cache, and fails
  // here (not on the first request) when Redis cannot be read.
  const warmUp = await client.allFlagsState({ kind: 'user', key: 'redis-daemon-warm-up' });
  if (!warmUp.valid) throw new Error(`could not read flags from ${config.redisUrl.replace(/\/\/[^@/]*@/, '//')}`);
  const port = config.port === 0 ? 0 : config.port + index - 1;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : port;
  tellLauncher({ type: 'ready', port: listening });
  if (!process.send) console.log(`[${name}] http://127.0.0.1:${listening}/?user=alice`);
} catch (err) {
  if (!state.stopping) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`[${name}] could not start: ${message}`);
    tellLauncher({ type: 'failed', message });
    process.exitCode = 1;
    state.stop();
  }
}
