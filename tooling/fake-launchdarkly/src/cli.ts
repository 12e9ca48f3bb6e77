#!/usr/bin/env node
import { FakeServer } from './server.js';

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 0);
  const server = new FakeServer();
  await server.listen(port);
  console.log(`fake-launchdarkly listening on ${server.url}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
