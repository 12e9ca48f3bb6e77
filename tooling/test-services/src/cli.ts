#!/usr/bin/env node
import { SERVICES, startServices } from './registry.js';

const USAGE = `usage: switchyard-services <service...>

Starts the named services on free loopback ports, prints the environment variables to reach them
(shell syntax, one per line), and keeps them running until Ctrl-C / SIGTERM.

services: ${Object.keys(SERVICES).join(', ')}
example:  eval "$(switchyard-services redis dynalite &)"   # or read the printed lines`;

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  let started;
  try {
    started = await startServices(argv);
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
  // Listening before printing: whoever reads the lines may signal at once, and a signal that came before
  // the listeners would kill the process without stopping the services.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  for (const s of started) {
    for (const [k, v] of Object.entries(s.env)) console.log(`export ${k}=${v}`);
  }
  console.error(`[switchyard-services] running: ${started.map((s) => s.name).join(', ')} (Ctrl-C to stop)`);
  await stopRequested;
  await Promise.all(started.map((s) => s.stop()));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
