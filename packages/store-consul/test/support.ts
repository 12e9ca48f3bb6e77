import { type ConsulEmulator, type ConsulEmulatorOptions, startConsulEmulator } from '@switchyard/consul-kv-emulator';

/**
 * The Consul the tests talk to: a real agent when `CONSUL_HTTP_ADDR` is set (with `CONSUL_HTTP_TOKEN` and
 * `CONSUL_HTTP_SSL` as Consul's own CLI reads them), otherwise the emulator from `tooling/`, started on a
 * free port.
 */
export interface ConsulTarget {
  /** `http://host:port` */
  readonly url: string;
  readonly token: string | undefined;
  /** The emulator, when the tests run against it (undefined against a real Consul). */
  readonly emulator: ConsulEmulator | undefined;
  /** Deletes every key under `<prefix>/` (with the slash, so a longer prefix is untouched). */
  deleteTree(prefix: string): Promise<void>;
  /** A key's value as text, or undefined. */
  read(key: string): Promise<string | undefined>;
  /** Every key starting with `prefix`. */
  keys(prefix: string): Promise<string[]>;
  stop(): Promise<void>;
}

function realConsulUrl(): string | undefined {
  const address = process.env.CONSUL_HTTP_ADDR;
  if (!address) return undefined;
  if (/^https?:\/\//.test(address)) return address.replace(/\/$/, '');
  return `${process.env.CONSUL_HTTP_SSL === 'true' ? 'https' : 'http'}://${address}`;
}

export async function startConsulTarget(options: ConsulEmulatorOptions = {}): Promise<ConsulTarget> {
  const real = realConsulUrl();
  const emulator = real ? undefined : await startConsulEmulator(options);
  const url = real ?? emulator!.url;
  const token = real ? process.env.CONSUL_HTTP_TOKEN || undefined : options.aclToken;
  const headers: Record<string, string> = token ? { 'X-Consul-Token': token } : {};
  const path = (key: string) => `${url}/v1/kv/${key.split('/').map(encodeURIComponent).join('/')}`;
  return {
    url,
    token,
    emulator,
    async deleteTree(prefix) {
      const response = await fetch(`${path(`${prefix}/`)}?recurse`, { method: 'DELETE', headers });
      if (!response.ok) throw new Error(`deleting ${prefix}/ failed: ${response.status} ${await response.text()}`);
    },
    async read(key) {
      const response = await fetch(`${path(key)}?raw`, { headers });
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`reading ${key} failed: ${response.status}`);
      return response.text();
    },
    async keys(prefix) {
      const response = await fetch(`${path(prefix)}?keys`, { headers });
      if (response.status === 404) return [];
      if (!response.ok) throw new Error(`listing ${prefix} failed: ${response.status}`);
      return (await response.json()) as string[];
    },
    stop: async () => {
      await emulator?.stop();
    },
  };
}
