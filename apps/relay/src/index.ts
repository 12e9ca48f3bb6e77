/**
 * `@switchyard/app-relay`: a LaunchDarkly Relay Proxy-compatible relay on Switchyard. One upstream
 * stream, one persistent store (Redis, Redis Cluster or DynamoDB), SDKs served in proxy mode from memory.
 */
export { startRelay, type Relay, type RelayStatus, type ServingState, type StartRelayOptions } from './relay.js';
export { RelayStore, type RelayUpdate } from './relay-store.js';
export {
  loadConfig,
  loadConfigFromProcess,
  parseConfigFile,
  parseDuration,
  RelayConfigError,
  type ConfigFile,
  type RelayConfig,
  type RelayTuning,
  type StoreConfig,
} from './config.js';
