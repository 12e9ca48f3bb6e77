import { startConsulEmulator } from '@switchyard/consul-kv-emulator';

import { startDynalite } from './dynalite.js';
import { startRedis, startRedisCluster } from './redis.js';
import { startRedisSentinel } from './redis-sentinel.js';

/** A started service as the CLI and sample apps see it: environment variables to connect, and stop. */
export interface StartedService {
  readonly name: string;
  /** Variables a client needs, e.g. `{ REDIS_URL: 'redis://127.0.0.1:40123' }`. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

type Starter = () => Promise<StartedService>;

/**
 * Every service the CLI can start, by name. A new service adds one entry here and its own starter
 * module (or, like the Consul KV emulator, its own package).
 */
export const SERVICES: Readonly<Record<string, Starter>> = {
  redis: async () => {
    const s = await startRedis();
    return { name: 'redis', env: { REDIS_URL: s.url }, stop: () => s.stop() };
  },
  'redis-cluster': async () => {
    const c = await startRedisCluster();
    return {
      name: 'redis-cluster',
      env: { REDIS_CLUSTER_NODES: c.startupNodes.map((n) => `${n.host}:${n.port}`).join(',') },
      stop: () => c.stop(),
    };
  },
  'redis-sentinel': async () => {
    const s = await startRedisSentinel();
    return {
      name: 'redis-sentinel',
      env: { REDIS_SENTINELS: s.sentinels.map((n) => `${n.host}:${n.port}`).join(','), REDIS_SENTINEL_NAME: s.masterName },
      stop: () => s.stop(),
    };
  },
  dynalite: async () => {
    const d = await startDynalite({ mode: 'child-process' });
    return {
      name: 'dynalite',
      env: {
        DYNAMODB_ENDPOINT: d.endpoint,
        AWS_REGION: d.region,
        AWS_ACCESS_KEY_ID: d.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: d.credentials.secretAccessKey,
      },
      stop: () => d.stop(),
    };
  },
  consul: async () => {
    const c = await startConsulEmulator();
    return { name: 'consul', env: { CONSUL_HTTP_ADDR: c.address }, stop: () => c.stop() };
  },
};

/** Starts the named services in order; if one fails, stops those already started and rethrows. */
export async function startServices(names: readonly string[]): Promise<StartedService[]> {
  const started: StartedService[] = [];
  try {
    for (const name of names) {
      const starter = SERVICES[name];
      if (!starter) throw new Error(`unknown service "${name}"; known: ${Object.keys(SERVICES).join(', ')}`);
      started.push(await starter());
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
  return started;
}
