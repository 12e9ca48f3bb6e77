import { describe, expect, it } from 'vitest';

import { RelayConfigError, loadConfig, parseConfigFile, parseDuration } from '../src/index.js';

const KEY = 'sdk-abc-123';

function error(fn: () => unknown): RelayConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RelayConfigError);
    return err as RelayConfigError;
  }
  throw new Error('expected a RelayConfigError');
}

describe('durations', () => {
  it('reads Relay durations in ms, s, m, h and combinations, negative meaning forever', () => {
    expect(parseDuration('30s', 'x')).toBe(30_000);
    expect(parseDuration('5m', 'x')).toBe(300_000);
    expect(parseDuration('1m30s', 'x')).toBe(90_000);
    expect(parseDuration('250ms', 'x')).toBe(250);
    expect(parseDuration('1h', 'x')).toBe(3_600_000);
    expect(parseDuration('-1s', 'x')).toBe(-1000);
    expect(parseDuration('0', 'x')).toBe(0);
  });

  it('refuses a number without a unit, naming the setting', () => {
    expect(error(() => parseDuration('30', 'CACHE_TTL')).message).toMatch(/^CACHE_TTL: "30" is not a duration/);
  });
});

describe('environment variables', () => {
  it('configures Redis with Relay names and defaults', () => {
    const config = loadConfig({ LD_ENV_production: KEY, USE_REDIS: '1', REDIS_HOST: 'cache', REDIS_PORT: '6380', CACHE_TTL: '5m' });
    expect(config).toMatchObject({
      envName: 'production',
      sdkKey: KEY,
      port: 8030,
      streamUri: 'https://stream.launchdarkly.com',
      baseUri: 'https://sdk.launchdarkly.com',
      eventsUri: 'https://events.launchdarkly.com',
      initTimeoutMs: 10_000,
      cacheTtlMs: 300_000,
      store: { type: 'redis', url: 'redis://cache:6380' },
    });
  });

  it('reads REDIS_URL, the Docker form of REDIS_PORT, addresses, PORT and the environment prefix', () => {
    expect(loadConfig({ LD_ENV_a: KEY, USE_REDIS: 'true', REDIS_URL: 'redis://r:1/2' }).store).toMatchObject({ url: 'redis://r:1/2' });
    expect(loadConfig({ LD_ENV_a: KEY, USE_REDIS: '1', REDIS_PORT: 'tcp://10.0.0.1:7000' }).store).toMatchObject({ url: 'redis://10.0.0.1:7000' });
    const c = loadConfig({ LD_ENV_a: KEY, LD_PREFIX_a: 'env-a', USE_REDIS: '1', PORT: '9000', STREAM_URI: 'http://s:1/', BASE_URI: 'http://b:2', EVENTS_HOST: 'http://e:3', INIT_TIMEOUT: '2s' });
    expect(c).toMatchObject({ port: 9000, streamUri: 'http://s:1', baseUri: 'http://b:2', eventsUri: 'http://e:3', initTimeoutMs: 2000, store: { prefix: 'env-a' } });
  });

  it('configures Redis Cluster with REDIS_CLUSTER_NODES', () => {
    expect(loadConfig({ LD_ENV_a: KEY, REDIS_CLUSTER_NODES: 'n1:7000, n2:7001' }).store).toMatchObject({
      type: 'redis',
      clusterNodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
    });
    expect(error(() => loadConfig({ LD_ENV_a: KEY, REDIS_CLUSTER_NODES: 'n1' })).message).toMatch(/REDIS_CLUSTER_NODES: "n1" is not host:port/);
  });

  it('configures DynamoDB with a table and a local endpoint', () => {
    expect(loadConfig({ LD_ENV_a: KEY, USE_DYNAMODB: '1', DYNAMODB_TABLE: 'flags', DYNAMODB_URL: 'http://127.0.0.1:8000', CACHE_TTL: '-1s' })).toMatchObject({
      cacheTtlMs: -1000,
      store: { type: 'dynamodb', tableName: 'flags', endpoint: 'http://127.0.0.1:8000' },
    });
    expect(error(() => loadConfig({ LD_ENV_a: KEY, USE_DYNAMODB: '1' })).message).toMatch(/no table is named: set DYNAMODB_TABLE/);
  });

  it('refuses both stores, no store, no environment, two environments and bad values, in one line each', () => {
    expect(error(() => loadConfig({ LD_ENV_a: KEY, USE_REDIS: '1', USE_DYNAMODB: '1', DYNAMODB_TABLE: 't' })).message).toMatch(/both Redis .* and DynamoDB .* are configured/);
    expect(error(() => loadConfig({ LD_ENV_a: KEY })).message).toMatch(/no persistent store configured/);
    expect(error(() => loadConfig({ USE_REDIS: '1' })).message).toMatch(/no environment configured/);
    expect(error(() => loadConfig({ LD_ENV_a: KEY, LD_ENV_b: 'sdk-2', USE_REDIS: '1' })).message).toMatch(/2 environments configured \(a, b\)/);
    expect(error(() => loadConfig({ LD_ENV_a: KEY, USE_REDIS: 'yes' })).message).toMatch(/USE_REDIS: "yes" is not a boolean/);
    expect(error(() => loadConfig({ LD_ENV_a: KEY, USE_REDIS: '1', PORT: 'http' })).message).toMatch(/PORT: "http" is not a port/);
    expect(error(() => loadConfig({ LD_ENV_a: KEY, USE_REDIS: '1', STREAM_URI: 'stream' })).message).toMatch(/STREAM_URI: "stream" is not an absolute URI/);
  });

  it('never puts the SDK key in an error', () => {
    const err = error(() => loadConfig({ LD_ENV_a: KEY, USE_REDIS: '1', USE_DYNAMODB: '1' }));
    expect(err.message).not.toContain(KEY);
  });
});

describe('config file', () => {
  const file = `
# Relay's format
[Main]
port = 8031
streamUri = "http://stream.local"
initTimeout = 3s

[Events]
eventsUri = http://events.local

[Environment "staging"]
sdkKey = "${KEY}"
prefix = stg

[Redis]
host = "redis.local"
port = 6390
localTtl = 30s   ; inline comment
`;

  it('reads [Main], [Events], [Environment "name"] and [Redis]', () => {
    expect(loadConfig({}, parseConfigFile(file))).toMatchObject({
      envName: 'staging',
      sdkKey: KEY,
      port: 8031,
      streamUri: 'http://stream.local',
      eventsUri: 'http://events.local',
      initTimeoutMs: 3000,
      cacheTtlMs: 30_000,
      store: { type: 'redis', url: 'redis://redis.local:6390', prefix: 'stg' },
    });
  });

  it('lets environment variables override the file', () => {
    expect(loadConfig({ PORT: '9999', CACHE_TTL: '1s' }, parseConfigFile(file))).toMatchObject({ port: 9999, cacheTtlMs: 1000 });
  });

  it('reads [DynamoDB] and [Redis] clusterNodes, and refuses both sections together', () => {
    const dynamo = `[Environment "e"]\nsdkKey = ${KEY}\n[DynamoDB]\nenabled = true\ntableName = flags\nurl = http://127.0.0.1:8000\nlocalTtl = 10s\n`;
    expect(loadConfig({}, parseConfigFile(dynamo))).toMatchObject({ cacheTtlMs: 10_000, store: { type: 'dynamodb', tableName: 'flags', endpoint: 'http://127.0.0.1:8000' } });
    const cluster = `[Environment "e"]\nsdkKey = ${KEY}\n[Redis]\nclusterNodes = a:1,b:2\n`;
    expect(loadConfig({}, parseConfigFile(cluster)).store).toMatchObject({ clusterNodes: [{ host: 'a', port: 1 }, { host: 'b', port: 2 }] });
    expect(error(() => loadConfig({}, parseConfigFile(`${dynamo}[Redis]\nhost = r\n`))).message).toMatch(/both Redis/);
  });

  it('names the line of a syntax error', () => {
    expect(error(() => parseConfigFile('[Main]\nport 8030\n', 'relay.conf')).message).toBe('relay.conf line 2: expected [Section] or key = value');
  });
});
