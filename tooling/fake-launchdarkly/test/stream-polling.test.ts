import { afterEach, expect, it } from 'vitest';

import { startFakeLaunchDarkly, type FakeLaunchDarkly } from '../src/index.js';

let fake: FakeLaunchDarkly | undefined;
afterEach(async () => {
  await fake?.close();
});

const flag = { key: 'f', version: 1, on: true };

async function readSome(res: Response, until: string): Promise<string> {
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes(until)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  return text;
}

it('streams a put with the current data, then patches and deletes', async () => {
  fake = await startFakeLaunchDarkly({ data: { flags: { f: flag } } });
  const res = await fetch(`${fake.url}/all`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  await fake.stream.waitForConnections(1);
  fake.stream.patch('flags', { ...flag, version: 2 });
  fake.stream.delete('flags', 'f', 3);
  const text = await readSome(res, 'event: delete');
  expect(text).toContain(`event: put\ndata: ${JSON.stringify({ path: '/', data: { flags: { f: flag }, segments: {} } })}\n\n`);
  expect(text).toContain('event: patch\ndata: {"path":"/flags/f","data":{"key":"f","version":2,"on":true}}');
  expect(fake.data.get('flags', 'f')).toBeUndefined();
});

it('answers planned statuses, one per connection, then serves normally', async () => {
  fake = await startFakeLaunchDarkly();
  fake.stream.nextConnections({ kind: 'status', status: 401 }, { kind: 'status', status: 503 });
  expect((await fetch(`${fake.url}/all`)).status).toBe(401);
  expect((await fetch(`${fake.url}/all`)).status).toBe(503);
  const ok = await fetch(`${fake.url}/all`);
  expect(ok.status).toBe(200);
  await ok.body?.cancel();
  expect(fake.stream.connections.map((c) => c.plan.kind)).toEqual(['status', 'status', 'serve']);
});

it('sends raw (malformed) text and can drop open streams', async () => {
  fake = await startFakeLaunchDarkly();
  fake.stream.nextConnections({ kind: 'raw', text: 'event: put\ndata: {nope\n\n' });
  const res = await fetch(`${fake.url}/all`);
  expect(await readSome(res, '{nope')).toContain('data: {nope');
  const second = await fetch(`${fake.url}/all`);
  fake.stream.drop();
  await expect(second.text()).rejects.toThrow();
});

it('polling serves the data with an ETag and answers 304 when it matches', async () => {
  fake = await startFakeLaunchDarkly({ data: { flags: { f: flag } } });
  const first = await fetch(`${fake.url}/sdk/latest-all`);
  expect(await first.json()).toEqual({ flags: { f: flag }, segments: {} });
  const etag = first.headers.get('etag')!;
  expect((await fetch(`${fake.url}/sdk/latest-all`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
  fake.data.set('flags', { ...flag, version: 2 });
  expect((await fetch(`${fake.url}/sdk/latest-all`, { headers: { 'If-None-Match': etag } })).status).toBe(200);
  fake.polling.nextRequests({ kind: 'status', status: 500 }, { kind: 'raw', body: '{bad' });
  expect((await fetch(`${fake.url}/sdk/latest-all`)).status).toBe(500);
  expect(await (await fetch(`${fake.url}/sdk/latest-all`)).text()).toBe('{bad');
  expect(fake.polling.requests.map((r) => r.status)).toEqual([200, 304, 200, 500, 200]);
});

it.each([
  ['LF', '\n'],
  ['CR', '\r'],
  ['CRLF', '\r\n'],
] as const)('ends every line of the events it formats with %s when told to', async (_name, eol) => {
  fake = await startFakeLaunchDarkly({ data: { flags: { f: flag } } });
  fake.stream.lineEnding = eol;
  const res = await fetch(`${fake.url}/all`);
  await fake.stream.waitForConnections(1);
  fake.stream.send('patch', 'line one\nline two');
  const text = await readSome(res, `data: line two${eol}${eol}`);
  const put = `event: put${eol}data: ${JSON.stringify({ path: '/', data: { flags: { f: flag }, segments: {} } })}${eol}${eol}`;
  expect(text).toBe(`${put}event: patch${eol}data: line one${eol}data: line two${eol}${eol}`);
});
