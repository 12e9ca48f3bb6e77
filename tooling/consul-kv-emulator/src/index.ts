/**
 * An emulator of Consul's KV HTTP API for store-consul's tests: `/v1/kv/<key>` (GET with recurse, keys,
 * separator, raw and blocking queries; PUT with flags and CAS; DELETE with recurse and CAS) and
 * `PUT /v1/txn` (atomic KV transactions), with Consul's indexes, limits, ACL answers and error texts,
 * plus fault hooks (latency, failed answers, dropped connections) and connection counters.
 *
 * @packageDocumentation
 */
export { startConsulEmulator, type ConsulEmulator, type RestartOptions } from './emulator.js';
export type { ConsulEmulatorOptions } from './options.js';
export { Faults, type FaultAction } from './faults.js';
export { ConnectionStats } from './stats.js';
export type { KvEntry } from './kv-state.js';
