#!/usr/bin/env node
/**
 * `fake-launchdarkly [--port N] [flags.json]`: serves a local LaunchDarkly-compatible service (streaming,
 * polling and event endpoints) for sample apps and manual testing. With a flag file (LaunchDarkly's
 * `{ flags, segments }` JSON), its flags are served, and editing the file sends them to connected SDKs
 * as a new `put`. Point an SDK at it with `baseUri`, `streamUri` and `eventsUri` all set to the printed URL.
 */
import { readFileSync, watch } from 'node:fs';

import { startFakeLaunchDarkly } from './fake-launchdarkly.js';
import type { FakePayload } from './index.js';

function readPayload(path: string): Partial<FakePayload> {
  return JSON.parse(readFileSync(path, 'utf8')) as Partial<FakePayload>;
}

async function main(argv: string[]): Promise<void> {
  let port = 0;
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') port = Number(argv[++i]);
    else file = argv[i];
  }
  const fake = await startFakeLaunchDarkly({ port, ...(file ? { data: readPayload(file) } : {}) });
  console.log(`fake-launchdarkly listening on ${fake.url}${file ? ` serving ${file}` : ''}`);
  const watcher = file
    ? watch(file, () => {
        try {
          fake.data.replace(readPayload(file));
          fake.stream.sendPut();
          console.log(`reloaded ${file}`);
        } catch (err) {
          console.error(`not reloaded: ${(err as Error).message}`);
        }
      })
    : undefined;
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  watcher?.close();
  await fake.close();
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
