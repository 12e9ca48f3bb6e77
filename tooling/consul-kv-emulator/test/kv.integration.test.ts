// Pins the behaviour of https://developer.hashicorp.com/consul/api-docs/kv (and the blocking queries of
// https://developer.hashicorp.com/consul/api-docs/features/blocking) over real HTTP.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type ConsulEmulator, startConsulEmulator } from '../src/index.js';
import { type WireKv, client, indexOf } from './helpers.js';

let emu: ConsulEmulator;
let kv: ReturnType<typeof client>;
beforeEach(async () => {
  emu = await startConsulEmulator();
  kv = client(emu);
});
afterEach(async () => {
  await emu.kill();
});

const entries = async (res: Response): Promise<WireKv[]> => (await res.json()) as WireKv[];

describe('read key — https://developer.hashicorp.com/consul/api-docs/kv#read-key', () => {
  it('answers 404 with an empty body and the query meta headers when the key is missing', async () => {
    const res = await kv.get('/v1/kv/missing');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
    expect(indexOf(res)).toBeGreaterThanOrEqual(1);
    expect(res.headers.get('x-consul-knownleader')).toBe('true');
    expect(res.headers.get('x-consul-lastcontact')).toBe('0');
  });

  it('answers a JSON array with LockIndex, Key, Flags, base64 Value, CreateIndex, ModifyIndex', async () => {
    await kv.put('/v1/kv/app/one?flags=42', 'hello');
    const res = await kv.get('/v1/kv/app/one');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const [entry] = await entries(res);
    expect(entry).toEqual({ LockIndex: 0, Key: 'app/one', Flags: 42, Value: Buffer.from('hello').toString('base64'), CreateIndex: entry!.ModifyIndex, ModifyIndex: entry!.ModifyIndex });
    expect(indexOf(res)).toBe(entry!.ModifyIndex);
  });

  it('round-trips arbitrary UTF-8 and binary values through base64 and ?raw', async () => {
    const utf8 = 'héllo wörld — 你好 🚀 {"json":true}\n';
    const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
    await kv.put('/v1/kv/v/utf8', utf8);
    await kv.put('/v1/kv/v/bin', binary);
    const [u] = await entries(await kv.get('/v1/kv/v/utf8'));
    expect(Buffer.from(u!.Value!, 'base64').toString('utf8')).toBe(utf8);
    const [b] = await entries(await kv.get('/v1/kv/v/bin'));
    expect(Buffer.from(b!.Value!, 'base64').equals(Buffer.from(binary))).toBe(true);
    const raw = await kv.get('/v1/kv/v/bin?raw');
    expect(raw.status).toBe(200);
    expect(Buffer.from(await raw.arrayBuffer()).equals(Buffer.from(binary))).toBe(true);
  });

  it('shows an empty value as "Value": null and serves it raw as an empty body', async () => {
    await kv.put('/v1/kv/empty', '');
    const [e] = await entries(await kv.get('/v1/kv/empty'));
    expect(e!.Value).toBeNull();
    expect(await (await kv.get('/v1/kv/empty?raw')).text()).toBe('');
  });

  it('?recurse answers every key with the string prefix, sorted, with the highest ModifyIndex as X-Consul-Index', async () => {
    await kv.put('/v1/kv/ld/b', '2');
    await kv.put('/v1/kv/ld2/x', 'x');
    await kv.put('/v1/kv/ld/a', '1');
    const res = await kv.get('/v1/kv/ld/?recurse');
    const list = await entries(res);
    expect(list.map((e) => e.Key)).toEqual(['ld/a', 'ld/b']);
    expect(indexOf(res)).toBe(Math.max(...list.map((e) => e.ModifyIndex)));
    expect((await entries(await kv.get('/v1/kv/ld?recurse'))).map((e) => e.Key)).toEqual(['ld/a', 'ld/b', 'ld2/x']);
    expect((await kv.get('/v1/kv/none/?recurse')).status).toBe(404);
  });

  it('?keys lists key names; with ?separator= it stops at the first separator after the prefix', async () => {
    for (const k of ['web/a', 'web/sub/x', 'web/sub/y', 'other']) await kv.put(`/v1/kv/${k}`, 'v');
    expect(await (await kv.get('/v1/kv/web/?keys')).json()).toEqual(['web/a', 'web/sub/x', 'web/sub/y']);
    expect(await (await kv.get('/v1/kv/web/?keys&separator=/')).json()).toEqual(['web/a', 'web/sub/']);
    expect(await (await kv.get('/v1/kv/?keys&separator=/')).json()).toEqual(['other', 'web/']);
  });

  it('?keys answers 404 for a prefix with no keys but [] for the root', async () => {
    expect((await kv.get('/v1/kv/nothing/?keys')).status).toBe(404);
    const root = await kv.get('/v1/kv/?keys');
    expect(root.status).toBe(200);
    expect(await root.json()).toEqual([]);
  });

  it('answers 400 "Missing key name" for a GET of the root without ?recurse or ?keys', async () => {
    const res = await kv.get('/v1/kv/');
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('Missing key name');
  });

  it('indents JSON with ?pretty', async () => {
    await kv.put('/v1/kv/p', 'x');
    expect(await (await kv.get('/v1/kv/p?pretty')).text()).toMatch(/^\[\n {4}\{\n {8}"LockIndex": 0,/);
  });
});

describe('create/update key — https://developer.hashicorp.com/consul/api-docs/kv#create-update-key', () => {
  it('answers true and stores the body as the value, with ?flags=', async () => {
    const res = await kv.put('/v1/kv/k?flags=7', 'v1');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('true');
    expect(emu.get('k')).toMatchObject({ flags: 7n });
    expect(emu.get('k')!.value.toString()).toBe('v1');
  });

  it('?cas=0 creates only when the key does not exist', async () => {
    expect(await (await kv.put('/v1/kv/once?cas=0', 'first')).json()).toBe(true);
    expect(await (await kv.put('/v1/kv/once?cas=0', 'second')).json()).toBe(false);
    expect(emu.get('once')!.value.toString()).toBe('first');
  });

  it('?cas=N writes only when the ModifyIndex is N', async () => {
    await kv.put('/v1/kv/c', 'a');
    const index = emu.get('c')!.modifyIndex;
    expect(await (await kv.put(`/v1/kv/c?cas=${index + 100}`, 'stale')).json()).toBe(false);
    expect(emu.get('c')!.value.toString()).toBe('a');
    expect(await (await kv.put(`/v1/kv/c?cas=${index}`, 'b')).json()).toBe(true);
    expect(emu.get('c')!.value.toString()).toBe('b');
    expect(await (await kv.put('/v1/kv/absent?cas=5', 'x')).json()).toBe(false);
  });

  it('keeps CreateIndex, moves ModifyIndex on each change, and leaves it on a write that changes nothing', async () => {
    await kv.put('/v1/kv/i', '1');
    const first = emu.get('i')!;
    await kv.put('/v1/kv/other', 'x');
    await kv.put('/v1/kv/i', '2');
    const second = emu.get('i')!;
    expect(second.createIndex).toBe(first.createIndex);
    expect(second.modifyIndex).toBeGreaterThan(emu.get('other')!.modifyIndex);
    await kv.put('/v1/kv/i', '2');
    expect(emu.get('i')!.modifyIndex).toBe(second.modifyIndex);
    expect(emu.index).toBeGreaterThan(second.modifyIndex);
  });

  it('answers 413 with Consul\'s message for a value over kv_max_value_size (512 KiB); exactly the limit is fine', async () => {
    expect(await (await kv.put('/v1/kv/max', new Uint8Array(524288))).json()).toBe(true);
    const res = await kv.put('/v1/kv/big', new Uint8Array(524289));
    expect(res.status).toBe(413);
    expect(await res.text()).toBe(
      'Request body(524289 bytes) too large, max size: 524288 bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.',
    );
    expect(emu.get('big')).toBeUndefined();
  });

  it('answers 500 with Go\'s parse error for malformed ?flags= or ?cas=, and 400 for conflicting flags', async () => {
    const bad = await kv.put('/v1/kv/f?flags=abc', 'x');
    expect(bad.status).toBe(500);
    expect(await bad.text()).toBe('strconv.ParseUint: parsing "abc": invalid syntax');
    const conflict = await kv.put('/v1/kv/f?cas=0&release=s', 'x');
    expect(conflict.status).toBe(400);
    expect(await conflict.text()).toMatch(/^Conflicting flags: cas=0&release=s/);
  });

  it('answers 405 with an Allow header for other methods', async () => {
    const res = await kv.call('POST', '/v1/kv/x', 'y');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('OPTIONS,GET,PUT,DELETE');
  });
});

describe('delete key — https://developer.hashicorp.com/consul/api-docs/kv#delete-key', () => {
  it('deletes a key and answers true, also when it did not exist', async () => {
    await kv.put('/v1/kv/d', 'x');
    expect(await (await kv.del('/v1/kv/d')).json()).toBe(true);
    expect((await kv.get('/v1/kv/d')).status).toBe(404);
    expect(await (await kv.del('/v1/kv/never')).json()).toBe(true);
  });

  it('?recurse deletes by string prefix: "ld/" leaves "ld2/" alone, "ld" would not', async () => {
    for (const k of ['ld/a', 'ld/b/c', 'ld2/a']) await kv.put(`/v1/kv/${k}`, 'v');
    expect(await (await kv.del('/v1/kv/ld/?recurse')).json()).toBe(true);
    expect(emu.keys()).toEqual(['ld2/a']);
    await kv.put('/v1/kv/ld/a', 'v');
    await kv.del('/v1/kv/ld?recurse');
    expect(emu.keys()).toEqual([]);
  });

  it('?cas=N deletes only when the ModifyIndex is N (a missing key counts as deleted)', async () => {
    await kv.put('/v1/kv/dc', 'x');
    const index = emu.get('dc')!.modifyIndex;
    expect(await (await kv.del(`/v1/kv/dc?cas=${index + 1}`)).json()).toBe(false);
    expect(emu.get('dc')).toBeDefined();
    expect(await (await kv.del(`/v1/kv/dc?cas=${index}`)).json()).toBe(true);
    expect(emu.get('dc')).toBeUndefined();
    expect(await (await kv.del('/v1/kv/dc?cas=12345')).json()).toBe(true);
  });

  it('keeps X-Consul-Index from going backwards after a delete (tombstones)', async () => {
    await kv.put('/v1/kv/t/a', '1');
    await kv.put('/v1/kv/t/b', '2');
    await kv.del('/v1/kv/t/b');
    const deletedAt = emu.index;
    expect(indexOf(await kv.get('/v1/kv/t/?recurse'))).toBe(deletedAt);
    expect(indexOf(await kv.get('/v1/kv/t/b'))).toBe(deletedAt);
  });
});

describe('blocking queries — https://developer.hashicorp.com/consul/api-docs/features/blocking', () => {
  it('answers at once when ?index= is lower than the current index', async () => {
    await kv.put('/v1/kv/b', '1');
    const started = Date.now();
    const res = await kv.get(`/v1/kv/b?index=1&wait=5s`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('waits for a change past ?index=, then answers with the new X-Consul-Index', async () => {
    await kv.put('/v1/kv/w/a', '1');
    const first = await kv.get('/v1/kv/w/?recurse');
    const index = indexOf(first);
    const pending = kv.get(`/v1/kv/w/?recurse&index=${index}&wait=5s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await kv.put('/v1/kv/unrelated', 'x');
    await kv.put('/v1/kv/w/b', '2');
    const res = await pending;
    expect(indexOf(res)).toBe(emu.get('w/b')!.modifyIndex);
    expect((await entries(res)).map((e) => e.Key)).toEqual(['w/a', 'w/b']);
  });

  it('answers with the same index when ?wait= runs out without a change', async () => {
    await kv.put('/v1/kv/q', '1');
    const index = emu.get('q')!.modifyIndex;
    const started = Date.now();
    const res = await kv.get(`/v1/kv/q?index=${index}&wait=300ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(indexOf(res)).toBe(index);
  });

  it('answers 400 for a malformed ?wait= or ?index=', async () => {
    expect(await (await kv.get('/v1/kv/q?wait=soon')).text()).toBe('Invalid wait time');
    expect(await (await kv.get('/v1/kv/q?index=-1')).text()).toBe('Invalid index');
  });
});
