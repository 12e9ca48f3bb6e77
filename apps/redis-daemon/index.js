// The launcher: starts one writer (flag service → Redis) and READERS readers (Redis → HTTP answers),
// each in its own process, prints where the readers answer and how many Redis connections every process
// holds, and stops them all on Ctrl-C or SIGTERM. Run it with
// `pnpm --filter @switchyard/app-redis-daemon start` (see README.md for the settings).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { READER_POOL, WRITER_CONNECTION_NAME, WRITER_POOL, readConfig, readerConnectionName } from './config.js';
import { connectionsByName } from './redis-command.js';

/** How long a child may take to stop before it is killed, in ms. */
const STOP_TIMEOUT_MS = 10_000;
/** How long the writer and the readers may take to start, in ms. */
const START_TIMEOUT_MS = 20_000;

/** @type {import('./config.js').Config} */
let config;
try {
  config = readConfig();
} catch (err) {
  console.error(`[launcher] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

/**
 * @typedef {object} Child
 * @property {string} name
 * @property {import('node:child_process').ChildProcess} process
 * @property {Promise<number>} exited resolves with the exit code (1 when killed by a signal)
 * @property {boolean} done
 */

/** @type {Child[]} */
const children = [];
let stopping = false;

/**
 * Starts `file` as a child with an IPC channel; resolves with its `ready` message.
 * @param {string} name
 * @param {string} file
 * @param {string[]} args
 * @returns {Promise<{ child: Child, port: number | undefined }>}
 */
function start(name, file, args) {
  const proc = fork(fileURLToPath(new URL(file, import.meta.url)), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  /** @type {Child} */
  const child = {
    name,
    process: proc,
    done: false,
    exited: new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        child.done = true;
        if (!stopping) {
          console.error(`[launcher] ${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything`);
          void stopAll(1);
        }
        resolve(code ?? 1);
      });
    }),
  };
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    proc.on('message', (/** @type {import('./config.js').ChildMessage} */ message) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve({ child, port: message.port });
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${name} failed to start: ${message.message}`));
      }
    });
    void child.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready`));
    });
  });
}

/** @type {Promise<void> | undefined} */
let stopped;

/**
 * Asks every child to stop (each closes its client), waits for them, kills any that hang, and sets the
 * exit code: `code`, or 1 when a child failed to stop cleanly.
 * @param {number} code
 */
function stopAll(code) {
  stopped ??= (async () => {
    stopping = true;
    let exitCode = code;
    await Promise.all(
      children.map(async (child) => {
        // A child whose channel is already closed has finished stopping on its own (Ctrl-C reaches every
        // process in the terminal's process group) and is exiting: it needs no message, and a signal now
        // could reach it after its handlers are gone.
        if (!child.done && child.process.connected) child.process.send({ type: 'stop' }, () => undefined);
        const timer = setTimeout(() => {
          console.error(`[launcher] ${child.name} did not stop within ${STOP_TIMEOUT_MS} ms; killing it`);
          child.process.kill('SIGKILL');
        }, STOP_TIMEOUT_MS);
        const childCode = await child.exited;
        clearTimeout(timer);
        if (childCode !== 0) exitCode = 1;
      }),
    );
    console.log(`[launcher] stopped ${children.length} processes`);
    process.exitCode = exitCode;
  })();
  return stopped;
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

/**
 * Waits until every process holds at least `minIdle` named connections (a pool opens them at start,
 * a moment after its process reports ready), then returns the counts.
 * @param {string[]} names
 * @returns {Promise<Map<string, number>>}
 */
async function settledConnections(names) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const counts = await connectionsByName(config.redisUrl);
    const opened = names.every((n, i) => (counts.get(n) ?? 0) >= (i === 0 ? WRITER_POOL.minIdle : READER_POOL.minIdle));
    if (opened || Date.now() > deadline) return counts;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * "readers 3 × 1 = 3" when every reader holds the same number, else "readers 1 + 2 + 1 = 4".
 * @param {number[]} counts
 */
function describeReaders(counts) {
  const total = counts.reduce((a, b) => a + b, 0);
  const same = counts.every((c) => c === counts[0]);
  return `readers ${same ? `${counts.length} × ${counts[0]}` : counts.join(' + ')} = ${total}`;
}

try {
  console.log(`[launcher] starting 1 writer and ${config.readers} readers (pid ${process.pid})`);
  await start('writer', './writer.js', []);
  const readers = await Promise.all(
    Array.from({ length: config.readers }, (_, i) => start(`reader ${i + 1}`, './reader.js', [String(i + 1)])),
  );

  const names = [WRITER_CONNECTION_NAME, ...readers.map((_, i) => readerConnectionName(i + 1))];
  const counts = await settledConnections(names);
  const [writerCount, ...readerCounts] = names.map((n) => counts.get(n) ?? 0);
  const limit = WRITER_POOL.maxConnections + config.readers * READER_POOL.maxConnections;

  console.log('');
  for (const [i, { child, port }] of readers.entries()) {
    console.log(`  reader ${i + 1} (pid ${child.process.pid}): http://127.0.0.1:${port}/?user=alice`);
  }
  console.log(
    `  Redis connections: writer ${writerCount}, ${describeReaders(readerCounts)} ` +
      `(limit per process: writer ${WRITER_POOL.maxConnections}, reader ${READER_POOL.maxConnections}; ` +
      `at most ${WRITER_POOL.maxConnections} + ${config.readers} × ${READER_POOL.maxConnections} = ${limit} in total)`,
  );
  console.log(`  Flag service connections: 1 stream, from the writer (${config.flagServiceUrl})`);
  console.log('');
  console.log('[launcher] ready; Ctrl-C stops every process');
} catch (err) {
  if (!stopping) {
    console.error(`[launcher] ${err instanceof Error ? err.message : String(err)}`);
    await stopAll(1);
  }
}
