import { connect, createServer, type Socket } from 'node:net';

import { freePort, LOOPBACK } from './ports.js';

/**
 * What the proxy does with traffic:
 * - `forward`: pass bytes both ways (normal);
 * - `refuse`: accept and immediately reset new connections, and drop existing ones (a dead host
 *   that still answers TCP: "connection reset");
 * - `blackhole`: accept connections but never forward or answer (a network partition / stalled server).
 */
export type ProxyMode = 'forward' | 'refuse' | 'blackhole';

/** Options for {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Where to forward to. */
  target: { host?: string; port: number };
  /** Port to listen on. Default: a free loopback port. */
  port?: number;
}

/** A TCP proxy in front of a real service, for outage and partition tests that keep the service's data. */
export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  readonly mode: ProxyMode;
  /** Connections currently open through the proxy (what a client's pool really holds). */
  readonly openConnections: number;
  /** Connections accepted since start. */
  readonly totalConnections: number;
  /** Most connections open at once since start or the last {@link resetPeak} (a pool limit, seen from the server's side). */
  readonly peakConnections: number;
  /** Restarts {@link peakConnections} from the connections open now. */
  resetPeak(): void;
  /** Switches mode; leaving `forward` drops every open connection. */
  setMode(mode: ProxyMode): void;
  /** Destroys every open connection (clients see a reset) without changing the mode. */
  dropConnections(): void;
  stop(): Promise<void>;
}

/** Starts a fault-injecting TCP proxy on a free loopback port. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const targetHost = options.target.host ?? LOOPBACK;
  const port = options.port ?? (await freePort());
  let mode: ProxyMode = 'forward';
  let total = 0;
  let peak = 0;
  const clients = new Set<Socket>();
  const upstreams = new Set<Socket>();

  const dropAll = () => {
    for (const s of [...clients, ...upstreams]) s.destroy();
    clients.clear();
    upstreams.clear();
  };

  const server = createServer((client) => {
    total++;
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    clients.add(client);
    peak = Math.max(peak, clients.size);
    client.on('error', () => undefined);
    client.on('close', () => clients.delete(client));
    if (mode === 'blackhole') {
      // Read and discard, so a client hanging up is still noticed (a paused socket never sees 'end').
      client.resume();
      return;
    }
    const upstream = connect({ host: targetHost, port: options.target.port });
    upstreams.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('close', () => {
      upstreams.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => resolve());
  });

  return {
    host: LOOPBACK,
    port,
    get mode() {
      return mode;
    },
    get openConnections() {
      return clients.size;
    },
    get totalConnections() {
      return total;
    },
    get peakConnections() {
      return peak;
    },
    resetPeak() {
      peak = clients.size;
    },
    setMode(next) {
      if (next !== 'forward') dropAll();
      mode = next;
    },
    dropConnections: dropAll,
    stop: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
}
