#!/usr/bin/env node
/**
 * `consul-kv-emulator [--port N] [--host H] [--token T] [--datacenter DC]`: serves an emulated Consul KV
 * HTTP API until SIGINT or SIGTERM. Point a client at the printed URL (or set `CONSUL_HTTP_ADDR` to the
 * address part and `CONSUL_HTTP_TOKEN` to the token).
 */
import { startConsulEmulator } from './emulator.js';
import type { ConsulEmulatorOptions } from './options.js';

const USAGE = 'usage: consul-kv-emulator [--port N] [--host 127.0.0.1] [--token T] [--datacenter dc1]';

function parseArgs(argv: readonly string[]): ConsulEmulatorOptions {
  const options: { -readonly [K in keyof ConsulEmulatorOptions]: ConsulEmulatorOptions[K] } = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    i++;
    if (flag === '--port') options.port = Number(value);
    else if (flag === '--host') options.host = value;
    else if (flag === '--token') options.aclToken = value;
    else if (flag === '--datacenter') options.datacenter = value;
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  return options;
}

async function main(argv: readonly string[]): Promise<void> {
  const emulator = await startConsulEmulator(parseArgs(argv));
  console.log(`consul-kv-emulator listening on ${emulator.url}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.stop();
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`consul-kv-emulator: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
