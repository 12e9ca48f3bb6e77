// A node:cluster HTTP server with one Switchyard client per worker process (worker.js).
//
// The primary runs no client and serves no request: it forks WORKERS workers, replaces a worker that
// dies, and on SIGTERM/SIGINT asks every worker to shut down gracefully (each one delivers its pending
// analytics events), waits for them (killing those still running after SHUTDOWN_TIMEOUT_MS), and exits.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

if (!cluster.isPrimary) {
  // Started as a cluster worker by something else (pm2 in cluster mode running this file): be a worker.
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
  const SHUTDOWN_TIMEOUT_MS = 10_000;

  cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker.js', import.meta.url)) });

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
