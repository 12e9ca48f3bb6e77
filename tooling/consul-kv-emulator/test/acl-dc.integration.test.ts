// Pins ACL token handling (https://developer.hashicorp.com/consul/api-docs/api-structure#authentication)
// and datacenter routing (`?dc=`, https://developer.hashicorp.com/consul/api-docs/kv#query-parameters).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type ConsulEmulator, startConsulEmulator } from '../src/index.js';
import { client } from './helpers.js';

const TOKEN = 's3cr3t-token';
let emu: ConsulEmulator;
beforeEach(async () => {
  emu = await startConsulEmulator({ aclToken: TOKEN });
  emu.put('app/a', 'v');
});
afterEach(async () => {
  await emu.kill();
});

describe('ACLs (default deny) — https://developer.hashicorp.com/consul/api-docs/api-structure#authentication', () => {
  it('answers 403 "Permission denied" (anonymous token) to a read or write without a token', async () => {
    const anonymous = client(emu);
    const read = await anonymous.get('/v1/kv/app/a');
    expect(read.status).toBe(403);
    expect(await read.text()).toBe(
      `Permission denied: anonymous token lacks permission 'key:read' on "app/a". The anonymous token is used implicitly when a request does not specify a token.`,
    );
    const write = await anonymous.put('/v1/kv/app/b', 'x');
    expect(write.status).toBe(403);
    expect(await write.text()).toMatch(/^Permission denied: anonymous token lacks permission 'key:write' on "app\/b"/);
    expect((await anonymous.del('/v1/kv/app/a')).status).toBe(403);
    expect(emu.keys()).toEqual(['app/a']);
  });

  it('answers 403 "ACL not found" to an unknown token, whichever the endpoint', async () => {
    const wrong = client(emu, { 'X-Consul-Token': 'nope' });
    for (const res of [await wrong.get('/v1/kv/app/a'), await wrong.put('/v1/kv/app/a', 'x'), await wrong.txn([{ KV: { Verb: 'get', Key: 'app/a' } }])]) {
      expect(res.status).toBe(403);
      expect(await res.text()).toBe('ACL not found');
    }
  });

  it('accepts the token from X-Consul-Token, ?token= and Authorization: Bearer', async () => {
    expect((await client(emu, { 'X-Consul-Token': TOKEN }).get('/v1/kv/app/a')).status).toBe(200);
    expect((await client(emu).get(`/v1/kv/app/a?token=${TOKEN}`)).status).toBe(200);
    expect((await client(emu, { Authorization: `Bearer ${TOKEN}` }).put('/v1/kv/app/b', 'x')).status).toBe(200);
    expect(emu.get('app/b')).toBeDefined();
  });

  it('filters listings without a token instead of refusing them: 404 with X-Consul-Results-Filtered-By-ACLs', async () => {
    const res = await client(emu).get('/v1/kv/app/?recurse');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    expect((await client(emu).get('/v1/kv/app/?keys')).status).toBe(404);
  });

  it('refuses transaction writes without a token with a 409 per operation, applying nothing', async () => {
    const res = await client(emu).txn([{ KV: { Verb: 'set', Key: 'app/c', Value: 'eA==' } }]);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { Errors: { OpIndex: number; What: string }[] };
    expect(body.Errors[0]).toMatchObject({ OpIndex: 0, What: expect.stringMatching(/^Permission denied: anonymous token lacks permission 'key:write' on "app\/c"/) });
    expect(emu.get('app/c')).toBeUndefined();
  });

  it('ignores tokens entirely when ACLs are disabled', async () => {
    const open = await startConsulEmulator();
    try {
      expect((await client(open, { 'X-Consul-Token': 'anything' }).put('/v1/kv/a', 'x')).status).toBe(200);
      expect((await client(open).get('/v1/kv/a')).status).toBe(200);
    } finally {
      await open.kill();
    }
  });
});

describe('datacenters — https://developer.hashicorp.com/consul/api-docs/kv#dc', () => {
  it('answers 500 "No path to datacenter" for another ?dc=, and serves its own', async () => {
    const kv = client(emu, { 'X-Consul-Token': TOKEN });
    const other = await kv.get('/v1/kv/app/a?dc=dc2');
    expect(other.status).toBe(500);
    expect(await other.text()).toBe('No path to datacenter');
    const txn = await kv.call('PUT', '/v1/txn?dc=dc2', '[{"KV":{"Verb":"get","Key":"app/a"}}]');
    expect([txn.status, await txn.text()]).toEqual([500, 'No path to datacenter']);
    expect((await kv.get('/v1/kv/app/a?dc=dc1')).status).toBe(200);
  });

  it('checks ?dc= against the configured datacenter', async () => {
    const eu = await startConsulEmulator({ datacenter: 'eu-west' });
    try {
      expect((await client(eu).put('/v1/kv/a?dc=eu-west', 'x')).status).toBe(200);
      expect((await client(eu).put('/v1/kv/a?dc=dc1', 'x')).status).toBe(500);
    } finally {
      await eu.kill();
    }
  });
});
