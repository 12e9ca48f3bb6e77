// `pnpm start` from the repository root: starts the local flag service and the quickstart server
// together, prints where to look and what to try, and stops both on Ctrl-C.
//
// The children run in their own process groups, so Ctrl-C reaches only this launcher, which then stops
// them in order: the quickstart first (it flushes its events to the service), then the flag service.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const serviceMain = fileURLToPath(import.meta.resolve('@switchyard/app-flag-service/main'));
const quickstart = fileURLToPath(new URL('./index.js', import.meta.url));
const servicePort = process.env.FLAG_SERVICE_PORT ?? '8765';
const serviceUrl = `http://127.0.0.1:${servicePort}`;
const port = process.env.PORT ?? '3000';

/** @type {import('node:child_process').ChildProcess[]} */
const children = [];
let stopping = false;

/**
 * Starts `script` and resolves once it prints a line matching `ready`. Its output is passed through.
 *
 * @param {string} name
 * @param {string} script
 * @param {NodeJS.ProcessEnv} env
 * @param {RegExp} ready
 * @returns {Promise<void>}
 */
function start(name, script, env, ready) {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[demo] ${name} exited (${signal ?? `code ${code}`}); stopping`);
      void stop(1);
    }
  });
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk) => {
      process.stdout.write(chunk);
      seen += chunk.toString();
      if (ready.test(seen)) resolve();
    });
    child.once('exit', () => reject(new Error(`${name} stopped before it was ready`)));
  });
}

/**
 * Stops one child with SIGTERM and waits for it to exit (SIGKILL after `timeoutMs`).
 *
 * @param {import('node:child_process').ChildProcess} child
 * @param {number} timeoutMs
 * @returns {Promise<void>}
 */
function terminate(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Stops the children in reverse start order (the app before the service it reports to), then exits.
 *
 * @param {number} code
 */
async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of [...children].reverse()) await terminate(child, 5000);
  process.exit(code);
}

// Whatever happens to the launcher, no child outlives it (they do not share its process group).
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});

process.on('SIGINT', () => void stop(0)); // `on`, not `once`: pnpm forwards the terminal's SIGINT, so it arrives twice
process.on('SIGTERM', () => void stop(0));
process.on('SIGHUP', () => void stop(0));

try {
  await start('flag service', serviceMain, { FLAG_SERVICE_PORT: servicePort }, /page and SDK endpoints at/);
  await start('quickstart', quickstart, { FLAG_SERVICE_URL: serviceUrl, PORT: port }, /listening on/);
} catch (err) {
  console.error(`[demo] ${/** @type {Error} */ (err).message}`);
  void stop(1);
}
if (!stopping) {
  console.log(`
  Flag service (the page):  ${serviceUrl}
  Quickstart (the app):     http://127.0.0.1:${port}/?user=bob

  Try it:
    1. Open http://127.0.0.1:${port}/?user=bob  -> "banner-text" is "Welcome!".
    2. On the page, open banner-text, serve "Winter sale: 20% off everything", Save.
    3. Reload the quickstart: the new text, with no restart. Toggle flags, edit rollouts, watch events arrive live.
  Ctrl-C stops both.
`);
}
