// The client options the primary (index.js) and the workers (worker.js) share. Cluster mode needs the
// same SDK key on both sides; the other options are read where they matter (the data source and event
// delivery options by the primary, evaluation and privacy options by the workers).
import { basicLogger } from '@switchyard/node-server';

export const FLAG_SERVICE_URL = process.env.FLAG_SERVICE_URL ?? 'http://127.0.0.1:8765';
export const SDK_KEY = process.env.SDK_KEY ?? 'sdk-local-dev';

/**
 * `CLUSTER_MODE=off` runs the setup cluster mode replaces, for comparison: no client in the primary and
 * one independent client per worker (its own stream, flag copy and event queue).
 */
export const CLUSTER_MODE = process.env.CLUSTER_MODE !== 'off';

/**
 * @param {string} name who logs (`primary`, `worker 3 (pid 1234)`)
 * @returns {import('@switchyard/node-server').LDOptions}
 */
export function clientOptions(name) {
  return {
    baseUri: FLAG_SERVICE_URL,
    streamUri: FLAG_SERVICE_URL,
    eventsUri: FLAG_SERVICE_URL,
    // The primary streams from the flag service and delivers the events of the whole host; workers get
    // the flags over IPC and forward their events to it every second.
    cluster: CLUSTER_MODE,
    // Analytics events stay on (sendEvents defaults to true): evaluations are counted and sent every
    // flushInterval (5 s), and once more at shutdown.
    logger: basicLogger({ level: 'info', name: `Switchyard ${name}` }),
  };
}
