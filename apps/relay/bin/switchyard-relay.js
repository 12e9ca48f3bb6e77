#!/usr/bin/env node
// The `switchyard-relay` command. Its code is built into dist/ by `pnpm build`; this committed entry point lets a
// fresh `pnpm install` link the command before anything is built (no "Failed to create bin" warnings).
try {
  await import('../dist/main.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('/dist/main.js')) {
    console.error('switchyard-relay is not built yet: run `pnpm build` in the repository first.');
    process.exit(1);
  }
  throw err;
}
