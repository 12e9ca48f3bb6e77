// Fault hooks, connection counting and lifecycle of the emulator itself (not Consul behaviour), driven
// over real HTTP. The Consul pages they relate to: https://developer.hashicorp.com/consul/api-docs/kv
import { type IncomingMessage, Agent, get as httpGet } from 'node:http';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type ConsulEmulator, startConsulEmulator } from '../src/index.js';
import { client, eventually } from './helpers.js';

let emu: ConsulEmulator;
let kv: ReturnType<typeof client>;
beforeEach(async () => {
  emu = await startConsulEmulator();
  kv = client(emu);
});
afterEach(async () => {
  await emu.kill();
});

describe('faults', () => {
  it('setLatencyMs delays every request until cleared', async () => {
    emu.faults.setLatencyMs(200);
    let started = Date.now();
    expect((await kv.put('/v1/kv/a', 'x')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    emu.faults.clear();
    started = Date.now();
    await kv.get('/v1/kv/a');
    expect(Date.now() - started).toBeLessThan(150);
  });

  it('failNext answers the next requests with a status (500 "No cluster leader" by default), then serves again', async () => {
    emu.faults.failNext(2);
    emu.faults.failNext(1, 503, 'busy');
    for (const expected of [[500, 'No cluster leader'], [500, 'No cluster leader'], [503, 'busy']]) {
      const res = await kv.put('/v1/kv/f', 'x');
      expect([res.status, await res.text()]).toEqual(expected);
    }
    expect(emu.get('f')).toBeUndefined();
    expect(await (await kv.put('/v1/kv/f', 'x')).json()).toBe(true);
  });

  it('failNext with a route fails only requests to that route, leaving the others served', async () => {
    emu.faults.failNext(1, 409, 'rolled back', 'PUT /v1/txn');
    expect((await kv.put('/v1/kv/routed', 'x')).status).toBe(200);
    expect((await kv.get('/v1/kv/routed')).status).toBe(200);
    const res = await fetch(`${emu.url}/v1/txn`, { method: 'PUT', body: '[]' });
    expect([res.status, await res.text()]).toEqual([409, 'rolled back']);
    expect((await fetch(`${emu.url}/v1/txn`, { method: 'PUT', body: '[]' })).status).toBe(200);
  });

  it('dropConnections destroys the connection without an answer (nothing applied), then serves again', async () => {
    emu.faults.dropConnections(1);
    await expect(kv.put('/v1/kv/d', 'x')).rejects.toThrow();
    expect(emu.get('d')).toBeUndefined();
    expect(await (await kv.put('/v1/kv/d', 'x')).json()).toBe(true);
  });

  it('clear removes planned failures and drops', async () => {
    emu.faults.failNext(3);
    emu.faults.dropConnections(3);
    emu.faults.clear();
    expect((await kv.get('/v1/kv/nothing')).status).toBe(404);
  });

  it('refuses invalid fault parameters with a clear message', () => {
    expect(() => emu.faults.setLatencyMs(-1)).toThrow(/latency must be a non-negative number/);
    expect(() => emu.faults.failNext(1, 42)).toThrow(/must be an HTTP status/);
    expect(() => emu.faults.dropConnections(1.5)).toThrow(/non-negative integer/);
  });
});

describe('stats', () => {
  function getVia(agent: Agent, path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      httpGet(`${emu.url}${path}`, { agent }, (res: IncomingMessage) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      }).once('error', reject);
    });
  }

  it('counts requests by method and route', async () => {
    await kv.put('/v1/kv/a', 'x');
    await kv.get('/v1/kv/a');
    await kv.get('/v1/kv/b');
    await kv.txn([]);
    expect(emu.stats.requests).toEqual({ 'PUT /v1/kv': 1, 'GET /v1/kv': 2, 'PUT /v1/txn': 1 });
  });

  it('sees N parallel keep-alive connections as the peak, and 0 open once the clients close them', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 5 });
    emu.faults.setLatencyMs(150);
    const statuses = await Promise.all(Array.from({ length: 5 }, () => getVia(agent, '/v1/kv/missing')));
    expect(statuses).toEqual([404, 404, 404, 404, 404]);
    expect(emu.stats.peakConnections).toBe(5);
    expect(emu.stats.totalConnections).toBe(5);
    expect(emu.stats.openConnections).toBe(5);
    // Kept alive: a second round reuses the same connections.
    await Promise.all(Array.from({ length: 5 }, () => getVia(agent, '/v1/kv/missing')));
    expect(emu.stats.totalConnections).toBe(5);
    agent.destroy();
    await eventually(() => emu.stats.openConnections === 0);
    emu.stats.reset();
    expect([emu.stats.peakConnections, emu.stats.totalConnections, emu.stats.requests]).toEqual([0, 0, {}]);
  });
});

describe('lifecycle', () => {
  it('exposes url and address for CONSUL_HTTP_ADDR', () => {
    expect(emu.url).toBe(`http://127.0.0.1:${emu.port}`);
    expect(emu.address).toBe(`127.0.0.1:${emu.port}`);
    expect(emu.running).toBe(true);
  });

  it('restart keeps the port and the data; restart({ wipe: true }) starts empty', async () => {
    await kv.put('/v1/kv/keep', 'me');
    const port = emu.port;
    await emu.restart();
    expect(emu.port).toBe(port);
    expect((await kv.get('/v1/kv/keep')).status).toBe(200);
    await emu.restart({ wipe: true });
    expect((await kv.get('/v1/kv/keep')).status).toBe(404);
    expect(emu.index).toBe(1);
  });

  it('stop answers a pending blocking query at once, then refuses connections', async () => {
    await kv.put('/v1/kv/s', '1');
    const pending = kv.get(`/v1/kv/s?index=${emu.index}&wait=30s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await emu.stop();
    expect((await pending).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(emu.running).toBe(false);
    await expect(kv.get('/v1/kv/s')).rejects.toThrow();
  });

  it('kill destroys in-flight requests without answering them', async () => {
    await kv.put('/v1/kv/k', '1');
    const pending = kv.get(`/v1/kv/k?index=${emu.index}&wait=30s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await emu.kill();
    await expect(pending).rejects.toThrow();
    await emu.restart();
    expect((await kv.get('/v1/kv/k')).status).toBe(200);
  });

  it('refuses invalid options with a clear message', async () => {
    await expect(startConsulEmulator({ maxValueBytes: 0 })).rejects.toThrow('consul-kv-emulator: maxValueBytes must be a positive integer, got 0');
    await expect(startConsulEmulator({ port: 70000 })).rejects.toThrow(/port must be an integer/);
    await expect(startConsulEmulator({ port: emu.port })).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+/);
  });
});
