import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

import { afterEach, expect, it } from 'vitest';

import { boolFlag, harness, type Harness } from './support.js';

let h: Harness;
let proxy: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  await h?.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  proxy = undefined;
});

/** A minimal CONNECT proxy that records the target and the Proxy-Authorization header of each tunnel. */
async function startProxy(seen: { target: string; auth: string | undefined }[]): Promise<number> {
  proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    sockets.add(client);
    seen.push({ target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  return typeof address === 'object' && address ? address.port : 0;
}

it('streams and polls through an HTTP proxy with CONNECT and Proxy-Authorization (proxyOptions)', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const seen: { target: string; auth: string | undefined }[] = [];
  const port = await startProxy(seen);
  const client = h.client({ proxyOptions: { host: '127.0.0.1', port, auth: 'user:pass' } });
  await client.waitForInitialization({ timeout: 5 });
  expect(await client.variation('a', { kind: 'user', key: 'u' }, 'dflt')).toBe(true);
  const polling = h.client({ stream: false, proxyOptions: { host: '127.0.0.1', port } });
  await polling.waitForInitialization({ timeout: 5 });
  expect(seen[0]).toEqual({ target: `127.0.0.1:${h.fake.server.port}`, auth: `Basic ${Buffer.from('user:pass').toString('base64')}` });
  expect(seen.length).toBe(2);
});
