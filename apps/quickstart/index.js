// The quick start: the smallest useful HTTP server that evaluates flags per request with Switchyard.
// Flags come from the local flag service (`pnpm start` at the repository root starts both); change one on
// the service's page and the next answer here changes. In-memory store, events on, so the page shows
// the evaluations live.
//
//   curl 'http://127.0.0.1:3000/?user=bob&country=NO&plan=pro'
import { createServer } from 'node:http';

import { init } from '@switchyard/node-server';

/** @typedef {import('@switchyard/node-server').LDContext} LDContext */

const serviceUrl = process.env.FLAG_SERVICE_URL ?? 'http://127.0.0.1:8765';
const sdkKey = process.env.SDK_KEY ?? 'sdk-local-dev';
const port = Number(process.env.PORT ?? 3000);

// One client for the life of the process. All three URIs point at the flag service; against
// LaunchDarkly, pass only the SDK key.
const client = init(sdkKey, { baseUri: serviceUrl, streamUri: serviceUrl, eventsUri: serviceUrl, flushInterval: 1 });

try {
  await client.waitForInitialization({ timeout: 10 });
} catch (err) {
  console.error(`[quickstart] could not get flags from ${serviceUrl}: ${/** @type {Error} */ (err).message}. Is the flag service running (pnpm start)?`);
  await client.close();
  process.exit(1);
}

/**
 * The context for a request: `?user=<key>` (default `anonymous`), plus `country` and `plan` attributes
 * when given.
 *
 * @param {URLSearchParams} query
 * @returns {LDContext}
 */
function contextOf(query) {
  const key = query.get('user') || 'anonymous';
  /** @type {{ kind: string, key: string, [attribute: string]: unknown }} */
  const context = { kind: 'user', key, anonymous: !query.get('user') };
  for (const attribute of ['country', 'plan']) {
    const value = query.get(attribute);
    if (value) context[attribute] = value;
  }
  return context;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== '/') {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    return;
  }
  const context = contextOf(url.searchParams);
  // Typed variations with defaults: a missing flag or a wrong type gives the default, never an exception.
  Promise.all([
    client.boolVariation('new-checkout', context, false),
    client.stringVariation('banner-text', context, ''),
    client.numberVariation('max-items', context, 10),
    client.boolVariation('beta-dashboard', context, false),
  ]).then(([newCheckout, bannerText, maxItems, betaDashboard]) => {
    const body = { user: context.key, flags: { 'new-checkout': newCheckout, 'banner-text': bannerText, 'max-items': maxItems, 'beta-dashboard': betaDashboard } };
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(body, null, 2)}\n`);
  });
});

server.listen(port, '127.0.0.1', () => {
  console.log(`[quickstart] listening on http://127.0.0.1:${port}/?user=alice (flags from ${serviceUrl})`);
});

// Ctrl-C / SIGTERM: stop taking requests, then close the client, which delivers pending events.
const stop = () => {
  server.close();
  void client.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
