// The quick start: load flags from a local file into the in-memory store and evaluate them.
// Run it with `pnpm demo` from the repository root (or `pnpm start` here after `pnpm build`).
import { fileURLToPath } from 'node:url';

import { DataKinds, InMemoryDataStore, evaluateMinimal, loadFlagFile } from '@switchyard/node-server';

const file = process.argv[2] ?? fileURLToPath(new URL('./flags.json', import.meta.url));
const store = new InMemoryDataStore();
store.init(await loadFlagFile(file));

const users = ['alice', 'bob'];
const flags = Object.keys(store.all(DataKinds.features)).sort();
console.log(`Loaded ${flags.length} flags from ${file}\n`);
for (const user of users) {
  for (const key of flags) {
    const detail = evaluateMinimal(store.get(DataKinds.features, key), user, null);
    console.log(`${user.padEnd(6)} ${key.padEnd(20)} = ${JSON.stringify(detail.value).padEnd(8)} (${detail.reason.kind})`);
  }
}
