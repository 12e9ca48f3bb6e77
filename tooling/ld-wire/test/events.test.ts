import { request } from 'node:http';

import { afterEach, expect, it } from 'vitest';

import { EventsEndpoint, WireServer } from '../src/index.js';

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
});

async function start(): Promise<EventsEndpoint> {
  server = new WireServer();
  const events = new EventsEndpoint(server);
  await server.listen();
  return events;
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server!.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });

it('records analytics and diagnostic posts with their payload id and schema, and accepts them', async () => {
  const events = await start();
  const res = await post('/bulk', [{ kind: 'identify' }], { 'X-LaunchDarkly-Payload-ID': 'p-1', 'X-LaunchDarkly-Event-Schema': '4' });
  expect(res.status).toBe(202);
  await post('/diagnostic', { kind: 'diagnostic-init' });
  expect(events.analyticsPosts()).toHaveLength(1);
  expect(events.analyticsPosts()[0]).toMatchObject({ payloadId: 'p-1', schema: '4', status: 202 });
  expect(events.analyticsEvents()).toEqual([{ kind: 'identify' }]);
  expect(events.diagnosticEvents()).toEqual([{ kind: 'diagnostic-init' }]);
});

it('answers planned statuses one request each, per endpoint, then accepts again', async () => {
  const events = await start();
  events.failNext(2, 503);
  events.nextRequests('diagnostic', { kind: 'status', status: 401 });
  expect((await post('/bulk', [])).status).toBe(503);
  expect((await post('/diagnostic', {})).status).toBe(401);
  expect((await post('/bulk', [])).status).toBe(503);
  expect((await post('/bulk', [{ kind: 'x' }])).status).toBe(202);
  expect(events.analyticsEvents()).toEqual([{ kind: 'x' }]);
});

it('sets the Date header it is told to', async () => {
  const events = await start();
  events.serverDate = new Date('2030-01-02T03:04:05Z');
  const res = await post('/bulk', []);
  expect(res.headers.get('date')).toBe('Wed, 02 Jan 2030 03:04:05 GMT');
});

it('can close the connection without answering, and delay answers', async () => {
  const events = await start();
  events.nextRequests({ kind: 'close' }, { kind: 'status', status: 413, delayMs: 30 });
  await expect(post('/bulk', [])).rejects.toThrow();
  const started = Date.now();
  expect((await post('/bulk', [])).status).toBe(413);
  expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  expect(events.analyticsPosts().map((p) => p.status)).toEqual([undefined, 413]);
});

it('can leave a request unanswered, and waitFor sees it arrive', async () => {
  const events = await start();
  events.nextRequests({ kind: 'silent' });
  const req = request(`${server!.url}/bulk`, { method: 'POST' });
  req.on('error', () => undefined);
  req.end('[]');
  await events.waitFor((e) => e.posts.length === 1);
  expect(events.posts[0]!.status).toBeUndefined();
  req.destroy();
});

it('leaves other paths to other routes', async () => {
  await start();
  expect((await post('/elsewhere', [])).status).toBe(404);
});
