// The quick start: a Switchyard client that reads its flags from a local file instead of LaunchDarkly,
// evaluating every flag for two contexts. Run it with `pnpm demo` from the repository root, or with your
// own file: `pnpm --filter @switchyard/app-quickstart file-demo my-flags.yaml` (after `pnpm build`).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { init, integrations } from '@switchyard/node-server';

// pnpm runs a package's scripts in the package's folder, so a relative path is taken from where pnpm was
// started (INIT_CWD), as the person typing it meant. pnpm 10 passes a `--` through as an argument: skip it.
const [arg] = process.argv.slice(2).filter((a) => a !== '--');
const file = arg === undefined ? fileURLToPath(new URL('./flags.json', import.meta.url)) : resolve(process.env.INIT_CWD ?? process.cwd(), arg);

// The file data source replaces the connection to LaunchDarkly; the SDK key is then never sent anywhere.
const client = init('sdk-key-not-needed-for-local-files', {
  updateProcessor: new integrations.FileDataSourceFactory({ paths: [file] }).getFactory(),
  sendEvents: false,
});

try {
  await client.waitForInitialization({ timeout: 5 });
} catch (err) {
  console.error(`Could not load flags: ${/** @type {Error} */ (err).message}`);
  await client.close();
  process.exit(1);
}

const contexts = [
  { kind: 'user', key: 'alice', name: 'Alice' },
  { kind: 'user', key: 'bob', name: 'Bob' },
];
const flags = Object.keys((await client.allFlagsState(contexts[0] ?? { key: 'alice' })).allValues()).sort();
console.log(`Loaded ${flags.length} flags from ${file}\n`);
for (const context of contexts) {
  for (const key of flags) {
    // variationDetailSync: the flags are in memory, so no promise is needed.
    const detail = client.variationDetailSync(key, context, null);
    console.log(`${context.key.padEnd(6)} ${key.padEnd(20)} = ${JSON.stringify(detail.value).padEnd(8)} (${detail.reason.kind})`);
  }
}
await client.close();
