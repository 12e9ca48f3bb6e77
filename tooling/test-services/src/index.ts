/**
 * Real services for tests and sample apps, started on free loopback ports and stopped again.
 * No Docker: `redis-server`, `redis-sentinel` and `openssl` come from the OS (Debian packages), dynalite from npm. A service that
 * cannot start throws {@link ServiceStartError}; tests let it fail the run.
 */
export { ServiceStartError } from './errors.js';
export { freePort, waitUntil } from './ports.js';
export { findBinary } from './process.js';
export { redisCommand, RespError, type RespValue } from './resp.js';
export {
  startRedis,
  startRedisServers,
  startRedisCluster,
  type RedisServer,
  type RedisServerOptions,
  type RedisCluster,
  type RedisClusterOptions,
} from './redis.js';
export {
  startRedisSentinel,
  type RedisSentinelOptions,
  type RedisSentinelSetup,
} from './redis-sentinel.js';
export { createTestCertificate, type TestCertificate } from './certificate.js';
export { startDynalite, type DynaliteServer, type DynaliteOptions } from './dynalite.js';
export { startFaultProxy, type FaultProxy, type FaultProxyOptions, type ProxyMode } from './proxy.js';
export { SERVICES, startServices, type StartedService } from './registry.js';
