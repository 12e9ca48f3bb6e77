import { readFileSync } from 'node:fs';

/** A mistake in the relay's configuration: reported as one line, without a stack trace. */
export class RelayConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RelayConfigError';
  }
}

/** The persistent store: exactly one of Redis (single node or Cluster) and DynamoDB. */
export type StoreConfig =
  | {
      readonly type: 'redis';
      /** `redis://…` / `rediss://…`; built from host and port when not given. */
      readonly url: string;
      /** Switchyard extension: Redis Cluster startup nodes (then `url` is not used). */
      readonly clusterNodes?: readonly { host: string; port: number }[];
      readonly password?: string;
      readonly username?: string;
      readonly prefix?: string;
    }
  | {
      readonly type: 'dynamodb';
      readonly tableName: string;
      /** A local endpoint (`DYNAMODB_URL`), e.g. dynalite or DynamoDB Local. */
      readonly endpoint?: string;
      readonly prefix?: string;
      /** Passed to the AWS SDK's `DynamoDBClient` (region, credentials); library use only. */
      readonly clientOptions?: Record<string, unknown>;
    };

/** Everything {@link startRelay} needs. Durations are in milliseconds. */
export interface RelayConfig {
  /** The environment's name (`[Environment "name"]`, `LD_ENV_<name>`); shown by `/status`. */
  readonly envName: string;
  /** The server-side SDK key: used upstream, and the only key accepted downstream. */
  readonly sdkKey: string;
  /** Port to listen on. Default 8030 (0: a free port). */
  readonly port: number;
  /** Address to listen on. Default `0.0.0.0`. */
  readonly host: string;
  readonly streamUri: string;
  readonly baseUri: string;
  readonly eventsUri: string;
  /** How long to wait for the first upstream data before serving what the store holds. Default 10 s. */
  readonly initTimeoutMs: number;
  /** The in-memory cache in front of the store: > 0 a TTL, < 0 forever, 0 none. Default 30 s. */
  readonly cacheTtlMs: number;
  readonly store: StoreConfig;
}

/** Tuning knobs that Relay has no name for (tests use short values); all optional. */
export interface RelayTuning {
  /** First upstream reconnect delay, ms (doubles up to 30 s). Default 1000. */
  readonly upstreamReconnectDelayMs?: number;
  /** How often the store is probed while it is down, ms. Default 500. */
  readonly storePollIntervalMs?: number;
  /** SSE heartbeat interval towards SDKs, ms. Default 180000. */
  readonly heartbeatMs?: number;
  /** Largest item the store takes, bytes (the store's `maxItemBytes`). Default: the store's. */
  readonly maxItemBytes?: number;
}

const DEFAULT_PORT = 8030;
const DEFAULTS = {
  streamUri: 'https://stream.launchdarkly.com',
  baseUri: 'https://sdk.launchdarkly.com',
  eventsUri: 'https://events.launchdarkly.com',
};

/** Parses a Relay duration (`500ms`, `30s`, `5m`, `1h`, `1m30s`; a leading `-` for negative; `0`). */
export function parseDuration(text: string, name: string): number {
  const value = text.trim();
  if (value === '0' || value === '-0') return 0;
  const match = /^(-?)((?:\d+(?:\.\d+)?(?:ms|s|m|h))+)$/.exec(value);
  if (!match) throw new RelayConfigError(`${name}: "${text}" is not a duration; use a number with a unit, e.g. 500ms, 30s, 5m, 1h or 1m30s`);
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  for (const [, n, unit] of match[2]!.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(n) * units[unit!]!;
  return match[1] ? -ms : ms;
}

function parseBool(text: string, name: string): boolean {
  const v = text.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0' || v === '') return false;
  throw new RelayConfigError(`${name}: "${text}" is not a boolean; use true, 1, false or 0`);
}

function parsePort(text: string, name: string): number {
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RelayConfigError(`${name}: "${text}" is not a port number (0-65535)`);
  return n;
}

function parseUri(text: string, name: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new RelayConfigError(`${name}: "${text}" is not an absolute URI`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RelayConfigError(`${name}: "${text}" must be an http or https URI`);
  return text.trim().replace(/\/+$/, '');
}

function parseNodes(text: string, name: string): { host: string; port: number }[] {
  const nodes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^(?:redis:\/\/)?([^:/]+):(\d+)$/.exec(entry);
      if (!m) throw new RelayConfigError(`${name}: "${entry}" is not host:port`);
      return { host: m[1]!, port: parsePort(m[2]!, name) };
    });
  if (nodes.length === 0) throw new RelayConfigError(`${name}: give at least one host:port`);
  return nodes;
}

/** A parsed config file: section (lower-case, `environment "name"` keeps the name's case) → key (lower-case) → value. */
export type ConfigFile = Map<string, Map<string, string>>;

/**
 * Parses Relay's INI-like (gcfg) file: `[Section]`, `[Section "sub"]`, `key = value` (quotes optional),
 * `#` or `;` comments. Section and key names are case-insensitive, as in gcfg.
 */
export function parseConfigFile(text: string, fileName = 'config file'): ConfigFile {
  const sections: ConfigFile = new Map();
  let current: Map<string, string> | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const where = `${fileName} line ${index + 1}`;
    const section = /^\[\s*([A-Za-z][\w-]*)\s*(?:"([^"]*)")?\s*\]$/.exec(line);
    if (section) {
      const name = section[2] === undefined ? section[1]!.toLowerCase() : `${section[1]!.toLowerCase()} "${section[2]}"`;
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      return;
    }
    const entry = /^([A-Za-z][\w-]*)\s*=\s*(.*)$/.exec(line);
    if (!entry) throw new RelayConfigError(`${where}: expected [Section] or key = value`);
    if (!current) throw new RelayConfigError(`${where}: "${entry[1]}" is outside any [Section]`);
    let value = entry[2]!.replace(/\s+[#;].*$/, '').trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    current.set(entry[1]!.toLowerCase(), value);
  });
  return sections;
}

/** Reads configuration from environment variables (which win) and an optional config file, the way Relay does. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, file?: ConfigFile): RelayConfig {
  const section = (name: string) => file?.get(name);
  const main = section('main');
  const redisFile = section('redis');
  const dynamoFile = section('dynamodb');
  const events = section('events');
  const pick = (envName: string, fileSection: Map<string, string> | undefined, key: string, label: string): [string, string] | undefined => {
    const fromEnv = env[envName];
    if (fromEnv !== undefined && fromEnv !== '') return [fromEnv, envName];
    const fromFile = fileSection?.get(key.toLowerCase());
    return fromFile !== undefined && fromFile !== '' ? [fromFile, label] : undefined;
  };

  // --- the environment (one) ---
  const envs = new Map<string, { sdkKey?: string; prefix?: string; tableName?: string }>();
  for (const [name, values] of file ?? []) {
    const m = /^environment "(.*)"$/.exec(name);
    if (m) envs.set(m[1]!, { sdkKey: values.get('sdkkey'), prefix: values.get('prefix'), tableName: values.get('tablename') });
  }
  for (const [key, value] of Object.entries(env)) {
    const m = /^LD_ENV_(.+)$/.exec(key);
    if (m && value) envs.set(m[1]!, { ...envs.get(m[1]!), sdkKey: value });
  }
  if (envs.size === 0) throw new RelayConfigError('no environment configured: set LD_ENV_<name>=<sdk key> or add [Environment "<name>"] sdkKey = … to the config file');
  if (envs.size > 1) throw new RelayConfigError(`${envs.size} environments configured (${[...envs.keys()].join(', ')}); this relay serves exactly one`);
  const [envName, envValues] = [...envs][0]!;
  for (const [key, value] of Object.entries(env)) {
    if (key === `LD_PREFIX_${envName}` && value) envValues.prefix = value;
    if (key === `LD_TABLE_NAME_${envName}` && value) envValues.tableName = value;
  }
  if (!envValues.sdkKey) throw new RelayConfigError(`environment "${envName}" has no SDK key (sdkKey / LD_ENV_${envName})`);

  // --- main ---
  const uri = (envName: string, key: string, fallback: string, s = main, sectionName = 'Main') => {
    const v = pick(envName, s, key, `[${sectionName}] ${key}`);
    return v ? parseUri(v[0], v[1]) : fallback;
  };
  const portValue = pick('PORT', main, 'port', '[Main] port');
  const initTimeout = pick('INIT_TIMEOUT', main, 'initTimeout', '[Main] initTimeout');

  // --- the store ---
  const useRedisEnv = env.USE_REDIS !== undefined && parseBool(env.USE_REDIS, 'USE_REDIS');
  const redisClusterNodes = pick('REDIS_CLUSTER_NODES', redisFile, 'clusterNodes', '[Redis] clusterNodes');
  const useRedis =
    useRedisEnv || Boolean(redisFile && (redisFile.get('host') || redisFile.get('url') || redisFile.get('clusternodes'))) || Boolean(env.REDIS_CLUSTER_NODES);
  const dynamoEnabled = pick('USE_DYNAMODB', dynamoFile, 'enabled', '[DynamoDB] enabled');
  const useDynamo = dynamoEnabled ? parseBool(dynamoEnabled[0], dynamoEnabled[1]) : false;
  if (useRedis && useDynamo) {
    throw new RelayConfigError('both Redis (USE_REDIS / [Redis]) and DynamoDB (USE_DYNAMODB / [DynamoDB] enabled) are configured; the relay uses exactly one persistent store');
  }
  if (!useRedis && !useDynamo) {
    throw new RelayConfigError('no persistent store configured: set USE_REDIS=1 (or [Redis] host/url) or USE_DYNAMODB=1 with DYNAMODB_TABLE (or [DynamoDB] enabled = true)');
  }
  const ttl = pick('CACHE_TTL', useRedis ? redisFile : dynamoFile, 'localTtl', useRedis ? '[Redis] localTtl' : '[DynamoDB] localTtl');

  let store: StoreConfig;
  if (useRedis) {
    let host = pick('REDIS_HOST', redisFile, 'host', '[Redis] host')?.[0] ?? 'localhost';
    let port = 6379;
    const portSetting = pick('REDIS_PORT', redisFile, 'port', '[Redis] port');
    if (portSetting) {
      const docker = /^tcp:\/\/([^:]+):(\d+)$/.exec(portSetting[0]);
      if (docker) {
        host = docker[1]!;
        port = parsePort(docker[2]!, portSetting[1]);
      } else port = parsePort(portSetting[0], portSetting[1]);
    }
    let url = pick('REDIS_URL', redisFile, 'url', '[Redis] url')?.[0] ?? `redis://${host}:${port}`;
    if (!/^rediss?:\/\//.test(url)) throw new RelayConfigError(`REDIS_URL / [Redis] url: "${url.replace(/\/\/[^@]*@/, '//***@')}" must start with redis:// or rediss://`);
    const tls = pick('REDIS_TLS', redisFile, 'tls', '[Redis] tls');
    if (tls && parseBool(tls[0], tls[1])) url = url.replace(/^redis:/, 'rediss:');
    const password = pick('REDIS_PASSWORD', redisFile, 'password', '[Redis] password')?.[0];
    const username = pick('REDIS_USERNAME', redisFile, 'username', '[Redis] username')?.[0];
    store = {
      type: 'redis',
      url,
      ...(redisClusterNodes ? { clusterNodes: parseNodes(redisClusterNodes[0], redisClusterNodes[1]) } : {}),
      ...(password ? { password } : {}),
      ...(username ? { username } : {}),
      ...(envValues.prefix ? { prefix: envValues.prefix } : {}),
    };
  } else {
    const tableName = envValues.tableName ?? pick('DYNAMODB_TABLE', dynamoFile, 'tableName', '[DynamoDB] tableName')?.[0];
    if (!tableName) throw new RelayConfigError('DynamoDB is enabled but no table is named: set DYNAMODB_TABLE or [DynamoDB] tableName');
    const endpoint = pick('DYNAMODB_URL', dynamoFile, 'url', '[DynamoDB] url');
    store = {
      type: 'dynamodb',
      tableName,
      ...(endpoint ? { endpoint: parseUri(endpoint[0], endpoint[1]) } : {}),
      ...(envValues.prefix ? { prefix: envValues.prefix } : {}),
    };
  }

  return {
    envName,
    sdkKey: envValues.sdkKey,
    port: portValue ? parsePort(portValue[0], portValue[1]) : DEFAULT_PORT,
    host: env.RELAY_HOST || main?.get('host') || '0.0.0.0',
    streamUri: uri('STREAM_URI', 'streamUri', DEFAULTS.streamUri),
    baseUri: uri('BASE_URI', 'baseUri', DEFAULTS.baseUri),
    eventsUri: uri('EVENTS_HOST', 'eventsUri', DEFAULTS.eventsUri, events, 'Events'),
    initTimeoutMs: initTimeout ? parseDuration(initTimeout[0], initTimeout[1]) : 10_000,
    cacheTtlMs: ttl ? parseDuration(ttl[0], ttl[1]) : 30_000,
    store,
  };
}

/** Reads the config file named by `--config <file>` / `CONFIG_FILE` (if any) and the environment. */
export function loadConfigFromProcess(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): RelayConfig {
  const index = argv.indexOf('--config');
  const path = index >= 0 ? argv[index + 1] : env.CONFIG_FILE;
  if (index >= 0 && !path) throw new RelayConfigError('--config needs a file name');
  let file: ConfigFile | undefined;
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new RelayConfigError(`cannot read the config file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    file = parseConfigFile(text, path);
  }
  return loadConfig(env, file);
}
