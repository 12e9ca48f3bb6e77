import { expectConfigError } from '@switchyard/store-conformance';
import { describe, expect, it } from 'vitest';

import { failureOf } from './errors.js';
import { fromLaunchDarkly } from './factories.js';
import { kvPath } from './http.js';
import { ConsulFeatureStore, ConsulKeys, consulStore, consulStoreDefaults } from './index.js';
import { resolveConsulOptions } from './options.js';

describe('options', () => {
  it('defaults to the local agent, LaunchDarkly’s prefix and cache TTL, 400 KB items and a pool of 4', () => {
    const resolved = resolveConsulOptions();
    expect(resolved).toMatchObject({ origin: 'http://127.0.0.1:8500', prefix: 'launchdarkly', cacheTtlMs: 15_000, maxItemBytes: 409_600, maxTxnOps: 64, maxTxnBytes: 524_288 });
    expect(resolved.pool).toEqual({ maxConnections: 4, connectTimeoutMs: 3_000, requestTimeoutMs: 5_000 });
    expect(Object.isFrozen(consulStoreDefaults)).toBe(true);
  });

  it('builds the address from url, or from host, port and secure', () => {
    expect(resolveConsulOptions({ url: 'https://consul.internal:8501/' }).origin).toBe('https://consul.internal:8501');
    expect(resolveConsulOptions({ host: 'consul.internal' }).origin).toBe('http://consul.internal:8500');
    expect(resolveConsulOptions({ host: 'consul.internal', secure: true }).origin).toBe('https://consul.internal:8501');
    expect(resolveConsulOptions({ host: '::1', port: 9000 }).origin).toBe('http://[::1]:9000');
  });

  it.each([
    [{ url: 'consul.internal:8500' }, /option url must be an http:\/\/ or https:\/\/ URL/],
    [{ url: 'http://consul:8500/v1' }, /option url must be the agent address only/],
    [{ url: 'http://user:pass@consul:8500' }, /option url must be the agent address only/],
    [{ url: 'http://consul:8500', port: 1 }, /option url cannot be combined with host, port or secure/],
    [{ port: 70_000 }, /option port must be at most 65535/],
    [{ host: 'a b' }, /option host must be a host name/],
    [{ prefix: '' }, /option prefix must be a non-empty string/],
    [{ prefix: 'ld/' }, /neither starts nor ends with "\/"/],
    [{ datacenter: 'dc 1' }, /option datacenter must be a datacenter name/],
    [{ maxItemBytes: 600_000 }, /option maxItemBytes must not exceed 524288/],
    [{ pool: { maxConnections: 0 } }, /option pool.maxConnections must be an integer of at least 1/],
    [{ pool: { requestTimeoutMs: 0 } }, /option pool.requestTimeoutMs must be a positive number of milliseconds/],
    [{ maxTxnOps: 1 }, /option maxTxnOps must be an integer of at least 2/],
    [{ maxUpsertAttempts: 0 }, /option maxUpsertAttempts must be an integer of at least 1/],
  ])('refuses %j with a ConfigError naming the option', (options, message) => {
    expect(expectConfigError(() => consulStore(options as never))).toMatch(message);
  });

  it('never shows a token in an option error', () => {
    const message = expectConfigError(() => consulStore({ token: 'line\nbreak-s3cret' }));
    expect(message).toMatch(/option token must be a non-empty string without line breaks/);
    expect(message).not.toContain('s3cret');
  });
});

describe('LaunchDarkly’s option shape (launchdarkly-node-server-sdk-consul)', () => {
  it('maps consulOptions, the token and dc in defaults, and cacheTTL in seconds (default 15)', () => {
    expect(fromLaunchDarkly({ consulOptions: { host: 'c', port: '8600', secure: true, defaults: { token: 't', dc: 'dc2' } }, prefix: 'p', cacheTTL: 30 })).toEqual({
      host: 'c',
      port: 8600,
      secure: true,
      token: 't',
      datacenter: 'dc2',
      prefix: 'p',
      cacheTtlMs: 30_000,
    });
    expect(fromLaunchDarkly()).toEqual({ cacheTtlMs: 15_000 });
    expect(typeof ConsulFeatureStore({ prefix: 'p' })).toBe('function');
  });
});

describe('layout and paths', () => {
  it('is LaunchDarkly’s, and every folder ends in a slash', () => {
    const keys = new ConsulKeys('ld');
    expect([keys.root, keys.inited, keys.folder('features'), keys.item('segments', 'a/b')]).toEqual(['ld/', 'ld/$inited', 'ld/features/', 'ld/segments/a/b']);
  });

  it('percent-encodes each part of a key, keeping its slashes', () => {
    expect(kvPath('ld/features/a b?#%/ü')).toBe('/v1/kv/ld/features/a%20b%3F%23%25/%C3%BC');
    expect(kvPath('ld/$inited')).toBe('/v1/kv/ld/%24inited');
  });

  it('maps HTTP statuses to failures', () => {
    expect([403, 409, 413, 400, 500, 503, 418].map(failureOf)).toEqual(['forbidden', 'conflict', 'too-large', 'bad-request', 'server-error', 'server-error', 'unexpected']);
  });
});
