// The command (dist/main.js, built before the integration tier): configuration errors are one line with
// no stack trace; SIGTERM stops accepting, closes SDK streams, flushes forwarded events and exits 0.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { freePort, startRedis } from '@switchyard/test-services';

import { SDK_KEY, closeAll, flag, later, until } from './helpers.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
afterEach(closeAll);

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exited };
}

describe('switchyard-relay command', () => {
  it('rejects a bad configuration with one line and exit code 2', async () => {
    const { out, exited } = run({ LD_ENV_prod: SDK_KEY, USE_REDIS: '1', USE_DYNAMODB: '1', DYNAMODB_TABLE: 't' });
    expect(await exited).toBe(2);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/^switchyard-relay: both Redis/);
    expect(out.stderr).not.toContain(SDK_KEY);
  });

  it('shuts down on SIGTERM: streams closed, forwarded events flushed, exit 0', async () => {
    const redis = later(await startRedis(), (r) => r.stop());
    const fake = later(await startFakeLaunchDarkly({ data: { flags: { f1: flag('f1', 'one') }, segments: {} } }), (f) => f.close());
    fake.events.nextRequests({ kind: 'accept', delayMs: 300 }); // the forward is still in flight at SIGTERM
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { child, out, exited } = run({ LD_ENV_prod: SDK_KEY, USE_REDIS: '1', REDIS_URL: redis.url, PORT: String(port), STREAM_URI: fake.url, BASE_URI: fake.url, EVENTS_HOST: fake.url });
    later(child, async (c) => c.kill('SIGKILL'));
    await until(async () => {
      try {
        return ((await (await fetch(`${url}/status`)).json()) as { status: string }).status === 'healthy';
      } catch {
        return false;
      }
    }, 'the relay to be healthy');

    const stream = await fetch(`${url}/all`, { headers: { authorization: SDK_KEY } });
    expect(stream.status).toBe(200);
    const body = stream.body!.getReader();
    const first = new TextDecoder().decode((await body.read()).value);
    expect(first).toContain('event: put');
    const post = await fetch(`${url}/bulk`, { method: 'POST', headers: { authorization: SDK_KEY, 'content-type': 'application/json' }, body: JSON.stringify([{ kind: 'custom', key: 'k' }]) });
    expect(post.status).toBe(202);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    let ended = false;
    while (!ended) ended = (await body.read()).done;
    expect(fake.events.analyticsPosts()).toHaveLength(1);
    expect(fake.events.analyticsPosts()[0]!.status).toBe(202);
    expect(out.stdout + out.stderr).toMatch(/SIGTERM received/);
    expect(out.stdout + out.stderr).toMatch(/\[relay\] stopped/);
    expect(out.stdout + out.stderr).not.toContain(SDK_KEY);
    await expect(fetch(`${url}/status`)).rejects.toThrow();
  });
});
