// The CLI (built dist/cli.js) serves the emulated KV API: https://developer.hashicorp.com/consul/api-docs/kv
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function start(args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^consul-kv-emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
  });
  return { child, exited, url };
}

it('prints its address, serves the KV API and stops on SIGTERM', async () => {
  const { child, exited, url } = start(['--port', '0', '--host', '127.0.0.1']);
  const base = await url;
  expect(await (await fetch(`${base}/v1/kv/cli/a`, { method: 'PUT', body: 'v' })).json()).toBe(true);
  expect(await (await fetch(`${base}/v1/kv/cli/a?raw`)).text()).toBe('v');
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});

it('enforces --token and stops on SIGINT', async () => {
  const { child, exited, url } = start(['--token', 'tok']);
  const base = await url;
  expect((await fetch(`${base}/v1/kv/a`, { method: 'PUT', body: 'v' })).status).toBe(403);
  expect((await fetch(`${base}/v1/kv/a`, { method: 'PUT', body: 'v', headers: { 'X-Consul-Token': 'tok' } })).status).toBe(200);
  child.kill('SIGINT');
  expect(await exited).toBe(0);
});

it('exits 1 with a clear message on an unknown option', async () => {
  const child = spawn(process.execPath, [cli, '--bogus', 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
  expect(err).toMatch(/consul-kv-emulator: unknown option --bogus/);
});
