import { describe, expect, it } from 'vitest';

import { KvState } from './kv-state.js';
import { type TxnKvOp, parseTxn, preCheckTxn, runTxn } from './txn.js';

const limits = { maxOps: 3, maxValueBytes: 8, maxRequestBytes: 4096 };
const body = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const op = (verb: string, key: string, more: Partial<TxnKvOp> = {}): TxnKvOp => ({ verb, key, value: Buffer.alloc(0), flags: 0n, index: 0, session: '', ...more });

function ops(value: unknown): TxnKvOp[] {
  const parsed = parseTxn(body(value), limits);
  if (!('ops' in parsed)) throw new Error(parsed.message);
  return parsed.ops;
}

describe('parseTxn', () => {
  it('decodes KV operations with case-insensitive field names and base64 values', () => {
    expect(ops([{ kv: { verb: 'set', KEY: 'a', value: 'aGk=', Flags: 7 } }])).toEqual([op('set', 'a', { value: Buffer.from('hi'), flags: 7n })]);
  });

  it('skips null and empty elements (they hold no operation)', () => {
    expect(ops([null, {}, { KV: { Verb: 'get', Key: 'a' } }])).toHaveLength(1);
  });

  it('refuses a body above the larger of the txn and value limits (413)', () => {
    expect(parseTxn(Buffer.alloc(4097, 32), limits)).toEqual({ status: 413, message: 'Request body too large, max size: 4096 bytes' });
  });

  it('refuses malformed JSON, wrong types and bad base64 (400)', () => {
    for (const text of ['', '[{', '{}', '[1]', '[{"KV":{"Flags":-1}}]', '[{"KV":{"Key":5}}]', '[{"KV":{"Value":"***"}}]']) {
      const parsed = parseTxn(Buffer.from(text), limits);
      expect(parsed, text).toMatchObject({ status: 400, message: expect.stringMatching(/^Failed to parse body: /) });
    }
  });

  it('refuses too many operations, then too large values (413)', () => {
    const four = Array.from({ length: 4 }, () => ({ KV: { Verb: 'get', Key: 'a' } }));
    expect(parseTxn(body(four), limits)).toEqual({ status: 413, message: 'Transaction contains too many operations (4 > 3)' });
    const big = [{ KV: { Verb: 'set', Key: 'big', Value: Buffer.alloc(9).toString('base64') } }];
    expect(parseTxn(body(big), limits)).toEqual({ status: 413, message: 'Value for key "big" is too large (9 > 8 bytes)' });
  });
});

describe('runTxn', () => {
  it('lets later operations see earlier writes, all at one index, and blanks values of write results', () => {
    const s = KvState.empty();
    const { results, errors } = runTxn(s, 9, [op('set', 'a', { value: Buffer.from('1') }), op('get', 'a'), op('check-index', 'a', { index: 9 })]);
    expect(errors).toEqual([]);
    expect(results.map((r) => [r.KV.Key, r.KV.Value, r.KV.ModifyIndex])).toEqual([
      ['a', null, 9],
      ['a', 'MQ==', 9],
      ['a', null, 9],
    ]);
  });

  it('reports every failing operation with Consul\'s messages', () => {
    const s = KvState.empty();
    s.set(2, 'x', Buffer.from('1'), 0n);
    const { errors } = runTxn(s, 3, [
      op('cas', 'x', { index: 1 }),
      op('get', 'nope'),
      op('check-index', 'x', { index: 1 }),
      op('check-not-exists', 'x'),
      op('delete-cas', 'x', { index: 1 }),
      op('check-index', 'nope'),
      op('bogus', 'x'),
    ]);
    expect(errors).toEqual([
      { OpIndex: 0, What: 'failed to set key "x", index is stale' },
      { OpIndex: 1, What: 'key "nope" doesn\'t exist' },
      { OpIndex: 2, What: 'failed index check for key "x", current modify index 2 != 1' },
      { OpIndex: 3, What: 'key "x" exists' },
      { OpIndex: 4, What: 'failed to delete key "x", index is stale' },
      { OpIndex: 5, What: 'failed to check index, key "nope" doesn\'t exist' },
      { OpIndex: 6, What: 'unknown KV verb "bogus"' },
    ]);
  });

  it('gives no results for deletes and check-not-exists, and all entries of a tree for get-tree', () => {
    const s = KvState.empty();
    s.set(2, 't/a', Buffer.from('1'), 0n);
    s.set(3, 't/b', Buffer.from('2'), 0n);
    const { results } = runTxn(s, 4, [op('check-not-exists', 'new'), op('get-tree', 't/'), op('delete-tree', 't/'), op('delete', 'zzz')]);
    expect(results.map((r) => r.KV.Key)).toEqual(['t/a', 't/b']);
    expect(s.size).toBe(0);
  });
});

describe('preCheckTxn', () => {
  it('requires a key (except for delete-tree) and checks permissions of writes and index checks, not of reads', () => {
    const denied = (access: string, key: string): string => `denied ${access} ${key}`;
    const errors = preCheckTxn([op('set', ''), op('delete-tree', ''), op('get', 'a'), op('check-index', 'b'), op('cas', 'c')], denied);
    expect(errors).toEqual([
      { OpIndex: 0, What: 'Must provide key' },
      { OpIndex: 1, What: 'denied write ' },
      { OpIndex: 3, What: 'denied read b' },
      { OpIndex: 4, What: 'denied write c' },
    ]);
  });
});
