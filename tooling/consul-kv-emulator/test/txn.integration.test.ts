// Pins the behaviour of https://developer.hashicorp.com/consul/api-docs/txn over real HTTP.
import { afterEach, beforeEach, expect, it } from 'vitest';

import { type ConsulEmulator, startConsulEmulator } from '../src/index.js';
import { type WireKv, client } from './helpers.js';

interface TxnBody {
  Results: { KV: WireKv }[] | null;
  Errors: { OpIndex: number; What: string }[] | null;
}

let emu: ConsulEmulator;
let kv: ReturnType<typeof client>;
beforeEach(async () => {
  emu = await startConsulEmulator();
  kv = client(emu);
});
afterEach(async () => {
  await emu.kill();
});

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const set = (Key: string, value: string) => ({ KV: { Verb: 'set', Key, Value: b64(value) } });

// https://developer.hashicorp.com/consul/api-docs/txn#create-transaction
it('applies all operations: 200 with Results (write results without Value) and Errors null', async () => {
  const res = await kv.txn([set('a', '1'), { KV: { Verb: 'set', Key: 'b', Value: b64('2'), Flags: 9 } }, { KV: { Verb: 'get', Key: 'a' } }]);
  expect(res.status).toBe(200);
  const body = (await res.json()) as TxnBody;
  expect(body.Errors).toBeNull();
  expect(body.Results!.map((r) => [r.KV.Key, r.KV.Value, r.KV.Flags])).toEqual([
    ['a', null, 0],
    ['b', null, 9],
    ['a', b64('1'), 0],
  ]);
  // One transaction, one raft index for all its writes.
  expect(emu.get('a')!.modifyIndex).toBe(emu.get('b')!.modifyIndex);
  expect(emu.get('a')!.modifyIndex).toBe(emu.index);
});

// https://developer.hashicorp.com/consul/api-docs/txn#sample-response
it('rolls everything back when an operation fails: 409 with Results null and Errors [{OpIndex, What}]', async () => {
  await kv.put('/v1/kv/x', 'old');
  const stale = emu.get('x')!.modifyIndex + 5;
  const res = await kv.txn([set('new', 'n'), { KV: { Verb: 'cas', Key: 'x', Value: b64('changed'), Index: stale } }, { KV: { Verb: 'delete', Key: 'x' } }]);
  expect(res.status).toBe(409);
  expect(await res.json()).toEqual({ Results: null, Errors: [{ OpIndex: 1, What: 'failed to set key "x", index is stale' }] });
  expect(emu.get('new')).toBeUndefined();
  expect(emu.get('x')!.value.toString()).toBe('old');
});

// https://developer.hashicorp.com/consul/api-docs/txn#kv-operations
it('check-not-exists + set creates once; a second attempt is a 409 naming the key', async () => {
  const ops = [{ KV: { Verb: 'check-not-exists', Key: 'lock' } }, set('lock', 'me')];
  expect((await kv.txn(ops)).status).toBe(200);
  const again = await kv.txn(ops);
  expect(again.status).toBe(409);
  expect(((await again.json()) as TxnBody).Errors).toEqual([{ OpIndex: 0, What: 'key "lock" exists' }]);
});

// https://developer.hashicorp.com/consul/api-docs/txn#kv-operations
it('check-index, get-tree, delete-cas and delete-tree work on the same snapshot in order', async () => {
  await kv.put('/v1/kv/t/a', '1');
  await kv.put('/v1/kv/t/b', '2');
  const a = emu.get('t/a')!.modifyIndex;
  const res = await kv.txn([
    { KV: { Verb: 'check-index', Key: 't/a', Index: a } },
    { KV: { Verb: 'get-tree', Key: 't/' } },
    { KV: { Verb: 'delete-cas', Key: 't/a', Index: a } },
    { KV: { Verb: 'delete-tree', Key: 't/' } },
  ]);
  expect(res.status).toBe(200);
  expect(((await res.json()) as TxnBody).Results!.map((r) => r.KV.Key)).toEqual(['t/a', 't/a', 't/b']);
  expect(emu.keys('t/')).toEqual([]);
});

// https://developer.hashicorp.com/consul/api-docs/txn#create-transaction (read-only transactions)
it('serves a read-only transaction like a read: no raft index taken, read headers present', async () => {
  await kv.put('/v1/kv/r', '1');
  const before = emu.index;
  const res = await kv.txn([{ KV: { Verb: 'get', Key: 'r' } }]);
  expect(res.status).toBe(200);
  expect(res.headers.get('x-consul-knownleader')).toBe('true');
  expect(emu.index).toBe(before);
  const missing = await kv.txn([{ KV: { Verb: 'get', Key: 'nope' } }]);
  expect(missing.status).toBe(409);
  expect(((await missing.json()) as TxnBody).Errors).toEqual([{ OpIndex: 0, What: 'key "nope" doesn\'t exist' }]);
});

// https://developer.hashicorp.com/consul/api-docs/txn ("up to 64 operations"; Consul's maxTxnOps)
it('answers 413 "Transaction contains too many operations (65 > 64)"', async () => {
  const ops = Array.from({ length: 65 }, (_, i) => set(`k${i}`, 'v'));
  const res = await kv.txn(ops);
  expect(res.status).toBe(413);
  expect(await res.text()).toBe('Transaction contains too many operations (65 > 64)');
  expect(emu.keys()).toEqual([]);
  expect((await kv.txn(ops.slice(0, 64))).status).toBe(200);
});

// https://developer.hashicorp.com/consul/docs/agent/config/config-files#txn_max_req_len
it('answers 413 "Request body too large" for a body over txn_max_req_len (512 KiB)', async () => {
  const res = await kv.txn([set('pad', 'x'.repeat(600 * 1024))]);
  expect(res.status).toBe(413);
  expect(await res.text()).toBe('Request body too large, max size: 524288 bytes');
});

// https://developer.hashicorp.com/consul/api-docs/txn ("Values cannot be larger than 512kB")
it('answers 413 naming the key when one value is over kv_max_value_size', async () => {
  const small = await startConsulEmulator({ maxValueBytes: 10, maxTxnBytes: 4096 });
  try {
    const res = await client(small).txn([set('ok', 'short'), set('big', 'x'.repeat(11))]);
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('Value for key "big" is too large (11 > 10 bytes)');
    expect(small.keys()).toEqual([]);
  } finally {
    await small.kill();
  }
});

// https://developer.hashicorp.com/consul/api-docs/txn#json-request-body-schema
it('answers 400 "Failed to parse body" for malformed JSON or a bad base64 Value', async () => {
  for (const body of ['[{"KV": ', '{"KV":{}}', '[{"KV":{"Verb":"set","Key":"a","Value":"not base64!"}}]']) {
    const res = await kv.txn(body);
    expect(res.status, body).toBe(400);
    expect(await res.text()).toMatch(/^Failed to parse body: /);
  }
});

// https://developer.hashicorp.com/consul/api-docs/txn#create-transaction (PUT only)
it('answers 405 for methods other than PUT', async () => {
  const res = await kv.call('POST', '/v1/txn', '[]');
  expect(res.status).toBe(405);
  expect(res.headers.get('allow')).toBe('OPTIONS,PUT');
});
