// Settings shared by the launcher (index.js), the writer (writer.js) and the readers (reader.js): the
// environment variables, the pool options of each process, and the small IPC protocol between them.

/** The connection-pool options of the one writer process: one connection, opened at start. */
export const WRITER_POOL = Object.freeze({ maxConnections: 1, minIdle: 1 });

/** The connection-pool options of each reader process: one connection at start, a second under load. */
export const READER_POOL = Object.freeze({ maxConnections: 2, minIdle: 1 });

/** The `CLIENT SETNAME` of the writer's connections, so `CLIENT LIST` shows which process holds each one. */
export const WRITER_CONNECTION_NAME = 'redis-daemon-writer';

/**
 * The `CLIENT SETNAME` of reader `index`'s connections (readers are numbered from 1).
 * @param {number} index
 */
export function readerConnectionName(index) {
  return `redis-daemon-reader-${index}`;
}

/**
 * @typedef {object} Config
 * @property {string} sdkKey `SDK_KEY`
 * @property {string} flagServiceUrl `FLAG_SERVICE_URL`: streaming, polling and events base URI
 * @property {string} redisUrl `REDIS_URL`
 * @property {string} prefix `REDIS_PREFIX`: key prefix in Redis
 * @property {number} readers `READERS`: how many reader processes
 * @property {number} port `PORT`: reader i listens on `port + i - 1`; 0 = any free port
 * @property {number} cacheTtlMs `CACHE_TTL_MS`: the in-memory cache in front of Redis, in milliseconds
 * @property {boolean} sendEvents `SEND_EVENTS`: whether readers send analytics events
 * @property {import('@switchyard/node-server').LogLevel} logLevel `LOG_LEVEL`: the SDK's log level
 */

/**
 * Reads the settings from the environment. Throws an `Error` naming the variable when one is invalid.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Config}
 */
export function readConfig(env = process.env) {
  /**
   * @param {string} name
   * @param {number} fallback
   * @param {number} min
   * @param {number} max
   */
  const integer = (name, fallback, min, max) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(text)})`);
    }
    return value;
  };
  /**
   * @param {string} name
   * @param {string} fallback
   * @param {RegExp} [pattern]
   * @param {string} [expected]
   */
  const string = (name, fallback, pattern, expected) => {
    const value = env[name] || fallback;
    if (pattern && !pattern.test(value)) throw new Error(`${name} must be ${expected} (got ${JSON.stringify(value)})`);
    return value;
  };

  const readers = integer('READERS', 3, 1, 64);
  const port = integer('PORT', 3100, 0, 65535);
  if (port !== 0 && port + readers - 1 > 65535) throw new Error(`PORT ${port} leaves no room for ${readers} readers`);

  const sendEventsText = (env.SEND_EVENTS ?? 'true').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(sendEventsText)) {
    throw new Error(`SEND_EVENTS must be true or false (got ${JSON.stringify(env.SEND_EVENTS)})`);
  }
  const logLevel = string('LOG_LEVEL', 'info', /^(debug|info|warn|error|none)$/, 'debug, info, warn, error or none');

  return {
    sdkKey: string('SDK_KEY', 'sdk-local-dev'),
    flagServiceUrl: string('FLAG_SERVICE_URL', 'http://127.0.0.1:8765', /^https?:\/\/\S+$/, 'an http:// or https:// URL').replace(/\/+$/, ''),
    redisUrl: string('REDIS_URL', 'redis://127.0.0.1:6379', /^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL'),
    prefix: string('REDIS_PREFIX', 'launchdarkly'),
    readers,
    port,
    // Negative means "cache forever" for the store; any whole number of milliseconds is accepted.
    cacheTtlMs: integer('CACHE_TTL_MS', 30_000, -1, 24 * 60 * 60 * 1000),
    sendEvents: sendEventsText === 'true' || sendEventsText === '1',
    logLevel: /** @type {import('@switchyard/node-server').LogLevel} */ (logLevel),
  };
}

/**
 * What a child process tells the launcher over the IPC channel.
 * @typedef {{ type: 'ready', port?: number } | { type: 'failed', message: string }} ChildMessage
 */

/**
 * Sends a message to the launcher, if this process was started by it (and the channel is still open).
 * @param {ChildMessage} message
 */
export function tellLauncher(message) {
  if (process.send && process.connected) process.send(message);
}

/**
 * Runs `stop` once, on the first of: SIGINT (Ctrl-C reaches every process of the terminal's group),
 * SIGTERM, a `{ type: 'stop' }` message from the launcher, or the launcher going away (the IPC channel
 * closes). When `stop` has finished, the IPC channel is closed so that the process can exit on its own:
 * nothing else is left running if `stop` closed everything it opened.
 * @param {string} name for the log line
 * @param {() => Promise<void>} stop
 */
export function onStop(name, stop) {
  let stopping = false;
  const run = () => {
    if (stopping) return;
    stopping = true;
    stop()
      .catch((/** @type {unknown} */ err) => {
        console.error(`[${name}] error while stopping: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 1;
      })
      .finally(() => {
        if (process.connected) process.disconnect();
      });
  };
  process.on('SIGINT', run);
  process.on('SIGTERM', run);
  process.on('disconnect', run);
  process.on('message', (/** @type {unknown} */ message) => {
    if (typeof message === 'object' && message !== null && /** @type {{ type?: unknown }} */ (message).type === 'stop') run();
  });
  return {
    /** Stops now, as a signal would (e.g. after a startup failure). */
    stop: run,
    /** True once stopping has begun. */
    get stopping() {
      return stopping;
    },
  };
}
