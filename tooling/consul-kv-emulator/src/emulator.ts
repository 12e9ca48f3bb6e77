import { Faults } from './faults.js';
import type { KvEntry } from './kv-state.js';
import { KvStore } from './kv-store.js';
import { type ConsulEmulatorOptions, resolveOptions } from './options.js';
import { HttpLifetime } from './server.js';
import { ConnectionStats } from './stats.js';

/** Options of {@link ConsulEmulator.restart}. */
export interface RestartOptions {
  /** Start again with no data and a fresh raft index, like a new cluster. Default false. */
  readonly wipe?: boolean;
}

/** A running Consul KV emulator. Point a Consul client at {@link ConsulEmulator.url}. */
export interface ConsulEmulator {
  /** The address it listens on, e.g. `127.0.0.1`. */
  readonly host: string;
  /** The port it listens on (the same after a restart). */
  readonly port: number;
  /** `http://<host>:<port>` */
  readonly url: string;
  /** `<host>:<port>`, the form of `CONSUL_HTTP_ADDR`. */
  readonly address: string;
  /** Fault injection: latency, failed answers, dropped connections. */
  readonly faults: Faults;
  /** TCP connection and request counters. */
  readonly stats: ConnectionStats;
  /** The last raft index used (each write takes the next one). */
  readonly index: number;
  /** Whether it is listening (false after {@link stop} or {@link kill} until {@link restart}). */
  readonly running: boolean;
  /** The keys starting with `prefix` (default: all), in Consul's (byte) order. */
  keys(prefix?: string): string[];
  /** One entry, if present. */
  get(key: string): KvEntry | undefined;
  /** Writes a key as a `PUT /v1/kv/<key>` would (it takes a raft index), e.g. to seed data. */
  put(key: string, value: string | Uint8Array, flags?: bigint | number): KvEntry;
  /** Deletes a key, or with `recurse` every key starting with it, as `DELETE /v1/kv/<key>` would. */
  delete(key: string, options?: { readonly recurse?: boolean }): void;
  /** Stops gracefully: in-flight requests answer (blocking queries at once), then connections close. */
  stop(): Promise<void>;
  /** Stops abruptly: every connection is destroyed, in-flight requests get no answer. */
  kill(): Promise<void>;
  /** Stops (gracefully) if running, then listens again on the same port. Keeps the data unless `wipe`. */
  restart(options?: RestartOptions): Promise<void>;
}

/** A copy of an entry whose value the caller may change without touching the store. */
function copy(entry: KvEntry): KvEntry {
  return { ...entry, value: Buffer.from(entry.value) };
}

/**
 * Starts an emulator of Consul's KV HTTP API (`/v1/kv`, `/v1/txn`) on `host:port` (default a free
 * port on 127.0.0.1).
 *
 * @throws RangeError for an invalid option; Error when the port cannot be listened on
 */
export async function startConsulEmulator(options: ConsulEmulatorOptions = {}): Promise<ConsulEmulator> {
  const resolved = resolveOptions(options);
  const store = new KvStore();
  const faults = new Faults();
  const stats = new ConnectionStats();
  const started = await HttpLifetime.listen(store, resolved, faults, stats, resolved.port);
  const port = started.port;
  let lifetime = started.lifetime;
  let running = true;
  const host = resolved.host;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;

  const stop = async (abrupt: boolean): Promise<void> => {
    running = false;
    await (abrupt ? lifetime.kill() : lifetime.stop());
  };

  return {
    host,
    port,
    url: `http://${hostInUrl}:${port}`,
    address: `${hostInUrl}:${port}`,
    faults,
    stats,
    get index() {
      return store.raftIndex;
    },
    get running() {
      return running;
    },
    keys: (prefix = '') => store.state.listKeys(prefix, '').result,
    get: (key) => {
      const entry = store.state.get(key);
      return entry && copy(entry);
    },
    put: (key, value, flags = 0n) => {
      const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
      return copy(store.write((draft, idx) => ({ commit: true, value: draft.set(idx, key, bytes, BigInt(flags)) })));
    },
    delete: (key, deleteOptions = {}) => {
      store.write((draft, idx) => {
        if (deleteOptions.recurse) draft.deleteTree(idx, key);
        else draft.delete(idx, key);
        return { commit: true, value: undefined };
      });
    },
    stop: () => stop(false),
    kill: () => stop(true),
    restart: async (restartOptions = {}) => {
      await stop(false);
      if (restartOptions.wipe) store.wipe();
      ({ lifetime } = await HttpLifetime.listen(store, resolved, faults, stats, port));
      running = true;
    },
  };
}
