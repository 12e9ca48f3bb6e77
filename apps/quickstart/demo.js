// `pnpm start` from the repository root: starts the local flag service and the quickstart server
// together, prints where to look and what to try, and stops both on Ctrl-C.
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
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[demo] ${name} exited (${signal ?? `code ${code}`}); stopping`);
      stop(1);
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

/** @param {number} code */
function stop(code) {
  if (stopping) return;
  stopping = true;
  let left = children.filter((c) => c.exitCode === null && c.signalCode === null).length;
  if (left === 0) process.exit(code);
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.once('exit', () => {
      if (--left === 0) process.exit(code);
    });
    child.kill('SIGTERM');
  }
  setTimeout(() => process.exit(code), 5000).unref();
}

process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));

try {
  await start('flag service', serviceMain, { FLAG_SERVICE_PORT: servicePort }, /page and SDK endpoints at/);
  await start('quickstart', quickstart, { FLAG_SERVICE_URL: serviceUrl, PORT: port }, /listening on/);
} catch (err) {
  console.error(`[demo] ${/** @type {Error} */ (err).message}`);
  stop(1);
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
