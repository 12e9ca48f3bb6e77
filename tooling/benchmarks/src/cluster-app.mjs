// The cluster benchmark's app (started by cluster.ts): a node:cluster primary and W workers, each worker
// with ONE flag client, in one of three modes:
//   switchyard-cluster        a Switchyard client with `cluster: true` in the primary and in every worker
//   switchyard-independent    no client in the primary; an ordinary Switchyard client in every worker
//   launchdarkly-independent  no client in the primary; a @launchdarkly/node-server-sdk client in every worker
// Every client has the same options (the fake flag service for stream and events, defaults otherwise:
// events and diagnostics on); cluster mode adds `cluster: true`, nothing else.
//
// Plain JavaScript, not TypeScript: run with `node --expose-gc` and no loader, so every process's memory
// is the app's and the SDK's, not a compiler's. Only the SDK the mode uses is imported.
//
// The runner (cluster.ts) and the primary talk over the primary's IPC channel; the primary and the
// workers over node:cluster's. Every message of ours is an object with a `bench` field (Switchyard's own
// cluster messages carry `switchyard: 1` instead and are ignored here, as ours are by Switchyard).
//   runner → primary: { bench: 'start', mode, workers, serviceUrl, sdkKey }, { bench: 'evaluate', flagKeys, contexts },
//                     then SIGTERM (graceful shutdown; the primary exits 0 when every process stopped cleanly)
//   primary → runner: { bench: 'forked', pids }, { bench: 'ready', initMs, workerInitMs, primaryInitMs },
//                     { bench: 'measured', evalMs, evaluated, memory },
//                     { bench: 'error', message } (then exits 1)
//   primary → worker: { bench: 'evaluate', flagKeys, contexts }, { bench: 'memory' }, { bench: 'shutdown' }
//   worker → primary: { bench: 'ready', at }, { bench: 'evaluated', count, digest }, { bench: 'memory', rss, heapUsed },
//                     { bench: 'error', message }
import cluster from 'node:cluster';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** How long a worker waits for its client to initialize, in seconds. */
const INIT_TIMEOUT_S = 60;

/** @param {unknown} m @returns {m is { bench: string } & Record<string, any>} */
const ours = (m) => typeof m === 'object' && m !== null && typeof (/** @type {{ bench?: unknown }} */ (m).bench) === 'string';

/** Warnings and errors of the SDKs go to stderr (a product problem must be visible); the rest is dropped. */
function logger(name) {
  const print = (level) => (...args) => console.error(`[cluster-bench ${name}] ${level}: ${args.map(String).join(' ')}`);
  return { error: print('error'), warn: print('warn'), info: () => undefined, debug: () => undefined };
}

/**
 * The client of `mode` in this process.
 *
 * @param {string} mode @param {string} serviceUrl @param {string} sdkKey @param {string} name
 */
async function createClient(mode, serviceUrl, sdkKey, name) {
  const options = { baseUri: serviceUrl, streamUri: serviceUrl, eventsUri: serviceUrl, logger: logger(name) };
  if (mode === 'launchdarkly-independent') {
    const { init } = await import('@launchdarkly/node-server-sdk');
    return init(sdkKey, options);
  }
  const { init } = await import('@switchyard/node-server');
  return init(sdkKey, mode === 'switchyard-cluster' ? { ...options, cluster: true } : options);
}

/** Wall-clock milliseconds, comparable between the processes of the host. */
const now = () => performance.timeOrigin + performance.now();

/** Process memory after two full collections (the process runs with --expose-gc). */
function memory() {
  const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc;
  if (!gc) throw new Error('cluster-app: run with --expose-gc (memory is measured after a full GC)');
  gc();
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

if (cluster.isWorker) runWorker();
else runPrimary();

function runWorker() {
  const { BENCH_MODE: mode = '', BENCH_SERVICE_URL: serviceUrl = '', BENCH_SDK_KEY: sdkKey = '' } = process.env;
  const name = `worker ${cluster.worker?.id} (pid ${process.pid})`;
  /** @param {Record<string, unknown>} message */
  const send = (message) => process.send?.(message);
  /** @type {Promise<any>} */
  const client = createClient(mode, serviceUrl, sdkKey, name);
  /** @type {Promise<void> | undefined} */
  let stopping;

  process.on('message', (message) => {
    if (!ours(message)) return;
    if (message.bench === 'evaluate') void evaluate(message.flagKeys, message.contexts);
    else if (message.bench === 'memory') send({ bench: 'memory', ...memory() });
    else if (message.bench === 'shutdown') void shutdown();
  });
  // A signal straight to the worker gets the same graceful path.
  process.on('SIGTERM', () => void shutdown());

  /**
   * Every flag for every context, in order, through the public API; the answers are hashed so the
   * runner can check them against a reference.
   *
   * @param {string[]} flagKeys @param {object[]} contexts
   */
  async function evaluate(flagKeys, contexts) {
    try {
      const c = await client;
      const hash = createHash('sha256');
      let count = 0;
      for (const context of contexts) {
        for (const key of flagKeys) {
          const value = await c.variation(key, context, null);
          hash.update(JSON.stringify(value) ?? 'undefined');
          hash.update('\n');
          count++;
        }
      }
      send({ bench: 'evaluated', count, digest: hash.digest('hex').slice(0, 16) });
    } catch (err) {
      send({ bench: 'error', message: `${name}: evaluation failed: ${err instanceof Error ? err.stack : String(err)}` });
    }
  }

  /** What an application does on shutdown: deliver the pending events, close the client, exit. */
  function shutdown() {
    stopping ??= (async () => {
      const c = await client;
      // flush() then close(): LaunchDarkly's close() does not deliver pending events. In cluster mode
      // flush() hands them to the primary and waits until the primary delivered them.
      await c.flush();
      await c.close();
      process.exit(0);
    })();
    return stopping;
  }

  client
    .then((c) => c.waitForInitialization({ timeout: INIT_TIMEOUT_S }))
    .then(
      () => send({ bench: 'ready', at: now() }),
      (err) => send({ bench: 'error', message: `${name}: the client did not initialize: ${err instanceof Error ? err.message : String(err)}` }),
    );
}

function runPrimary() {
  /** @param {Record<string, unknown>} message */
  const toRunner = (message) => process.send?.(message);
  let failed = false;
  /** Reports the first failure to the runner, kills the workers, exits 1. @param {string} message */
  const fail = (message) => {
    if (failed) return;
    failed = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    if (process.connected) process.send?.({ bench: 'error', message }, () => process.exit(1));
    else process.exit(1);
  };
  // The runner is gone: take the workers along.
  process.on('disconnect', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    process.exit(1);
  });

  process.on('message', (message) => {
    if (ours(message) && message.bench === 'start') void start(message).catch((err) => fail(`primary: ${err instanceof Error ? err.stack : String(err)}`));
  });

  /** @param {{ mode: string, workers: number, serviceUrl: string, sdkKey: string }} config */
  async function start({ mode, workers: count, serviceUrl, sdkKey }) {
    const t0 = now();
    // Cluster mode: the primary's client is the host's only connection; created before forking, as the
    // sample app (apps/cluster) does (workers wait for its data either way).
    const client = mode === 'switchyard-cluster' ? await createClient(mode, serviceUrl, sdkKey, 'primary') : undefined;
    /** When the primary's own client initialized (cluster mode), ms after t0. @type {number | undefined} */
    let primaryInitMs;
    client?.waitForInitialization({ timeout: INIT_TIMEOUT_S }).then(
      () => (primaryInitMs = now() - t0),
      () => undefined, // the workers fail with the reason
    );

    /** @type {import('node:cluster').Worker[]} */
    const workers = [];
    let stopping = false;
    /** Resolves with one message of kind `bench` from every worker, in worker order. @param {string} bench */
    const fromAll = (bench) =>
      Promise.all(
        workers.map(
          (worker) =>
            /** @type {Promise<any>} */ (
              new Promise((resolve) => {
                const listener = (/** @type {unknown} */ message) => {
                  if (!ours(message) || message.bench !== bench) return;
                  worker.off('message', listener);
                  resolve(message);
                };
                worker.on('message', listener);
              })
            ),
        ),
      );

    for (let i = 0; i < count; i++) {
      const worker = cluster.fork({ BENCH_MODE: mode, BENCH_SERVICE_URL: serviceUrl, BENCH_SDK_KEY: sdkKey });
      worker.on('message', (message) => {
        if (ours(message) && message.bench === 'error') fail(String(message.message));
      });
      worker.on('exit', (code, signal) => {
        if (!stopping) fail(`primary: worker ${worker.id} (pid ${worker.process.pid}) exited with ${signal ?? code} before shutdown`);
      });
      workers.push(worker);
    }
    const ready = fromAll('ready');
    toRunner({ bench: 'forked', pids: workers.map((w) => w.process.pid) });
    const readyAt = (await ready).map((m) => m.at - t0);
    toRunner({ bench: 'ready', initMs: now() - t0, workerInitMs: readyAt, primaryInitMs });

    /** @type {{ flagKeys: string[], contexts: object[] }} */
    const request = await new Promise((resolve) => {
      const listener = (/** @type {unknown} */ message) => {
        if (!ours(message) || message.bench !== 'evaluate') return;
        process.off('message', listener);
        resolve(/** @type {any} */ (message));
      };
      process.on('message', listener);
    });
    const evaluated = fromAll('evaluated');
    const e0 = performance.now();
    for (const worker of workers) worker.send({ bench: 'evaluate', flagKeys: request.flagKeys, contexts: request.contexts });
    const results = await evaluated;
    const evalMs = performance.now() - e0;

    const measured = fromAll('memory');
    for (const worker of workers) worker.send({ bench: 'memory' });
    const workerMemory = await measured;

    // Graceful shutdown on SIGTERM, as the sample app does: every worker delivers (in cluster mode: hands
    // the primary) its pending events and closes its client; then the primary delivers and closes.
    process.once('SIGTERM', () => {
      stopping = true;
      void (async () => {
        const exited = workers.map(
          (worker) => new Promise((resolve) => (worker.isDead() ? resolve(worker.process.exitCode) : worker.once('exit', (code, signal) => resolve(signal ?? code)))),
        );
        for (const worker of workers) worker.send({ bench: 'shutdown' });
        const codes = await Promise.all(exited);
        if (client) {
          await client.flush();
          await client.close();
        }
        const bad = codes.filter((c) => c !== 0);
        if (bad.length) fail(`primary: ${bad.length} workers did not stop cleanly (${bad.join(', ')})`);
        else process.exit(0);
      })().catch((err) => fail(`primary: shutdown failed: ${err instanceof Error ? err.stack : String(err)}`));
    });
    toRunner({
      bench: 'measured',
      evalMs,
      evaluated: results.map((r) => ({ count: r.count, digest: r.digest })),
      memory: { primary: memory(), workers: workerMemory.map((m) => ({ rss: m.rss, heapUsed: m.heapUsed })) },
    });
  }
}
