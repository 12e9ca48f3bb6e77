#!/usr/bin/env node
/**
 * `switchyard-flag-service`: starts the flag service with settings from the environment
 * (FLAG_SERVICE_HOST, FLAG_SERVICE_PORT, FLAG_SERVICE_SDK_KEY, FLAG_SERVICE_DATA, FLAG_SERVICE_ADMIN_TOKEN)
 * and stops it cleanly on Ctrl-C / SIGTERM.
 */
import { ConfigError } from './config.js';
import { FlagFileError } from './flag-file.js';
import { startFlagService } from './service.js';

const env = process.env;
try {
  const service = await startFlagService({
    host: env.FLAG_SERVICE_HOST || undefined,
    port: env.FLAG_SERVICE_PORT ? Number(env.FLAG_SERVICE_PORT) : undefined,
    sdkKey: env.FLAG_SERVICE_SDK_KEY || undefined,
    dataFile: env.FLAG_SERVICE_DATA || undefined,
    adminToken: env.FLAG_SERVICE_ADMIN_TOKEN || undefined,
  });
  console.log(`[flag-service] page and SDK endpoints at ${service.url} (SDK key: FLAG_SERVICE_SDK_KEY, default sdk-local-dev)`);
  const stop = () => {
    void service.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  if (err instanceof ConfigError || err instanceof FlagFileError || (err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`[flag-service] cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
  throw err;
}
