// The writer: the only process that talks to the flag service for flags. It holds one streaming
// connection, and the SDK writes every flag and segment it receives (the full data set, then each change)
// to Redis. It evaluates nothing itself. Started by index.js; it also runs alone with `node writer.js`.
import { basicLogger, init } from '@switchyard/node-server';
import { redisStore } from '@switchyard/store-redis';

import { WRITER_CONNECTION_NAME, WRITER_POOL, onStop, readConfig, tellLauncher } from './config.js';

const config = readConfig();

const client = init(config.sdkKey, {
  baseUri: config.flagServiceUrl,
  streamUri: config.flagServiceUrl,
  eventsUri: config.flagServiceUrl,
  // The writer evaluates no flags, so it has no analytics events to send; the readers send theirs.
  sendEvents: false,
  logger: basicLogger({ level: config.logLevel, name: 'writer' }),
  featureStore: redisStore({
    url: config.redisUrl,
    prefix: config.prefix,
    cacheTtlMs: config.cacheTtlMs,
    pool: { ...WRITER_POOL, connectionName: WRITER_CONNECTION_NAME },
  }),
});

let initialized = false;
// 'update' fires once a change has been applied, that is written to Redis (also for every flag of the
// first data set, which is not worth a line each).
client.on('update', (/** @type {{ key: string }} */ { key }) => {
  if (initialized) console.log(`[writer] flag "${key}" changed: written to Redis`);
});

const state = onStop('writer', () => client.close());

try {
  await client.waitForInitialization({ timeout: 10 });
  initialized = true;
  console.log(`[writer] pid ${process.pid}: streaming flags from ${config.flagServiceUrl} into ${config.redisUrl.replace(/\/\/[^@/]*@/, '//')} (prefix "${config.prefix}")`);
  tellLauncher({ type: 'ready' });
} catch (err) {
  if (!state.stopping) {
    const message = `could not get flags from ${config.flagServiceUrl} into Redis: ${err instanceof Error ? err.message : String(err)}`;
    console.error(`[writer] ${message}`);
    tellLauncher({ type: 'failed', message });
    process.exitCode = 1;
    state.stop();
  }
}
