// The flag service over real HTTP, with a real Switchyard client: SDK-key checks, changes reaching SDKs
// as stream patches, validation, atomic writes, the admin token, body limits and the live feed.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { init } from '@switchyard/node-server';

import { ConfigError, FlagFileError, startFlagService, type FlagService, type FlagServiceOptions } from '../src/index.js';
import type { FlagFileHooks } from '../src/flag-file.js';

const SDK_KEY = 'sdk-local-dev';
let service: FlagService | undefined;
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await service?.close();
  service = undefined;
});

async function start(options: FlagServiceOptions = {}, hooks?: FlagFileHooks): Promise<FlagService> {
  const dir = await mkdtemp(join(tmpdir(), 'flag-service-'));
  service = await startFlagService({ port: 0, dataFile: join(dir, 'flags.json'), log: () => {}, ...options }, hooks);
  return service;
}

function api(path: string, init: RequestInit & { json?: unknown; token?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  return fetch(`${service!.url}${path}`, { ...init, headers, body: init.json === undefined ? init.body : JSON.stringify(init.json) });
}

const bannerFlag = (variation: number) => ({
  key: 'banner-text',
  on: true,
  variations: ['Welcome!', 'Winter sale: 20% off everything', ''],
  offVariation: 2,
  fallthrough: { variation },
  targets: [],
  rules: [],
  salt: 'x',
});

describe('SDK endpoints', () => {
  it('answer 401 to a wrong or missing SDK key and serve the right one', async () => {
    await start();
    for (const [path, method] of [
      ['/sdk/latest-all', 'GET'],
      ['/bulk', 'POST'],
      ['/diagnostic', 'POST'],
    ] as const) {
      expect((await fetch(`${service!.url}${path}`, { method, headers: { authorization: 'sdk-wrong' }, body: method === 'POST' ? '[]' : undefined })).status).toBe(401);
      expect((await fetch(`${service!.url}${path}`, { method, body: method === 'POST' ? '[]' : undefined })).status).toBe(401);
    }
    const stream = await fetch(`${service!.url}/all`, { headers: { authorization: 'sdk-wrong' } });
    expect(stream.status).toBe(401);
    const poll = await fetch(`${service!.url}/sdk/latest-all`, { headers: { authorization: SDK_KEY } });
    expect(poll.status).toBe(200);
    expect(Object.keys(((await poll.json()) as { flags: object }).flags).sort()).toEqual(['banner-text', 'beta-dashboard', 'max-items', 'new-checkout']);
  });

  it('a client with a wrong key fails to initialize; one with the right key gets every change as a patch within a second', async () => {
    await start();
    const options = { baseUri: service!.url, streamUri: service!.url, eventsUri: service!.url, sendEvents: false, logger: { debug() {}, info() {}, warn() {}, error() {} } };
    const wrong = init('sdk-wrong', options);
    closers.push(() => wrong.close());
    await expect(wrong.waitForInitialization({ timeout: 5 })).rejects.toThrow();

    const client = init(SDK_KEY, options);
    closers.push(() => client.close());
    await client.waitForInitialization({ timeout: 5 });
    const bob = { kind: 'user', key: 'bob' };
    expect(await client.stringVariation('banner-text', bob, 'dflt')).toBe('Welcome!');
    const changedAt = Date.now();
    const changed = new Promise<number>((resolve) => client.on('update:banner-text', () => resolve(Date.now())));
    expect((await api('/api/flags/banner-text', { method: 'PUT', json: bannerFlag(1) })).status).toBe(200);
    expect((await changed) - changedAt).toBeLessThan(1000);
    expect(await client.stringVariation('banner-text', bob, 'dflt')).toBe('Winter sale: 20% off everything');
    expect(await client.boolVariation('beta-dashboard', bob, false)).toBe(true);
  });
});

describe('changes', () => {
  it('are written to the file with a new version; create and delete reach the API and the file', async () => {
    await start();
    const put = await api('/api/flags/banner-text', { method: 'PUT', json: bannerFlag(1) });
    expect(await put.json()).toMatchObject({ flag: { key: 'banner-text', version: 2, fallthrough: { variation: 1 } } });
    const created = await api('/api/flags', { method: 'POST', json: { ...bannerFlag(0), key: 'fresh' } });
    expect(created.status).toBe(201);
    expect((await api('/api/flags', { method: 'POST', json: { ...bannerFlag(0), key: 'fresh' } })).status).toBe(409);
    let file = JSON.parse(await readFile(service!.dataFile, 'utf8')) as { flags: Record<string, { version: number }> };
    expect(file.flags['banner-text']!.version).toBe(2);
    expect(file.flags.fresh!.version).toBe(1);
    expect(await (await api('/api/flags/fresh', { method: 'DELETE' })).json()).toEqual({ key: 'fresh', version: 2 });
    file = JSON.parse(await readFile(service!.dataFile, 'utf8')) as typeof file;
    expect(file.flags.fresh).toBeUndefined();
    // Re-created after a delete: the version keeps going up, so SDKs that saw the delete take it.
    expect(await (await api('/api/flags', { method: 'POST', json: { ...bannerFlag(0), key: 'fresh' } })).json()).toMatchObject({ flag: { version: 3 } });
    expect((await api('/api/flags/missing', { method: 'PUT', json: { ...bannerFlag(0), key: 'missing' } })).status).toBe(404);
  });

  it('a malformed edit is refused with a message naming the field, and the file is untouched', async () => {
    await start();
    const before = await readFile(service!.dataFile);
    const bad = { ...bannerFlag(0), fallthrough: { rollout: { variations: [{ variation: 0, weight: 60000 }, { variation: 1, weight: 60000 }] } } };
    const res = await api('/api/flags/banner-text', { method: 'PUT', json: bad });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'flag "banner-text".fallthrough.rollout weights must add up to 100000 (100%), not 120000' });
    expect((await api('/api/flags/banner-text', { method: 'PUT', body: '{not json', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect(await readFile(service!.dataFile)).toEqual(before);
  });

  it('a write that dies before it replaces the file leaves the previous version and no temporary file, and changes nothing', async () => {
    let armed = false;
    await start({}, {
      beforeRename() {
        if (armed) throw new Error('simulated crash');
      },
    });
    armed = true;
    const before = await readFile(service!.dataFile);
    const res = await api('/api/flags/banner-text', { method: 'PUT', json: bannerFlag(1) });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'could not save the change (nothing was changed): simulated crash' });
    expect(await readFile(service!.dataFile)).toEqual(before);
    expect(await readdir(join(service!.dataFile, '..'))).toEqual(['flags.json']);
    expect(service!.data().flags['banner-text']).toMatchObject({ version: 1, fallthrough: { variation: 0 } });
  });

  it('refuses cross-site requests, non-JSON bodies and bodies over the limit', async () => {
    await start({ maxBodyBytes: 10_000 });
    expect((await api('/api/flags/banner-text', { method: 'PUT', json: bannerFlag(1), headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await api('/api/flags', { method: 'POST', body: JSON.stringify(bannerFlag(1)), headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    const huge = await api('/api/flags/banner-text', { method: 'PUT', json: { ...bannerFlag(1), description: 'x'.repeat(20_000) } });
    expect(huge.status).toBe(413);
    expect(service!.data().flags['banner-text']!.version).toBe(1);
  });
});

describe('startup', () => {
  it('refuses a non-loopback bind without an admin token; with one, every change needs it', async () => {
    await expect(start({ host: '0.0.0.0' })).rejects.toThrow(ConfigError);
    const token = 'admin-token-0123456789';
    await start({ host: '0.0.0.0', adminToken: token });
    expect(await (await api('/api/state')).json()).toMatchObject({ tokenRequired: true });
    expect((await api('/api/flags/banner-text', { method: 'PUT', json: bannerFlag(1) })).status).toBe(401);
    expect((await api('/api/flags/banner-text', { method: 'PUT', json: bannerFlag(1), token: 'wrong-token-0123456789' })).status).toBe(401);
    expect((await api('/api/flags/banner-text', { method: 'PUT', json: bannerFlag(1), token })).status).toBe(200);
  });

  it('keeps an existing file, removes leftovers of an interrupted write, and refuses an invalid file rather than overwrite it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flag-service-'));
    const dataFile = join(dir, 'flags.json');
    await writeFile(dataFile, JSON.stringify({ flags: { only: { ...bannerFlag(0), key: 'only', version: 7 } }, segments: {} }));
    await writeFile(join(dir, '.flags.json.123.abcd.tmp'), '{"half":');
    service = await startFlagService({ port: 0, dataFile, log: () => {} });
    expect(service.created).toBe(false);
    expect(Object.keys(service.data().flags)).toEqual(['only']);
    expect(service.data().flags.only!.version).toBe(7);
    expect(await readdir(dir)).toEqual(['flags.json']);
    await service.close();
    service = undefined;

    const bad = '{"flags": {"x": {"key": "x", "on": true, "variations": [], "fallthrough": {"variation": 0}}}}';
    await writeFile(dataFile, bad);
    await expect(startFlagService({ port: 0, dataFile, log: () => {} })).rejects.toThrow(FlagFileError);
    await expect(startFlagService({ port: 0, dataFile, log: () => {} })).rejects.toThrow(/flags\.json: flag "x"\.variations must have at least one value/);
    expect(await readFile(dataFile, 'utf8')).toBe(bad);
  });
});

describe('the live feed', () => {
  it('relays the analytics events SDKs post and keeps summary counts per flag and variation', async () => {
    await start();
    const feed = await fetch(`${service!.url}/api/live`);
    const reader = feed.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`feed ended before ${pattern}`);
        text += value;
      }
    };
    await until(/event: counts\ndata: \{\}/);
    const client = init(SDK_KEY, { baseUri: service!.url, streamUri: service!.url, eventsUri: service!.url });
    closers.push(() => client.close());
    await client.waitForInitialization({ timeout: 5 });
    for (const key of ['alice', 'bob', 'carol']) await client.boolVariation('beta-dashboard', { kind: 'user', key }, false);
    await client.flush();
    await until(/event: events\ndata: .*"kind":"summary"/);
    await until(/event: counts\ndata: .*"beta-dashboard"/);
    const counts = JSON.parse(/event: counts\ndata: (.*"beta-dashboard".*)\n/.exec(text)![1]!) as Record<string, Record<string, { value: unknown; count: number }>>;
    expect(counts['beta-dashboard']).toEqual({ '0': { value: true, count: 1 }, '1': { value: false, count: 2 } });
    await reader.cancel();
  });
});
