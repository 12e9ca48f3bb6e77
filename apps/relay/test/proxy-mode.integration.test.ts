// The relay serves SDKs in proxy mode: Switchyard's and LaunchDarkly's Node SDKs, unchanged, evaluate the
// same flags through it, receive a change made upstream, and their events reach the upstream events
// endpoint; a daemon-mode client reads what the relay wrote to Redis.
import { afterEach, describe, expect, it } from 'vitest';

import { init as ldInit, basicLogger as ldLogger } from '@launchdarkly/node-server-sdk';
import { startFakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { init } from '@switchyard/node-server';
import { redisStore } from '@switchyard/store-redis';
import { startRedis } from '@switchyard/test-services';

import { SDK_KEY, USER, closeAll, flag, later, proxySdk, quiet, startTestRelay, status, until } from './helpers.js';

afterEach(closeAll);

describe('proxy mode', () => {
  it('serves both SDKs the same flags, passes on an upstream change, forwards their events, and fills the store for daemon-mode readers', async () => {
    const redis = later(await startRedis(), (r) => r.stop());
    const fake = later(await startFakeLaunchDarkly({ data: { flags: { f1: flag('f1', 'one'), f2: flag('f2', 42) }, segments: {} } }), (f) => f.close());
    const { relay, log } = await startTestRelay(fake.url, { type: 'redis', url: redis.url });
    await until(() => relay.status().environments.test!.serving === 'upstream', 'the relay to be connected upstream');

    const ours = proxySdk(relay);
    const theirs = later(
      ldInit(SDK_KEY, { baseUri: relay.url, streamUri: relay.url, eventsUri: relay.url, logger: ldLogger({ level: 'none' }), streamInitialReconnectDelay: 0.05 }),
      async (c) => c.close(),
    );
    await ours.waitForInitialization({ timeout: 10 });
    await theirs.waitForInitialization({ timeout: 10 });
    for (const client of [ours, theirs]) {
      expect(await client.variation('f1', USER, 'default')).toBe('one');
      expect(await client.variation('f2', USER, 0)).toBe(42);
    }

    fake.stream.patch('flags', flag('f1', 'two', 2));
    await until(async () => (await ours.variation('f1', USER, 'default')) === 'two' && (await theirs.variation('f1', USER, 'default')) === 'two', 'both SDKs to see the change');

    await ours.flush();
    await theirs.flush();
    await fake.events.waitFor((e) => {
      const agents = e.analyticsPosts().map((p) => String(p.request.headers['user-agent']));
      return agents.some((a) => a.startsWith('SwitchyardNodeServer')) && agents.some((a) => a.startsWith('NodeJSClient'));
    }, 10_000);
    for (const post of fake.events.analyticsPosts()) {
      expect(post.request.headers.authorization).toBe(SDK_KEY);
      expect(post.payloadId).toBeTruthy();
      expect(post.status).toBe(202);
    }
    expect(fake.events.analyticsEvents().some((e) => e.kind === 'summary' || e.kind === 'index')).toBe(true);
    // LaunchDarkly's SDK sends its diagnostic-init event at start: forwarded to /diagnostic.
    await fake.events.waitFor((e) => e.diagnosticEvents().some((d) => d.kind === 'diagnostic-init'), 10_000);
    expect(fake.events.posts.find((p) => p.endpoint === 'diagnostic')!.request.headers.authorization).toBe(SDK_KEY);

    // Daemon mode: a client that only reads Redis sees what the relay wrote, including the change.
    const daemon = later(init(SDK_KEY, { useLdd: true, featureStore: redisStore({ url: redis.url, cacheTtlMs: 0 }), logger: quiet, sendEvents: false }), (c) => c.close());
    await daemon.waitForInitialization({ timeout: 5 });
    expect(await daemon.variation('f1', USER, 'default')).toBe('two');
    expect(await daemon.variation('f2', USER, 0)).toBe(42);

    expect(log.lines.join('\n')).not.toContain(SDK_KEY);
  });

  it('serves polling SDKs from /sdk/latest-all', async () => {
    const redis = later(await startRedis(), (r) => r.stop());
    const fake = later(await startFakeLaunchDarkly({ data: { flags: { f1: flag('f1', 'polled') }, segments: { s1: { key: 's1', version: 1, included: [], excluded: [], rules: [], salt: 's' } } } }), (f) => f.close());
    const { relay } = await startTestRelay(fake.url, { type: 'redis', url: redis.url });
    await until(() => relay.status().environments.test!.serving === 'upstream', 'the relay to be connected upstream');
    const res = await fetch(`${relay.url}/sdk/latest-all`, { headers: { authorization: SDK_KEY } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ flags: { f1: { key: 'f1', version: 1, variations: ['polled', null] } }, segments: { s1: { key: 's1' } } });
    const polling = later(
      ldInit(SDK_KEY, { stream: false, baseUri: relay.url, streamUri: relay.url, eventsUri: relay.url, logger: ldLogger({ level: 'none' }), sendEvents: false }),
      async (c) => c.close(),
    );
    await polling.waitForInitialization({ timeout: 10 });
    expect(await polling.variation('f1', USER, 'default')).toBe('polled');
    expect(fake.polling.requests).toHaveLength(0); // the relay answered from its own data, not by asking upstream
  });

  it('answers 401 to an unknown SDK key on every SDK endpoint', async () => {
    const redis = later(await startRedis(), (r) => r.stop());
    const fake = later(await startFakeLaunchDarkly({ data: { flags: { f1: flag('f1', 'one') }, segments: {} } }), (f) => f.close());
    const { relay } = await startTestRelay(fake.url, { type: 'redis', url: redis.url });
    await until(() => relay.status().environments.test!.serving === 'upstream', 'the relay to be connected upstream');
    expect(await status(relay.url, '/all', 'sdk-unknown')).toBe(401);
    expect(await status(relay.url, '/sdk/latest-all', 'sdk-unknown')).toBe(401);
    expect((await fetch(`${relay.url}/bulk`, { method: 'POST', headers: { authorization: 'sdk-unknown' }, body: '[]' })).status).toBe(401);
    expect(await status(relay.url, '/all')).toBe(200);
    expect(fake.events.posts).toHaveLength(0);
  });

  it('reports its state on /status without the SDK key', async () => {
    const redis = later(await startRedis(), (r) => r.stop());
    const fake = later(await startFakeLaunchDarkly({ data: { flags: { f1: flag('f1', 'one') }, segments: {} } }), (f) => f.close());
    const { relay } = await startTestRelay(fake.url, { type: 'redis', url: redis.url }, { cacheTtlMs: 5000 });
    await until(() => relay.status().environments.test!.serving === 'upstream', 'the relay to be connected upstream');
    const res = await fetch(`${relay.url}/status`);
    const text = await res.text();
    expect(text).not.toContain(SDK_KEY);
    const body = JSON.parse(text) as ReturnType<typeof relay.status>;
    expect(body.status).toBe('healthy');
    const env = body.environments.test!;
    expect(env).toMatchObject({ status: 'connected', serving: 'upstream', connectionStatus: { state: 'VALID' }, dataStoreStatus: { state: 'VALID', available: true, database: 'redis', cacheTtlMs: 5000 } });
    expect(env.sdkKey).toMatch(/^\*+6789$/);
    expect(Date.parse(env.lastUpdate!)).not.toBeNaN();
  });
});
