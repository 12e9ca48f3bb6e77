// A node:cluster HTTP server (worker.js) with Switchyard's cluster mode.
//
// The primary serves no request. Its Switchyard client (cluster: true) holds the host's one streaming
// connection and its one event sender; the workers' clients evaluate on the replica it pushes to them
// and forward their events to it. The primary forks WORKERS workers, replaces a worker that dies, and
// on SIGTERM/SIGINT asks every worker to shut down gracefully (each one hands its pending analytics
// events to the primary), waits for them (killing those still running after SHUTDOWN_TIMEOUT_MS), then
// delivers the events and closes its client, and exits.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

import { init } from '@switchyard/node-server';

import { CLUSTER_MODE, FLAG_SERVICE_URL, SDK_KEY, clientOptions } from './options.js';

if (!cluster.isPrimary) {
  // Started as a node:cluster worker by another primary (pm2's cluster mode, `pm2 start index.js -i N`).
  // This primary's workers run worker.js directly, so this is never one of them.
  if (CLUSTER_MODE) {
    // Cluster mode needs a Switchyard client in the primary, and pm2's primary runs none: the workers
    // would wait for flags forever. Say so instead of serving defaults.
    console.error(
      'apps/cluster: started as a worker by another node:cluster primary (pm2 -i?). Cluster mode needs this app as the primary: run index.js in fork mode (pm2: exec_mode "fork", instances 1), or set CLUSTER_MODE=off for one client per worker.',
    );
    process.exit(1);
  }
  await import('./worker.js');
} else {
  runPrimary();
}

function runPrimary() {
  const workers = Number(process.env.WORKERS ?? availableParallelism());
  if (!Number.isInteger(workers) || workers < 1) {
    console.error(`WORKERS must be a whole number of at least 1, got ${JSON.stringify(process.env.WORKERS)}`);
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 3000);
  /** How long workers get to finish after being asked to, before they are killed. */
  // A worker's close() hands its events over at once, but with CLUSTER_MODE=off each worker delivers its
  // own, which can take up to 2 × the SDK's 10 s timeout (a retry) when the events service hangs.
  const SHUTDOWN_TIMEOUT_MS = 25_000;

  cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker.js', import.meta.url)) });

  // Cluster mode: this client is the host's only connection to the flag service. It may be created
  // before or after forking; workers wait for its data either way.
  const client = CLUSTER_MODE ? init(SDK_KEY, clientOptions('primary')) : undefined;
  if (client) console.log(`primary (pid ${process.pid}): cluster mode, flags from ${FLAG_SERVICE_URL}`);

  /** Ids of the workers that reported 'ready' and have not exited. */
  const ready = new Set();
  let announced = false;
  /** @type {Promise<void> | undefined} */
  let stopping;

  function fork() {
    const worker = cluster.fork();
    worker.on('message', (message) => {
      if (message !== 'ready') return;
      ready.add(worker.id);
      if (!announced && ready.size === workers) {
        announced = true;
        console.log(`primary (pid ${process.pid}): ${workers} workers ready on http://localhost:${port}/?user=alice`);
        process.send?.('ready'); // for pm2's `wait_ready: true` (fork mode)
      }
    });
  }

  cluster.on('exit', (worker, code, signal) => {
    const wasReady = ready.delete(worker.id);
    if (stopping) return; // expected: shutdown() is waiting for it
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (!wasReady) {
      // It never got as far as serving (port in use, a crash at start): a replacement would fail the
      // same way, over and over. Stop and let the error above be read.
      console.error(`primary: worker ${worker.id} (pid ${worker.process.pid}) ${how} before it was ready; stopping`);
      void shutdown('a worker could not start', 1);
      return;
    }
    console.error(`primary: worker ${worker.id} (pid ${worker.process.pid}) ${how}; starting a replacement`);
    fork();
  });

  /**
   * Asks every worker to finish, waits for all of them (at most SHUTDOWN_TIMEOUT_MS, then kills the
   * rest) and exits: 0 when every worker stopped cleanly, 1 otherwise. Safe to call more than once.
   *
   * @param {string} reason
   * @param {number} [exitCode] at least this exit code
   */
  function shutdown(reason, exitCode = 0) {
    stopping ??= (async () => {
      const running = Object.values(cluster.workers ?? {}).flatMap((worker) => (worker && !worker.isDead() ? [worker] : []));
      console.log(`primary: ${reason}; asking ${running.length} workers to shut down`);
      let code = exitCode;
      const exited = running.map(
        (worker) =>
          new Promise((resolve) => {
            worker.once('exit', (workerCode, signal) => {
              if (workerCode !== 0 || signal) code = 1;
              resolve(undefined);
            });
          }),
      );
      for (const worker of running) {
        if (worker.isConnected()) worker.send('shutdown');
        else worker.process.kill('SIGTERM');
      }
      const timer = setTimeout(() => {
        for (const worker of running) {
          if (worker.isDead()) continue;
          console.error(`primary: worker ${worker.id} (pid ${worker.process.pid}) still running after ${SHUTDOWN_TIMEOUT_MS} ms; killing it`);
          worker.process.kill('SIGKILL');
        }
      }, SHUTDOWN_TIMEOUT_MS);
      await Promise.all(exited);
      clearTimeout(timer);
      if (client) {
        // The workers handed over their last events before exiting: deliver them with the primary's.
        await client.flush();
        await client.close();
        console.log('primary: delivered the events of every worker and closed its client');
      }
      console.log(`primary: every worker has stopped; exiting with code ${code}`);
      process.exit(code);
    })();
    return stopping;
  }

  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  console.log(`primary (pid ${process.pid}): starting ${workers} workers`);
  for (let i = 0; i < workers; i++) fork();
}
