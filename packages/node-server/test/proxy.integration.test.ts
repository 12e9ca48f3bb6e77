import { readFileSync } from 'node:fs';
import { Agent, createServer, type ClientRequestArgs, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';

import { afterEach, expect, it } from 'vitest';

import { Context } from '@switchyard/core';

import type { SwitchyardClient } from '../src/client/client.js';
import { createEventProcessor } from '../src/events/index.js';
import { FAST, boolFlag, harness, until, type Harness } from './support.js';

/** A self-signed certificate for 127.0.0.1 and localhost, for tests only. */
const tls = {
  cert: readFileSync(new URL('./fixtures/localhost-test-cert.pem', import.meta.url)),
  key: readFileSync(new URL('./fixtures/localhost-test-key.pem', import.meta.url)),
};

let h: Harness;
const servers: (Server | TcpServer)[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  await h?.close();
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

/**
 * What the proxy does with the next `CONNECT`: tunnel it (`forward`), accept it and never answer
 * (`silent`: a stalled proxy), answer 407, or close the connection without answering.
 */
type ProxyMode = 'forward' | 'silent' | '407' | 'close';

interface TestProxy {
  readonly port: number;
  /** Every CONNECT: its target and `Proxy-Authorization`. */
  readonly seen: { target: string; auth: string | undefined }[];
  /** Switches mode; leaving `forward` drops the open tunnels, so the next request needs a new one. */
  setMode(mode: ProxyMode): void;
}

function track(socket: Socket): Socket {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => undefined);
  return socket;
}

/** A CONNECT proxy whose behaviour the test switches; with `secure`, clients talk TLS to it. */
async function startProxy(initial: ProxyMode = 'forward', secure = false): Promise<TestProxy> {
  let mode = initial;
  const seen: { target: string; auth: string | undefined }[] = [];
  const tunnels = new Set<Socket>();
  const refuse = (_req: unknown, res: { writeHead(status: number): { end(): void } }) => res.writeHead(405).end();
  const proxy = secure ? createHttpsServer(tls, refuse) : createServer(refuse);
  servers.push(proxy);
  proxy.on(secure ? 'secureConnection' : 'connection', (socket: Socket) => track(socket));
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push({ target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    switch (mode) {
      case 'silent':
        client.resume();
        return;
      case '407':
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
        return;
      case 'close':
        client.destroy();
        return;
      case 'forward':
        break;
    }
    const [host, port] = (req.url ?? '').split(':');
    tunnels.add(client);
    const upstream = track(
      connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      }),
    );
    upstream.on('close', () => client.destroy());
    client.on('close', () => {
      tunnels.delete(client);
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: (proxy.address() as { port: number }).port,
    seen,
    setMode(next) {
      mode = next;
      if (next !== 'forward') for (const t of tunnels) t.destroy();
    },
  };
}

/** A TCP server that accepts connections and never sends a byte; resolves with its port and connection count. */
async function startSilentServer(): Promise<{ port: number; readonly connections: number }> {
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections++;
    track(socket).resume();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get connections() {
      return connections;
    },
  };
}

/** LaunchDarkly over HTTPS: a TLS front for the fake service; resolves with its URL. */
async function startTlsFront(): Promise<string> {
  const front = createTlsServer(tls, (socket) => {
    const upstream = track(connect(h.fake.server.port, '127.0.0.1'));
    track(socket).pipe(upstream).pipe(socket);
    upstream.on('close', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  });
  servers.push(front);
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(front.address() as { port: number }).port}`;
}

const user = { kind: 'user', key: 'u' };
const lastErrorMessage = (client: SwitchyardClient) => client.dataSourceStatusProvider.getStatus().lastError?.message ?? '';

it('streams and polls through an HTTP proxy with CONNECT and Proxy-Authorization (proxyOptions)', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const proxy = await startProxy();
  const client = h.client({ proxyOptions: { host: '127.0.0.1', port: proxy.port, auth: 'user:pass' } });
  await client.waitForInitialization({ timeout: 5 });
  expect(await client.variation('a', user, 'dflt')).toBe(true);
  const polling = h.client({ stream: false, proxyOptions: { host: '127.0.0.1', port: proxy.port } });
  await polling.waitForInitialization({ timeout: 5 });
  expect(proxy.seen[0]).toEqual({ target: `127.0.0.1:${h.fake.server.port}`, auth: `Basic ${Buffer.from('user:pass').toString('base64')}` });
  expect(proxy.seen.length).toBe(2);
});

it('streams, polls and posts events to an https LaunchDarkly through the tunnel, with tlsParams', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const url = await startTlsFront();
  const proxy = await startProxy();
  const options = { baseUri: url, streamUri: url, eventsUri: url, tlsParams: { ca: tls.cert }, proxyOptions: { host: '127.0.0.1', port: proxy.port } };
  const client = h.client({ ...options, sendEvents: true, diagnosticOptOut: true });
  await client.waitForInitialization({ timeout: 5 });
  h.fake.stream.patch('flags', boolFlag('a', 2, { on: false }));
  await until(() => client.variationSync('a', user, 'dflt') === false, 5000, 'a patch');
  client.identify(user);
  await client.flush();
  expect(h.fake.events.analyticsEvents()).toContainEqual(expect.objectContaining({ kind: 'identify' }));
  const polling = h.client({ ...options, stream: false });
  await polling.waitForInitialization({ timeout: 5 });
  expect(proxy.seen.every((s) => s.target === url.slice('https://'.length))).toBe(true);
});

it('refuses an https LaunchDarkly through the tunnel whose certificate tlsParams do not trust', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const url = await startTlsFront();
  const proxy = await startProxy();
  const client = h.client({ stream: false, baseUri: url, proxyOptions: { host: '127.0.0.1', port: proxy.port } }, { ...FAST, pollIntervalMs: 50 });
  await until(() => proxy.seen.length >= 2, 10_000, 'a second poll');
  expect(lastErrorMessage(client)).toMatch(/the TLS handshake with 127\.0\.0\.1:\d+ through the proxy 127\.0\.0\.1:\d+ failed: self.signed certificate/);
  expect(client.initialized()).toBe(false);
});

it('talks TLS to a proxy whose scheme is https', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const proxy = await startProxy('forward', true);
  const client = h.client({ tlsParams: { ca: tls.cert }, proxyOptions: { scheme: 'https', host: '127.0.0.1', port: proxy.port, auth: 'user:pass' } });
  await client.waitForInitialization({ timeout: 5 });
  expect(proxy.seen[0]).toEqual({ target: `127.0.0.1:${h.fake.server.port}`, auth: `Basic ${Buffer.from('user:pass').toString('base64')}` });
});

it('fails a poll within the timeout when the proxy never answers CONNECT, and keeps polling until the proxy works', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const proxy = await startProxy('silent');
  const started = Date.now();
  const client = h.client({ stream: false, timeout: 1, proxyOptions: { host: '127.0.0.1', port: proxy.port } }, { ...FAST, pollIntervalMs: 50 });
  await until(() => lastErrorMessage(client).includes('did not answer CONNECT'), 10_000, 'the first poll to fail');
  // timeout is 1 s; the bound is generous for a loaded machine, and far from "never".
  expect(Date.now() - started).toBeLessThan(5000);
  expect(lastErrorMessage(client)).toMatch(new RegExp(`the proxy 127\\.0\\.0\\.1:${proxy.port} did not answer CONNECT for 127\\.0\\.0\\.1:${h.fake.server.port} within 1000 ms`));
  expect(client.dataSourceStatusProvider.getStatus().lastError?.kind).toBe('NETWORK_ERROR');
  await until(() => proxy.seen.length >= 2, 10_000, 'the next poll');
  expect(h.fake.polling.requests).toHaveLength(0);

  proxy.setMode('forward');
  await client.waitForInitialization({ timeout: 10 });
  expect(h.fake.polling.requests.length).toBeGreaterThan(0);
  expect(await client.variation('a', user, 'dflt')).toBe(true);
});

it('keeps reconnecting the stream when the proxy never answers CONNECT, and streams once it works', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const proxy = await startProxy('silent');
  const client = h.client({ timeout: 1, proxyOptions: { host: '127.0.0.1', port: proxy.port } });
  await until(() => proxy.seen.length >= 3, 15_000, 'stream reconnect attempts');
  expect(lastErrorMessage(client)).toMatch(/did not answer CONNECT .* within 1000 ms/);
  expect(h.fake.stream.connections).toHaveLength(0);

  proxy.setMode('forward');
  await client.waitForInitialization({ timeout: 10 });
  h.fake.stream.patch('flags', boolFlag('a', 2, { on: false }));
  await until(() => client.variationSync('a', user, 'dflt') === false, 5000, 'a patch through the proxy');
});

it('gives up an event post within the timeout when the proxy stops answering CONNECT, and delivers once it answers again', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const proxy = await startProxy();
  const client = h.client({ stream: false, sendEvents: true, diagnosticOptOut: true, timeout: 1, proxyOptions: { host: '127.0.0.1', port: proxy.port } });
  await client.waitForInitialization({ timeout: 5 });

  proxy.setMode('silent');
  const connectsBefore = proxy.seen.length;
  client.identify({ kind: 'user', key: 'lost' });
  const started = Date.now();
  // One attempt and one retry a second later, each bounded by the 1 s timeout.
  await client.flush();
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(proxy.seen.length).toBeGreaterThan(connectsBefore);
  expect(h.fake.events.analyticsEvents()).toEqual([]);

  proxy.setMode('forward');
  client.identify({ kind: 'user', key: 'delivered' });
  await client.flush();
  expect(h.fake.events.analyticsEvents()).toEqual([expect.objectContaining({ kind: 'identify', context: expect.objectContaining({ key: 'delivered' }) })]);
});

it('bounds the TLS handshake through the tunnel by the timeout, and keeps polling', async () => {
  h = await harness();
  const proxy = await startProxy();
  // The tunnel opens, but the "LaunchDarkly" at its end never speaks TLS.
  const target = await startSilentServer();
  const client = h.client(
    { stream: false, baseUri: `https://127.0.0.1:${target.port}`, timeout: 1, proxyOptions: { host: '127.0.0.1', port: proxy.port } },
    { ...FAST, pollIntervalMs: 50 },
  );
  await until(() => target.connections >= 2, 15_000, 'a second poll');
  expect(lastErrorMessage(client)).toMatch(
    new RegExp(`the TLS handshake with 127\\.0\\.0\\.1:${target.port} through the proxy 127\\.0\\.0\\.1:${proxy.port} did not complete within 1000 ms`),
  );
});

it('reports a proxy that answers CONNECT with 407 as a clear error naming proxyOptions.auth, and keeps polling', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const proxy = await startProxy('407');
  const client = h.client({ stream: false, timeout: 1, proxyOptions: { host: '127.0.0.1', port: proxy.port } }, { ...FAST, pollIntervalMs: 50 });
  await until(() => proxy.seen.length >= 2, 10_000, 'a second poll');
  expect(lastErrorMessage(client)).toMatch(
    new RegExp(`the proxy 127\\.0\\.0\\.1:${proxy.port} refused to open a tunnel to 127\\.0\\.0\\.1:${h.fake.server.port}: HTTP 407 Proxy Authentication Required \\(proxy authentication required: check proxyOptions\\.auth\\)`),
  );
});

it('reports a proxy that closes the connection instead of answering CONNECT as such, and keeps polling', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const proxy = await startProxy('close');
  const client = h.client({ stream: false, timeout: 1, proxyOptions: { host: '127.0.0.1', port: proxy.port } }, { ...FAST, pollIntervalMs: 50 });
  await until(() => proxy.seen.length >= 2, 10_000, 'a second poll');
  expect(lastErrorMessage(client)).toMatch(new RegExp(`the proxy 127\\.0\\.0\\.1:${proxy.port} closed the connection before answering CONNECT`));
});

/**
 * A `proxyAgent` that opens its CONNECT tunnel with no deadline, as https-proxy-agent does: with a proxy
 * that never answers, it never hands the request a socket.
 */
class UnboundedTunnelAgent extends Agent {
  constructor(private readonly proxyPort: number) {
    super({ keepAlive: true });
  }

  override createConnection(options: ClientRequestArgs, callback: (err: Error | null, socket?: Duplex) => void): Duplex | undefined {
    const socket = track(connect(this.proxyPort, '127.0.0.1'));
    socket.write(`CONNECT ${options.host}:${options.port} HTTP/1.1\r\nHost: ${options.host}:${options.port}\r\n\r\n`);
    socket.once('data', () => callback(null, socket));
    socket.once('error', (err) => callback(err));
    return undefined;
  }
}

it('bounds the wait for a connection from a proxyAgent of the application, and keeps polling', async () => {
  h = await harness({ flags: { a: boolFlag('a') } });
  const proxy = await startProxy('silent');
  const agent = new UnboundedTunnelAgent(proxy.port);
  const client = h.client({ stream: false, timeout: 1, proxyAgent: agent }, { ...FAST, pollIntervalMs: 50 });
  await until(() => proxy.seen.length >= 2, 10_000, 'a second poll');
  expect(lastErrorMessage(client)).toMatch(/the proxyAgent gave the request no connection within 1000 ms/);
  agent.destroy();
});

it('bounds the wait for a connection from a proxyAgent in an event processor made with createEventProcessor', async () => {
  h = await harness();
  const proxy = await startProxy('silent');
  const agent = new UnboundedTunnelAgent(proxy.port);
  const processor = createEventProcessor('sdk-key', { eventsUri: h.fake.url, diagnosticOptOut: true, flushInterval: 3600, timeout: 1, proxyAgent: agent });
  processor.recordIdentify({ context: Context.from(user), creationDate: Date.now() });
  const started = Date.now();
  // One attempt and one retry a second later, each bounded by the 1 s timeout.
  await processor.flush();
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(proxy.seen.length).toBe(2);
  await processor.close();
  agent.destroy();
});
