#!/usr/bin/env node
import { basicLogger } from '@switchyard/node-server';

import { RelayConfigError, loadConfigFromProcess } from './config.js';
import { startRelay } from './relay.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const level = (process.env.LOG_LEVEL || 'info').toLowerCase() as (typeof LEVELS)[number];
if (!LEVELS.includes(level)) {
  console.error(`switchyard-relay: LOG_LEVEL: "${process.env.LOG_LEVEL}" is not one of ${LEVELS.join(', ')}`);
  process.exit(2);
}
const logger = basicLogger({ level });

let relay;
try {
  relay = await startRelay(loadConfigFromProcess(process.argv.slice(2), process.env), { logger });
} catch (err) {
  // User errors are one line; anything else keeps its stack for a bug report.
  const known = err instanceof RelayConfigError || (err as { code?: string }).code === 'CONFIG' || (err as { code?: string }).code === 'EADDRINUSE';
  console.error(`switchyard-relay: ${known ? (err as Error).message : ((err as Error).stack ?? String(err))}`);
  process.exit(known ? 2 : 1);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info(`[relay] ${signal} received; shutting down`);
    relay.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(`[relay] shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  });
}
