import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

import { redisCommand } from '../src/index.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

it('the CLI starts redis, prints how to reach it, and stops it on SIGTERM', async () => {
  const child = spawn(process.execPath, [cli, 'redis'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /export REDIS_URL=(redis:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`CLI exited early with ${code}`)));
  });
  const port = Number(new URL(url).port);
  expect(await redisCommand(port, ['PING'])).toBe('PONG');
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  await expect(redisCommand(port, ['PING'])).rejects.toThrow(/ECONNREFUSED/);
});

it('the CLI rejects an unknown service with the list of known ones', async () => {
  const child = spawn(process.execPath, [cli, 'mongodb'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  expect(err).toMatch(/unknown service "mongodb"; known: redis, redis-cluster, redis-sentinel, dynalite, consul/);
});

it('the CLI starts the Consul KV emulator and prints CONSUL_HTTP_ADDR', async () => {
  const child = spawn(process.execPath, [cli, 'consul'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /export CONSUL_HTTP_ADDR=(\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`CLI exited early with ${code}`)));
  });
  const put = await fetch(`http://${address}/v1/kv/cli-check`, { method: 'PUT', body: 'ok' });
  expect(await put.text()).toBe('true');
  expect(await (await fetch(`http://${address}/v1/kv/cli-check?raw`)).text()).toBe('ok');
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
