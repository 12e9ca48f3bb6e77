import { request } from 'node:http';

import { afterEach, expect, it } from 'vitest';

import { FlagData, PollingEndpoint, StreamEndpoint, WireServer } from '../src/index.js';

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
});

/** Opens `/all`, reads until the `put` arrives, then closes the connection. */
function openAndCloseStream(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/all`, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (chunk.includes('event: put')) req.destroy();
      });
      res.on('close', () => resolve());
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve() : reject(err)));
    req.end();
  });
}

it('a long-running service keeps no history: closed streams and polls are not recorded, counts still are', async () => {
  server = new WireServer({ recordRequests: false });
  const data = new FlagData({ flags: { f: { key: 'f', version: 1 } } });
  const stream = new StreamEndpoint(server, data);
  stream.recordConnections = false;
  const polling = new PollingEndpoint(server, data);
  polling.recordRequests = false;
  await server.listen();

  for (let i = 0; i < 5; i++) await openAndCloseStream(server.url);
  for (let i = 0; i < 5; i++) expect((await fetch(`${server.url}/sdk/latest-all`)).status).toBe(200);
  await expect.poll(() => stream.openCount).toBe(0);

  expect(stream.connectionCount).toBe(5);
  expect(stream.connections).toHaveLength(0);
  expect(polling.requests).toHaveLength(0);
  expect(server.requests).toHaveLength(0);
  await stream.waitForConnections(5, 100);
});

it('by default every connection and poll is kept for assertions', async () => {
  server = new WireServer();
  const data = new FlagData();
  const stream = new StreamEndpoint(server, data);
  const polling = new PollingEndpoint(server, data);
  await server.listen();

  await openAndCloseStream(server.url);
  await fetch(`${server.url}/sdk/latest-all`);
  await expect.poll(() => stream.connections[0]?.closedAt).toBeTypeOf('number');

  expect(stream.connections).toHaveLength(1);
  expect(polling.requests).toHaveLength(1);
  expect(server.requests).toHaveLength(2);
});
