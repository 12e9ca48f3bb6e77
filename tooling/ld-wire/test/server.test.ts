import { afterEach, expect, it } from 'vitest';

import { WireServer } from '../src/index.js';

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
});

it('records every request and answers unknown paths with 404', async () => {
  server = new WireServer();
  await server.listen();
  const res = await fetch(`${server.url}/nothing?x=1`, { method: 'POST', body: 'hello', headers: { 'X-Test': 'yes' } });
  expect(res.status).toBe(404);
  expect(await res.text()).toMatch(/no route for POST \/nothing/);
  expect(server.requests).toHaveLength(1);
  expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/nothing', body: 'hello' });
  expect(server.requests[0]!.query.get('x')).toBe('1');
  expect(server.requests[0]!.headers['x-test']).toBe('yes');
});

it('tries routes in order until one answers', async () => {
  server = new WireServer();
  server.use((_req, res, request) => {
    if (request.path !== '/a') return false;
    res.writeHead(200).end('a');
    return true;
  });
  server.use((_req, res) => {
    res.writeHead(200).end('fallback');
    return true;
  });
  await server.listen();
  expect(await (await fetch(`${server.url}/a`)).text()).toBe('a');
  expect(await (await fetch(`${server.url}/b`)).text()).toBe('fallback');
});

it('inflates gzipped request bodies and keeps the raw bytes', async () => {
  const { gzipSync } = await import('node:zlib');
  server = new WireServer();
  await server.listen();
  const raw = gzipSync('{"zipped":true}');
  await fetch(`${server.url}/gz`, { method: 'POST', body: raw, headers: { 'Content-Encoding': 'gzip' } });
  expect(server.requests[0]!.body).toBe('{"zipped":true}');
  expect(server.requests[0]!.rawBody.equals(raw)).toBe(true);
});
